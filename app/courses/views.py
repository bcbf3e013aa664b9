"""Learner pages: the course with its modules, a module, "Tôi đã đọc xong"."""

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts.forms import EmptyForm
from app.database import start_writing
from app.errors import DomainError
from app.extensions import db

from . import services

bp = Blueprint("courses", __name__)


def _fraction() -> float:
    return current_app.config["MIN_READING_FRACTION"]


@bp.get("/courses")
@login_required
def index():
    courses = services.list_courses()
    if len(courses) == 1:
        return redirect(url_for("courses.course", code=courses[0].code))
    return render_template("courses/index.html", courses=courses)


@bp.get("/courses/<code>")
@login_required
def course(code: str):
    info = services.course_progress(current_user, services.get_course(code))
    return render_template(
        "courses/course.html", info=info, quizzes=services.quizzes_following(code)
    )


@bp.get("/modules/<code>")
@login_required
def module(code: str):
    module = services.get_module(code)
    start_writing()
    progress = services.open_module(current_user, module)
    db.session.commit()
    previous, following = services.neighbours(module)
    return render_template(
        "courses/module.html",
        module=module,
        version=module.current_version,
        progress=progress,
        remaining=services.seconds_until_completable(progress, _fraction()),
        required_minutes=-(
            -services.minimum_seconds(module.current_version, _fraction()) // 60
        ),
        previous=previous,
        following=following,
        form=EmptyForm(),
    )


@bp.post("/modules/<code>/complete")
@login_required
def complete(code: str):
    module = services.get_module(code)
    try:
        services.complete_module(current_user, module, _fraction())
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("courses.module", code=code))
    db.session.commit()
    flash(_("Đã ghi nhận: bạn đã đọc xong học phần này."), "success")
    following = services.neighbours(module)[1]
    if following is not None:
        return redirect(url_for("courses.module", code=following.code))
    return redirect(url_for("courses.course", code=module.course.code))


@bp.post("/modules/<code>/heartbeat")
@login_required
def heartbeat(code: str):
    services.record_reading(current_user, services.get_module(code))
    db.session.commit()
    return "", 204


@bp.get("/course-media/<folder>/images/<path:filename>")
@login_required
def media(folder: str, filename: str):
    root = Path(current_app.config["COURSES_DIR"])
    if folder not in {c.folder for c in services.list_courses()}:
        abort(404)
    return send_from_directory(root / folder / "images", filename, max_age=86400)
