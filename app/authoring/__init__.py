"""Authoring in the browser for trainers: modules, questions, quizzes, statistics."""
