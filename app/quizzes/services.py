"""The quizzes domain's public door for other domains and the views."""

from app.accounts.models import User
from app.courses import services as courses
from app.errors import NotFound

from .attempts import best_attempt, finalise, history, start_attempt  # noqa: F401
from .models import Quiz


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
