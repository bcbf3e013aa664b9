from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from app.database import start_writing, stop_writing
from app.extensions import db
from app.quizzes import services as quizzes
from app.reminders.notices import mark_shown
from app.security import safe_next_url

from . import services

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
def home():
    if quizzes.has_overdue(current_user):  # its time ran out with the cadre away
        start_writing()
        quizzes.close_overdue(user=current_user)  # graded: the page says the result
        db.session.commit()
        stop_writing()  # the summary below only reads
    summary = services.home_summary(current_user)
    if any(not notice.shown for notice in summary.reminders):
        start_writing()  # SQLite: this GET writes when it first shows a reminder
        mark_shown(summary.reminders)
        db.session.commit()
    return render_template("main/home.html", summary=summary)


@bp.post("/language")
def set_language():
    config, language = current_app.config, request.form.get("language", "")
    response = redirect(safe_next_url(request.form.get("next"), url_for("main.home")))
    if language in config["LANGUAGES"]:
        response.set_cookie(
            config["LANGUAGE_COOKIE_NAME"],
            language,
            max_age=config["LANGUAGE_COOKIE_MAX_AGE"],
            secure=config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
    return response


@bp.get("/healthz")
def health():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}
