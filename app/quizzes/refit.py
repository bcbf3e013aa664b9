"""Refitting the open attempts of a quiz to a changed window or accommodation
(windows: the rules of both; attempts: finalising one whose time has run out)."""

from datetime import datetime

from sqlalchemy import select

from app.accounts.models import Unit, User
from app.extensions import db
from app.timeutil import utcnow

from .attempts import finalise_if_overdue
from .models import OPEN, Attempt, Quiz
from .windows import (
    accommodations_in_force,
    deadline_for,
    unit_windows,
    window_among,
)


def refit_open_attempts(
    quiz: Quiz, users: list[User] | None = None, now: datetime | None = None
) -> int:
    """Recompute the deadline of the open attempts of `quiz` (of `users`, or of
    everyone) after a change of window or accommodation; the page's timer follows at
    its next re-sync. An attempt is never made to have ended before `now`: a window
    closed early ends the open attempts now. One whose time had run out already
    (overdue, not yet finalised: its tab closed, the sweep not run yet) is
    finalised as it stood, never given time back. The number of attempts whose
    deadline changed (those finalised here not counted)."""
    now = now or utcnow()
    query = (
        select(Attempt, Unit)
        .join(User, User.id == Attempt.user_id)
        .join(Unit, Unit.id == User.unit_id)
        .where(
            Attempt.quiz_id == quiz.id,
            Attempt.state == OPEN,
            Attempt.preview.is_(False),
        )
    )
    if users is not None:
        query = query.where(Attempt.user_id.in_([u.id for u in users]))
    # The quiz's unit windows and accommodations read once, not per attempt.
    own = {row.unit_id: row for row in unit_windows(quiz)}
    granted = accommodations_in_force(quiz)
    changed = 0
    for attempt, unit in db.session.execute(query).all():
        if finalise_if_overdue(attempt, now):
            continue
        wanted = deadline_for(
            quiz,
            attempt.started_at,
            window_among(quiz, unit, own),
            granted.get(attempt.user_id),
        )
        deadline = max(wanted, min(now, attempt.deadline_at))
        if deadline != attempt.deadline_at:
            attempt.deadline_at = deadline
            changed += 1
    db.session.flush()
    return changed
