"""Reports: read-only dashboards and exports of training records, by unit subtree."""

from .views import bp

__all__ = ["bp"]
