"""Transcript for learners; campaigns for administrators."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts import units as unit_services
from app.accounts.forms import flash_form_errors
from app.courses import services as courses
from app.errors import DomainError
from app.extensions import db
from app.quizzes.models import Quiz
from app.security import role_required
from app.timeutil import vn_day_end, vn_day_start

from . import learner, services
from .forms import CampaignForm

bp = Blueprint("records", __name__)


@bp.get("/transcript")
@login_required
def transcript():
    return render_template(
        "records/transcript.html", rows=learner.transcript_rows(current_user)
    )


@bp.get("/admin/campaigns")
@role_required("admin")
def campaigns():
    return render_template(
        "records/campaigns.html", campaigns=services.list_campaigns(), form=_form()
    )


def _form() -> CampaignForm:
    form = CampaignForm()
    form.course_code.choices = [(c.code, c.title) for c in courses.list_courses()]
    quizzes = db.session.scalars(db.select(Quiz).where(Quiz.active.is_(True)))
    form.quiz_code.choices = [(q.code, q.title) for q in quizzes]
    return form


@bp.post("/admin/campaigns")
@role_required("admin")
def create_campaign():
    form = _form()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("records.campaigns"))
    try:
        targets = [
            unit_services.get_unit_by_code(code)
            for code in form.unit_codes.data.replace(";", ",").split(",")
            if code.strip()
        ]
        campaign = services.create_campaign(
            form.code.data,
            form.title.data,
            form.year.data,
            form.course_code.data,
            form.quiz_code.data,
            vn_day_start(form.opens_on.data),
            vn_day_end(form.closes_on.data),
            targets,
            form.categories.data,
            actor=current_user,
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("records.campaigns"))
    db.session.commit()
    flash(_("Đã tạo đợt bồi dưỡng %(title)s.", title=campaign.title), "success")
    return redirect(url_for("records.campaigns"))
