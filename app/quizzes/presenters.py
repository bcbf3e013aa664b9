"""What the attempt, result and review pages show, as plain data. Nothing here lets
a correct answer reach the browser before the attempt is finished."""

import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, get_template_attribute
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import bindparam, select

from app.extensions import db
from app.timeutil import format_vn_date

from .attempts import AttemptHead, saved_answers
from .models import FINISHED, Attempt, AttemptAnswer, AttemptSlot, QuestionVersion
from .questions import MULTIPLE


@dataclass
class ChoiceRow:
    index: int  # position as shown: the only option identifier the browser sees
    html: str
    chosen: bool
    # Review only (None on the attempt page):
    correct: bool | None = None
    feedback_html: str = ""


@dataclass
class SlotRow:
    position: int
    stem_html: str
    multiple: bool
    truefalse: bool
    choices: list[ChoiceRow]
    answered: bool
    saved_at: datetime | None
    page: int
    # Review only:
    marks: float | None = None
    explanation_html: str = ""
    source: str = ""


@dataclass(frozen=True)
class PageSlot:
    """A question of an open attempt as its page shows it: where it is, which
    version, its options in this attempt's order, and what is saved."""

    position: int
    page: int
    version_id: int
    option_order: tuple[str, ...]
    selected: frozenset[str]  # option keys saved
    saved_at: datetime | None

    @property
    def answered(self) -> bool:
        return bool(self.selected)


@dataclass
class AttemptPageInfo:
    attempt: AttemptHead
    page: int
    pages: int
    slots: list[PageSlot]  # this page's questions
    navigator: list[PageSlot]  # every question, for the navigator
    remaining_seconds: int
    answered: int

    @property
    def timer_text(self) -> str:
        """The countdown as the page first shows it (m:ss)."""
        minutes, seconds = divmod(self.remaining_seconds, 60)
        return f"{minutes}:{seconds:02d}"

    @property
    def deadline_text(self) -> str:
        return format_vn_date(self.attempt.deadline_at, with_time=True)


def _page_of(position: int, per_page: int) -> int:
    return (position - 1) // per_page + 1


@dataclass(frozen=True)
class _VersionView:
    type: str
    stem_html: str
    explanation_html: str
    source: str
    options: dict  # key -> option dict


def _versions(ids: set[int]) -> dict[int, _VersionView]:
    """What pages show of these question versions. A version is never edited
    (models.QuestionVersion), so it is kept for the life of the app: one entry per
    version, per app (tests build a fresh app, and database, each)."""
    cache = current_app.extensions.setdefault("vhcv_question_versions", {})
    missing = ids - cache.keys()
    if missing:
        for v in db.session.scalars(
            select(QuestionVersion).where(QuestionVersion.id.in_(missing))
        ):
            cache[v.id] = _VersionView(
                v.type,
                v.stem_html,
                v.explanation_html,
                v.source,
                {o["key"]: o for o in v.options},
            )
    return {i: cache[i] for i in ids}


@dataclass(frozen=True)
class _SlotLayout:
    id: int
    position: int
    question_version_id: int
    option_order: tuple[str, ...]


class _LayoutCache:
    """Attempt id and start → its slots. Slots are fixed when an attempt starts and
    never change, so a page reload or a move to the next page of questions reads
    only the answers. Bounded (least recently used out) and thread-safe."""

    def __init__(self, size: int):
        self.size, self.entries, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.entries.get(key)
            if value is not None:
                self.entries.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self.lock:
            self.entries[key] = value
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


def _layout(attempt: Attempt | AttemptHead) -> tuple[_SlotLayout, ...]:
    cache = current_app.extensions.setdefault(
        "vhcv_attempt_layouts", _LayoutCache(4096)
    )
    key = (attempt.id, attempt.started_at)  # ids may be reused after a deletion
    layout = cache.get(key)
    if layout is None:
        layout = tuple(
            _SlotLayout(s.id, s.position, s.question_version_id, tuple(s.option_order))
            for s in db.session.execute(
                select(
                    AttemptSlot.id,
                    AttemptSlot.position,
                    AttemptSlot.question_version_id,
                    AttemptSlot.option_order,
                )
                .where(AttemptSlot.attempt_id == attempt.id)
                .order_by(AttemptSlot.position)
            )
        )
        cache.put(key, layout)
    return layout


_MARKED_ANSWERS = select(
    AttemptAnswer.slot_id,
    AttemptAnswer.selected,
    AttemptAnswer.saved_at,
    AttemptAnswer.marks,
).where(AttemptAnswer.attempt_id == bindparam("attempt_id"))


def _marked_answers(attempt_id: int) -> dict:
    """slot id → the answer (`selected`, `saved_at`, `marks`) of a finished attempt."""
    rows = db.session.connection().execute(_MARKED_ANSWERS, {"attempt_id": attempt_id})
    return {a.slot_id: a for a in rows}


def _review_rows(attempt: Attempt) -> list[SlotRow]:
    """Every question of a finished attempt with its answer, marks and feedback."""
    per_page = max(1, attempt.quiz.questions_per_page)
    rows = []
    slots = _layout(attempt)
    answers = _marked_answers(attempt.id)
    versions = _versions({s.question_version_id for s in slots})
    for slot in slots:
        version = versions[slot.question_version_id]
        answer = answers.get(slot.id)
        selected = set(answer.selected) if answer else set()
        options = version.options
        choices = []
        for index, key in enumerate(slot.option_order):
            option = options[key]
            choices.append(
                ChoiceRow(
                    index=index,
                    html=option["html"],
                    chosen=key in selected,
                    correct=option["correct"],
                    feedback_html=option["feedback_html"] if key in selected else "",
                )
            )
        rows.append(
            SlotRow(
                position=slot.position,
                stem_html=version.stem_html,
                multiple=version.type == MULTIPLE,
                truefalse=version.type == "truefalse",
                choices=choices,
                answered=bool(selected),
                saved_at=answer.saved_at if answer else None,
                page=_page_of(slot.position, per_page),
                marks=answer.marks if answer and answer.marks is not None else 0.0,
                explanation_html=version.explanation_html,
                source=version.source,
            )
        )
    return rows


def attempt_page(attempt: AttemptHead, page: int, now: datetime) -> AttemptPageInfo:
    """The questions of `page` of an open attempt, with saved choices, no answers."""
    per_page = max(1, attempt.questions_per_page)
    answers = attempt.saved
    if answers is None:
        answers = saved_answers(attempt.id)
    unsaved = (frozenset(), None)
    slots = [
        PageSlot(
            s.position,
            _page_of(s.position, per_page),
            s.question_version_id,
            s.option_order,
            *answers.get(s.id, unsaved),
        )
        for s in _layout(attempt)
    ]
    pages = max(1, math.ceil(len(slots) / per_page))
    page = min(max(1, page), pages)
    return AttemptPageInfo(
        attempt=attempt,
        page=page,
        pages=pages,
        slots=[s for s in slots if s.page == page],
        navigator=slots,
        remaining_seconds=remaining_seconds(attempt, now),
        answered=sum(s.answered for s in slots),
    )


# --- The attempt page's questions ---------------------------------------------------
# Thirty questions through Jinja cost most of the page (an escape per value, a
# gettext per label). Their markup lives in quizzes/_stencils.html, rendered once per
# language and kind with markers in place of the values. A question version's stem
# and options are then set in once (they never change), leaving %-format strings
# that a page fills with positions, indexes and saved choices.


class Stencil:
    """Markup rendered once with markers (STX NAME ETX). `format` sets some markers
    to fixed values and turns the others into %(NAME)s fields. Values go in as
    given: the caller passes numbers, escaped text or sanitised HTML."""

    MARKER = re.compile("\x02(\\w+)\x03")

    def __init__(self, rendered: str):
        parts = self.MARKER.split(rendered)
        self.literals, self.names = parts[0::2], parts[1::2]

    @staticmethod
    def marker(name: str) -> Markup:
        return Markup(f"\x02{name}\x03")

    def format(self, *fields: str, **fixed: str) -> str:
        """With `fields`, the markers left must be exactly these, in this order,
        and become positional %s fields (the fastest to fill)."""
        out = [self.literals[0].replace("%", "%%")]
        left = []
        for name, literal in zip(self.names, self.literals[1:], strict=True):
            value = fixed.get(name)
            if value is None:
                left.append(name)
                out.append("%s" if fields else f"%({name})s")
            else:
                out.append(value.replace("%", "%%"))
            out.append(literal.replace("%", "%%"))
        if fields and tuple(left) != fields:
            raise ValueError(f"stencil fields are {left}, not {list(fields)}")
        return "".join(out)


@dataclass(frozen=True)
class _Stencils:
    question: Stencil
    choice: Stencil
    nav_item: str  # %-format: P, URL, PAGE, CLASS, STATE


def _stencils(multiple: bool) -> _Stencils:
    """The stencils of this kind of question, in the current language."""
    cache = current_app.extensions.setdefault("vhcv_attempt_stencils", {})
    key = (str(get_locale()), multiple)
    if key not in cache:
        cache[key] = _Stencils(
            _stencil("question", multiple, "P", "STEM", "CHOICES", "S"),
            _stencil("choice", multiple, "P", "I", "C", "OPT"),
            _stencil("nav_item", None, "P", "URL", "PAGE", "CLASS", "STATE").format(),
        )
    return cache[key]


def _stencil(name: str, multiple: bool | None, *markers: str) -> Stencil:
    """The macro `name` of quizzes/_stencils.html rendered with markers."""
    macro = get_template_attribute("quizzes/_stencils.html", name)
    args = [Stencil.marker(m) for m in markers]
    return Stencil(str(macro(*args) if multiple is None else macro(multiple, *args)))


@dataclass(frozen=True)
class ShownQuestion:
    """A question version's markup on the attempt page, in one language: a
    %-format string of the question (P, CHOICES, S) and, per option key, of its
    choice unticked and ticked (position, then index)."""

    question: str
    choices: dict[str, tuple[str, str]]

    @classmethod
    def build(cls, multiple: bool, stem_html: str, options: dict[str, str]):
        stencils = _stencils(multiple)
        choice = stencils.choice
        return cls(
            stencils.question.format(STEM=stem_html),
            {
                key: (
                    choice.format("P", "I", OPT=html, C=""),
                    choice.format("P", "I", OPT=html, C="checked"),
                )
                for key, html in options.items()
            },
        )

    def html(self, position: int, order, selected, state: str) -> str:
        p = str(position)
        choices = self.choices
        return self.question % {
            "P": p,
            "CHOICES": "\n      ".join(
                choices[key][key in selected] % (p, i) for i, key in enumerate(order)
            ),
            "S": state,
        }


def _shown_questions() -> dict[int, ShownQuestion]:
    """Version id → ShownQuestion in the current language, kept for the app's life
    (a version never changes); `_shown` fills it."""
    cache = current_app.extensions.setdefault("vhcv_shown_questions", {})
    return cache.setdefault(str(get_locale()), {})


def _shown(shown: dict[int, ShownQuestion], version_id: int) -> ShownQuestion:
    question = shown.get(version_id)
    if question is None:
        version = _versions({version_id})[version_id]
        question = shown[version_id] = ShownQuestion.build(
            version.type == MULTIPLE,
            version.stem_html,
            {k: o["html"] for k, o in version.options.items()},
        )
    return question


def navigator_html(info: AttemptPageInfo, page_url: str) -> Markup:
    """The question navigator's entries: answered or not, and where each one is."""
    item = _stencils(False).nav_item
    yes, no = escape(_("đã trả lời")), escape(_("chưa trả lời"))
    url = escape(page_url)
    out = []
    for slot in info.navigator:
        css = "answered" if slot.answered else "unanswered"
        values = {
            "P": slot.position,
            "URL": url,
            "PAGE": slot.page,
            "CLASS": css + " here" if slot.page == info.page else css,
            "STATE": yes if slot.answered else no,
        }
        out.append(item % values)
    return Markup("\n    ".join(out))


def unanswered_question_html(multiple: bool, stem_html: str, options: dict) -> Markup:
    """A question not saved in any attempt (a trainer's preview), as question 1 with
    `options` (key → sanitised HTML) in their order."""
    shown = ShownQuestion.build(multiple, stem_html, options)
    return Markup(shown.html(1, list(options), (), escape(_("Chưa trả lời"))))


def question_html(slots: list[PageSlot]) -> Markup:
    """The markup of these attempt-page questions (saved choices ticked)."""
    unsaved = escape(_("Chưa trả lời"))
    label = str(escape(_("Đã lưu lúc %(t)s", t="\x00")))
    saved = "✓ " + label.replace("%", "%%").replace("\x00", "%s")
    shown = _shown_questions()
    out = []
    for slot in slots:
        if slot.answered:
            state = saved % escape(format_vn_date(slot.saved_at, with_time=True))
        else:
            state = unsaved
        out.append(
            _shown(shown, slot.version_id).html(
                slot.position, slot.option_order, slot.selected, state
            )
        )
    return Markup("\n".join(out))


def remaining_seconds(attempt: Attempt | AttemptHead, now: datetime) -> int:
    if attempt.state == FINISHED:
        return 0
    return max(0, int((attempt.deadline_at - now).total_seconds()))


@dataclass
class ReviewInfo:
    show_score: bool
    show_answers: bool
    answers_later: bool  # answers will be shown after the quiz closes
    rows: list[SlotRow]


def review_for(attempt: Attempt, now: datetime) -> ReviewInfo:
    """What the result page may show, by the quiz's review policy."""
    policy = attempt.quiz.review_policy
    if attempt.state != FINISHED:
        return ReviewInfo(False, False, False, [])
    show_score = policy != "none" or attempt.preview
    show_answers = (
        policy == "after_submit"
        or attempt.preview
        or (policy == "after_close" and attempt.quiz.has_closed(now))
    )
    later = policy == "after_close" and not show_answers
    rows = _review_rows(attempt) if show_answers else []
    return ReviewInfo(show_score, show_answers, later, rows)
