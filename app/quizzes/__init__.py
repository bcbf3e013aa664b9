"""Quizzes: question banks from quizzes/, timed attempts kept by the server, grading."""
