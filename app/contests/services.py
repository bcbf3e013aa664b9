"""The contests domain's answers to the questions of app.signals (create_app
imports this module by name, so they are connected before any request or command)."""

from app.signals import content_parts_asked, counted_attempt_asked

from .lookup import counted_attempt
from .sync import contest_part


@content_parts_asked.connect
def _contest_files(quizzes_root, quizzes, **_):
    """`flask content check|sync`: the contest files of quizzes/contests/."""
    return contest_part(quizzes_root, quizzes)


@counted_attempt_asked.connect
def _counted_attempt(quiz, user, **_):
    """A round's quiz and result pages: the attempt its ranking counts."""
    return counted_attempt(quiz.id, user.id)
