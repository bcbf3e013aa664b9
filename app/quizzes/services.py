"""The quizzes domain's public door for other domains and the views."""

from datetime import datetime

from app.accounts.models import User
from app.courses import services as courses
from app.errors import NotFound

from .attempts import (  # noqa: F401  (the domain's public door)
    attempts_used,
    best_attempt,
    finalise,
    get_quiz,
    history,
    open_attempt,
    start_attempt,
)
from .models import Quiz


def takers_of(quiz: Quiz) -> set[int]:
    """Ids of the users who have started an attempt of `quiz` (previews excluded)."""
    from sqlalchemy import select

    from app.extensions import db

    from .models import Attempt

    return set(
        db.session.scalars(
            select(Attempt.user_id)
            .where(Attempt.quiz_id == quiz.id, Attempt.preview.is_(False))
            .distinct()
        )
    )


def set_window(quiz: Quiz, opens_at: datetime, closes_at: datetime) -> None:
    """Attempts of `quiz` may run only between these times (a campaign's window)."""
    quiz.opens_at, quiz.closes_at = opens_at, closes_at


def modules_read_for(user: User, quiz: Quiz) -> bool:
    """True when `quiz` has no course, or the user has read all its modules."""
    if not quiz.course_code:
        return True
    try:
        course = courses.get_course(quiz.course_code)
    except NotFound:
        return True
    info = courses.course_progress(user, course)
    return info.read_count == info.total


def quizzes_for_course(course_code: str) -> list[Quiz]:
    from sqlalchemy import select

    from app.extensions import db

    return list(
        db.session.scalars(
            select(Quiz).where(Quiz.course_code == course_code, Quiz.active.is_(True))
        )
    )
