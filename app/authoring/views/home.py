"""The authoring home: what the trainer may edit, in one page."""

from flask import render_template
from flask_login import current_user

from app.content.ownership import overview

from .blueprint import bp


@bp.get("/")
def index():
    return render_template("authoring/index.html", overview=overview(current_user))
