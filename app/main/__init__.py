"""Home page by role, language switch and health check."""

from .views import bp

__all__ = ["bp"]
