"""The authoring blueprint itself, and the role check every one of its routes
passes first; the routes are in the modules beside this one."""

from flask import Blueprint, abort, flash
from flask_login import current_user

from app.content.ownership import AUTHOR_ROLES
from app.errors import DomainError, Stale
from app.extensions import db, login_manager
from app.markdown import as_plain

bp = Blueprint("authoring", __name__, url_prefix="/authoring")
bp.add_app_template_filter(as_plain, "md_plain")  # a question's text in lists


@bp.before_request
def require_author():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.has_role(*AUTHOR_ROLES, "admin"):
        abort(403)
    return None


def refused(error: DomainError, form, current_base: str) -> None:
    """A save refused, nothing written: say why. Only after a stale refusal does
    the form take the current base (`current_base`), so that saving again
    overwrites; after another refusal it keeps the base it opened with, and
    mending the form cannot overwrite a newer save unseen."""
    db.session.rollback()
    flash(error.message, "error")
    if isinstance(error, Stale):
        form.base.data = current_base
