"""Learner pages: a quiz, an attempt (autosave + plain form posts), result, review."""

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts.forms import EmptyForm
from app.database import db_int, int_arg, start_writing
from app.errors import DomainError, TimeExpired
from app.extensions import csrf, db, limiter
from app.timeutil import utcnow

from . import attempts as service
from . import presenters, saving
from .models import seconds_left
from .services import modules_read_for

bp = Blueprint("quizzes", __name__)


def _own_attempt(attempt_id: int):
    """The signed-in user's attempt, finalised first if its time has run out."""
    attempt = service.get_own_attempt(current_user, attempt_id)
    if attempt.is_overdue(utcnow(), service.grace_period()):
        start_writing()
        attempt = service.get_own_attempt(current_user, attempt_id)
        if service.finalise_if_overdue(attempt, utcnow()):
            db.session.commit()
    return attempt


@bp.get("/quizzes/<code>")
@login_required
def quiz(code: str):
    quiz = service.get_quiz(code)
    now = utcnow()
    return render_template(
        "quizzes/quiz.html",
        quiz=quiz,
        check=service.check_start(
            current_user, quiz, now, modules_read_for(current_user, quiz)
        ),
        current=service.open_attempt(current_user, quiz),
        best=service.best_attempt(current_user, quiz),
        history=service.history(current_user, quiz),
        used=service.attempts_used(current_user, quiz),
        form=EmptyForm(),
    )


@bp.post("/quizzes/<code>/start")
@login_required
def start(code: str):
    quiz = service.get_quiz(code)
    try:
        attempt = service.start_attempt(
            current_user, quiz, modules_read=modules_read_for(current_user, quiz)
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("quizzes.quiz", code=code))
    db.session.commit()
    return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>")
@login_required
def attempt(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if attempt.state == service.FINISHED:
        return redirect(url_for("quizzes.result", attempt_id=attempt.id))
    info = presenters.attempt_page(attempt, int_arg("page", 1), utcnow())
    token = saving.autosave_token(
        current_app.config["SECRET_KEY"],
        attempt.id,
        current_user.id,
        current_user.session_version,
    )
    return render_template("quizzes/attempt.html", info=info, token=token)


@bp.post("/attempts/<int:attempt_id>/save")
@login_required
def save_page(attempt_id: int):
    """Plain form post (works without JavaScript): save this page, then move on."""
    attempt = _own_attempt(attempt_id)
    target = request.form.get("go", "")
    choices = {
        position: picked
        for position in request.form.getlist("positions", type=db_int)
        # An untouched question keeps what another tab saved.
        if (picked := request.form.getlist(f"q{position}", type=int))
    }
    try:
        saving.save_choices(
            db.session.connection(),
            attempt.id,
            current_user.id,
            choices,
            service.grace_period(),
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("quizzes.attempt", attempt_id=attempt_id))
    db.session.commit()
    if target == "submit":
        return redirect(url_for("quizzes.confirm", attempt_id=attempt_id))
    page = int(target) if target.isdigit() else 1
    flash(_("Đã lưu câu trả lời."), "success")
    return redirect(url_for("quizzes.attempt", attempt_id=attempt_id, page=page))


def _autosave_limit() -> str:
    return current_app.config["AUTOSAVE_RATE_LIMIT"]


def _attempt_key() -> str:
    return f"attempt:{request.view_args['attempt_id']}"


def _by_the_owner(_response) -> bool:
    """Only saves sent with the owner's token count against the attempt's limit:
    anyone can guess an attempt id, and forged saves must not use up the owner's."""
    return g.get("autosave_holder") is not None


@bp.post("/attempts/<int:attempt_id>/autosave")
@csrf.exempt  # the signed attempt token is the proof; only the owner's page has it
@limiter.limit(_autosave_limit, key_func=_attempt_key, deduct_when=_by_the_owner)
def autosave(attempt_id: int):
    """The page script's save of one choice. The token is checked before anything
    is read or written; then the one save of `saving.save_choices`."""
    form = request.form
    position = form.get("position", type=db_int) or 0
    try:
        holder = saving.read_autosave_token(
            current_app.config["SECRET_KEY"],
            form.get("t", ""),
            attempt_id,
            current_app.config.get("SECRET_KEY_FALLBACKS") or (),
        )
        g.autosave_holder = holder
        result = saving.save_choices(
            db.session.connection(),
            attempt_id,
            holder.user_id,
            {position: form.getlist("choice", type=int)},
            service.grace_period(),
            session_version=holder.session_version,
        )
    except DomainError as error:
        db.session.rollback()
        if isinstance(error, TimeExpired):
            _finalise_if_overdue(attempt_id)
        return jsonify(saved=False, error=error.message), error.status
    db.session.commit()
    return jsonify(
        saved=True,
        position=position,
        saved_at=result.saved_at.isoformat(),
        remaining=seconds_left(result.deadline_at, result.saved_at),
    )


def _finalise_if_overdue(attempt_id: int) -> None:
    attempt = db.session.get(service.Attempt, attempt_id)
    if attempt is not None and service.finalise_if_overdue(attempt, utcnow()):
        db.session.commit()


@bp.get("/attempts/<int:attempt_id>/status")
@login_required
def status(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    return jsonify(
        state=attempt.state,
        remaining=attempt.remaining_seconds(utcnow()),
        result_url=url_for("quizzes.result", attempt_id=attempt.id),
    )


@bp.get("/attempts/<int:attempt_id>/confirm")
@login_required
def confirm(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if attempt.state == service.FINISHED:
        return redirect(url_for("quizzes.result", attempt_id=attempt.id))
    info = presenters.attempt_page(attempt, 1, utcnow())
    return render_template("quizzes/confirm.html", info=info, form=EmptyForm())


@bp.post("/attempts/<int:attempt_id>/submit")
@login_required
def submit(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    by = "auto" if request.form.get("auto") else "submit"  # the page's timer ran out
    service.finalise(attempt, utcnow(), by=by)
    db.session.commit()
    return redirect(url_for("quizzes.result", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if attempt.state != service.FINISHED:
        return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))
    return render_template(
        "quizzes/result.html",
        attempt=attempt,
        review=presenters.review_for(attempt, utcnow()),
    )
