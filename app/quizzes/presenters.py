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
from sqlalchemy import select

from app.extensions import db

from .attempts import AttemptHead
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


@dataclass
class AttemptPageInfo:
    attempt: AttemptHead
    page: int
    pages: int
    slots: list[SlotRow]  # this page's questions
    navigator: list[SlotRow]  # every question, for the navigator (no choices)
    remaining_seconds: int
    answered: int


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


def _rows(attempt: Attempt | AttemptHead, per_page: int, review: bool) -> list[SlotRow]:
    per_page = max(1, per_page)
    rows = []
    slots = _layout(attempt)
    answers = {
        a.slot_id: a
        for a in db.session.connection().execute(
            select(
                AttemptAnswer.slot_id,
                AttemptAnswer.selected,
                AttemptAnswer.saved_at,
                AttemptAnswer.marks,
            ).where(AttemptAnswer.attempt_id == attempt.id)
        )
    }
    versions = _versions({s.question_version_id for s in slots})
    for slot in slots:
        version = versions[slot.question_version_id]
        answer = answers.get(slot.id)
        selected = set(answer.selected) if answer else set()
        options = version.options
        choices = []
        for index, key in enumerate(slot.option_order):
            option = options[key]
            choice = ChoiceRow(index=index, html=option["html"], chosen=key in selected)
            if review:
                choice.correct = option["correct"]
                choice.feedback_html = (
                    option["feedback_html"] if key in selected else ""
                )
            choices.append(choice)
        row = SlotRow(
            position=slot.position,
            stem_html=version.stem_html,
            multiple=version.type == MULTIPLE,
            truefalse=version.type == "truefalse",
            choices=choices,
            answered=bool(selected),
            saved_at=answer.saved_at if answer else None,
            page=_page_of(slot.position, per_page),
        )
        if review:
            row.marks = answer.marks if answer and answer.marks is not None else 0.0
            row.explanation_html = version.explanation_html
            row.source = version.source
        rows.append(row)
    return rows


def attempt_page(attempt: AttemptHead, page: int, now: datetime) -> AttemptPageInfo:
    """The questions of `page` of an open attempt, with saved choices, no answers."""
    rows = _rows(attempt, attempt.questions_per_page, review=False)
    pages = max(1, math.ceil(len(rows) / max(1, attempt.questions_per_page)))
    page = min(max(1, page), pages)
    return AttemptPageInfo(
        attempt=attempt,
        page=page,
        pages=pages,
        slots=[r for r in rows if r.page == page],
        navigator=rows,
        remaining_seconds=remaining_seconds(attempt, now),
        answered=sum(r.answered for r in rows),
    )


# --- The attempt page's questions ---------------------------------------------------
# Thirty questions through Jinja cost most of the page (an escape per value, a
# gettext per label). Their markup lives in quizzes/_stencils.html, rendered once per
# language and kind with markers in place of the values; a page fills the markers.


class Stencil:
    """Markup rendered once with markers (STX NAME ETX), filled per use. Values go
    in as given: the caller passes numbers, escaped text or sanitised HTML."""

    MARKER = re.compile("\x02(\\w+)\x03")

    def __init__(self, rendered: str):
        parts = self.MARKER.split(rendered)
        self.literals, self.names = parts[0::2], parts[1::2]

    @staticmethod
    def marker(name: str) -> Markup:
        return Markup(f"\x02{name}\x03")

    def fill(self, values: dict[str, str]) -> str:
        out = [self.literals[0]]
        for name, literal in zip(self.names, self.literals[1:], strict=True):
            out.append(values[name])
            out.append(literal)
        return "".join(out)


@dataclass(frozen=True)
class _Stencils:
    question: Stencil
    choice: Stencil
    nav_item: Stencil


def _stencils(multiple: bool) -> _Stencils:
    """The stencils of this kind of question, in the current language."""
    cache = current_app.extensions.setdefault("vhcv_attempt_stencils", {})
    key = (str(get_locale()), multiple)
    if key not in cache:
        cache[key] = _Stencils(
            _stencil("question", multiple, "P", "STEM", "CHOICES", "S"),
            _stencil("choice", multiple, "P", "I", "C", "OPT"),
            _stencil("nav_item", None, "P", "URL", "PAGE", "CLASS", "STATE"),
        )
    return cache[key]


def _stencil(name: str, multiple: bool | None, *markers: str) -> Stencil:
    """The macro `name` of quizzes/_stencils.html rendered with markers."""
    macro = get_template_attribute("quizzes/_stencils.html", name)
    args = [Stencil.marker(m) for m in markers]
    return Stencil(str(macro(*args) if multiple is None else macro(multiple, *args)))


def navigator_html(info: AttemptPageInfo, page_url: str) -> Markup:
    """The question navigator's entries: answered or not, and where each one is."""
    stencil = _stencils(False).nav_item
    yes, no = escape(_("đã trả lời")), escape(_("chưa trả lời"))
    url = escape(page_url)
    out = []
    for row in info.navigator:
        css = "answered" if row.answered else "unanswered"
        out.append(
            stencil.fill(
                {
                    "P": str(row.position),
                    "URL": url,
                    "PAGE": str(row.page),
                    "CLASS": css + " here" if row.page == info.page else css,
                    "STATE": yes if row.answered else no,
                }
            )
        )
    return Markup("\n    ".join(out))


def question_html(rows: list[SlotRow]) -> Markup:
    """The markup of these attempt-page questions (saved choices ticked)."""
    from app.timeutil import format_vn_date

    unsaved = escape(_("Chưa trả lời"))
    kinds = {False: _stencils(False), True: _stencils(True)}
    out = []
    for row in rows:
        stencils = kinds[row.multiple]
        position = str(row.position)
        choices = [
            stencils.choice.fill(
                {
                    "P": position,
                    "I": str(choice.index),
                    "C": "checked" if choice.chosen else "",
                    "OPT": choice.html,
                }
            )
            for choice in row.choices
        ]
        if row.answered:
            state = "✓ " + escape(
                _("Đã lưu lúc %(t)s", t=format_vn_date(row.saved_at, with_time=True))
            )
        else:
            state = unsaved
        out.append(
            stencils.question.fill(
                {
                    "P": position,
                    "STEM": row.stem_html,
                    "CHOICES": "\n      ".join(choices),
                    "S": state,
                }
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
    rows = (
        _rows(attempt, attempt.quiz.questions_per_page, review=True)
        if show_answers
        else []
    )
    return ReviewInfo(show_score, show_answers, later, rows)
