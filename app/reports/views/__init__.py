"""The reports pages: one blueprint, `bp`, complete with all its routes.

Plain Flask, in two steps so that no module imports another in a circle:
blueprint.py creates `bp`; each route module (pages: the dashboard pages;
attempts: a cadre's quiz attempts and their review; downloads: the exports;
audit_log: the administrators' audit log) imports it and
adds its routes with the usual decorators when it is imported. Importing them here
is what adds the routes, so that `from app.reports.views import bp` (create_app)
gets the whole blueprint.
"""

from . import (  # noqa: F401  (they add the routes)
    accommodations,
    attempts,
    audit_log,
    downloads,
    pages,
)
from .blueprint import bp

__all__ = ["bp"]
