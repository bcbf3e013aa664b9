"""Moodle's GIFT format -> question dataclasses, for our three question types.

Pure: no Flask, no database. `parse_gift` reads what Moodle writes (and what people
write by hand for Moodle): choice questions with one right answer (SINGLE), choice
questions with weighted answers (MULTIPLE) and true/false. Every other GIFT type, and
every malformed question, is a problem; problems are collected over the whole file
and raised together as a ConversionError, so a file is imported whole or not at all.
app.content.gift_export writes GIFT that Moodle imports and `parse_gift` reads back
unchanged.

Behaviour follows Moodle's own importer (question/format/gift/format.php): questions
are blocks separated by blank lines; lines starting with `//` are comments, and the
`[id:…]` / `[tag:…]` tokens in a question's comments give its code and tags (VHCV
also writes `[source:…]`); the answers are between the first `{` and the first `}`;
escapes as in app.content.gift_syntax.
"""

import re
from dataclasses import dataclass, replace

from app.errors import lazy_gettext as _l
from app.errors import lazy_ngettext as _nl
from app.numbers import lazy_number
from app.quizzes.questions import TRUEFALSE, QuestionData

from .gift_choices import choices
from .gift_syntax import Block, Report, code_of_idnumber, plain_text, text_format
from .moodle_categories import Category, with_category_tags
from .problems import (
    ConversionError,
    code_problem,
    media_in,
    media_problem,
    problem_line,
)
from .textfile import numbered_blocks

_ID = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f\x7f])+)\]")
_TAG = re.compile(r"\[tag:((?:\\\]|[^\]<>`\x00-\x1f\x7f])+)\]")
_TRUE, _FALSE = ("T", "TRUE"), ("F", "FALSE")

_TYPE_NAMES = {
    "description": _l("mô tả (description)"),
    "essay": _l("tự luận (essay)"),
    "numerical": _l("số (numerical)"),
    "matching": _l("ghép đôi (matching)"),
    "shortanswer": _l("trả lời ngắn (short answer)"),
    "missingword": _l("điền từ (missing word)"),
}


def _unsupported(kind: str, hint=None):
    """A lazy message: questions of `kind` are not supported (`hint`: why, lazy)."""
    if hint is None:
        return _l("câu dạng %(kind)s không được hỗ trợ", kind=_TYPE_NAMES[kind])
    return _l(
        "câu dạng %(kind)s không được hỗ trợ (%(hint)s)",
        kind=_TYPE_NAMES[kind],
        hint=hint,
    )


# --- the whole file ---------------------------------------------------------------


def parse_gift(text: str, code_prefix: str) -> list[QuestionData]:
    """The questions of a GIFT file, in file order; ConversionError if any problem.

    A question's code is its `// [id:…]` (Moodle's ID number, kept as written in
    `idnumber` when the code differs: "Câu 1" gives Cau-1), else
    f"{code_prefix}-{n:03d}" (n = its place in the file, from 1): a ::title:: is
    Moodle's name, not unique, so never a code; it is the question's `name` when
    it is not its code. `line` is the
    question's first line that is not a comment. `$CATEGORY:` lines become tags
    when there are several (see app.content.moodle_categories). A question with
    an image or a table is refused (app.content.problems.media_in).
    """
    problems: list[str] = []
    found = []
    ordinal, category = 0, None
    for numbered in numbered_blocks(text):
        block = Block(numbered)
        if block.categories:
            line, path = block.categories[-1]
            category = Category(path, line)
        if not block.first_line:  # only comments or $CATEGORY
            continue
        ordinal += 1
        result = _question(block, problems)
        if result is not None:
            found.append((ordinal, *result, category))
    questions = _with_codes(found, code_prefix, problems)
    if not questions and not problems:
        raise ConversionError(_l("Tệp GIFT không có câu hỏi nào; chưa nhập gì."), [])
    if problems:
        problems.sort(key=problem_line)
        raise ConversionError(
            _nl(
                "Tệp GIFT có %(count)s lỗi; chưa nhập câu hỏi nào.",
                "Tệp GIFT có %(count)s lỗi; chưa nhập câu hỏi nào.",
                len(problems),
                count=lazy_number(len(problems)),
            ),
            problems,
        )
    return questions


def _with_codes(
    found: list[tuple[int, QuestionData, str | None, Category | None]],
    code_prefix: str,
    problems: list[str],
) -> list[QuestionData]:
    """The (ordinal, question, title, category) found, each given its final code
    and name, and its category's tag; a code used twice, or categories that
    would merge, are problems."""
    questions, seen = [], {}
    for ordinal, question, title, category in found:
        code = question.code or f"{code_prefix}-{ordinal:03d}"
        if code in seen:
            problems.append(
                _l(
                    "dòng %(line)s: mã câu hỏi «%(code)s» trùng với câu ở dòng "
                    "%(value)s",
                    line=question.line,
                    code=code,
                    value=seen[code],
                )
            )
        seen.setdefault(code, question.line)
        name = title if title and title != code else ""
        questions.append((replace(question, code=code, name=name), category))
    return with_category_tags(questions, problems)


# --- comments: code, tags, source -------------------------------------------------


def _metadata(
    block: Block, problems: list[str]
) -> tuple[str | None, str, list[str], str]:
    """The [id:…], [tag:…] and [source:…] tokens in the block's comments: the
    code, the ID number as written when it is not the code ("" else), the tags
    and the source."""
    code, idnumber, tags, source = None, "", [], ""
    for number, comment in block.comments:
        start = comment.find("[source:")
        if start >= 0:
            value, end = _source_clause(comment, start + len("[source:"))
            if end < 0:
                problems.append(
                    _l("dòng %(number)s: thiếu dấu ] đóng [source:…]", number=number)
                )
            else:
                if not source:
                    source = value.strip()
                comment = comment[:start] + comment[end + 1 :]
        match = _ID.search(comment)
        if match and code is None:
            idnumber = match.group(1).replace("\\]", "]").strip()
            code = code_of_idnumber(idnumber)
            if not code:
                problems.append(
                    _l(
                        "dòng %(number)s: mã câu hỏi [id:%(code)s] không hợp lệ (chỉ "
                        "dùng chữ không dấu, số, dấu . _ -)",
                        number=number,
                        code=idnumber,
                    )
                )
            elif (bad := code_problem(code, idnumber)) is not None:
                problems.append(
                    _l("dòng %(line)s: %(message)s", line=number, message=bad)
                )
        for match in _TAG.finditer(comment):
            tag = match.group(1).replace("\\]", "]").strip()
            if tag:
                tags.append(tag)
    return code, idnumber if idnumber != code else "", tags, source


def _source_clause(comment: str, index: int) -> tuple[str, int]:
    """The text up to the `]` matching `[source:`: brackets nest, `\\x` is `x`.
    Returns (text, index of the closing `]`), or ("", -1) if it is not closed."""
    depth, out = 0, []
    while index < len(comment):
        char = comment[index]
        if char == "\\" and index + 1 < len(comment):
            out.append(comment[index + 1])
            index += 2
            continue
        if char == "[":
            depth += 1
        elif char == "]":
            if depth == 0:
                return "".join(out), index
            depth -= 1
        out.append(char)
        index += 1
    return "", -1


# --- one question -----------------------------------------------------------------


@dataclass
class _Parts:
    """A question block cut at GIFT's marks."""

    title: str | None  # the ::title::
    fmt: str  # the question text's format, its answers' when they name none
    stem: str
    opening: int  # offset of the answers' "{" in the block's body
    answers: str  # between "{" and "}", without the general feedback
    explanation: str  # the general feedback ("####…")


def _question(
    block: Block, problems: list[str]
) -> tuple[QuestionData, str | None] | None:
    """One question block -> (question without its final code, its ::title::), or
    None with the reasons added to `problems`."""
    before = len(problems)

    def problem(line: int, message: str) -> None:
        problems.append(_l("dòng %(line)s: %(message)s", line=line, message=message))

    code, idnumber, tags, source = _metadata(block, problems)
    media = media_in(block.body)
    if media is not None:
        offset, found = media
        problem(block.line_at(offset), media_problem(found))
        return None
    parts = _parts(block, problem)
    fields = _answer_fields(block, parts, problem) if parts else None
    if fields is None or len(problems) > before:
        return None
    question = QuestionData(
        code=code or "",
        stem=parts.stem,
        explanation=parts.explanation,
        source=source,
        tags=tuple(tags),
        line=block.first_line,
        idnumber=idnumber,
        **fields,
    )
    return question, parts.title


def _parts(block: Block, problem: Report) -> _Parts | None:
    """The block cut into title, stem, answers and general feedback; None after a
    problem when the title or the answers' braces are not closed."""
    body, first = block.body, block.first_line
    pos = len(body) - len(body.lstrip())
    title = None
    if body.startswith("::", pos):
        end = body.find("::", pos + 2)
        if end < 0:
            problem(first, _l("thiếu dấu :: đóng tên câu hỏi"))
            return None
        title = plain_text(body[pos + 2 : end], one_line=True, label=True)
        pos = end + 2
    braces = _braces(block, pos, problem)
    if braces is None:
        return None
    opening, closing = braces
    answers = body[opening + 1 : closing]
    fmt = text_format(body[pos:opening])
    explanation = ""
    general = answers.rfind("####")
    if general >= 0:
        explanation = plain_text(answers[general + 4 :], default=fmt)
        answers = answers[:general]
    stem = plain_text(body[pos:opening])
    return _Parts(title, fmt, stem, opening, answers, explanation)


def _braces(block: Block, pos: int, problem: Report) -> tuple[int, int] | None:
    """Offsets of the answers' "{" and "}" after `pos`, or None after a problem."""
    body, first = block.body, block.first_line
    # Moodle: the answers lie between the first "{" and the first "}".
    opening, closing = body.find("{", pos), body.find("}", pos)
    if opening < 0 and closing < 0:
        hint = _l("không có phần đáp án {…}")
        problem(first, _unsupported("description", hint))
        return None
    if closing >= 0 and (opening < 0 or closing < opening):
        problem(
            block.line_at(closing), _l("dấu } không có dấu { mở trước nó (viết \\})")
        )
        return None
    if closing < 0:
        problem(block.line_at(opening), _l("thiếu dấu } đóng phần đáp án"))
        return None
    nested = body.find("{", opening + 1, closing)
    if nested >= 0:
        problem(
            block.line_at(opening),
            _l(
                "thiếu dấu } đóng phần đáp án (gặp dấu { khác ở dòng %(value)s)",
                value=block.line_at(nested),
            ),
        )
        return None
    if body[closing + 1 :].strip():
        hint = _l("có nội dung sau phần đáp án")
        problem(first, _unsupported("missingword", hint))
        return None
    return opening, closing


def _answer_fields(block: Block, parts: _Parts, problem: Report) -> dict | None:
    """The QuestionData fields the answers give (type, then options, or the answer
    and its feedback), or None after a problem that leaves no question."""
    first, head = block.first_line, parts.answers.strip()
    # Moodle's order of tests decides the type.
    kind = _unsupported_kind(head)
    if kind is not None:
        problem(first, _unsupported(kind))
        return None
    if not parts.stem:
        problem(first, _l("câu hỏi không có nội dung"))
    if "~" not in head:
        return _truefalse(head, first, problem, parts.fmt)
    found = choices(block, parts.opening + 1, parts.answers, problem, parts.fmt)
    if found is None:
        return None
    qtype, options = found
    return {"type": qtype, "options": options}


def _unsupported_kind(head: str) -> str | None:
    """The GIFT type of answers `head` when VHCV has no such type (else None)."""
    if not head:
        return "essay"
    if head.startswith("#"):
        return "numerical"
    if "~" not in head and "=" in head and "->" in head:
        return "matching"
    return None


def _truefalse(head: str, first: int, problem: Report, fmt: str) -> dict | None:
    """{T#wrong#right} and the like; anything else without `~` is a short answer."""
    verdict = head.split("#", 1)[0].strip()
    if verdict not in _TRUE + _FALSE:
        hint = None
        if verdict.upper() in _TRUE + _FALSE:
            hint = _l("đúng/sai phải viết T, TRUE, F hoặc FALSE bằng chữ hoa")
        problem(first, _unsupported("shortanswer", hint))
        return None
    answer = verdict in _TRUE
    bits = head.split("#", 2)
    wrong = plain_text(bits[1], default=fmt) if len(bits) > 1 else ""
    right = plain_text(bits[2], default=fmt) if len(bits) > 2 else ""
    # Moodle: the first feedback is for a wrong answer, the second for a right one.
    feedback_true, feedback_false = (right, wrong) if answer else (wrong, right)
    return {
        "type": TRUEFALSE,
        "answer": answer,
        "feedback_true": feedback_true,
        "feedback_false": feedback_false,
    }
