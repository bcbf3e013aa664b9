"""Question bank files -> BankData, every problem located by file and line.

Pure functions; no database, and no Flask but its lazy messages (the problems are
read in the reader's language). A bank file is YAML front matter (code, title,
course, module, exclusive; app.content.bank_schema), then questions, each under a
"## CODE" heading: "key: value" metadata lines (type, tags, source, answer,
feedback_true/false), a blank line, the stem, the options ("- [ ] …", "- [x] …",
each with optional indented "> feedback" lines) and "Giải thích: …" (README, "Bank
files").
"""

import re
from dataclasses import dataclass, field

from app.errors import lazy_gettext as _l
from app.quizzes.questions import (
    MULTIPLE,
    SINGLE,
    TRUEFALSE,
    BankData,
    OptionData,
    QuestionData,
)

from .bank_schema import BANK_SCHEMA, QUESTION_SCHEMA
from .exclusive import exclusive_problems
from .frontmatter import (
    CODE,
    Mapping,
    is_text,
    parse_mapping,
    read_front_matter,
    slug,
)
from .problems import Problem, long_code, repeats, syntax_problems
from .textfile import normalise

EXPLANATION_PREFIX = "Giải thích:"
OPTION_KEYS = "abcdefghijklmnopqrstuvwxyz"
_HEADING = re.compile(r"^##(?:[ \t]+(.*?))?[ \t]*$")  # "## CODE", not "###"
_OPTION = re.compile(r"^-[ \t]+\[([ xX])\](.*)$")
_FEEDBACK = re.compile(r"^(?: {2,}|\t)[ \t]*>[ \t]?(.*)$")


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
class BankFile:
    """A bank file as far as it could be read: the bank only when it has no
    problem, and what the checks across files need even when it has."""

    path: str
    bank: BankData | None = None  # None if the front matter is unusable
    code_line: int = 1
    headings: list[tuple[str, int]] = field(default_factory=list)  # (code, line)
    problems: list[Problem] = field(default_factory=list)


def parse_bank(text: str, path: str) -> tuple[BankData | None, list[Problem]]:
    """One bank file's text -> (the bank, or None if it has problems; problems).

    `path` is the display path used in the problems.
    """
    bank_file = read_bank_file(text, path)
    problems = sorted(bank_file.problems, key=lambda p: p.line)
    return (None if problems else bank_file.bank), problems


def read_bank_file(text: str, path: str) -> BankFile:
    """One bank file's text, parsed as far as it goes (see BankFile)."""
    result = BankFile(path)
    document = read_front_matter(normalise(text), path, result.problems)
    if document is None:
        return result
    problems, meta = result.problems, document.meta
    blocks = _question_blocks(document.body_lines, document.body_line, path, problems)
    result.headings = [(block.code, block.line) for block in blocks]
    questions = [q for b in blocks if (q := _question(b, path, problems))]
    headings = [(code, path, line) for code, line in result.headings]
    problems += repeats(headings, _l("mã câu hỏi"))
    if meta is not None:
        found = BANK_SCHEMA.problems(meta, path, 1)
        found += exclusive_problems(meta, [c for c, _ in result.headings], path)
        problems += found
        if not found:
            data = meta.data | {"exclusive": _groups(meta.data.get("exclusive"))}
            result.bank = BankData(**data, questions=questions, path=path)
            result.code_line = meta.line_of("code")
    return result


def _groups(value: list | None) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(group) for group in value or [])


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
        message = _l("nội dung nằm ngoài câu hỏi (trước “## MÃ-CÂU” đầu tiên)")
        problems.append(Problem(path, stray, message))
    if not blocks:
        message = _l(
            "ngân hàng không có câu hỏi nào (mỗi câu bắt đầu bằng “## MÃ-CÂU”)"
        )
        problems.append(Problem(path, first, message))
    return blocks


def _question(block: _Block, path: str, problems: list[Problem]) -> QuestionData | None:
    """The question in `block`, or None after adding its problems."""
    found: list[Problem] = []
    if not CODE.match(block.code):
        message = _l(
            "mã câu hỏi không hợp lệ: “%(code)s” "
            "(chỉ gồm chữ cái không dấu, chữ số, “.”, “_”, “-”)",
            code=block.code,
        )
        found.append(Problem(path, block.line, message))
    elif (too_long := long_code(block.code)) is not None:
        found.append(Problem(path, block.line, too_long))
    size = next((i for i, s in enumerate(block.lines) if not s.strip()), None)
    size = len(block.lines) if size is None else size  # metadata lines
    meta = _metadata(block, size, path, found)
    body_first = block.line + 1 + size
    stem, options, explanation = _body(block.lines[size:], body_first, path, found)
    if not stem:
        message = _l("thiếu đề bài (đoạn văn sau các dòng siêu dữ liệu)")
        found.append(Problem(path, block.line, message))
    if not explanation:
        message = _l("thiếu giải thích (đoạn bắt đầu bằng “Giải thích:”)")
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
        tags=tuple(slug(tag) or "" for tag in data.get("tags", [])),
        feedback_true=data.get("feedback_true", "").strip(),
        feedback_false=data.get("feedback_false", "").strip(),
        line=block.line,
    )


def _joined(feedback: list[tuple[int, str]]) -> str:
    return " ".join(text for _, text in feedback if text)


def _metadata(
    block: _Block, size: int, path: str, found: list[Problem]
) -> Mapping | None:
    """The "key: value" lines right under the heading, checked against the schema."""
    text = "\n".join(block.lines[:size])
    what = _l("siêu dữ liệu câu hỏi")
    meta = parse_mapping(text, block.line + 1, path, what, found)
    if meta is None:
        return None
    found += QUESTION_SCHEMA.problems(meta, path, block.line)
    for key in ("feedback_true", "feedback_false"):
        if is_text(meta.data.get(key)):
            found += syntax_problems(meta.data[key], meta.line_of(key), path)
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
    found += syntax_problems(stem, first, path)
    options = _options(before[split:], first + split, path, found)
    if start is None:
        return stem.strip(), options, None
    text = "\n".join([lines[start][len(EXPLANATION_PREFIX) :], *lines[start + 1 :]])
    found += syntax_problems(text, first + start, path)
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
            message = _l("phản hồi (“  > …”) phải nằm ngay dưới một lựa chọn")
            found.append(Problem(path, number, message))
        elif line.strip():
            message = _l(
                "dòng không hợp lệ giữa các lựa chọn: “%(line)s” "
                "(lựa chọn: “- [ ] …” hoặc “- [x] …”; phản hồi thụt lề: “  > …”)",
                line=line.strip(),
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
            message = _l("lựa chọn không có nội dung")
            found.append(Problem(path, option.line, message))
            continue
        key = " ".join(option.text.split()).casefold()
        if key in seen:
            message = _l(
                "lựa chọn trùng với lựa chọn ở dòng %(line)s: “%(text)s”",
                line=seen[key],
                text=option.text,
            )
            found.append(Problem(path, option.line, message))
        seen.setdefault(key, option.line)
        found += syntax_problems(option.text, option.line, path)
        for line, text in option.feedback:
            found += syntax_problems(text, line, path)
    if len(options) > len(OPTION_KEYS):
        message = _l(
            "quá nhiều lựa chọn (%(count)s; tối đa %(most)s)",
            count=len(options),
            most=len(OPTION_KEYS),
        )
        found.append(Problem(path, options[len(OPTION_KEYS)].line, message))
    return found


def _type_problems(
    meta: Mapping, options: list[_Option], line: int, path: str
) -> list[Problem]:
    """What the question's type asks of its options, answer and feedback."""
    qtype = meta.data.get("type")
    if qtype == TRUEFALSE:
        return _truefalse_problems(meta, options, line, path)
    found = [
        Problem(
            path,
            meta.line_of(key),
            _l("chỉ câu đúng/sai (truefalse) mới có “%(key)s”", key=key),
        )
        for key in ("answer", "feedback_true", "feedback_false")
        if key in meta.data
    ]
    if qtype not in (SINGLE, MULTIPLE):
        return found
    name = _l("câu một đáp án") if qtype == SINGLE else _l("câu nhiều đáp án")
    correct = sum(option.correct for option in options)
    if len(options) < 2:
        message = _l(
            "%(name)s phải có ít nhất hai lựa chọn (có %(count)s)",
            name=name,
            count=len(options),
        )
        found.append(Problem(path, line, message))
    if qtype == SINGLE and correct != 1:
        detail = (
            _l("có %(count)s lựa chọn đúng", count=correct)
            if correct
            else _l("không có lựa chọn đúng")
        )
        message = _l(
            "câu một đáp án phải có đúng một lựa chọn đúng (%(detail)s)", detail=detail
        )
        found.append(Problem(path, line, message))
    elif correct == 0:
        message = _l("%(name)s không có lựa chọn đúng", name=name)
        found.append(Problem(path, line, message))
    return found


def _truefalse_problems(
    meta: Mapping, options: list[_Option], line: int, path: str
) -> list[Problem]:
    found = []
    if options:
        message = _l("câu đúng/sai không được có lựa chọn (đáp án ghi ở “answer”)")
        found.append(Problem(path, options[0].line, message))
    if "answer" not in meta.data:
        message = _l("câu đúng/sai thiếu đáp án (answer: true hoặc false)")
        found.append(Problem(path, line, message))
    return found
