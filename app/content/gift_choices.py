"""The answers of a GIFT choice question: `=` right, `~` wrong, `~%n%` weighted.

One `=` makes a SINGLE question (right or wrong, no partial credit); weighted `~`
answers alone a MULTIPLE one whose positive weights sum to 100%.
"""

import re
from typing import NamedTuple

from app.errors import lazy_gettext as _l
from app.quizzes.questions import MULTIPLE, SINGLE, OptionData

from .gift_syntax import (
    WEIGHT,
    WEIGHT_LIKE,
    Block,
    Report,
    fraction,
    plain_text,
    restore,
)


class _Answer(NamedTuple):
    line: int
    marker: str  # "=" or "~"
    weight: float | None  # a "~%n%" weight as a fraction
    text: str
    feedback: str


def choices(
    block: Block, offset: int, answers: str, problem: Report, fmt: str = "moodle"
) -> tuple[str, tuple[OptionData, ...]] | None:
    """The `=` / `~` answers of a choice question (text `answers` starts at `offset`
    of the block's body): one `=` makes it SINGLE, weighted `~%n%` only MULTIPLE.
    `fmt`: the question text's format, the answers' when they name none."""
    first = block.first_line
    parsed = _answer_list(block, offset, answers, problem, fmt)
    if len(parsed) < 2:
        problem(first, _l("câu trắc nghiệm cần ít nhất 2 phương án"))
        return None
    if len(parsed) > 26:
        problem(first, _l("câu trắc nghiệm có tối đa 26 phương án"))
        return None
    keys = [chr(ord("a") + i) for i in range(len(parsed))]
    if any(answer.marker == "=" for answer in parsed):
        # Moodle: any "=" makes a one-answer question.
        return SINGLE, _single_options(parsed, keys, first, problem)
    return MULTIPLE, _weighted_options(parsed, keys, first, problem)


def _answer_list(
    block: Block, offset: int, answers: str, problem: Report, fmt: str
) -> list[_Answer]:
    """Each answer from its `=` or `~` to the next one, in order."""
    marks = [m.start() for m in re.finditer("[~=]", answers)]
    leading = answers[: marks[0]]
    if leading.strip():
        problem(
            block.line_at(offset),
            _l(
                "phần đáp án phải bắt đầu bằng = hoặc ~ (gặp «%(value)s»)",
                value=plain_text(leading, one_line=True, label=True),
            ),
        )
    parsed = []
    for start, end in zip(marks, [*marks[1:], len(answers)], strict=True):
        marker, raw = answers[start], answers[start + 1 : end].strip()
        line = block.line_at(offset + start)
        weight, raw = _weight(marker, raw, line, problem)
        text, _, feedback = raw.partition("#")
        text = plain_text(text, one_line=True, default=fmt)
        if not text:
            problem(line, _l("phương án trống"))
        feedback = plain_text(feedback, default=fmt)
        parsed.append(_Answer(line, marker, weight, text, feedback))
    return parsed


def _weight(
    marker: str, raw: str, line: int, problem: Report
) -> tuple[float | None, str]:
    """A `~` answer's `%n%` weight (None when it has none) and the text after it."""
    if marker != "~":
        return None, raw
    match = WEIGHT.match(raw)
    if match:
        weight = fraction(match.group(1)) + 0.0
        if not -1 <= weight <= 1:
            problem(
                line,
                _l("trọng số %(value)s phải từ -100%% đến 100%%", value=match.group(0)),
            )
        return weight, raw[match.end() :]
    if WEIGHT_LIKE.match(raw):
        bad = restore(WEIGHT_LIKE.match(raw).group(0))
        problem(
            line,
            _l(
                "trọng số %(bad)s không hợp lệ (viết ví dụ ~%%50%% hoặc ~%%-100%%)",
                bad=bad,
            ),
        )
    return None, raw


def _single_options(
    parsed: list[_Answer], keys: list[str], first: int, problem: Report
) -> tuple[OptionData, ...]:
    rights = [answer for answer in parsed if answer.marker == "="]
    if len(rights) > 1:
        problem(
            first,
            _l(
                "câu một lựa chọn có %(count)s đáp án đúng (=); câu nhiều đáp án đúng "
                "viết mọi đáp án bằng ~%%n%%",
                count=len(rights),
            ),
        )
    for answer in parsed:
        if answer.marker == "~" and answer.weight:
            problem(
                answer.line,
                _l(
                    "câu một lựa chọn (có đáp án =) không cho điểm một phần (~%n%): "
                    "VHCV chấm câu một lựa chọn theo đúng/sai"
                ),
            )
    return tuple(
        OptionData(key, answer.text, answer.marker == "=", None, answer.feedback)
        for key, answer in zip(keys, parsed, strict=True)
    )


def _weighted_options(
    parsed: list[_Answer], keys: list[str], first: int, problem: Report
) -> tuple[OptionData, ...]:
    weights = [answer.weight or 0.0 for answer in parsed]
    positive = sum(w for w in weights if w > 0)
    if not positive:
        problem(
            first,
            _l("không có đáp án đúng (cần một đáp án = hoặc đáp án ~%n% với n > 0)"),
        )
    elif round(positive, 2) != 1:
        problem(
            first,
            _l(
                "tổng trọng số các đáp án đúng phải là 100%% (đang là %(value)s%%)",
                value=format(round(positive * 100, 5), "g"),
            ),
        )
    return tuple(
        OptionData(key, answer.text, weight > 0, weight, answer.feedback)
        for key, weight, answer in zip(keys, weights, parsed, strict=True)
    )
