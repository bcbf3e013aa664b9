"""Attempts: start, save, finalise, sweep. The server owns time.

Operations flush, never commit (the view or command commits once). Races are settled
in the database: a unique index allows one open attempt per cadre and quiz, and a
conditional UPDATE on the attempt row decides between a late save and finalisation,
and between two submits. The time rules themselves (open, accepts saves, overdue,
remaining time) are defined once, on `Attempt`.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.errors import Conflict, NotAllowed, NotFound, QuizClosed
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.signals import attempt_finished, attempt_started
from app.timeutil import format_vn_date, utcnow

from . import windows
from .drawing import draw_questions, option_keys, option_order
from .lookup import any_quiz, get_quiz  # noqa: F401  (callers' attempts.get_quiz)
from .models import (
    BY_DEADLINE,
    BY_SUBMIT,
    FINISHED,
    OPEN,
    Accommodation,
    AnswerSave,
    Attempt,
    AttemptAnswer,
    AttemptSlot,
    Quiz,
)
from .questions import grade
from .saving import save_choices
from .windows import Window, save_cutoff  # noqa: F401  (callers' attempts.save_cutoff)


@dataclass
class StartCheck:
    """Why a cadre may not start `quiz` now; empty `reasons` means it may. Also what
    the quiz page shows: the cadre's window and attempts allowed (accommodations
    included)."""

    reasons: list[str]
    window: Window | None = None
    attempts_allowed: int = 1
    closed: bool = False  # the reason is the window
    accommodation: Accommodation | None = None

    @property
    def allowed(self) -> bool:
        return not self.reasons


def get_own_attempt(user: User, attempt_id: int) -> Attempt:
    """The user's own attempt; NotFound for anyone else's (no hint it exists)."""
    attempt = db.session.get(Attempt, attempt_id, options=[joinedload(Attempt.quiz)])
    if attempt is None or attempt.user_id != user.id:
        raise NotFound(_l("Không tìm thấy lượt làm bài này."))
    return attempt


def open_attempt(user: User, quiz: Quiz, preview: bool = False) -> Attempt | None:
    """The user's open attempt of `quiz` (its open preview when `preview`)."""
    return db.session.scalar(
        select(Attempt).where(
            Attempt.quiz_id == quiz.id,
            Attempt.user_id == user.id,
            Attempt.state == OPEN,
            Attempt.preview.is_(preview),
        )
    )


def discard_previews(user: User, quiz: Quiz) -> int:
    """Delete the user's previews of `quiz` (open or finished), with their slots,
    answers and save logs; the count. A preview records nothing, so nothing else
    points at it."""
    ids = list(
        db.session.scalars(
            select(Attempt.id).where(
                Attempt.quiz_id == quiz.id,
                Attempt.user_id == user.id,
                Attempt.preview.is_(True),
            )
        )
    )
    if ids:
        for model, column in (
            (AnswerSave, AnswerSave.attempt_id),
            (AttemptAnswer, AttemptAnswer.attempt_id),
            (AttemptSlot, AttemptSlot.attempt_id),
            (Attempt, Attempt.id),
        ):
            db.session.execute(
                delete(model)
                .where(column.in_(ids))
                .execution_options(synchronize_session=False)
            )
        db.session.expire_all()
    return len(ids)


class Tally(NamedTuple):  # a start's figures of a user's attempts at a quiz
    used: int  # attempts_used
    last_number: int  # the highest number, in any round (0: none yet)
    previews: int  # the user's previews, open or finished


def attempt_tally(user: User, quiz: Quiz) -> Tally:
    """The user's attempts at `quiz`: those of its current round (previews aside)
    started since its windows opened (windows.round_opened_at), so that last
    year's attempts of a quiz reused this year leave this year's allowance whole;
    the highest number in any round (numbers are unique per quiz and user); the
    previews."""
    used = windows.counted(quiz)
    row = db.session.execute(
        select(
            func.count(Attempt.id).filter(used),
            func.max(Attempt.number),
            func.count(Attempt.id).filter(Attempt.preview.is_(True)),
        ).where(Attempt.quiz_id == quiz.id, Attempt.user_id == user.id)
    ).one()
    return Tally(row[0], row[1] or 0, row[2])


def attempts_used(user: User, quiz: Quiz) -> int:
    """The user's attempts of the quiz's current round (attempt_tally)."""
    return attempt_tally(user, quiz).used


def check_start(
    user: User,
    quiz: Quiz,
    now: datetime,
    modules_read: bool = True,
    used: int | None = None,
) -> StartCheck:
    """Small predicates, each with its reason, on whether `user` may start `quiz`:
    a cadre of the quiz's target units (if it has any), inside the cadre's window,
    an attempt left (accommodations included; `used`: attempts_used when the caller
    has read it), the modules read."""
    window = windows.window_for(user, quiz)
    accommodation = windows.accommodation_for(user, quiz)
    allowed = windows.attempts_allowed(quiz, accommodation)
    reasons = []
    if not windows.is_targeted(user, quiz):
        reasons.append(_("Bạn không thuộc đơn vị tham gia bài thi này."))
    if window.not_yet_open(now):
        opens = format_vn_date(window.opens_at, with_time=True)
        reasons.append(_("Bài kiểm tra mở lúc %(opens)s.", opens=opens))
    elif window.has_closed(now):
        closed = format_vn_date(window.closes_at, with_time=True)
        reasons.append(_("Bài kiểm tra đã đóng lúc %(closed)s.", closed=closed))
    if used is None:
        used = attempts_used(user, quiz)
    if used >= allowed:
        reasons.append(_("Bạn đã dùng hết %(allowed)s lượt làm bài.", allowed=allowed))
    if not modules_read:
        reasons.append(
            _("Bạn cần đọc xong tất cả học phần trước khi làm bài kiểm tra.")
        )
    return StartCheck(reasons, window, allowed, not window.is_open(now), accommodation)


def start_attempt(
    user: User,
    quiz: Quiz,
    now: datetime | None = None,
    modules_read: bool = True,
    preview: bool = False,
    rng: random.Random | None = None,
) -> Attempt:
    """Resume the user's open attempt, or start a new one with its questions and
    option orders fixed. Raises QuizClosed / NotAllowed with the reason.

    A `preview` (a trainer's) skips the start checks and the quiz's window; a real
    start ends the user's open preview (_end_open_preview)."""
    now = now or utcnow()
    current = open_attempt(user, quiz, preview)
    if current is not None and finalise_if_overdue(current, now):
        current = None
    if current is not None:
        return current
    number = 0
    if not preview:
        tally = attempt_tally(user, quiz)
        check = check_start(user, quiz, now, modules_read, tally.used)
        if not check.allowed:
            error = QuizClosed if check.closed else NotAllowed
            raise error(" ".join(check.reasons))
        if tally.previews:
            _end_open_preview(user, quiz, now)
        number = tally.last_number + 1
        deadline = windows.deadline_for(quiz, now, check.window, check.accommodation)
    else:
        deadline = windows.deadline_for(quiz, now)
    attempt = Attempt(
        quiz_id=quiz.id,
        user_id=user.id,
        number=number,
        state=OPEN,
        started_at=now,
        deadline_at=deadline,
        preview=preview,
    )
    try:
        _insert_with_slots(attempt, quiz, rng or random.SystemRandom())
    except IntegrityError:
        # Another request started it first: there is exactly one, use it.
        existing = open_attempt(user, quiz, preview)
        if existing is None:
            raise Conflict(
                _l("Không bắt đầu được lượt làm bài; vui lòng thử lại.")
            ) from None
        return existing
    attempt_started.send(attempt)
    return attempt


def _end_open_preview(user: User, quiz: Quiz, now: datetime) -> None:
    """End the user's open preview (one open attempt per user and quiz), keeping
    its row: deleted, its id could come again on SQLite to the real attempt."""
    preview = open_attempt(user, quiz, preview=True)
    if preview is not None:
        finalise(preview, now)


def _insert_with_slots(attempt: Attempt, quiz: Quiz, rng: random.Random) -> None:
    """The attempt, then its slots in one multi-row INSERT statement (no objects
    for the unit of work to track, and one statement for the database to run, not
    one per slot: the start of a whole unit at once is the platform's rush
    hour)."""
    versions = draw_questions(quiz, rng)
    keys = option_keys([version.id for version in versions])
    with db.session.begin_nested():
        db.session.add(attempt)
        db.session.flush()
        db.session.execute(
            insert(AttemptSlot),
            [
                {
                    "attempt_id": attempt.id,
                    "position": position,
                    "question_version_id": version.id,
                    "option_order": option_order(
                        keys[version.id], version.type, quiz.shuffle_options, rng
                    ),
                }
                for position, version in enumerate(versions, start=1)
            ],
        )


def save_answer(
    attempt: Attempt,
    position: int,
    choices: list[int],
    now: datetime | None = None,
    grace: timedelta | None = None,
) -> AttemptAnswer:
    """Save the choice for the question at `position` of `attempt` (option positions
    as shown, 0-based) through `saving.save_choices`; the stored answer. Raises
    as save_choices does."""
    save_choices(
        db.session.connection(),
        attempt.id,
        attempt.user_id,
        [(position, choices)],
        save_cutoff(now, grace),
        now,
    )
    return db.session.scalar(
        select(AttemptAnswer)
        .join(AttemptSlot, AttemptSlot.id == AttemptAnswer.slot_id)
        .where(AttemptSlot.attempt_id == attempt.id, AttemptSlot.position == position)
        .execution_options(populate_existing=True)
    )


def finalise(
    attempt: Attempt, now: datetime | None = None, by: str = BY_SUBMIT
) -> bool:
    """Grade and close `attempt` once. Returns True if this call finalised it, False
    if it was already finished (a second submit grades nothing)."""
    now = now or utcnow()
    claimed = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.state == OPEN)
        .values(
            state=FINISHED, finished_at=min(now, attempt.deadline_at), finished_by=by
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(attempt)
    if claimed != 1:
        return False
    _grade(attempt)
    db.session.flush()
    attempt_finished.send(attempt)
    return True


def _grade(attempt: Attempt) -> None:
    answers = {
        a.slot_id: a
        for a in db.session.scalars(
            select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)
        )
    }
    partial = attempt.quiz.partial_credit
    slots = slots_with_versions(attempt.id)
    total = 0.0
    for slot in slots:
        answer = answers.get(slot.id)
        if answer is None:
            continue
        answer.marks = grade(
            slot.version.type, slot.version.options, answer.selected, partial
        )
        total += answer.marks
    attempt.score = round(total, 4)
    attempt.max_score = float(len(slots))
    attempt.percent = round(100 * total / len(slots), 2) if slots else 0.0
    attempt.passed = attempt.percent >= attempt.quiz.pass_percent


def slots_with_versions(attempt_id: int) -> list[AttemptSlot]:
    """An attempt's slots in order, each with its question version (one query)."""
    return list(
        db.session.scalars(
            select(AttemptSlot)
            .where(AttemptSlot.attempt_id == attempt_id)
            .options(joinedload(AttemptSlot.version))
            .order_by(AttemptSlot.position)
        )
    )


def finalise_if_overdue(attempt: Attempt, now: datetime | None = None) -> bool:
    """Finalise an attempt past its deadline plus grace with what was saved in time;
    True when this call finalised it."""
    now = now or utcnow()
    if attempt.is_overdue(save_cutoff(now)):
        return finalise(attempt, now, by=BY_DEADLINE)
    return False


def finalise_overdue(attempt_id: int, now: datetime | None = None) -> bool:
    """Finalise the attempt `attempt_id` if it is overdue; True when this call did."""
    attempt = db.session.get(Attempt, attempt_id)
    return attempt is not None and finalise_if_overdue(attempt, now)


def best_attempt(user: User, quiz: Quiz) -> Attempt | None:
    """The best finished attempt of the quiz's current round (attempt_tally's):
    last year's attempts of a quiz reused this year are history, not a result.
    By percent: not a contest round's (services.best_shown has the ranking's)."""
    return db.session.scalar(
        select(Attempt)
        .where(
            Attempt.quiz_id == quiz.id,
            Attempt.user_id == user.id,
            Attempt.state == FINISHED,
            Attempt.preview.is_(False),
            windows.in_round(quiz),
        )
        .order_by(Attempt.percent.desc(), Attempt.finished_at)
        .limit(1)
    )


def history(user: User, quiz: Quiz | None = None) -> list[Attempt]:
    query = select(Attempt).where(
        Attempt.user_id == user.id, Attempt.preview.is_(False)
    )
    if quiz is not None:
        query = query.where(Attempt.quiz_id == quiz.id)
    return list(db.session.scalars(query.order_by(Attempt.started_at.desc())))
