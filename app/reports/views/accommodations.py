"""A cadre's accommodations (extra time, extra attempts), granted by HR in scope."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.forms import flash_form_errors
from app.accounts.permissions import get_scoped_user
from app.errors import DomainError
from app.extensions import db
from app.quizzes import accommodations
from app.quizzes.services import any_quiz, quizzes_by_code
from app.security import role_required

from ..dashboard import person_campaigns
from ..forms import AccommodationForm, RemoveAccommodationForm
from .blueprint import bp


def _form(person) -> AccommodationForm:
    """The form, offering the active quizzes of `person`'s campaigns the viewer
    sees (their quizzes read once). Also `form.quizzes`, those quizzes by code,
    and `form.inactive`, the labels of the campaigns' quizzes no longer active
    (named on the page, with no grant for them: get_quiz finds none)."""
    form = AccommodationForm()
    codes: dict[str, str] = {}  # a quiz reused by several campaigns: the newest's
    for campaign in person_campaigns(current_user, person):  # newest first
        codes.setdefault(campaign.quiz_code, campaign.title)
    found = quizzes_by_code(list(codes))
    form.quizzes = {c: q for c, q in found.items() if q.active}
    labels = [(code, f"{code} — {t}") for code, t in codes.items()]
    form.quiz_code.choices = [(c, label) for c, label in labels if c in form.quizzes]
    form.inactive = [label for c, label in labels if c not in form.quizzes]
    return form


def _filled(form: AccommodationForm, grants: list) -> AccommodationForm:
    """The form as the page first shows it: for the quiz asked for (?quiz=, else
    the first), the cadre's grant in force (among `grants`, the cadre's, with
    whether each is in force), since saving replaces it whole (a grant of one more
    attempt would otherwise take back the extra time). A lapsed grant is not
    filled in: granting again for this round is a decision of its own."""
    codes = [code for code, _label in form.quiz_code.choices]
    code = request.args.get("quiz")
    code = code if code in codes else (codes[0] if codes else None)
    quiz = form.quizzes.get(code)
    grant = next(
        (g for g, applies in grants if applies and quiz and g.quiz_id == quiz.id),
        None,
    )
    form.quiz_code.data = code
    if grant:
        form.extra_minutes.data = grant.extra_seconds // 60
        form.extra_percent.data = grant.extra_percent
        form.extra_attempts.data = grant.extra_attempts
    return form


@bp.get("/reports/cadres/<int:user_id>/accommodations")
@role_required("hr", "admin")
def accommodations_page(user_id: int):
    return _page(get_scoped_user(current_user, user_id, "hr"))


def _page(person, form: AccommodationForm | None = None) -> str:
    """The page of `person`'s grants (read once, each with whether it is in force:
    a lapsed one is shown as such), with `form` as posted or, by default, as
    _filled."""
    grants = accommodations.of_user(person)
    return render_template(
        "reports/accommodations.html",
        person=person,
        grants=grants,
        form=form or _filled(_form(person), grants),
        remove_form=RemoveAccommodationForm(),
    )


@bp.post("/reports/cadres/<int:user_id>/accommodations")
@role_required("hr", "admin")
def grant_accommodation(user_id: int):
    person = get_scoped_user(current_user, user_id, "hr")
    form = _form(person)
    if not form.validate_on_submit():
        return _page(person, form)
    try:
        accommodations.grant(
            person,
            form.quizzes[form.quiz_code.data],
            form.reason.data,
            form.extra_minutes.data,
            form.extra_percent.data,
            form.extra_attempts.data,
            actor=current_user,
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _page(person, form)
    db.session.commit()
    flash(_("Đã lưu điều chỉnh cho %(name)s.", name=person.full_name), "success")
    return redirect(url_for("reports.accommodations_page", user_id=person.id))


@bp.post("/reports/cadres/<int:user_id>/accommodations/<quiz_code>/remove")
@role_required("hr", "admin")
def remove_accommodation(user_id: int, quiz_code: str):
    person = get_scoped_user(current_user, user_id, "hr")
    form = RemoveAccommodationForm()
    if not form.validate_on_submit():  # no reason, one too long, no CSRF token
        flash_form_errors(form)
    else:
        try:
            accommodations.remove(
                person, any_quiz(quiz_code), form.reason.data, actor=current_user
            )
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Đã bỏ điều chỉnh."), "success")
    return redirect(url_for("reports.accommodations_page", user_id=person.id))
