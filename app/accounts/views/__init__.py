"""The accounts pages: one blueprint, `bp`, complete with all its routes.

Plain Flask, in two steps so that no module imports another in a circle:
blueprint.py creates `bp`; each route module (sign_in, cadres, cadre_upload, units)
imports it and adds its routes with the usual `@bp.get`/`@bp.post` decorators when
it is imported. Importing them here is what adds the routes, so that
`from app.accounts.views import bp` (create_app) gets the whole blueprint.
"""

from . import (  # noqa: F401  (they add routes)
    cadre_upload,
    cadres,
    sign_in,
    unit_changes,
    units,
)
from .blueprint import bp

__all__ = ["bp"]
