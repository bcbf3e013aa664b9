"""Courses: Markdown modules loaded from courses/, versions, and reading progress."""

from .views import bp

__all__ = ["bp"]
