"""Question data as files, GIFT and Aiken describe it, and its grading.

Pure: no Flask (messages are lazy_gettext, read when shown), no database. Loaders
and converters produce these dataclasses; the sync and the attempt services consume
them.
"""

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace

from flask_babel import pgettext
from flask_babel.speaklater import LazyString
from markupsafe import Markup

from app.errors import lazy_gettext as _l

SINGLE, MULTIPLE, TRUEFALSE = "single", "multiple", "truefalse"
QUESTION_TYPES = (SINGLE, MULTIPLE, TRUEFALSE)
REVIEW_POLICIES = ("none", "score", "after_submit", "after_close")
# (lowest, highest) of a quiz's whole-number settings: the same for its file, a
# contest round's and the browser's forms, and inside the database's integers.
TIME_LIMIT_MINUTES = (1, 600)
PASS_PERCENT = (0, 100)
ATTEMPTS_ALLOWED = (1, 20)
QUESTIONS_PER_PAGE = (1, 100)
DRAW_COUNT = (1, 500)  # the questions one draw rule takes
TRUE_KEY, FALSE_KEY = "true", "false"
# A true/false question's options as stored in its versions: content, written in
# Vietnamese and part of its hash; pages show TRUE_FALSE_LABELS instead.
TRUE_FALSE_TEXT = {TRUE_KEY: "Đúng", FALSE_KEY: "Sai"}


@dataclass(frozen=True)
class OptionData:
    """One option. `key` is stable inside its question ("a", "b", … in file order)."""

    key: str
    text: str  # Markdown, one line
    correct: bool
    # Credit for choosing it in partial-credit grading, -1.0..1.0; None = derived.
    weight: float | None = None
    feedback: str = ""


@dataclass(frozen=True)
class QuestionData:
    code: str
    type: str  # SINGLE | MULTIPLE | TRUEFALSE
    stem: str  # Markdown
    options: tuple[OptionData, ...] = ()  # empty for TRUEFALSE
    answer: bool | None = None  # TRUEFALSE only
    explanation: str = ""  # Markdown
    source: str = ""  # the clause it tests
    tags: tuple[str, ...] = ()
    feedback_true: str = ""  # TRUEFALSE: shown when "Đúng" is chosen
    feedback_false: str = ""  # TRUEFALSE: shown when "Sai" is chosen
    line: int = 0  # first line in its file, for messages; not content
    name: str = ""  # its Moodle name (GIFT ::title::); a label, not content
    # its Moodle category as imported ("$course$/top/A/B"); a label, not content
    category: str = ""
    # its Moodle ID number when it is not its code ("Câu 1"); a label, not content
    idnumber: str = ""


@dataclass(frozen=True)
class DrawRule:
    """Draw `count` questions from a bank, or from every bank by tag."""

    count: int
    bank: str | None = None
    tag: str | None = None


@dataclass(frozen=True)
class QuizData:
    code: str
    title: str
    course: str | None
    time_limit_minutes: int
    pass_percent: int
    attempts_allowed: int
    shuffle_questions: bool
    shuffle_options: bool
    questions_per_page: int
    review: str  # one of REVIEW_POLICIES
    draw: tuple[DrawRule, ...]
    partial_credit: bool = False
    path: str = ""
    line: int = 0


@dataclass
class BankData:
    code: str
    title: str
    course: str | None = None
    module: str | None = None
    questions: list[QuestionData] = field(default_factory=list)
    path: str = ""
    # Groups of question codes never drawn into one attempt together.
    exclusive: tuple[tuple[str, ...], ...] = ()


def effective_options(question: QuestionData) -> tuple[OptionData, ...]:
    """The options a learner chooses from: a true/false question gets Đúng and Sai
    (TRUE_FALSE_TEXT, stored as they are; option_html shows them translated)."""
    if question.type != TRUEFALSE:
        return question.options
    true, false = TRUE_FALSE_TEXT[TRUE_KEY], TRUE_FALSE_TEXT[FALSE_KEY]
    return (
        OptionData(
            TRUE_KEY, true, question.answer is True, None, question.feedback_true
        ),
        OptionData(
            FALSE_KEY, false, question.answer is False, None, question.feedback_false
        ),
    )


def true_false_label(key: str) -> str:
    """A true/false option's words in the reader's language ("True", "False"). "Đúng"
    alone is also a right answer's word ("Correct"): hence a context of its own."""
    if key == TRUE_KEY:
        return pgettext("đáp án câu đúng/sai", "Đúng")
    return pgettext("đáp án câu đúng/sai", "Sai")


# Lazy: read in the reader's language each time a page shows them.
TRUE_FALSE_LABELS = {key: LazyString(true_false_label, key) for key in TRUE_FALSE_TEXT}


def option_html(qtype: str, option: dict) -> Markup | LazyString:
    """An option of a stored version ({key, html, …}) as pages show it: its HTML, or
    for a true/false question its label in the reader's language."""
    if qtype == TRUEFALSE:
        return TRUE_FALSE_LABELS[option["key"]]
    return Markup(option["html"])


def option_text(qtype: str, option: dict) -> str | LazyString:
    """option_html's plain text: the option's Markdown, or a true/false label."""
    if qtype == TRUEFALSE:
        return TRUE_FALSE_LABELS[option["key"]]
    return option["text"]


def option_weights(options: tuple[OptionData, ...]) -> dict[str, float]:
    """Partial-credit weights: given ones kept; otherwise each correct option is worth
    1/n of the mark and each wrong one takes 1/n away (n = correct options)."""
    n_correct = sum(o.correct for o in options) or 1
    return {
        o.key: o.weight
        if o.weight is not None
        else (1 if o.correct else -1) / n_correct
        for o in options
    }


def plain_weights(options: tuple[OptionData, ...]) -> tuple[OptionData, ...]:
    """`options` with their weights dropped (None) when every one is the weight
    option_weights derives for it: an imported file that spells out the derived
    weights (VHCV's own GIFT or Moodle XML export) gives back the question as
    it was, so a round trip makes no new version. Other weights are kept."""
    derived = option_weights(tuple(replace(o, weight=None) for o in options))
    if all(
        o.weight is not None and abs(o.weight - derived[o.key]) < 1e-9 for o in options
    ):
        return tuple(replace(o, weight=None) for o in options)
    return options


def grade(
    qtype: str, options: list[dict], selected: list[str], partial: bool = False
) -> float:
    """Marks (0..1) for choosing `selected` among `options` ({key, correct, weight}).

    Single and true/false: 1 when the one correct option is chosen alone. Multiple:
    all-or-nothing unless `partial`, then the sum of weights, clamped to 0..1.
    """
    chosen = set(selected)
    correct = {o["key"] for o in options if o["correct"]}
    if not chosen:
        return 0.0
    if qtype != MULTIPLE or not partial:
        return 1.0 if chosen == correct else 0.0
    weights = {o["key"]: o["weight"] for o in options}
    return max(0.0, min(1.0, sum(weights.get(k, 0.0) for k in chosen)))


def question_hash(question: QuestionData) -> str:
    """Digest of everything a learner or reviewer sees (not the file line)."""
    data = asdict(question)
    data.pop("line")
    data.pop("name")
    data.pop("category")
    data.pop("idnumber")
    encoded = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


# What a question may lack and still be imported (content.question_editing warns).
NO_EXPLANATION = _l("thiếu giải thích")
NO_SOURCE = _l("thiếu nguồn (điều, khoản được hỏi)")


def question_problems(question: QuestionData) -> list:
    """What keeps a question made outside a bank file (the browser editor, an
    upload) from being a valid bank question, by the bank file's rules (README,
    "Bank files"); [] when it is valid. Lazy messages, read in the reader's
    language (Vietnamese outside a request)."""
    from app.markdown import markdown_problems

    found = []
    if not question.stem.strip():
        found.append(_l("thiếu đề bài"))
    if not question.explanation.strip():
        found.append(NO_EXPLANATION)
    if not question.source.strip():
        found.append(NO_SOURCE)
    for label, text in (
        (_l("đề bài"), question.stem),
        (_l("giải thích"), question.explanation),
    ):
        found += [
            _l("%(field)s, dòng %(line)s: %(problem)s", field=label, line=n, problem=m)
            for n, m in markdown_problems(text)
        ]
    found += _option_problems(question)
    if question.type == TRUEFALSE:
        if question.options:
            found.append(
                _l("câu đúng/sai không được có lựa chọn riêng (chỉ chọn Đúng/Sai)")
            )
        if question.answer is None:
            found.append(_l("câu đúng/sai thiếu đáp án (Đúng hoặc Sai)"))
        return found
    if question.type not in (SINGLE, MULTIPLE):
        return [
            *found,
            _l("loại câu hỏi không hợp lệ: “%(type)s”", type=question.type),
        ]
    return found + _answer_problems(question)


def _option_problems(question: QuestionData) -> list:
    found, seen = [], set()
    for option in question.options:
        key = " ".join(option.text.split()).casefold()
        if not key:
            found.append(_l("lựa chọn không có nội dung"))
        elif key in seen:
            found.append(_l("lựa chọn trùng nhau: “%(text)s”", text=option.text))
        seen.add(key)
    return found


def _answer_problems(question: QuestionData) -> list:
    """A single or multiple answer question's options and correct ones."""
    found = []
    single = question.type == SINGLE
    name = _l("câu một đáp án") if single else _l("câu nhiều đáp án")
    correct = sum(o.correct for o in question.options)
    if len(question.options) < 2:
        found.append(
            _l(
                "%(name)s phải có ít nhất hai lựa chọn (có %(count)s)",
                name=name,
                count=len(question.options),
            )
        )
    if single and correct != 1:
        detail = (
            _l("có %(count)s lựa chọn đúng", count=correct)
            if correct
            else _l("không có lựa chọn đúng")
        )
        found.append(
            _l(
                "câu một đáp án phải có đúng một lựa chọn đúng (%(detail)s)",
                detail=detail,
            )
        )
    elif correct == 0:
        found.append(_l("%(name)s không có lựa chọn đúng", name=name))
    return found
