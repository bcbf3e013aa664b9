"""The HR page of reminders (choose a campaign and a unit of one's subtree, see how
many would be reminded, confirm; the reminders made so far with their counts), and
the learner's dismissal of a notice on the home page."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.accounts.models import Unit
from app.accounts.permissions import get_scoped_unit, scope_paths, scoped_units
from app.accounts.units import tree_order
from app.database import int_arg
from app.errors import DomainError
from app.extensions import db
from app.jobs import services as jobs
from app.numbers import count
from app.records.visibility import ROLE, default_unit, pick_campaign, visible_campaigns
from app.security import role_required

from . import notices, services
from .forms import ReminderForm
from .jobs import KIND, title
from .models import PENDING

bp = Blueprint("reminders", __name__)


@bp.get("/reports/reminders")
@role_required("hr", "admin")
def index():
    return _page(request.args.get("campaign"), int_arg("unit"), ReminderForm())


def _page(campaign_code: str | None, unit_id: int | None, form: ReminderForm):
    """The page for the campaign and unit asked for (defaults: the newest campaign,
    the officer's unit), with `form` (a refused one keeps what was typed)."""
    visible = visible_campaigns(current_user)
    campaign = pick_campaign(current_user, campaign_code, visible=visible)
    if unit_id is not None:
        unit = get_scoped_unit(current_user, unit_id, ROLE)
    else:
        unit = default_unit(current_user, campaign)
    preview = rows = None
    if campaign is not None:
        preview = services.preview(campaign, unit)
        rows = services.reminder_rows(campaign, scope_paths(current_user, ROLE))
        form.campaign.data, form.unit.data = campaign.code, unit.id
    return render_template(
        "reminders/index.html",
        campaigns=visible,
        campaign=campaign,
        unit=unit,
        units=_unit_choices(),
        preview=preview,
        rows=rows,
        form=form,
    )


@bp.post("/reports/reminders")
@role_required("hr", "admin")
def send():
    form = ReminderForm()
    if not form.validate_on_submit():
        if form.errors.keys() <= {"message"}:  # the page again, the text kept
            return _page(form.campaign.data, form.unit.data, form), 400
        # The hidden campaign and unit: not the officer's typing, a broken post.
        flash(_("Chưa gửi: chọn lại đợt và đơn vị rồi xem trước lời nhắc."), "error")
        return redirect(url_for("reminders.index"))
    campaign = pick_campaign(current_user, form.campaign.data)  # else NotFound (404)
    unit = get_scoped_unit(current_user, form.unit.data, ROLE)
    back = url_for("reminders.index", campaign=campaign.code, unit=unit.id)
    try:
        reminder = services.send_manual(
            campaign, unit, current_user, form.message.data or ""
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(back)
    cadres = services.count_deliveries(reminder)
    pending = services.count_deliveries(reminder, PENDING)
    db.session.commit()
    flash(
        ngettext(
            "Đã nhắc %(n)s cán bộ trên trang chủ của họ.",
            "Đã nhắc %(n)s cán bộ trên trang chủ của họ.",
            cadres,
            n=count(cadres),
        ),
        "success",
    )
    if not reminder.with_email:
        flash(_("Chưa cấu hình máy chủ thư: không gửi thư điện tử."), "warning")
    elif pending:
        job = jobs.submit(
            KIND, title(reminder), current_user.id, {"reminder": reminder.id}
        )
        return jobs.started(job)
    return redirect(back)


@bp.post("/reminders/<int:delivery_id>/dismiss")
@login_required
def dismiss(delivery_id: int):
    notices.dismiss(current_user, delivery_id)
    db.session.commit()
    return redirect(url_for("main.home"))


def _unit_choices() -> list[Unit]:
    """The active units of the officer's scope, in tree order (siblings in
    Vietnamese order, as the annual report lists them), for the picker."""
    return tree_order(
        db.session.scalars(
            scoped_units(current_user, ROLE).where(Unit.active.is_(True))
        )
    )
