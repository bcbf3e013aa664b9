"""Reports: read-only dashboards and exports of training records, by unit subtree."""

from . import export_views  # noqa: F401 (its routes are on bp)
from .views import bp

__all__ = ["bp"]
