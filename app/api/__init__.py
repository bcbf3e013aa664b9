"""JSON API for units' HR systems, behind API tokens an administrator issues."""

from .views import bp

__all__ = ["bp"]
