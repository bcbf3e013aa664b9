"""Learner pages: a quiz, an attempt (autosave + plain form posts), result, review."""

import math

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
from app.errors import DomainError, InvalidInput
from app.extensions import db, limiter
from app.timeutil import utcnow

from . import attempts as service
from . import flags, page_saves, prediction, presenters, saving, windows
from .models import BY_PAGE_TIMER, BY_SUBMIT
from .script_texts import attempt_script_texts
from .services import best_shown, modules_read_for, result_next
from .windows import time_limit_seconds

bp = Blueprint("quizzes", __name__)


@bp.app_template_global("results_visible")
def results_visible(quiz) -> bool:
    """windows.results_visible for the pages (an attempt list asks per attempt):
    once per quiz and request."""
    seen = g.setdefault("vhcv_results_visible", {})
    if quiz.id not in seen:
        seen[quiz.id] = windows.results_visible(quiz, utcnow())
    return seen[quiz.id]


@bp.app_template_global("attempt_overdue")
def attempt_overdue(attempt) -> bool:
    """An open attempt past its deadline and grace, which the next visit or the
    sweep ends (a staff page shows it so, not as being taken)."""
    return attempt.is_overdue(service.save_cutoff())


def _own_attempt(attempt_id: int):
    """The signed-in user's attempt, finalised first if its time has run out."""
    attempt = service.get_own_attempt(current_user, attempt_id)
    if attempt.is_overdue(service.save_cutoff()):
        start_writing()
        attempt = service.get_own_attempt(current_user, attempt_id)
        if service.finalise_if_overdue(attempt, utcnow()):
            db.session.commit()
    return attempt


@bp.get("/quizzes/<code>")
@login_required
def quiz(code: str):
    quiz = service.get_quiz(code)
    current = service.open_attempt(current_user, quiz)
    if current is not None and current.is_overdue(service.save_cutoff()):
        if _own_attempt(current.id).state != service.OPEN:  # its time ran out
            current = None
    used = service.attempts_used(current_user, quiz)  # read once: the check's too
    now = utcnow()
    check = service.check_start(
        current_user, quiz, now, modules_read_for(current_user, quiz), used
    )
    limit = time_limit_seconds(quiz, check.accommodation)
    # an attempt started now ends at the window's close if that comes first
    given = windows.deadline_for(quiz, now, check.window, check.accommodation) - now
    return render_template(
        "quizzes/quiz.html",
        quiz=quiz,
        check=check,
        time_limit=limit,
        minutes_given=math.ceil(given.total_seconds() / 60),
        current=current,
        best=best_shown(current_user, quiz, now),
        history=service.history(current_user, quiz),
        used=used,
        results=results_visible(quiz),
        results_at=windows.results_open_at(quiz) if quiz.sealed else None,
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
    attempt_id = attempt.id  # read before the commit expires it: no reload
    db.session.commit()
    return redirect(url_for("quizzes.attempt", attempt_id=attempt_id))


@bp.get("/attempts/<int:attempt_id>")
@login_required
def attempt(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if attempt.state == service.FINISHED:
        return redirect(url_for("quizzes.result", attempt_id=attempt.id))
    now = utcnow()
    info = presenters.attempt_page(attempt, int_arg("page", 1), now)
    token = saving.autosave_token(
        current_app.config["SECRET_KEY"],
        attempt.id,
        current_user.id,
        current_user.session_version,
    )
    return render_template(
        "quizzes/attempt.html",
        info=info,
        token=token,
        grace_seconds=int(windows.grace_period().total_seconds()),
        served_at=int(now.timestamp() * 1000),  # the server's clock, in ms
        script_texts=attempt_script_texts(),
    )


@bp.get("/attempts/sw.js")
def service_worker():
    """The attempt pages' service worker (a reload without network shows the last
    copy of the page); served here so that its scope is /attempts/."""
    response = current_app.send_static_file("js/attempt-sw.js")
    response.cache_control.no_cache = True
    return response


def _save_limit() -> str:
    return current_app.config["AUTOSAVE_RATE_LIMIT"]


def _attempt_key() -> str:
    """The attempt's posts other than the autosave (the form post, a flag, the
    prediction) are counted as the autosave is: per attempt and cadre, with its
    limit, so none of them writes without bound."""
    attempt_id = request.view_args.get("attempt_id")
    return f"attempt-posts:{attempt_id}:{current_user.get_id()}"


@bp.post("/attempts/<int:attempt_id>/save")
@login_required
@limiter.limit(_save_limit, key_func=_attempt_key)
def save_page(attempt_id: int):
    """Plain form post (works without JavaScript): save this page's choices and
    flags, then move on: `go` (a page or "submit") or `goto` (a question of the
    navigator, on any page)."""
    attempt = _own_attempt(attempt_id)
    form = page_saves.read_page_form(request.form)
    if form.seq == 0:  # refused as the autosave refuses it
        flash(saving.BAD_SEQ, "error")
        return redirect(_form_page_url(attempt_id, form, attempt))
    cutoff = service.save_cutoff()
    guess, bad_guess = _typed_prediction(attempt)
    try:
        kept_newer = page_saves.save_page_form(
            attempt, current_user.id, form, guess, cutoff
        )
    except DomainError as error:
        db.session.rollback()
        if isinstance(error, saving.RefusedSave):  # the save log shows it too
            saving.log_refused(db.session.connection(), error)
            db.session.commit()
        flash(error.message, "error")
        return redirect(_form_page_url(attempt_id, form, attempt))
    db.session.commit()
    if bad_guess is not None:  # the choices are saved, the prediction is not
        flash(bad_guess, "error")
        return redirect(
            url_for("quizzes.attempt", attempt_id=attempt_id, _anchor="prediction")
        )
    if kept_newer:  # said on the confirm page too, before the cadre submits
        flash(
            _(
                "Đã lưu; riêng câu đã có lựa chọn mới hơn (lưu từ trang khác) "
                "giữ lựa chọn mới hơn đó."
            ),
            "info",
        )
    if form.target == "submit":
        return redirect(url_for("quizzes.confirm", attempt_id=attempt_id))
    if not kept_newer:
        flash(_("Đã lưu câu trả lời."), "success")
    return redirect(_next_page_url(attempt_id, form, attempt))


def _form_page_url(attempt_id: int, form: page_saves.PageForm, attempt) -> str:
    """The page the form was posted from (that of its first question), where a
    refused save shows its reason; the first page when the form names none."""
    page = 1
    if form.flags:
        first = max(1, min(form.flags))
        page = presenters.page_of(first, attempt.quiz.questions_per_page)
    return url_for("quizzes.attempt", attempt_id=attempt_id, page=page)


def _next_page_url(attempt_id: int, form: page_saves.PageForm, attempt) -> str:
    """Where the form post goes on: the page of the navigator's question `goto`,
    at that question, else the page `go` names (the first when none). `attempt`
    is read (after the commit) only for its quiz's questions per page."""
    if form.goto:
        page = presenters.page_of(form.goto, attempt.quiz.questions_per_page)
        return url_for(
            "quizzes.attempt",
            attempt_id=attempt_id,
            page=page,
            _anchor=f"q{form.goto}",
        )
    page = int(form.target) if form.target.isascii() and form.target.isdigit() else 1
    return url_for("quizzes.attempt", attempt_id=attempt_id, page=page)


@bp.post("/attempts/<int:attempt_id>/flag")
@login_required
@limiter.limit(_save_limit, key_func=_attempt_key)
def flag(attempt_id: int):
    """Flag or unflag one question (the page script; JSON), `position` and
    `flagged` ("1" or "0") in the form. Anyone else's attempt is 404; a finished
    or timed-out one 409."""
    position = request.form.get("position", type=db_int)
    flagged = request.form.get("flagged", "")
    try:
        attempt = _own_attempt(attempt_id)
        if position is None or flagged not in ("0", "1"):
            raise InvalidInput(_("Yêu cầu đánh dấu không hợp lệ."))
        flags.set_flag(attempt, position, flagged == "1", service.save_cutoff())
    except DomainError as error:
        db.session.rollback()
        return jsonify(flagged=None, error=error.message), error.status
    db.session.commit()
    return jsonify(position=position, flagged=flagged == "1")


def _typed_prediction(attempt) -> tuple[int | None, str | None]:
    """The prediction the page's form changes, if any, and why it cannot be taken:
    (value, None), (None, message) or (None, None) when the field is not there or
    still holds what the page showed (`prediction_shown`)."""
    typed = request.form.get("prediction")
    if not attempt.quiz.prediction_prompt or typed is None:
        return None, None
    if typed.strip() == request.form.get("prediction_shown", "").strip():
        return None, None
    try:
        return prediction.parse(typed), None
    except DomainError as error:
        return None, error.message


@bp.post("/attempts/<int:attempt_id>/prediction")
@login_required
@limiter.limit(_save_limit, key_func=_attempt_key)
def save_prediction(attempt_id: int):
    """Save the prediction (the page script; JSON), `prediction` in the form, under
    the rules of a save. Anyone else's attempt is 404; a bad value 400; a finished
    or timed-out attempt 409."""
    try:
        attempt = _own_attempt(attempt_id)
        value = prediction.parse(request.form.get("prediction"))
        prediction.save(attempt, current_user.id, value, service.save_cutoff())
    except DomainError as error:
        db.session.rollback()
        return jsonify(saved=False, error=error.message), error.status
    db.session.commit()
    return jsonify(saved=True, prediction=value)


# The page script's save of one choice is a small WSGI app of its own, mounted at
# /autosave (quizzes/autosave.py); this rule only builds its address for the page.
bp.add_url_rule(
    "/autosave/<int:attempt_id>",
    endpoint="autosave",
    build_only=True,
    methods=["POST"],
)


@bp.get("/attempts/<int:attempt_id>/status")
@login_required
def status(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    now = utcnow()
    return jsonify(
        state=attempt.state,
        remaining=attempt.remaining_seconds(now),
        now=now.isoformat(),
        result_url=url_for("quizzes.result", attempt_id=attempt.id),
        # position → the number of the choice stored: the page numbers past them
        seqs=presenters.stored_seqs(attempt.id),
    )


@bp.get("/attempts/<int:attempt_id>/confirm")
@login_required
def confirm(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if attempt.state == service.FINISHED:
        return redirect(url_for("quizzes.result", attempt_id=attempt.id))
    info = presenters.attempt_page(attempt, 1, utcnow())
    return render_template(
        "quizzes/confirm.html",
        info=info,
        form=EmptyForm(),
        grace_seconds=int(windows.grace_period().total_seconds()),
    )


@bp.post("/attempts/<int:attempt_id>/submit")
@login_required
def submit(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    # The page's form "auto" is sent when its timer ran out.
    by = BY_PAGE_TIMER if request.form.get("auto") else BY_SUBMIT
    now = utcnow()
    try:
        prediction.before_submit(
            attempt,
            request.form.get("prediction"),
            service.save_cutoff(now),
            now,
            by_timer=by == BY_PAGE_TIMER,
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("quizzes.confirm", attempt_id=attempt_id))
    service.finalise(attempt, now, by=by)
    db.session.commit()
    return redirect(url_for("quizzes.result", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if attempt.state != service.FINISHED:
        return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))
    now = utcnow()
    return render_template(
        "quizzes/result.html",
        attempt=attempt,
        review=presenters.review_for(attempt, now),
        best=best_shown(current_user, attempt.quiz, now),
        stored_seqs=presenters.stored_seqs(attempt.id),
        next_step=result_next(current_user, attempt, now),
        form=EmptyForm(),
    )
