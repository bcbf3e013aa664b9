"""Units tree, users (cadres and accounts), roles and sign-in."""

from . import (
    import_views,  # noqa: F401
    unit_views,  # noqa: F401  (registers the unit admin routes on bp)
)
from .views import bp

__all__ = ["bp"]
