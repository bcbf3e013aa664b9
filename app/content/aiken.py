"""Aiken format -> question dataclasses (import only).

Pure: no Flask, no database. An Aiken question is its text (one or more lines), its
options one a line ("A. text" or "A) text", letters from A in order) and a line
"ANSWER: B"; questions are separated by blank lines. Each becomes a SINGLE question
with no explanation and no source (the importer decides what to ask for). The
file is plain text: its question and option texts are made Markdown that shows them
as written (gift_syntax.as_markdown, as for GIFT and Moodle XML). Problems are
collected over the whole file and raised together as a ConversionError.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from app.errors import lazy_gettext as _l
from app.errors import lazy_ngettext as _nl
from app.numbers import lazy_number
from app.quizzes.questions import SINGLE, OptionData, QuestionData

from .gift_syntax import as_markdown
from .problems import ConversionError, Problems, problem_line
from .textfile import numbered_blocks

_OPTION = re.compile(r"([A-Z])[.)](?:\s+(.*))?")
_ANSWER = re.compile(r"ANSWER\s*:\s*(.*)")


def parse_aiken(text: str, code_prefix: str) -> list[QuestionData]:
    """The questions of an Aiken file, in file order; ConversionError if any problem.

    Codes are f"{code_prefix}-{n:03d}" (n = the question's place in the file, from
    1); `line` is the question's first line.
    """
    problems = Problems()
    blocks = [
        [(number, line.strip()) for number, line in block]
        for block in numbered_blocks(text)
    ]

    questions = []
    for ordinal, block in enumerate(blocks, start=1):
        question = _question(block, f"{code_prefix}-{ordinal:03d}", problems)
        if question is not None:
            questions.append(question)
    if not questions and not problems:
        raise ConversionError(_l("Tệp Aiken không có câu hỏi nào; chưa nhập gì."), [])
    if problems:
        problems.sort(key=problem_line)
        raise ConversionError(
            _nl(
                "Tệp Aiken có %(count)s lỗi; chưa nhập câu hỏi nào.",
                "Tệp Aiken có %(count)s lỗi; chưa nhập câu hỏi nào.",
                len(problems),
                count=lazy_number(len(problems)),
            ),
            problems,
        )
    return questions


def _question(
    block: list[tuple[int, str]], code: str, problems: list[str]
) -> QuestionData | None:
    first = block[0][0]
    before = len(problems)

    def problem(line: int, message: str) -> None:
        problems.append(_l("dòng %(line)s: %(message)s", line=line, message=message))

    draft = _read_block(block, problem)
    if draft.answer is None:
        problem(first, _l("thiếu dòng ANSWER (ví dụ: ANSWER: B)"))
    if len(draft.options) < 2:
        problem(first, _l("câu hỏi cần ít nhất 2 phương án (A. …, B. …)"))
    if draft.answer is not None:
        number, letter = draft.answer
        letters = [letter for letter, _ in draft.options]
        if not re.fullmatch(r"[A-Z]", letter):
            problem(
                number,
                _l("ANSWER phải là một chữ cái A–Z (gặp «%(letter)s»)", letter=letter),
            )
        elif letter not in letters:
            problem(
                number,
                _l("ANSWER: %(letter)s không có trong các phương án", letter=letter),
            )
    if len(problems) > before:
        return None
    return QuestionData(
        code=code,
        type=SINGLE,
        stem=as_markdown("\n".join(draft.stem)),
        options=tuple(
            OptionData(
                letter.lower(), as_markdown(option_text), letter == draft.answer[1]
            )
            for letter, option_text in draft.options
        ),
        line=first,
    )


@dataclass
class _Draft:
    stem: list[str] = field(default_factory=list)
    options: list[tuple[str, str]] = field(default_factory=list)  # (letter, text)
    answer: tuple[int, str] | None = None  # (line, value)


def _read_block(
    block: list[tuple[int, str]], problem: Callable[[int, str], None]
) -> _Draft:
    """The stem lines, the options and the ANSWER line of one question's block."""
    draft = _Draft()
    stem, options = draft.stem, draft.options
    for number, line in block:
        if draft.answer is not None:
            problem(number, _l("có nội dung sau dòng ANSWER (cần một dòng trống)"))
            break
        found = _ANSWER.fullmatch(line)
        if found:
            draft.answer = (number, found.group(1).strip())
            continue
        option = _OPTION.fullmatch(line)
        if option and (options or stem):
            letter, option_text = option.group(1), (option.group(2) or "").strip()
            expected = chr(ord("A") + len(options))
            if letter != expected:
                problem(
                    number,
                    _l(
                        "phương án %(letter)s sai thứ tự (cần phương án %(expected)s)",
                        letter=letter,
                        expected=expected,
                    ),
                )
            if not option_text:
                problem(number, _l("phương án %(letter)s trống", letter=letter))
            options.append((letter, option_text))
        elif options:
            problem(
                number,
                _l("dòng không phải phương án (mỗi phương án viết trên một dòng)"),
            )
        elif option:
            problem(number, _l("thiếu nội dung câu hỏi trước các phương án"))
            options.append((option.group(1), (option.group(2) or "").strip()))
        else:
            stem.append(line)
    return draft
