"""Queueing: each learning event's receiver adds its statement to the outbox in
the event's own session, uncommitted, so it is kept exactly when the event is.

Nothing is queued while XAPI_LRS_URL is unset (the platform sends xAPI to no one):
events of that time are not sent later. A trainer's preview attempt counts for
nothing and is not told either."""

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounts.models import Unit, User
from app.config import public_url
from app.courses.models import Course
from app.extensions import db
from app.quizzes.models import FINISHED, Attempt, AttemptAnswer, AttemptSlot
from app.quizzes.windows import all_closed, results_visible
from app.signals import (
    attempt_finished,
    attempt_started,
    certificate_issued,
    module_read,
    record_completed,
    results_opened,
)
from app.timeutil import utcnow

from . import statements
from .models import XapiStatement


def enabled() -> bool:
    return bool((current_app.config.get("XAPI_LRS_URL") or "").strip())


def _base() -> str:
    return public_url(current_app.config)


def _mbox() -> bool:
    return bool(current_app.config.get("XAPI_ACTOR_MBOX"))


def enqueue(statement: dict, verb: str) -> XapiStatement:
    """Add `statement` to the outbox in the current session (no commit); an id
    already there (the same event told again) is kept as it was."""
    existing = db.session.get(XapiStatement, statement["id"])
    if existing is not None:
        return existing
    row = XapiStatement(id=statement["id"], verb=verb, payload=statement)
    db.session.add(row)
    return row


def _course(code: str | None) -> Course | None:
    if not code:
        return None
    return db.session.scalar(select(Course).where(Course.code == code))


@module_read.connect
def _on_module_read(progress, user, module, now, **_):
    if enabled():
        enqueue(
            statements.module_read(_base(), progress, user, module, now, _mbox()),
            "completed",
        )


@attempt_started.connect
def _on_attempt_started(attempt, **_):
    if not enabled() or attempt.preview:
        return
    user = db.session.get(User, attempt.user_id)
    course = _course(attempt.quiz.course_code)
    enqueue(
        statements.attempt_started(_base(), attempt, user, course, _mbox()),
        "attempted",
    )


@attempt_finished.connect
def _on_attempt_finished(attempt, **_):
    if not enabled() or attempt.preview:
        return
    user = db.session.get(User, attempt.user_id)
    course = _course(attempt.quiz.course_code)
    # A sealed quiz's result is told to nobody before its windows close, the LRS
    # included: the statements queued now leave it out (they are not sent again).
    sealed = not results_visible(attempt.quiz, utcnow())
    enqueue(
        statements.attempt_finished(_base(), attempt, user, course, _mbox(), sealed),
        "completed",
    )
    if current_app.config.get("XAPI_SEND_ANSWERS"):
        _queue_answers(attempt, user, sealed)


@results_opened.connect
def _on_results_opened(quiz, now=None, **_):
    """A sealed quiz's results are made known (a contest round ranked, every window
    closed at `now` and no attempt left open): each finished attempt, whose
    `completed` statement left the score out, is told again with it (a statement
    of its own, "attempt-result"; once, however often the round is ranked: the ids
    already queued are read first, and only the others are built)."""
    if not enabled() or not all_closed(quiz, now or utcnow()):
        return
    base = _base()
    finished = db.session.scalars(
        select(Attempt.id)
        .where(
            Attempt.quiz_id == quiz.id,
            Attempt.state == FINISHED,
            Attempt.preview.is_(False),
        )
        .order_by(Attempt.id)
    ).all()
    ids = {
        a: statements.statement_id(base, statements.attempt_key("result", a))
        for a in finished
    }
    queued: set = set()
    chosen = list(ids.values())
    for start in range(0, len(chosen), 500):
        queued.update(
            db.session.scalars(
                select(XapiStatement.id).where(
                    XapiStatement.id.in_(chosen[start : start + 500])
                )
            )
        )
    missing = [a for a, statement_id in ids.items() if statement_id not in queued]
    course = _course(quiz.course_code)
    for start in range(0, len(missing), 500):
        rows = db.session.execute(
            select(Attempt, User)
            .join(User, User.id == Attempt.user_id)
            .where(Attempt.id.in_(missing[start : start + 500]))
            .options(selectinload(User.unit))
        )
        for attempt, user in rows:
            told = statements.attempt_finished(
                base, attempt, user, course, _mbox(), event="result"
            )
            db.session.add(XapiStatement(id=told["id"], verb="completed", payload=told))


def _queue_answers(attempt, user, sealed: bool = False) -> None:
    """One `answered` per answered question, told once the attempt is finished
    (never on the way of an autosave); without marks when `sealed`."""
    rows = db.session.execute(
        select(AttemptSlot, AttemptAnswer)
        .join(AttemptAnswer, AttemptAnswer.slot_id == AttemptSlot.id)
        .where(AttemptSlot.attempt_id == attempt.id)
        .order_by(AttemptSlot.position)
    )
    for slot, answer in rows:
        enqueue(
            statements.answered(_base(), attempt, user, slot, answer, _mbox(), sealed),
            "answered",
        )


@record_completed.connect
def _on_record_completed(record, **_):
    if not enabled():
        return
    user = db.session.get(User, record.user_id)
    unit = db.session.get(Unit, record.completed_unit_id or record.unit_id)
    course = _course(record.campaign.course_code)
    enqueue(
        statements.campaign_completed(_base(), record, user, unit, course, _mbox()),
        "completed",
    )


@certificate_issued.connect
def _on_certificate_issued(certificate, **_):
    if not enabled():
        return
    user = db.session.get(User, certificate.user_id)
    record = certificate.record
    unit = db.session.get(Unit, record.completed_unit_id or record.unit_id)
    enqueue(
        statements.certificate_issued(_base(), certificate, user, unit, _mbox()),
        "earned",
    )
