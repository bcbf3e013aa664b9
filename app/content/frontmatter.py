"""The one YAML reader and schema checker of content files.

Module and course files and bank files open with YAML front matter between "---"
lines; a bank's questions open with "key: value" lines; a quiz file is YAML
throughout. All of them are read by `parse_mapping` and checked by a `Schema`, so a
problem reads the same wherever it is: invalid YAML, not a mapping, a repeated key,
a missing key, an unknown key, a wrong value — each at its file line.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import yaml
from flask_babel.speaklater import LazyString

from app.errors import lazy_gettext as _l

from .problems import Problem

# Messages are lazy (read in the reader's language); `what` arguments are too.
Message = str | LazyString
FRONT_MATTER = _l("front matter")  # how problems name a file's front matter
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


# --- reading ----------------------------------------------------------------------


@dataclass
class Mapping:
    """A YAML mapping and the file line of each key and of each item of a list."""

    data: dict
    first: int  # file line of the YAML text's first line
    nodes: dict[str, yaml.Node] = field(default_factory=dict)  # key -> value node
    lines: dict[str, int] = field(default_factory=dict)  # key -> file line

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.first)

    def item_lines(self, key: str) -> list[int]:
        node = self.nodes.get(key)
        items = node.value if isinstance(node, yaml.SequenceNode) else []
        return [self.first + item.start_mark.line for item in items]


def parse_mapping(
    text: str, first: int, path: str, what: Message, problems: list[Problem]
) -> Mapping | None:
    """Parse `text` (file lines from `first`) as a mapping; None after a Problem.

    `what` names the text in messages (FRONT_MATTER, _l("tệp đề thi")…). An empty
    document is an empty mapping (its keys are then reported missing); a repeated
    key is a Problem, and the last of them wins, as in YAML.
    """
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = first + mark.line if mark is not None else first
        reason = getattr(error, "problem", None) or str(error)
        message = _l(
            "%(what)s không phải YAML hợp lệ: %(reason)s", what=what, reason=reason
        )
        problems.append(Problem(path, line, message))
        return None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        message = _l("%(what)s phải là một bảng “khóa: giá trị” (mapping)", what=what)
        problems.append(Problem(path, first, message))
        return None
    mapping = Mapping(data, first)
    for key_node, value_node in node.value if node is not None else []:
        key, line = str(key_node.value), first + key_node.start_mark.line
        if key in mapping.lines:
            message = _repeated_key(key, mapping.lines[key])
            problems.append(Problem(path, line, message))
        mapping.lines[key], mapping.nodes[key] = line, value_node
    return mapping


def item_mappings(
    mapping: Mapping, key: str, path: str, what: Message, problems: list[Problem]
) -> list[Mapping]:
    """The items of the list under `key` (a contest's rounds), each a Mapping with
    the lines of its own keys; an item that is not a mapping is a Problem at its
    line (`what` names an item) and left out."""
    node, values = mapping.nodes.get(key), mapping.data.get(key)
    if not isinstance(node, yaml.SequenceNode) or not isinstance(values, list):
        return []
    found = []
    for item_node, value in zip(node.value, values, strict=False):
        line = mapping.first + item_node.start_mark.line
        if not isinstance(value, dict) or not isinstance(item_node, yaml.MappingNode):
            message = _l(
                "%(what)s phải là một bảng “khóa: giá trị” (mapping)", what=what
            )
            problems.append(Problem(path, line, message))
            continue
        item = Mapping(value, line)
        for key_node, value_node in item_node.value:
            name, at = str(key_node.value), mapping.first + key_node.start_mark.line
            if name in item.lines:
                message = _repeated_key(name, item.lines[name])
                problems.append(Problem(path, at, message))
            item.lines[name], item.nodes[name] = at, value_node
        found.append(item)
    return found


def _repeated_key(key: str, line: int) -> Message:
    return _l("khóa “%(key)s” lặp lại (đã có ở dòng %(line)s)", key=key, line=line)


@dataclass
class Document:
    """A file split at its front matter."""

    meta: Mapping | None  # None when the front matter is not a valid mapping
    body_lines: list[str]
    body_line: int  # 1-based file line of body_lines[0]

    @property
    def body(self) -> str:
        return "\n".join(self.body_lines)


def read_front_matter(text: str, path: str, problems: list[Problem]) -> Document | None:
    """Split normalised `text` into its front matter (file lines from 2) and body.

    None after a Problem when the file does not open with "---" … "---"; a
    Document whose `meta` is None after a Problem when the front matter is unusable.
    """
    lines = text.split("\n")
    end = _front_matter_end(lines)
    if end is None:
        message = _l("thiếu front matter YAML (--- … ---)")
        problems.append(Problem(path, 1, message))
        return None
    meta = parse_mapping("\n".join(lines[1:end]), 2, path, FRONT_MATTER, problems)
    return Document(meta, lines[end + 1 :], end + 2)


def _front_matter_end(lines: list[str]) -> int | None:
    """Index of the closing "---" line, or None if there is no front matter."""
    if lines[0].rstrip() != "---":
        return None
    return next((i for i, ln in enumerate(lines[1:], 1) if ln.rstrip() == "---"), None)


# --- checking ---------------------------------------------------------------------

Check = Callable[[str, object], Message | None]  # (key, value) -> message or None


@dataclass(frozen=True)
class Schema:
    """The keys a mapping may hold, each with its check; `required` ones must be
    there, `missing` gives some of them their own message when they are not."""

    checks: dict[str, Check]
    required: tuple[str, ...]
    missing: dict[str, Message] = field(default_factory=dict)

    def problems(self, mapping: Mapping, path: str, missing_line: int) -> list[Problem]:
        """Missing keys (at `missing_line`), then each key in file order: unknown,
        or a value its check refuses (at the key's line)."""
        found = [
            Problem(path, missing_line, self._missing(key))
            for key in self.required
            if key not in mapping.data
        ]
        for key, value in mapping.data.items():
            check, line = self.checks.get(str(key)), mapping.line_of(str(key))
            if check is None:
                message = _l("khóa không hợp lệ: %(key)s", key=key)
                found.append(Problem(path, line, message))
            elif message := check(str(key), value):
                found.append(Problem(path, line, message))
        return found

    def _missing(self, key: str) -> Message:
        if key in self.missing:
            return self.missing[key]
        return _l("thiếu khóa “%(key)s”", key=key)


def is_text(value: object) -> bool:
    return isinstance(value, str) and value.strip() != ""


def slug(value: object) -> str | None:
    """`value` as a tag ("phap-ly"; 2019 -> "2019"), or None if it is not one."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return value if isinstance(value, str) and SLUG.match(value) else None


def check_text(key: str, value: object) -> Message | None:
    if is_text(value):
        return None
    return _l("“%(key)s” phải là chuỗi không rỗng", key=key)


def check_texts(key: str, value: object) -> Message | None:
    if isinstance(value, list) and value and all(map(is_text, value)):
        return None
    return _l("“%(key)s” phải là danh sách không rỗng các chuỗi không rỗng", key=key)


def check_list_of(what: Message) -> Check:
    """A check that the value is a non-empty list (of `what`, a lazy plural noun
    said in the message); its items are checked by the caller."""

    def check(key: str, value: object) -> Message | None:
        if isinstance(value, list) and value:
            return None
        return _l("“%(key)s” phải là danh sách không rỗng %(what)s", key=key, what=what)

    return check


def check_code(key: str, value: object) -> Message | None:
    if isinstance(value, str) and CODE.match(value):
        return None
    return _l(
        "“%(key)s” phải là mã gồm chữ cái không dấu, chữ số, “.”, “_”, “-”: "
        "“%(value)s”",
        key=key,
        value=value,
    )


def bounded(check: Check, column) -> Check:
    """`check`, and no longer than the database `column` (a model attribute with a
    String length) holds: PostgreSQL refuses a longer value, SQLite keeps it, so a
    file that fits the one must fit the other."""
    longest = column.type.length

    def bounded_check(key: str, value: object) -> Message | None:
        if message := check(key, value):
            return message
        if isinstance(value, str) and len(value) > longest:
            return _l(
                "“%(key)s” dài quá %(max)s ký tự (%(count)s ký tự)",
                key=key,
                max=longest,
                count=len(value),
            )
        return None

    return bounded_check


# The highest whole number a check with no upper bound of its own lets through:
# PostgreSQL's integer (app.database.MAX_INT), so that no number a file check
# accepts then fails to be stored.
INTEGER_MAX = 2**31 - 1


def check_integer(low: int, high: int | None = None) -> Check:
    """A whole number from `low` to `high` (to INTEGER_MAX if None), the message
    naming the key."""
    top = INTEGER_MAX if high is None else high

    def check(key: str, value: object) -> Message | None:
        whole = isinstance(value, int) and not isinstance(value, bool)
        if whole and low <= value <= top:
            return None
        if high is None and not (whole and value > top):
            return _l(
                "“%(key)s” phải là số nguyên ≥ %(low)s, không phải “%(value)s”",
                key=key,
                low=low,
                value=value,
            )
        return _l(
            "“%(key)s” phải là số nguyên từ %(low)s đến %(high)s, "
            "không phải “%(value)s”",
            key=key,
            low=low,
            high=top,
            value=value,
        )

    return check


def check_boolean(key: str, value: object) -> Message | None:
    if isinstance(value, bool):
        return None
    return _l(
        "“%(key)s” phải là true hoặc false, không phải “%(value)s”",
        key=key,
        value=value,
    )
