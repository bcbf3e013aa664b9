"""The authoring pages: one blueprint, `bp`, complete with all its routes.

Every route needs the trainer (or admin) role, checked once by the blueprint's
`require_author` (blueprint.py); each query is then narrowed to the trainer's scope.

Plain Flask, in two steps so that no module imports another in a circle:
blueprint.py creates `bp`; each route module (home, modules, questions, quizzes,
statistics) imports it and adds its routes with the usual decorators when it is
imported. Importing them here is what adds the routes, so that
`from app.authoring.views import bp` (create_app) gets the whole blueprint.
"""

from . import (  # noqa: F401  (routes)
    contests,
    home,
    modules,
    questions,
    quizzes,
    statistics,
)
from .blueprint import bp

__all__ = ["bp"]
