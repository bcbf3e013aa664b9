"""What the attempt, result and review pages show, as plain data. Nothing here lets
a correct answer reach the browser before the attempt is finished."""

import math
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from app.extensions import db

from .attempts import answers_by_slot
from .models import FINISHED, Attempt, AttemptSlot, QuestionVersion
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
    attempt: Attempt
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


def _rows(attempt: Attempt, review: bool) -> list[SlotRow]:
    answers = answers_by_slot(attempt)
    per_page = max(1, attempt.quiz.questions_per_page)
    rows = []
    slots = db.session.execute(
        select(
            AttemptSlot.id,
            AttemptSlot.position,
            AttemptSlot.question_version_id,
            AttemptSlot.option_order,
        )
        .where(AttemptSlot.attempt_id == attempt.id)
        .order_by(AttemptSlot.position)
    ).all()
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
            row.marks = answer.marks if answer else 0.0
            row.explanation_html = version.explanation_html
            row.source = version.source
        rows.append(row)
    return rows


def attempt_page(attempt: Attempt, page: int, now: datetime) -> AttemptPageInfo:
    """The questions of `page` of an open attempt, with saved choices, no answers."""
    rows = _rows(attempt, review=False)
    pages = max(1, math.ceil(len(rows) / max(1, attempt.quiz.questions_per_page)))
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


def remaining_seconds(attempt: Attempt, now: datetime) -> int:
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
    rows = _rows(attempt, review=True) if show_answers else []
    return ReviewInfo(show_score, show_answers, later, rows)
