"""Completing a record in tests: read every module, then pass quiz Q."""

from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.quizzes import attempts
from app.records.models import Certificate, TrainingRecord
from tests.records.helpers import read_all


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def record(username: str) -> TrainingRecord:
    return db.session.scalar(
        select(TrainingRecord).join(User).where(User.username == username)
    )


def pass_quiz(person: User, now) -> None:
    attempt = attempts.start_attempt(
        person, attempts.get_quiz("Q"), now, modules_read=True
    )
    for slot in attempt.slots:
        right = [
            i
            for i, k in enumerate(slot.option_order)
            if any(o["key"] == k and o["correct"] for o in slot.version.options)
        ]
        attempts.save_answer(attempt, slot.position, right, now)
    attempts.finalise(attempt, now)


def complete(username: str, now) -> Certificate:
    """Complete `username`'s record (committed); its valid certificate."""
    person = user(username)
    read_all(person, now)
    pass_quiz(person, now)
    db.session.commit()
    return certificates_of(username)[-1]


def certificates_of(username: str) -> list[Certificate]:
    return list(
        db.session.scalars(
            select(Certificate)
            .join(User, User.id == Certificate.user_id)
            .where(User.username == username)
            .order_by(Certificate.id)
        )
    )
