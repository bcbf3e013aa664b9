"""A bank's `exclusive` groups: questions that give each other's answers away, so
one attempt never draws two of a group (README, "Bank files").

Pure functions; no database, and no Flask but its lazy messages. The front matter
holds a list of groups, each a list of at least two question codes of the same bank:

    exclusive: [[VHCV-M2-005, VHCV-M2-006]]
"""

from collections.abc import Iterable

from app.errors import lazy_gettext as _l

from .frontmatter import CODE, Mapping, Message
from .problems import Problem

EXAMPLE = _l("ví dụ [[MÃ-CÂU-1, MÃ-CÂU-2]]")


def check_exclusive(key: str, value: object) -> Message | None:
    """The shape of `exclusive`: a list of lists of two or more codes."""
    if not isinstance(value, list):
        return _l(
            "“%(key)s” phải là danh sách các nhóm mã câu hỏi, %(example)s",
            key=key,
            example=EXAMPLE,
        )
    for group in value:
        if not isinstance(group, list) or len(group) < 2:
            return _l(
                "mỗi nhóm của “%(key)s” phải có ít nhất hai mã câu hỏi, %(example)s",
                key=key,
                example=EXAMPLE,
            )
        bad = [str(c) for c in group if not (isinstance(c, str) and CODE.match(c))]
        if bad:
            return _l(
                "“%(key)s” có mã câu hỏi không hợp lệ: %(codes)s",
                key=key,
                codes=", ".join(bad),
            )
    return None


def exclusive_problems(meta: Mapping, codes: Iterable[str], path: str) -> list[Problem]:
    """Codes of well-shaped groups that are not questions of the bank, repeated in
    a group, or in two groups; each at its group's line."""
    groups = meta.data.get("exclusive")
    if not isinstance(groups, list) or check_exclusive("exclusive", groups):
        return []  # the shape was reported by the schema
    known, seen, found = set(codes), {}, []
    lines = meta.item_lines("exclusive") or [meta.line_of("exclusive")] * len(groups)
    for number, (group, line) in enumerate(zip(groups, lines, strict=False), 1):
        in_group: set[str] = set()
        for code in group:
            if code not in known:
                message = _l(
                    "nhóm loại trừ %(number)s: không có câu hỏi “%(code)s”",
                    number=number,
                    code=code,
                )
                found.append(Problem(path, line, message))
            elif code in in_group:
                message = _l(
                    "nhóm loại trừ %(number)s: mã “%(code)s” lặp lại",
                    number=number,
                    code=code,
                )
                found.append(Problem(path, line, message))
            elif code in seen:
                message = _l(
                    "câu “%(code)s” nằm trong hai nhóm loại trừ (%(first)s và "
                    "%(second)s); hãy gộp hai nhóm",
                    code=code,
                    first=seen[code],
                    second=number,
                )
                found.append(Problem(path, line, message))
            in_group.add(code)
            seen.setdefault(code, number)
    return found
