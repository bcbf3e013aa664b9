"""The public contest pages (no sign-in needed) and a participant's "Vào thi"."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts.forms import EmptyForm
from app.errors import DomainError
from app.extensions import db
from app.quizzes import attempts
from app.timeutil import utcnow

from . import access, pages, papers
from .participation import CLOSED, NOT_OPEN, RUNNING, participation_counts

bp = Blueprint("contests", __name__)


@bp.get("/contests")
def index():
    return render_template(
        "contests/index.html", contests=pages.contest_list(), now=utcnow()
    )


@bp.get("/contests/<code>")
def contest(code: str):
    page = pages.contest_page(code)
    if page is None:
        abort(404)
    now = utcnow()
    signed_in = current_user.is_authenticated
    admitted = signed_in and page.admits(current_user)
    return render_template(
        "contests/contest.html",
        page=page,
        now=now,
        states={"not_open": NOT_OPEN, "running": RUNNING, "closed": CLOSED},
        participation=participation_counts(page, now),
        prize_labels=pages.prize_labels(page),
        duration=papers.duration,
        admitted=admitted,
        refusals=pages.start_refusals(current_user, page, now) if admitted else {},
        own=pages.own_attempts(current_user, page) if signed_in else {},
        may_manage=signed_in and access.sees_rankings(current_user, page.id),
        form=EmptyForm(),
    )


@bp.post("/contests/<code>/rounds/<round_code>/start")
@login_required
def start(code: str, round_code: str):
    """Start (or resume) the signed-in participant's attempt at a running round,
    through the quizzes' attempt core."""
    page = pages.contest_page(code)
    found = page and next((r for r in page.rounds if r.code == round_code), None)
    if not found:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    back = redirect(url_for("contests.contest", code=code))
    if not page.admits(current_user):
        flash(_("Cuộc thi này chỉ dành cho cán bộ của các đơn vị dự thi."), "error")
        return back
    try:
        quiz = attempts.get_quiz(found.quiz_code)
        attempt = attempts.start_attempt(current_user, quiz)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return back
    db.session.commit()
    return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))
