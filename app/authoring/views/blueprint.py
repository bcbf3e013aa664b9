"""The authoring blueprint itself, and the role check every one of its routes
passes first; the routes are in the modules beside this one."""

from flask import Blueprint, abort
from flask_login import current_user

from app.content.ownership import AUTHOR_ROLES
from app.extensions import login_manager

bp = Blueprint("authoring", __name__, url_prefix="/authoring")


@bp.before_request
def require_author():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.has_role(*AUTHOR_ROLES, "admin"):
        abort(403)
    return None
