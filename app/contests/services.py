"""The contests domain's answers to the questions of app.signals (create_app
imports this module by name, so they are connected before any request or command)."""

from app.signals import content_parts_asked

from .sync import contest_part


@content_parts_asked.connect
def _contest_files(quizzes_root, quizzes, **_):
    """`flask content check|sync`: the contest files of quizzes/contests/."""
    return contest_part(quizzes_root, quizzes)
