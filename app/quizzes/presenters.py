"""What the attempt, confirm, result and review pages show, as plain data. Nothing
here lets a correct answer reach the browser before the attempt is finished: the
attempt page is built from `QuestionHtml`, which holds no mark of the right option."""

import math
import threading
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app, render_template_string
from flask_babel.speaklater import LazyString
from markupsafe import Markup
from sqlalchemy import bindparam, select

from app.accounts.models import User
from app.extensions import db
from app.timeutil import to_vn

from . import windows
from .attempts import slots_with_versions
from .models import FINISHED, Attempt, AttemptAnswer, AttemptSlot, QuestionVersion
from .questions import MULTIPLE, TRUEFALSE, option_html

# --- The attempt page ---------------------------------------------------------------


@dataclass(frozen=True)
class QuestionHtml:
    """What the attempt page shows of a question version: its sanitised stem and
    option HTML, and whether several options may be ticked. A version is never
    edited (models.QuestionVersion), so this is kept for the app's life."""

    multiple: bool
    stem_html: Markup
    # option key → HTML (a true/false option: its label, read when shown)
    options: dict[str, Markup | LazyString]


_MEMO = "vhcv.question_html"
_memo_lock = threading.Lock()


def question_html(version_ids: set[int]) -> dict[int, QuestionHtml]:
    """QuestionHtml of these versions, read from the database once per app."""
    memo: dict[int, QuestionHtml] = current_app.extensions.setdefault(_MEMO, {})
    missing = version_ids - memo.keys()
    if missing:
        read = {
            v.id: QuestionHtml(
                v.type == MULTIPLE,
                Markup(v.stem_html),
                {o["key"]: option_html(v.type, o) for o in v.options},
            )
            for v in db.session.scalars(
                select(QuestionVersion).where(QuestionVersion.id.in_(missing))
            )
        }
        with _memo_lock:
            memo.update(read)
    return {i: memo[i] for i in version_ids}


def forget_question_html(app: Flask) -> None:
    """Drop the memo (tests that rewrite a version in place use it)."""
    app.extensions.pop(_MEMO, None)


@dataclass(frozen=True)
class Choice:
    index: int  # position as shown: the only option identifier the browser sees
    html: Markup
    chosen: bool


@dataclass(frozen=True)
class PageQuestion:
    """A question of an open attempt as its page shows it."""

    position: int
    page: int
    multiple: bool
    stem_html: Markup
    choices: list[Choice]
    saved_at: datetime | None
    answered: bool
    seq: int = 0  # the page journal's number of the stored choice (0: none)
    flagged: bool = False  # marked to come back to

    @property
    def shown(self) -> str:
        """The options the page shows ticked, "0,2": its form says so, and the
        save of the form leaves a question it did not change (page_saves)."""
        return ",".join(str(c.index) for c in self.choices if c.chosen)


@dataclass
class AttemptPageInfo:
    attempt: Attempt
    page: int
    pages: int
    questions: list[PageQuestion]  # this page's
    navigator: list[PageQuestion]  # every question, for the navigator
    remaining_seconds: int

    @property
    def answered(self) -> int:
        return sum(q.answered for q in self.navigator)

    @property
    def flagged(self) -> list[PageQuestion]:
        return [q for q in self.navigator if q.flagged]

    @property
    def unanswered(self) -> list[PageQuestion]:
        return [q for q in self.navigator if not q.answered]

    @property
    def deadline_text(self) -> str:
        """The deadline's time of day in Vietnam (HH:MM): what the page shows
        without its script, whose clock does not run."""
        return to_vn(self.attempt.deadline_at).strftime("%H:%M")


def page_of(position: int, per_page: int) -> int:
    """The page of the attempt that shows the question at `position`."""
    per_page = max(1, per_page)
    return (position - 1) // per_page + 1


_SLOTS_WITH_ANSWERS = (
    select(
        AttemptSlot.position,
        AttemptSlot.question_version_id,
        AttemptSlot.option_order,
        AttemptSlot.flagged,
        AttemptAnswer.selected,
        AttemptAnswer.saved_at,
        AttemptAnswer.seq,
    )
    .outerjoin(AttemptAnswer, AttemptAnswer.slot_id == AttemptSlot.id)
    .where(AttemptSlot.attempt_id == bindparam("attempt_id"))
    .order_by(AttemptSlot.position)
)


def attempt_page(attempt: Attempt, page: int, now: datetime) -> AttemptPageInfo:
    """The questions of `page` of an open attempt, with saved choices, no answers."""
    per_page = max(1, attempt.quiz.questions_per_page)
    rows = db.session.execute(_SLOTS_WITH_ANSWERS, {"attempt_id": attempt.id}).all()
    shown = question_html({r.question_version_id for r in rows})
    questions = [
        _page_question(r, shown[r.question_version_id], per_page) for r in rows
    ]
    pages = max(1, math.ceil(len(questions) / per_page))
    page = min(max(1, page), pages)
    return AttemptPageInfo(
        attempt=attempt,
        page=page,
        pages=pages,
        questions=[q for q in questions if q.page == page],
        navigator=questions,
        remaining_seconds=attempt.remaining_seconds(now),
    )


def _page_question(row, shown: QuestionHtml, per_page: int) -> PageQuestion:
    selected = set(row.selected or ())
    return PageQuestion(
        position=row.position,
        page=page_of(row.position, per_page),
        multiple=shown.multiple,
        stem_html=shown.stem_html,
        choices=[
            Choice(index, shown.options[key], key in selected)
            for index, key in enumerate(row.option_order)
        ],
        saved_at=row.saved_at if selected else None,
        answered=bool(selected),
        seq=row.seq or 0,
        flagged=row.flagged,
    )


def stored_seqs(attempt_id: int) -> dict[int, int]:
    """Position → the page journal's number of the choice stored (0: a form post
    without the page script), for the questions answered in the attempt: the result
    page's script tells from it which choices of the journal never arrived."""
    rows = db.session.execute(
        select(AttemptSlot.position, AttemptAnswer.seq)
        .join(AttemptAnswer, AttemptAnswer.slot_id == AttemptSlot.id)
        .where(AttemptSlot.attempt_id == attempt_id)
    )
    return {position: seq or 0 for position, seq in rows}


def unanswered_question_html(multiple: bool, stem_html: str, options: dict) -> Markup:
    """A question not in any attempt (a trainer's preview), as question 1 with
    `options` (key → sanitised HTML) in their order, through the attempt page's own
    macro."""
    question = PageQuestion(
        position=1,
        page=1,
        multiple=multiple,
        stem_html=Markup(stem_html),
        choices=[
            Choice(i, Markup(html), False) for i, html in enumerate(options.values())
        ],
        saved_at=None,
        answered=False,
    )
    return Markup(render_template_string(_PREVIEW, q=question))


_PREVIEW = """{% from "quizzes/_question.html" import questions, question_labels -%}
{% call(labels) question_labels() -%}
{{ questions([q], labels, flags=false) }}
{%- endcall %}"""


# --- The result page's review -------------------------------------------------------


@dataclass
class ReviewChoice:
    index: int
    html: str
    chosen: bool
    correct: bool
    feedback_html: str = ""


@dataclass
class ReviewRow:
    position: int
    stem_html: str
    multiple: bool
    truefalse: bool
    choices: list[ReviewChoice]
    answered: bool
    saved_at: datetime | None
    page: int
    marks: float
    explanation_html: str
    source: str


@dataclass
class ReviewInfo:
    show_score: bool
    show_answers: bool
    answers_later: bool  # answers will be shown after the quiz closes
    rows: list[ReviewRow]
    # A sealed quiz before its windows close: nothing of the result is shown, only
    # when it will be (None: no close is set); of answers shown later, when.
    sealed: bool = False
    results_at: datetime | None = None


def review_for(attempt: Attempt, now: datetime) -> ReviewInfo:
    """What the result page may show, by the quiz's review policy; nothing of a
    sealed quiz's result before its windows close (windows.results_visible), except
    to a trainer's preview, whose questions its author knows."""
    policy = attempt.quiz.review_policy
    if attempt.state != FINISHED:
        return ReviewInfo(False, False, False, [])
    if not attempt.preview and not windows.results_visible(attempt.quiz, now):
        return ReviewInfo(
            False, False, False, [], True, windows.results_open_at(attempt.quiz)
        )
    show_score = policy != "none" or attempt.preview
    show_answers = (
        policy == "after_submit"
        or attempt.preview
        or (policy == "after_close" and _window_closed(attempt, now))
    )
    later = policy == "after_close" and not show_answers
    rows = _review_rows(attempt) if show_answers else []
    # when (the last of the quiz's windows to close: _window_closed)
    at = windows.results_open_at(attempt.quiz) if later else None
    return ReviewInfo(show_score, show_answers, later, rows, results_at=at)


def _window_closed(attempt: Attempt, now: datetime) -> bool:
    """The attempt's cadre's window of its quiz has closed (its unit's own, if any),
    and so has every other window of the quiz: a commune still sitting the same
    questions in a later window must not be shown the answers by a colleague;
    and the grace of the last saves has passed (windows.save_cutoff, as for
    results_visible): a save still accepted must not be made knowing them."""
    user = db.session.get(User, attempt.user_id)
    own = windows.window_for(user, attempt.quiz)
    cutoff = windows.save_cutoff(now)  # a save still accepted: not yet
    return own.has_closed(cutoff) and windows.all_closed(attempt.quiz, cutoff)


def _review_rows(attempt: Attempt) -> list[ReviewRow]:
    """Every question of a finished attempt with its answer, marks and feedback."""
    per_page = max(1, attempt.quiz.questions_per_page)
    answers = {
        a.slot_id: a
        for a in db.session.scalars(
            select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)
        )
    }
    return [
        _review_row(slot, answers.get(slot.id), per_page)
        for slot in slots_with_versions(attempt.id)
    ]


def _review_row(slot: AttemptSlot, answer, per_page: int) -> ReviewRow:
    version = slot.version
    options = {o["key"]: o for o in version.options}
    selected = set(answer.selected) if answer else set()
    choices = [
        ReviewChoice(
            index=index,
            html=option_html(version.type, options[key]),
            chosen=key in selected,
            correct=options[key]["correct"],
            feedback_html=options[key]["feedback_html"] if key in selected else "",
        )
        for index, key in enumerate(slot.option_order)
    ]
    return ReviewRow(
        position=slot.position,
        stem_html=version.stem_html,
        multiple=version.type == MULTIPLE,
        truefalse=version.type == TRUEFALSE,
        choices=choices,
        answered=bool(selected),
        saved_at=answer.saved_at if answer else None,
        page=page_of(slot.position, per_page),
        marks=answer.marks if answer and answer.marks is not None else 0.0,
        explanation_html=with_editor_note(version.explanation_html),
        source=version.source,
    )


# The bank files' convention (README, "Question banks"): an explanation's paragraph
# that starts so is the editors' note, not the plans' words.
EDITOR_NOTE = "Ghi chú biên soạn:"


def with_editor_note(html: str) -> str:
    """The explanation's HTML with the editors' note set apart (a styled paragraph,
    its label in bold), so that a learner does not read it as the plans' words."""
    return html.replace(
        f"<p>{EDITOR_NOTE}", f'<p class="editor-note"><strong>{EDITOR_NOTE}</strong>'
    )
