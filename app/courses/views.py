"""Learner pages: the course with its modules, a module, "Tôi đã đọc xong"."""

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.database import start_writing
from app.errors import DomainError
from app.extensions import db, limiter

from . import services
from .forms import CompleteForm, ReadingReportForm

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
        "courses/course.html",
        info=info,
        quizzes=services.quizzes_following(code, current_user),
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
        report_every=services.REPORT_EVERY_SECONDS,
        previous=previous,
        following=following,
        form=CompleteForm(),
    )


def _wants_json() -> bool:
    """The page's script posts for JSON; a page without script posts a form."""
    return request.accept_mimetypes.best == "application/json"


def _refused(module, error: DomainError):
    """Too early (or never opened): the script shows the message where the reader
    is; without script, back to the page at the button, not at its top."""
    remaining = getattr(error, "remaining_seconds", None)
    if _wants_json():
        body = {"message": error.message, "remaining_seconds": remaining}
        return jsonify(body), error.status
    flash(error.message, "error")
    return redirect(url_for("courses.module", code=module.code, _anchor="completion"))


@bp.post("/modules/<code>/complete")
@login_required
def complete(code: str):
    module = services.get_module(code)
    form = CompleteForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.complete_module(
            current_user, module, _fraction(), seconds=form.seconds.data
        )
    except DomainError as error:
        db.session.commit()  # the reading time counted so far stays counted
        return _refused(module, error)
    db.session.commit()
    flash(_("Đã ghi nhận: bạn đã đọc xong học phần này."), "success")
    following = services.neighbours(module)[1]
    if following is not None:
        target = url_for("courses.module", code=following.code)
    else:
        target = url_for("courses.course", code=module.course.code)
    return jsonify(next=target) if _wants_json() else redirect(target)


def _reading_limit() -> str:
    return current_app.config["READING_REPORT_RATE_LIMIT"]


def _reader_key() -> str:
    """Reports are counted per signed-in cadre, whatever tabs or address."""
    return f"reading:{current_user.get_id() or request.remote_addr}"


@bp.post("/modules/<code>/heartbeat")
@login_required
@limiter.limit(_reading_limit, key_func=_reader_key)
def heartbeat(code: str):
    """Visible reading time from the module page; answers the time still needed."""
    module = services.get_module(code)
    form = ReadingReportForm()
    if not form.validate_on_submit():
        return jsonify(message=_("Yêu cầu không hợp lệ.")), 400
    progress = services.record_reading(current_user, module, form.seconds.data or 0)
    db.session.commit()
    return jsonify(
        remaining_seconds=services.seconds_until_completable(progress, _fraction()),
        seconds_spent=progress.seconds_spent,
    )


@bp.get("/course-media/<folder>/images/<path:filename>")
@login_required
def media(folder: str, filename: str):
    root = Path(current_app.config["COURSES_DIR"])
    if folder not in {c.folder for c in services.list_courses()}:
        abort(404)
    return send_from_directory(root / folder / "images", filename, max_age=86400)
