"""Transcript for learners; campaigns (create, edit, per-unit windows, close) for
administrators."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.accounts import unit_picker
from app.accounts.forms import flash_refused
from app.accounts.permissions import scope_paths
from app.courses import services as courses
from app.errors import DomainError, InvalidInput
from app.extensions import db
from app.numbers import count
from app.quizzes.models import Quiz
from app.security import role_required
from app.timeutil import from_vn_local, to_vn

from . import campaigns as running
from . import learner, services
from .forms import (
    CampaignEditForm,
    CampaignForm,
    CloseCampaignForm,
    RequireModulesForm,
    UnitWindowForm,
)
from .quiz_holder import held_quiz

bp = Blueprint("records", __name__)


@bp.get("/transcript")
@login_required
def transcript():
    return render_template(
        "records/transcript.html", rows=learner.transcript_rows(current_user)
    )


def _roots():
    return scope_paths(current_user, "admin")


def _units(texts: list[str], kept=()):
    """The units the pickers name; a target `kept` (the campaign's now) is found by
    the label its page showed even when its unit is no longer active (last year's
    campaign of a merged province), so that the campaign can still be saved."""
    current = {_label(target.unit): target.unit for target in kept}
    return [current.get(t) or unit_picker.resolve(t, _roots()) for t in texts]


@bp.get("/admin/campaigns")
@role_required("admin")
def campaigns(form=None):
    return render_template(
        "records/campaigns.html",
        campaigns=services.list_campaigns(),
        form=form or _create_form(),
        unit_options=unit_picker.options(_roots()),
    )


def _create_form() -> CampaignForm:
    form = CampaignForm()
    form.course_code.choices = [(c.code, c.title) for c in courses.list_courses()]
    quizzes = db.session.scalars(
        db.select(Quiz).where(Quiz.active.is_(True), Quiz.sealed.is_(False))
    )
    form.quiz_code.choices = [(q.code, q.title) for q in quizzes]
    return form


@bp.post("/admin/campaigns")
@role_required("admin")
def create_campaign():
    form = _create_form()
    if not form.validate_on_submit():
        flash_refused(form)
        return campaigns(form=form)
    try:
        campaign = services.create_campaign(
            form.code.data,
            form.title.data,
            form.year.data,
            form.course_code.data,
            form.quiz_code.data,
            from_vn_local(form.opens_at.data),
            from_vn_local(form.closes_at.data),
            _units(form.targets.data),
            form.categories.data,
            actor=current_user,
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return campaigns(form=form)
    db.session.commit()
    flash(_("Đã tạo đợt bồi dưỡng %(title)s.", title=campaign.title), "success")
    return redirect(url_for("records.campaign_page", code=campaign.code))


@bp.get("/admin/campaigns/<code>")
@role_required("admin")
def campaign_page(
    code: str, form=None, window_form=None, close_form=None, modules_form=None
):
    campaign = services.get_campaign(code)
    if form is None:
        form = CampaignEditForm(
            formdata=None,
            title=campaign.title,
            opens_at=_local(campaign.opens_at),
            closes_at=_local(campaign.closes_at),
            categories=list(campaign.categories),
        )
        form.targets.data = [_label(t.unit) for t in campaign.targets]
    held = held_quiz(campaign)  # its quiz, holder and unit windows: read once
    return render_template(
        "records/campaign.html",
        campaign=campaign,
        form=form,
        windows=running.unit_windows(campaign, held),
        quiz_holder=held.holder,
        window_form=window_form or UnitWindowForm(),
        close_form=close_form or CloseCampaignForm(),
        preview=running.close_preview(campaign, held),
        modules=running.modules_preview(campaign),
        closed=services.has_closed(campaign, held=held),
        modules_form=modules_form or RequireModulesForm(),
        unit_options=unit_picker.options([t.unit.path for t in campaign.targets]),
    )


def _local(moment):
    """An aware time as the naive Vietnam wall-clock time a datetime-local shows."""
    return to_vn(moment).replace(tzinfo=None)


def _label(unit) -> str:
    return unit_picker.label(unit.name, getattr(unit.parent, "name", None), unit.code)


def _post_on_campaign(code: str, form, slot: str, act):
    """The flow of a form of the campaign's page: when `form` does not validate,
    the page again with its errors beside its fields (the form as the page's
    `slot` argument) and one line at the top saying so; else
    `act(campaign)`, committed, and its message (a DomainError: rolled back, shown
    on the page again)."""
    campaign = services.get_campaign(code)
    if not form.validate_on_submit():
        flash_refused(form)
        return campaign_page(code, **{slot: form})
    try:
        message = act(campaign)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return campaign_page(campaign.code, **{slot: form})
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("records.campaign_page", code=campaign.code))


@bp.post("/admin/campaigns/<code>")
@role_required("admin")
def edit_campaign(code: str):
    form = CampaignEditForm()

    def edit(campaign) -> str:
        running.edit_campaign(
            campaign,
            form.title.data,
            from_vn_local(form.opens_at.data, shown=campaign.opens_at),
            from_vn_local(form.closes_at.data, shown=campaign.closes_at),
            _units(form.targets.data, campaign.targets),
            form.categories.data,
            actor=current_user,
        )
        return _("Đã lưu đợt bồi dưỡng.")

    return _post_on_campaign(code, form, "form", edit)


@bp.post("/admin/campaigns/<code>/windows")
@role_required("admin")
def unit_window(code: str):
    form = UnitWindowForm()

    def set_window(campaign) -> str:
        unit = unit_picker.resolve(
            form.unit.data, [t.unit.path for t in campaign.targets]
        )
        if form.remove.data:
            running.set_unit_window(campaign, unit, None, None, actor=current_user)
            return _("%(unit)s theo thời gian chung của đợt.", unit=unit.name)
        opens = form.opens_at.data and from_vn_local(form.opens_at.data)
        closes = form.closes_at.data and from_vn_local(form.closes_at.data)
        if not (opens and closes):  # both empty would remove it: say so, not "saved"
            raise InvalidInput(_("Cần cả thời điểm mở và thời điểm đóng."))
        running.set_unit_window(campaign, unit, opens, closes, actor=current_user)
        return _("Đã lưu thời gian riêng của %(unit)s.", unit=unit.name)

    return _post_on_campaign(code, form, "window_form", set_window)


@bp.post("/admin/campaigns/<code>/close")
@role_required("admin")
def close_campaign(code: str):
    form = CloseCampaignForm()

    def close(campaign) -> str:
        ended = running.close_campaign(campaign, actor=current_user)
        return ngettext(
            "Đã đóng đợt bồi dưỡng; %(n)s lượt đang làm kết thúc.",
            "Đã đóng đợt bồi dưỡng; %(n)s lượt đang làm kết thúc.",
            ended,
            n=count(ended),
        )

    return _post_on_campaign(code, form, "close_form", close)


@bp.post("/admin/campaigns/<code>/modules")
@role_required("admin")
def require_modules(code: str):
    """The explicit, audited change of the modules a campaign requires: those its
    course has now (after a module was published or withdrawn)."""
    form = RequireModulesForm()

    def require(campaign) -> str:
        added = services.require_current_modules(campaign, actor=current_user)
        if not added:
            return _("Đã cập nhật học phần bắt buộc.")
        return _("Đợt bồi dưỡng nay yêu cầu thêm: %(codes)s.", codes=", ".join(added))

    return _post_on_campaign(code, form, "modules_form", require)
