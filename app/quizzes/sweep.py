"""Attempts whose time ran out with nobody there to see it (the tab closed): the
sweep (`flask attempts close-overdue`, deploy/'s timer) finalises them all, and the
home page a cadre's own before it says where the cadre stands. Either finalises an
attempt with what was saved in time (attempts.finalise); the rule of overdue is
`Attempt.is_overdue`'s."""

from datetime import datetime

from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.timeutil import utcnow

from .attempts import finalise
from .models import BY_DEADLINE, BY_SWEEP, Attempt, Quiz
from .windows import save_cutoff


def has_overdue(user: User, now: datetime | None = None) -> bool:
    """`user` has an attempt whose time ran out that nothing has finalised yet."""
    overdue = Attempt.is_overdue(save_cutoff(now or utcnow()))
    query = select(Attempt.id).where(Attempt.user_id == user.id, overdue)
    return db.session.scalar(query.limit(1)) is not None


def close_overdue(
    now: datetime | None = None, user: User | None = None, quiz: Quiz | None = None
) -> int:
    """Finalise every overdue open attempt (`flask attempts close-overdue`: ended
    by the sweep), or only those of `quiz` (a contest round's, before it is
    ranked: ended by the sweep too), or only `user`'s (the home page, before it
    says where the cadre stands: ended at its deadline, as the attempt's or the
    quiz's page says of one they find overdue)."""
    now = now or utcnow()
    query = select(Attempt).where(Attempt.is_overdue(save_cutoff(now)))
    if quiz is not None:
        query = query.where(Attempt.quiz_id == quiz.id)
    if user is not None:
        query = query.where(Attempt.user_id == user.id)
    overdue = db.session.scalars(query).all()
    by = BY_SWEEP if user is None else BY_DEADLINE
    return sum(finalise(a, now, by=by) for a in overdue)
