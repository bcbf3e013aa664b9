"""Learner pages: a quiz, an attempt (autosave + plain form posts), result, review."""

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts.forms import EmptyForm
from app.database import start_writing
from app.errors import DomainError
from app.extensions import csrf, db, limiter
from app.timeutil import utcnow

from . import attempts as service
from . import frame, presenters
from .fastpath import saved_answer
from .services import modules_read_for

bp = Blueprint("quizzes", __name__)


def _grace() -> int:
    return current_app.config["ATTEMPT_GRACE_SECONDS"]


def _own_attempt(attempt_id: int):
    """The signed-in user's attempt, finalised first if its time has run out."""
    attempt = service.get_own_attempt(current_user, attempt_id)
    if attempt.is_overdue(utcnow(), service.grace(_grace())):
        start_writing()
        attempt = service.get_own_attempt(current_user, attempt_id)
        if service.finalise_if_overdue(attempt, utcnow(), _grace()):
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
    attempt = service.read_own_attempt(current_user.id, attempt_id)
    if attempt.is_overdue(utcnow(), service.grace(_grace())):
        _own_attempt(attempt_id)  # finalises it: the result page follows
        return redirect(url_for("quizzes.result", attempt_id=attempt_id))
    if attempt.state == service.FINISHED:
        return redirect(url_for("quizzes.result", attempt_id=attempt.id))
    info = presenters.attempt_page(
        attempt, request.args.get("page", 1, type=int), utcnow()
    )
    token = service.attempt_token(
        current_app.config["SECRET_KEY"],
        attempt.id,
        current_user.id,
        current_user.session_version,
    )
    return frame.render_attempt_page(info, token)


@bp.post("/attempts/<int:attempt_id>/save")
@login_required
def save_page(attempt_id: int):
    """Plain form post (works without JavaScript): save this page, then move on."""
    attempt = _own_attempt(attempt_id)
    target = request.form.get("go", "")
    try:
        for position in request.form.getlist("positions", type=int):
            choices = request.form.getlist(f"q{position}", type=int)
            if choices:  # an untouched question keeps what another tab saved
                service.save_answer(attempt, position, choices, grace_seconds=_grace())
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


@bp.post("/attempts/<int:attempt_id>/autosave")
@csrf.exempt  # the attempt token is the proof, and only the owner's page carries it
@limiter.exempt
def autosave(attempt_id: int):
    """The page script's save of one choice: no session needed (see fast_save).
    Good saves are answered before Flask by fastpath.AutosaveFastPath; this view
    answers the rest (multipart bodies, odd fields, refusals) by the same rules."""
    form = request.form
    now = utcnow()
    try:
        deadline_at = service.fast_save(
            attempt_id,
            form.get("position", type=int) or 0,
            form.getlist("choice", type=int),
            form.get("t", ""),
            current_app.config["SECRET_KEY"],
            now,
            grace_seconds=_grace(),
        )
    except DomainError as error:
        db.session.rollback()
        if isinstance(error, service.TimeExpired):
            _finalise_if_overdue(attempt_id)
        return jsonify(saved=False, error=error.message), error.status
    db.session.commit()
    position = form.get("position", type=int)
    return jsonify(saved_answer(position, now, deadline_at))


def _finalise_if_overdue(attempt_id: int) -> None:
    attempt = db.session.get(service.Attempt, attempt_id)
    if attempt is not None and service.finalise_if_overdue(attempt, utcnow(), _grace()):
        db.session.commit()


@bp.get("/attempts/<int:attempt_id>/status")
@login_required
def status(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    return jsonify(
        state=attempt.state,
        remaining=presenters.remaining_seconds(attempt, utcnow()),
        result_url=url_for("quizzes.result", attempt_id=attempt.id),
    )


@bp.get("/attempts/<int:attempt_id>/confirm")
@login_required
def confirm(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if attempt.state == service.FINISHED:
        return redirect(url_for("quizzes.result", attempt_id=attempt.id))
    info = presenters.attempt_page(service.AttemptHead.of(attempt), 1, utcnow())
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
