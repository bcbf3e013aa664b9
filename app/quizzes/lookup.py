"""A quiz by its code: the one in use (get_quiz), or any, in use or not
(any_quiz: its campaigns, attempts and grants outlive its use)."""

from sqlalchemy import select

from app.errors import NotFound
from app.errors import lazy_gettext as _l
from app.extensions import db

from .models import Quiz


def get_quiz(code: str) -> Quiz:
    """The quiz `code` in use (active); NotFound otherwise."""
    quiz = any_quiz(code)
    if not quiz.active:
        raise NotFound(_l("Không có bài kiểm tra “%(code)s”.", code=code))
    return quiz


def any_quiz(code: str) -> Quiz:
    """The quiz `code`, active or not: its campaigns, attempts and grants outlive
    its use; NotFound when there is none at all."""
    quiz = db.session.scalar(select(Quiz).where(Quiz.code == code))
    if quiz is None:
        raise NotFound(_l("Không có bài kiểm tra “%(code)s”.", code=code))
    return quiz
