"""Authoring in the browser for trainers: modules, questions, quiz settings and item
statistics — the pages and their forms only. What the pages change is written by the
services of the domains that own it: app.content (ownership, module, question and
quiz editing) and app.quizzes (previews, statistics)."""
