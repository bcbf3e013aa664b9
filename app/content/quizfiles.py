"""Question banks and quiz definitions -> dataclasses, every problem located by line.

Pure functions; no Flask, no database. Layout: <root>/banks/*.md, one question bank
each (YAML front matter, then questions under "## CODE" headings), and <root>/*.yml
(or .yaml), one quiz each; names starting with "." or "_" are skipped.
`load_quizzes` never raises on bad content: banks and quizzes with a problem are
left out and every problem is listed.
"""

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from app.markdown import markdown_problems
from app.quizzes.questions import (
    MULTIPLE,
    QUESTION_TYPES,
    REVIEW_POLICIES,
    SINGLE,
    TRUEFALSE,
    BankData,
    DrawRule,
    OptionData,
    QuestionData,
    QuizData,
)

from .problems import Problem

BANKS_FOLDER = "banks"
QUIZ_SUFFIXES = (".yml", ".yaml")
EXPLANATION_PREFIX = "Giải thích:"
OPTION_KEYS = "abcdefghijklmnopqrstuvwxyz"
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_HEADING = re.compile(r"^##(?:[ \t]+(.*?))?[ \t]*$")  # "## CODE", not "###"
_OPTION = re.compile(r"^-[ \t]+\[([ xX])\](.*)$")
_FEEDBACK = re.compile(r"^(?: {2,}|\t)[ \t]*>[ \t]?(.*)$")


@dataclass
class QuizContent:
    banks: list[BankData]  # problem-free banks, by path
    quizzes: list[QuizData]  # problem-free quizzes, by path
    problems: list[Problem]  # sorted by path, then line

    @property
    def ok(self) -> bool:
        return not self.problems


# --- text and YAML ----------------------------------------------------------------


def _normalise(text: str) -> str:
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


@dataclass
class _Mapping:
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


def _mapping(
    text: str, first: int, path: str, what: str, problems: list[Problem]
) -> _Mapping | None:
    """Parse `text` (file lines from `first`) as a mapping; None after a Problem.

    An empty document is an empty mapping; a repeated key is a Problem.
    """
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = first + mark.line if mark is not None else first
        reason = getattr(error, "problem", None) or str(error)
        problems.append(Problem(path, line, f"{what} không phải YAML hợp lệ: {reason}"))
        return None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        message = f"{what} phải là một bảng “khóa: giá trị” (mapping)"
        problems.append(Problem(path, first, message))
        return None
    mapping = _Mapping(data, first)
    for key_node, value_node in node.value if node is not None else []:
        key, line = str(key_node.value), first + key_node.start_mark.line
        if key in mapping.lines:
            message = f"khóa “{key}” lặp lại (đã có ở dòng {mapping.lines[key]})"
            problems.append(Problem(path, line, message))
        # The last of repeated keys wins, as in the constructed `data`.
        mapping.lines[key], mapping.nodes[key] = line, value_node
    return mapping


# --- schema -----------------------------------------------------------------------

_Check = Callable[[str, object], str | None]  # (key, value) -> message or None
MISSING = {
    "type": "thiếu loại câu hỏi (type: single, multiple hoặc truefalse)",
    "source": "thiếu nguồn (source)",
}


def _is_text(value: object) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _slug(value: object) -> str | None:
    """`value` as a tag ("phap-ly"; 2019 -> "2019"), or None if it is not one."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return value if isinstance(value, str) and SLUG.match(value) else None


def _text(key: str, value: object) -> str | None:
    return None if _is_text(value) else f"“{key}” phải là chuỗi không rỗng"


def _code(key: str, value: object) -> str | None:
    if isinstance(value, str) and CODE.match(value):
        return None
    return f"“{key}” phải là mã gồm chữ cái không dấu, chữ số, “.”, “_”, “-”: “{value}”"


def _integer(low: int, high: int | None = None) -> _Check:
    def check(key: str, value: object) -> str | None:
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= low
        if ok and (high is None or value <= high):
            return None
        if high is None:
            return f"“{key}” phải là số nguyên ≥ {low}, không phải “{value}”"
        return f"“{key}” phải là số nguyên từ {low} đến {high}, không phải “{value}”"

    return check


def _boolean(key: str, value: object) -> str | None:
    if isinstance(value, bool):
        return None
    return f"“{key}” phải là true hoặc false, không phải “{value}”"


def _question_type(key: str, value: object) -> str | None:
    if value in QUESTION_TYPES:
        return None
    return f"loại câu hỏi không hợp lệ: “{value}” ({', '.join(QUESTION_TYPES)})"


def _review(key: str, value: object) -> str | None:
    if value in REVIEW_POLICIES:
        return None
    return f"chế độ xem lại không hợp lệ: “{value}” ({', '.join(REVIEW_POLICIES)})"


def _source(key: str, value: object) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return MISSING["source"]
    return None if isinstance(value, str) else f"“{key}” phải là chuỗi: “{value}”"


def _tags(key: str, value: object) -> str | None:
    if not isinstance(value, list):
        return f"“{key}” phải là danh sách thẻ, ví dụ [phap-ly, muc-dich]: “{value}”"
    bad = [str(tag) for tag in value if _slug(tag) is None]
    if bad:
        return f"thẻ chỉ gồm chữ thường không dấu, chữ số và “-”: {', '.join(bad)}"
    repeated = [tag for tag, n in Counter(map(_slug, value)).items() if n > 1]
    return f"thẻ lặp lại: {', '.join(repeated)}" if repeated else None


def _draw(key: str, value: object) -> str | None:
    if isinstance(value, list) and value:
        return None
    return f"“{key}” phải là danh sách không rỗng các quy tắc rút câu"


BANK_SCHEMA: dict[str, _Check] = {
    "code": _code,
    "title": _text,
    "course": _text,
    "module": _text,
}
BANK_REQUIRED = ("code", "title")
QUESTION_SCHEMA: dict[str, _Check] = {
    "type": _question_type,
    "tags": _tags,
    "source": _source,
    "answer": _boolean,
    "feedback_true": _text,
    "feedback_false": _text,
}
QUESTION_REQUIRED = ("type", "source")
QUIZ_SCHEMA: dict[str, _Check] = {
    "code": _code,
    "title": _text,
    "course": _text,
    "time_limit_minutes": _integer(1, 600),
    "pass_percent": _integer(0, 100),
    "attempts_allowed": _integer(1),
    "shuffle_questions": _boolean,
    "shuffle_options": _boolean,
    "questions_per_page": _integer(1),
    "review": _review,
    "partial_credit": _boolean,
    "draw": _draw,
}
QUIZ_REQUIRED = tuple(k for k in QUIZ_SCHEMA if k not in ("course", "partial_credit"))


def _schema_problems(
    mapping: _Mapping,
    path: str,
    schema: dict[str, _Check],
    required: tuple[str, ...],
    missing_line: int,
) -> list[Problem]:
    found = [
        Problem(path, missing_line, MISSING.get(key, f"thiếu khóa “{key}”"))
        for key in required
        if key not in mapping.data
    ]
    for key, value in mapping.data.items():
        check, line = schema.get(str(key)), mapping.line_of(str(key))
        if check is None:
            found.append(Problem(path, line, f"khóa không hợp lệ: {key}"))
        elif message := check(str(key), value):
            found.append(Problem(path, line, message))
    return found


def _syntax(text: str, first: int, path: str) -> list[Problem]:
    """Unsupported Markdown in `text`, whose first line is file line `first`."""
    return [Problem(path, first + n - 1, m) for n, m in markdown_problems(text)]


def _repeats(entries: list[tuple[str, str, int]], label: str) -> list[Problem]:
    """A Problem for each (code, path, line) whose code an earlier entry has."""
    seen: dict[str, tuple[str, int]] = {}
    found = []
    for code, path, line in entries:
        if code in seen:
            where = "{}:{}".format(*seen[code])
            found.append(Problem(path, line, f"{label} “{code}” trùng với {where}"))
        else:
            seen[code] = (path, line)
    return found


# --- one bank file ----------------------------------------------------------------


@dataclass
class _Block:
    code: str
    line: int  # the "## CODE" line
    lines: list[str]  # the lines after it, up to the next heading


@dataclass
class _Option:
    line: int
    text: str
    correct: bool
    feedback: list[tuple[int, str]] = field(default_factory=list)  # (line, text)


@dataclass
class _BankFile:
    path: str
    bank: BankData | None = None  # None if the front matter is unusable
    code_line: int = 1
    headings: list[tuple[str, int]] = field(default_factory=list)  # (code, line)
    problems: list[Problem] = field(default_factory=list)


def parse_bank(text: str, path: str) -> tuple[BankData | None, list[Problem]]:
    """One bank file's text -> (the bank, or None if it has problems; problems).

    `path` is the display path used in the problems.
    """
    bank_file = _parse_bank_file(text, path)
    problems = sorted(bank_file.problems, key=lambda p: p.line)
    return (None if problems else bank_file.bank), problems


def _parse_bank_file(text: str, path: str) -> _BankFile:
    result = _BankFile(path)
    lines = _normalise(text).split("\n")
    end = _front_matter_end(lines)
    if end is None:
        result.problems.append(Problem(path, 1, "thiếu front matter YAML (--- … ---)"))
        return result
    meta = _mapping("\n".join(lines[1:end]), 2, path, "front matter", result.problems)
    blocks = _question_blocks(lines[end + 1 :], end + 2, path, result.problems)
    result.headings = [(block.code, block.line) for block in blocks]
    questions = [q for b in blocks if (q := _question(b, path, result.problems))]
    entries = [(code, path, line) for code, line in result.headings]
    result.problems += _repeats(entries, "mã câu hỏi")
    if meta is not None:
        found = _schema_problems(meta, path, BANK_SCHEMA, BANK_REQUIRED, 1)
        result.problems += found
        if not found:
            result.bank = BankData(**meta.data, questions=questions, path=path)
            result.code_line = meta.line_of("code")
    return result


def _front_matter_end(lines: list[str]) -> int | None:
    """Index of the closing "---" line, or None if there is no front matter."""
    if lines[0].rstrip() != "---":
        return None
    return next((i for i, ln in enumerate(lines[1:], 1) if ln.rstrip() == "---"), None)


def _question_blocks(
    lines: list[str], first: int, path: str, problems: list[Problem]
) -> list[_Block]:
    """Split a bank's body (file line `first` on) at its "## CODE" headings."""
    blocks: list[_Block] = []
    stray = None  # the first non-blank line before the first heading
    for number, line in enumerate(lines, start=first):
        heading = _HEADING.match(line)
        if heading:
            blocks.append(_Block((heading.group(1) or "").strip(), number, []))
        elif blocks:
            blocks[-1].lines.append(line)
        elif line.strip() and stray is None:
            stray = number
    if stray is not None:
        message = "nội dung nằm ngoài câu hỏi (trước “## MÃ-CÂU” đầu tiên)"
        problems.append(Problem(path, stray, message))
    if not blocks:
        message = "ngân hàng không có câu hỏi nào (mỗi câu bắt đầu bằng “## MÃ-CÂU”)"
        problems.append(Problem(path, first, message))
    return blocks


def _question(block: _Block, path: str, problems: list[Problem]) -> QuestionData | None:
    """The question in `block`, or None after adding its problems."""
    found: list[Problem] = []
    if not CODE.match(block.code):
        message = (
            f"mã câu hỏi không hợp lệ: “{block.code}” "
            "(chỉ gồm chữ cái không dấu, chữ số, “.”, “_”, “-”)"
        )
        found.append(Problem(path, block.line, message))
    size = next((i for i, s in enumerate(block.lines) if not s.strip()), None)
    size = len(block.lines) if size is None else size  # metadata lines
    meta = _metadata(block, size, path, found)
    body_first = block.line + 1 + size
    stem, options, explanation = _body(block.lines[size:], body_first, path, found)
    if not stem:
        message = "thiếu đề bài (đoạn văn sau các dòng siêu dữ liệu)"
        found.append(Problem(path, block.line, message))
    if not explanation:
        message = "thiếu giải thích (đoạn bắt đầu bằng “Giải thích:”)"
        found.append(Problem(path, block.line, message))
    if meta is not None:
        found += _type_problems(meta, options, block.line, path)
    problems += found
    if found or meta is None or explanation is None:
        return None
    return _question_data(block, meta.data, stem, options, explanation)


def _question_data(
    block: _Block, data: dict, stem: str, options: list[_Option], explanation: str
) -> QuestionData:
    """A checked question as the dataclass; option keys "a", "b", … in file order."""
    return QuestionData(
        code=block.code,
        type=data["type"],
        stem=stem,
        options=tuple(
            OptionData(key, o.text, o.correct, None, _joined(o.feedback))
            for key, o in zip(OPTION_KEYS, options, strict=False)
        ),
        answer=data.get("answer"),
        explanation=explanation,
        source=data["source"].strip(),
        tags=tuple(_slug(tag) or "" for tag in data.get("tags", [])),
        feedback_true=data.get("feedback_true", "").strip(),
        feedback_false=data.get("feedback_false", "").strip(),
        line=block.line,
    )


def _joined(feedback: list[tuple[int, str]]) -> str:
    return " ".join(text for _, text in feedback if text)


def _metadata(
    block: _Block, size: int, path: str, found: list[Problem]
) -> _Mapping | None:
    """The "key: value" lines right under the heading, checked against the schema."""
    text = "\n".join(block.lines[:size])
    meta = _mapping(text, block.line + 1, path, "siêu dữ liệu câu hỏi", found)
    if meta is None:
        return None
    found += _schema_problems(
        meta, path, QUESTION_SCHEMA, QUESTION_REQUIRED, block.line
    )
    for key in ("feedback_true", "feedback_false"):
        if _is_text(meta.data.get(key)):
            found += _syntax(meta.data[key], meta.line_of(key), path)
    return meta


def _body(
    lines: list[str], first: int, path: str, found: list[Problem]
) -> tuple[str, list[_Option], str | None]:
    """(stem, options, explanation or None) from the lines after the metadata."""
    start = next(
        (i for i, s in enumerate(lines) if s.startswith(EXPLANATION_PREFIX)), None
    )
    before = lines if start is None else lines[:start]
    split = next((i for i, s in enumerate(before) if _OPTION.match(s)), len(before))
    stem = "\n".join(before[:split])
    found += _syntax(stem, first, path)
    options = _options(before[split:], first + split, path, found)
    if start is None:
        return stem.strip(), options, None
    text = "\n".join([lines[start][len(EXPLANATION_PREFIX) :], *lines[start + 1 :]])
    found += _syntax(text, first + start, path)
    return stem.strip(), options, text.strip()


def _options(
    lines: list[str], first: int, path: str, found: list[Problem]
) -> list[_Option]:
    """Options ("- [ ] text", "- [x] text") with their indented "> feedback" lines."""
    options: list[_Option] = []
    attached = False  # the previous line was an option or one of its feedback lines
    for number, line in enumerate(lines, start=first):
        option, feedback = _OPTION.match(line), _FEEDBACK.match(line)
        if option:
            text = option.group(2).strip()
            options.append(_Option(number, text, option.group(1) in "xX"))
        elif feedback and attached:
            options[-1].feedback.append((number, feedback.group(1).strip()))
        elif feedback:
            message = "phản hồi (“  > …”) phải nằm ngay dưới một lựa chọn"
            found.append(Problem(path, number, message))
        elif line.strip():
            message = (
                f"dòng không hợp lệ giữa các lựa chọn: “{line.strip()}” "
                "(lựa chọn: “- [ ] …” hoặc “- [x] …”; phản hồi thụt lề: “  > …”)"
            )
            found.append(Problem(path, number, message))
        attached = bool(option or (feedback and attached))
    found += _option_problems(options, path)
    return options


def _option_problems(options: list[_Option], path: str) -> list[Problem]:
    found = []
    seen: dict[str, int] = {}
    for option in options:
        if not option.text:
            found.append(Problem(path, option.line, "lựa chọn không có nội dung"))
            continue
        key = " ".join(option.text.split()).casefold()
        if key in seen:
            message = f"lựa chọn trùng với lựa chọn ở dòng {seen[key]}: “{option.text}”"
            found.append(Problem(path, option.line, message))
        seen.setdefault(key, option.line)
        found += _syntax(option.text, option.line, path)
        for line, text in option.feedback:
            found += _syntax(text, line, path)
    if len(options) > len(OPTION_KEYS):
        message = f"quá nhiều lựa chọn ({len(options)}; tối đa {len(OPTION_KEYS)})"
        found.append(Problem(path, options[len(OPTION_KEYS)].line, message))
    return found


def _type_problems(
    meta: _Mapping, options: list[_Option], line: int, path: str
) -> list[Problem]:
    """What the question's type asks of its options, answer and feedback."""
    qtype = meta.data.get("type")
    if qtype == TRUEFALSE:
        return _truefalse_problems(meta, options, line, path)
    found = [
        Problem(path, meta.line_of(key), f"chỉ câu đúng/sai (truefalse) mới có “{key}”")
        for key in ("answer", "feedback_true", "feedback_false")
        if key in meta.data
    ]
    if qtype not in (SINGLE, MULTIPLE):
        return found
    name = "câu một đáp án" if qtype == SINGLE else "câu nhiều đáp án"
    correct = sum(option.correct for option in options)
    if len(options) < 2:
        message = f"{name} phải có ít nhất hai lựa chọn (có {len(options)})"
        found.append(Problem(path, line, message))
    if qtype == SINGLE and correct != 1:
        detail = f"có {correct} lựa chọn đúng" if correct else "không có lựa chọn đúng"
        message = f"câu một đáp án phải có đúng một lựa chọn đúng ({detail})"
        found.append(Problem(path, line, message))
    elif correct == 0:
        found.append(Problem(path, line, f"{name} không có lựa chọn đúng"))
    return found


def _truefalse_problems(
    meta: _Mapping, options: list[_Option], line: int, path: str
) -> list[Problem]:
    found = []
    if options:
        message = "câu đúng/sai không được có lựa chọn (đáp án ghi ở “answer”)"
        found.append(Problem(path, options[0].line, message))
    if "answer" not in meta.data:
        message = "câu đúng/sai thiếu đáp án (answer: true hoặc false)"
        found.append(Problem(path, line, message))
    return found


# --- one quiz file ----------------------------------------------------------------


@dataclass
class _QuizFile:
    path: str
    quiz: QuizData | None = None  # None if the file has a problem
    draw_lines: list[int] = field(default_factory=list)  # file line of each rule
    problems: list[Problem] = field(default_factory=list)


def parse_quiz(text: str, path: str) -> tuple[QuizData | None, list[Problem]]:
    """One quiz file's text -> (the quiz, or None if it has problems; problems).

    Only the file itself is checked; `load_quizzes` also checks the draw rules
    against the banks.
    """
    quiz_file = _parse_quiz_file(text, path)
    return quiz_file.quiz, sorted(quiz_file.problems, key=lambda p: p.line)


def _parse_quiz_file(text: str, path: str) -> _QuizFile:
    result = _QuizFile(path)
    meta = _mapping(_normalise(text), 1, path, "tệp đề thi", result.problems)
    if meta is None:
        return result
    result.problems += _schema_problems(meta, path, QUIZ_SCHEMA, QUIZ_REQUIRED, 1)
    result.draw_lines = meta.item_lines("draw")
    draw = meta.data.get("draw")
    items = draw if isinstance(draw, list) else []
    rules = []
    for item, line in zip(items, result.draw_lines, strict=False):
        messages = _rule_problems(item)
        result.problems += [Problem(path, line, message) for message in messages]
        if not messages:
            tag = _slug(item.get("tag"))
            rules.append(DrawRule(item["count"], item.get("bank"), tag))
    if not result.problems:
        result.quiz = _quiz(meta, tuple(rules), path)
    return result


def _rule_problems(item: object) -> list[str]:
    """What is wrong with one draw rule ({bank: CODE, count: N} or {tag: …, …})."""
    if not isinstance(item, dict):
        return ["quy tắc rút câu phải có dạng {bank: MÃ, count: N} hoặc {tag: …}"]
    found = [
        f"khóa không hợp lệ trong quy tắc rút câu: {key}"
        for key in item
        if key not in ("count", "bank", "tag")
    ]
    if message := _integer(1)("count", item.get("count")):
        found.append(message)
    if ("bank" in item) == ("tag" in item):
        found.append("quy tắc rút câu phải có đúng một trong hai khóa “bank” và “tag”")
    elif "bank" in item and (message := _code("bank", item["bank"])):
        found.append(message)
    elif "tag" in item and _slug(item["tag"]) is None:
        found.append(f"thẻ chỉ gồm chữ thường không dấu, chữ số và “-”: {item['tag']}")
    return found


def _quiz(meta: _Mapping, draw: tuple[DrawRule, ...], path: str) -> QuizData:
    data = meta.data
    return QuizData(
        code=data["code"],
        title=data["title"],
        course=data.get("course"),
        time_limit_minutes=data["time_limit_minutes"],
        pass_percent=data["pass_percent"],
        attempts_allowed=data["attempts_allowed"],
        shuffle_questions=data["shuffle_questions"],
        shuffle_options=data["shuffle_options"],
        questions_per_page=data["questions_per_page"],
        review=data["review"],
        draw=draw,
        partial_credit=data.get("partial_credit", False),
        path=path,
        line=meta.line_of("code"),
    )


# --- the folder and cross-file checks -----------------------------------------------


def load_quizzes(root: Path) -> QuizContent:
    """Load <root>/banks/*.md and <root>/*.yml; files with problems are left out.

    Raises FileNotFoundError only if `root` is not a directory.
    """
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"không có thư mục đề thi (quizzes root): {root}")
    problems: list[Problem] = []
    bank_texts = _texts(root / BANKS_FOLDER, (".md",), root.parent, problems)
    bank_files = [_parse_bank_file(text, path) for path, text in bank_texts]
    for bank_file in bank_files:
        problems += bank_file.problems
    problems += _bank_repeats(bank_files)
    bad = {problem.path for problem in problems}
    banks = [f.bank for f in bank_files if f.bank and f.path not in bad]
    quiz_texts = _texts(root, QUIZ_SUFFIXES, root.parent, problems)
    quiz_files = [_parse_quiz_file(text, path) for path, text in quiz_texts]
    for quiz_file in quiz_files:
        problems += quiz_file.problems
        problems += _draw_problems(quiz_file, bank_files, banks)
    problems += _repeats(
        [(f.quiz.code, f.path, f.quiz.line) for f in quiz_files if f.quiz], "mã đề thi"
    )
    bad = {problem.path for problem in problems}
    quizzes = [f.quiz for f in quiz_files if f.quiz and f.path not in bad]
    return QuizContent(banks, quizzes, sorted(problems, key=lambda p: (p.path, p.line)))


def _texts(
    folder: Path, suffixes: tuple[str, ...], base: Path, problems: list[Problem]
) -> list[tuple[str, str]]:
    """(display path, text) of each file in `folder` ending in one of `suffixes`."""
    if not folder.is_dir():
        return []
    found = []
    for file in sorted(folder.iterdir()):
        if file.suffix not in suffixes or file.name.startswith((".", "_")):
            continue
        path = file.relative_to(base).as_posix()
        try:
            found.append((path, file.read_bytes().decode("utf-8")))
        except OSError as error:
            message = f"không đọc được tệp: {error.strerror}"
            problems.append(Problem(path, 1, message))
        except UnicodeDecodeError as error:
            message = f"tệp không phải UTF-8 (byte lỗi ở vị trí {error.start})"
            problems.append(Problem(path, 1, message))
    return found


def _bank_repeats(bank_files: list[_BankFile]) -> list[Problem]:
    """Repeated bank codes, and question codes repeated from another bank file.

    A code repeated inside one file was reported when that file was parsed.
    """
    codes = [(f.bank.code, f.path, f.code_line) for f in bank_files if f.bank]
    found = _repeats(codes, "mã ngân hàng")
    first: dict[str, tuple[str, int]] = {}
    for bank_file in bank_files:
        for code, line in bank_file.headings:
            where = first.setdefault(code, (bank_file.path, line))
            if where[0] != bank_file.path:
                message = "mã câu hỏi “{}” trùng với {}:{}".format(code, *where)
                found.append(Problem(bank_file.path, line, message))
    return found


def _draw_problems(
    quiz_file: _QuizFile, bank_files: list[_BankFile], banks: list[BankData]
) -> list[Problem]:
    """Draw rules naming a missing or broken bank, or asking for too many questions."""
    if quiz_file.quiz is None:
        return []
    known = {f.bank.code: f.path for f in reversed(bank_files) if f.bank}
    usable = {bank.code: bank for bank in banks}
    totals: Counter[str] = Counter()
    found = []
    for rule, line in zip(quiz_file.quiz.draw, quiz_file.draw_lines, strict=False):
        if rule.bank is None:
            message = _tag_rule_problem(rule, banks)
        elif rule.bank not in usable:
            message = f"ngân hàng “{rule.bank}” không tồn tại"
            if rule.bank in known:
                message = f"ngân hàng “{rule.bank}” có lỗi (xem {known[rule.bank]})"
        else:
            totals[rule.bank] += rule.count
            message = _bank_rule_problem(rule, usable[rule.bank], totals[rule.bank])
        if message:
            found.append(Problem(quiz_file.path, line, message))
    return found


def _bank_rule_problem(rule: DrawRule, bank: BankData, total: int) -> str | None:
    size = len(bank.questions)
    if rule.count > size:
        return f"rút {rule.count} câu nhưng ngân hàng {bank.code} chỉ có {size} câu"
    if total > size:
        return (
            f"các quy tắc rút tổng cộng {total} câu từ ngân hàng {bank.code} "
            f"nhưng ngân hàng chỉ có {size} câu"
        )
    return None


def _tag_rule_problem(rule: DrawRule, banks: list[BankData]) -> str | None:
    size = sum(rule.tag in q.tags for bank in banks for q in bank.questions)
    if size == 0:
        return f"không có câu hỏi nào mang thẻ “{rule.tag}”"
    if rule.count > size:
        return (
            f"rút {rule.count} câu có thẻ “{rule.tag}” "
            f"nhưng chỉ có {size} câu mang thẻ này"
        )
    return None
