"""Quizzes: question banks from quizzes/, timed attempts kept by the server, grading."""

from .views import bp

__all__ = ["bp"]
