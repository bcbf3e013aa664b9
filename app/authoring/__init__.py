"""Authoring in the browser for trainers: modules, questions, quizzes, statistics.

Every route of this blueprint needs the trainer (or admin) role, checked once in
`require_author`; each query is then narrowed to the trainer's scope (scope.py).
"""

from flask import Blueprint, abort
from flask_login import current_user

from .scope import AUTHOR_ROLES

bp = Blueprint("authoring", __name__, url_prefix="/authoring")


@bp.before_request
def require_author():
    if not current_user.is_authenticated:
        from app.extensions import login_manager

        return login_manager.unauthorized()
    if not current_user.has_role(*AUTHOR_ROLES, "admin"):
        abort(403)
    return None


from . import (  # noqa: E402  (the views register themselves on bp)
    module_views,
    question_views,
    quiz_views,
    stats_views,
    views,
)

__all__ = ["bp", "module_views", "question_views", "quiz_views", "stats_views", "views"]
