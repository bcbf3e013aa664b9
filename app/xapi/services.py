"""Queueing: each learning event's receiver adds its statement to the outbox in
the event's own session, uncommitted, so it is kept exactly when the event is.

Nothing is queued while XAPI_LRS_URL is unset (the platform sends xAPI to no one),
nor, outside debug and tests, while VHCV_PUBLIC_URL is (the actors and activities
would be named under DEFAULT_PUBLIC_URL, which is no one's): events of that time
are not sent later. A trainer's preview attempt counts for nothing and is not told
either."""

from collections.abc import Callable

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.accounts.models import Unit, User
from app.config import public_url, public_url_missing
from app.courses.models import Course
from app.extensions import db
from app.quizzes.models import (
    FINISHED,
    Attempt,
    AttemptAnswer,
    AttemptSlot,
    QuestionVersion,
)
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


def missing_setting() -> str | None:
    """Why no statement can be queued or sent now (the setting to make), or None."""
    config = current_app.config
    if not (config.get("XAPI_LRS_URL") or "").strip():
        return _("Chưa đặt XAPI_LRS_URL: không có LRS để gửi.")
    if public_url_missing(config):
        return _(
            "Chưa đặt VHCV_PUBLIC_URL: các bản ghi xAPI sẽ mang địa chỉ %(url)s, "
            "không ai mở được. Hãy đặt địa chỉ công khai của trang.",
            url=public_url(config),
        )
    return None


def enabled() -> bool:
    return missing_setting() is None


def _base() -> str:
    return public_url(current_app.config)


def _mbox() -> bool:
    return bool(current_app.config.get("XAPI_ACTOR_MBOX"))


def queued(keys: list[str]) -> set[str]:
    """The event `keys` whose statement is in the outbox already (a query per 500
    keys); a row queued before event keys were kept is found by its id, then the
    event's UUID 5."""
    found: set[str] = set()
    base = _base()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        legacy = {statements.event_uuid(base, k): k for k in chunk}
        rows = db.session.execute(
            select(XapiStatement.event_key, XapiStatement.id).where(
                or_(
                    XapiStatement.event_key.in_(chunk),
                    XapiStatement.id.in_(list(legacy)),
                )
            )
        )
        found.update(key or legacy[statement_id] for key, statement_id in rows)
    return found


def add(key: str, verb: str, statement: dict) -> XapiStatement:
    """Queue `statement`, of the event `key`, in the current session (no commit)
    with the id derived from the event (statements.statement_id)."""
    statement = {"id": statements.statement_id(_base(), key, statement), **statement}
    row = XapiStatement(id=statement["id"], event_key=key, verb=verb, payload=statement)
    db.session.add(row)
    return row


def enqueue(key: str, verb: str, build: Callable[[], dict]) -> XapiStatement | None:
    """Queue the statement `build()` of the event `key` (see add), unless that
    event is queued already (told again): then nothing is built, None."""
    if queued([key]):
        return None
    return add(key, verb, build())


def _course(code: str | None) -> Course | None:
    if not code:
        return None
    return db.session.scalar(select(Course).where(Course.code == code))


@module_read.connect
def _on_module_read(progress, user, module, now, **_):
    if enabled():
        enqueue(
            statements.event_key("module-read", progress.id),
            "completed",
            lambda: statements.module_read(
                _base(), progress, user, module, now, _mbox()
            ),
        )


@attempt_started.connect
def _on_attempt_started(attempt, **_):
    if not enabled() or attempt.preview:
        return
    user = db.session.get(User, attempt.user_id)
    course = _course(attempt.quiz.course_code)
    enqueue(
        statements.attempt_key("started", attempt.id),
        "attempted",
        lambda: statements.attempt_started(_base(), attempt, user, course, _mbox()),
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
        statements.attempt_key("finished", attempt.id),
        "completed",
        lambda: statements.attempt_finished(
            _base(), attempt, user, course, _mbox(), sealed
        ),
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
    keys = {a: statements.attempt_key("result", a) for a in finished}
    told = queued(list(keys.values()))
    missing = [a for a, key in keys.items() if key not in told]
    course = _course(quiz.course_code)
    for start in range(0, len(missing), 500):
        rows = db.session.execute(
            select(Attempt, User)
            .join(User, User.id == Attempt.user_id)
            .where(Attempt.id.in_(missing[start : start + 500]))
            .options(selectinload(User.unit))
        )
        for attempt, user in rows:
            add(
                keys[attempt.id],
                "completed",
                statements.attempt_finished(base, attempt, user, course, _mbox()),
            )


def _queue_answers(attempt, user, sealed: bool = False) -> None:
    """One `answered` per answered question, told once the attempt is finished
    (never on the way of an autosave); without marks when `sealed`. A set number
    of queries whatever the number of questions: the slots with their questions,
    and which are queued already."""
    rows = db.session.execute(
        select(AttemptSlot, AttemptAnswer)
        .join(AttemptAnswer, AttemptAnswer.slot_id == AttemptSlot.id)
        .where(AttemptSlot.attempt_id == attempt.id)
        .order_by(AttemptSlot.position)
        .options(
            selectinload(AttemptSlot.version).selectinload(QuestionVersion.question)
        )
    ).all()
    base, mbox = _base(), _mbox()
    keys = [statements.event_key("answered", attempt.id, s.position) for s, _a in rows]
    told = queued(keys)
    for key, (slot, answer) in zip(keys, rows, strict=True):
        if key not in told:
            add(
                key,
                "answered",
                statements.answered(base, attempt, user, slot, answer, mbox, sealed),
            )


@record_completed.connect
def _on_record_completed(record, **_):
    if not enabled():
        return
    user = db.session.get(User, record.user_id)
    unit = db.session.get(Unit, record.completed_unit_id or record.unit_id)
    course = _course(record.campaign.course_code)
    enqueue(
        statements.event_key("campaign-completed", record.id),
        "completed",
        lambda: statements.campaign_completed(
            _base(), record, user, unit, course, _mbox()
        ),
    )


@certificate_issued.connect
def _on_certificate_issued(certificate, **_):
    if not enabled():
        return
    user = db.session.get(User, certificate.user_id)
    record = certificate.record
    unit = db.session.get(Unit, record.completed_unit_id or record.unit_id)
    enqueue(
        statements.event_key("certificate-issued", certificate.serial),
        "earned",
        lambda: statements.certificate_issued(
            _base(), certificate, user, unit, _mbox()
        ),
    )
