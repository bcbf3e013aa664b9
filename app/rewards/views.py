"""The rewards pages under /rewards, for HR officers (their subtrees) and
administrators: candidates and nominations of a campaign or a period, the rule of a
campaign and the periods (the province), the exports and the printable list.

`<kind>` is "campaigns" or "periods"; `?unit=ID` narrows the page to a unit of the
viewer's scope. Anything outside the scope is a 404. The candidates (page, workbook)
and the paper take `?as_of=YYYY-MM-DD&attribution=at_time|rolled_up` as every
report (app.records.asof; a bad one is a 400) and state them.
"""

import secrets

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.accounts.days import vn_today
from app.accounts.models import Unit, User
from app.audit import services as audit
from app.database import int_arg, start_writing
from app.downloads import content_disposition
from app.errors import DomainError, NotAllowed, NotFound
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.jobs import services as jobs
from app.records import visibility
from app.records.asof import ATTRIBUTION_LABELS, AsOf, as_of_from
from app.records.models import Campaign
from app.security import CSP, not_from_other_sites, role_required

from . import candidates, exports, periods, services
from . import jobs as reward_jobs
from .forms import NominateForm, PeriodForm, RuleForm, WithdrawForm
from .reading import Reading

bp = Blueprint("rewards", __name__, url_prefix="/rewards")
# A campaign's or a period's name, its kind and years said once (exports.target_label).
bp.add_app_template_filter(exports.target_label, "reward_target")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KINDS = "campaigns, periods"


def _target(kind: str, code: str):
    """The campaign (visible to the viewer) or the period `code`."""
    if kind == "periods":
        return periods.get_period(code)
    return visibility.pick_campaign(current_user, code)


def _as_of() -> AsOf:
    """`?as_of=` and `?attribution=`, as every report reads them (400 when bad)."""
    return as_of_from(request.args)


def _unit() -> Unit | None:
    unit_id = int_arg("unit")
    if unit_id is None:
        return None
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(_("Không tìm thấy đơn vị này trong phạm vi của bạn."))
    return unit


@bp.get("")
@role_required("hr", "admin")
def index():
    return render_template(
        "rewards/index.html",
        campaigns=visibility.visible_campaigns(current_user),
        periods=periods.list_periods(),
        can_set_rules=services.can_set_rules(current_user),
    )


@bp.get(f"/<any({KINDS}):kind>/<code>")
@role_required("hr", "admin")
def candidates_page(kind: str, code: str):
    target, unit, as_of = _target(kind, code), _unit(), _as_of()
    paths = services.scope_of(current_user, unit, as_of.day)
    collectives, individuals = services.candidate_lists(target, paths, as_of)
    nominations = services.visible_nominations(
        current_user, target, unit, include_withdrawn=True
    )
    nominated_units, nominated_users = services.nominated_subjects(target)
    return render_template(
        "rewards/candidates.html",
        kind=kind,
        target=target,
        unit=unit,
        as_of=as_of,
        attributions=ATTRIBUTION_LABELS,
        rule=candidates.rule_for(target) if kind == "campaigns" else None,
        collectives=collectives,
        individuals=individuals,
        nominated_units=nominated_units,
        nominated_users=nominated_users,
        # nominations are made from today's lists (services checks them there)
        offer=as_of.day == vn_today(),
        nominations=nominations,
        achievement=lambda row: exports.achievement(target, row),
        withdraw_form=WithdrawForm(),
        nominate_form=NominateForm(),
        can_set_rules=services.can_set_rules(current_user),
    )


def _back(kind: str, code: str):
    unit = int_arg("unit")
    return redirect(url_for("rewards.candidates_page", kind=kind, code=code, unit=unit))


@bp.post(f"/<any({KINDS}):kind>/<code>/nominate")
@role_required("hr", "admin")
def nominate(kind: str, code: str):
    target = _target(kind, code)
    form = NominateForm()
    if not form.validate_on_submit():
        flash(_("Đề nghị không hợp lệ: %(e)s", e=_form_errors(form)), "error")
        return _back(kind, code)
    unit = db.session.get(Unit, form.unit_id.data)
    user = db.session.get(User, form.user_id.data) if form.user_id.data else None
    try:
        if unit is None:
            raise NotFound(_("Không tìm thấy đơn vị này trong phạm vi của bạn."))
        services.nominate(
            current_user,
            target,
            form.kind.data,
            unit,
            user,
            form.achievement.data or "",
            form.note.data or "",
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _back(kind, code)
    db.session.commit()
    flash(_("Đã đưa vào danh sách đề nghị khen thưởng."), "success")
    return _back(kind, code)


@bp.post("/nominations/<int:nomination_id>/withdraw")
@role_required("hr", "admin")
def withdraw(nomination_id: int):
    nomination = services.get_visible_nomination(current_user, nomination_id)
    target = nomination.campaign or nomination.period
    kind = "campaigns" if nomination.campaign_id else "periods"
    form = WithdrawForm()
    if not form.validate_on_submit():
        flash(_("Cần ghi lý do rút đề nghị."), "error")
        return _back(kind, target.code)
    try:
        services.withdraw(current_user, nomination, form.reason.data)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _back(kind, target.code)
    db.session.commit()
    flash(_("Đã rút đề nghị."), "success")
    return _back(kind, target.code)


def _province_only() -> None:
    if not services.can_set_rules(current_user):
        raise NotAllowed(_("Chỉ cấp tỉnh đặt tiêu chí xét khen thưởng."))


@bp.route("/campaigns/<code>/rule", methods=["GET", "POST"])
@role_required("hr", "admin")
def rule(code: str):
    _province_only()
    campaign = visibility.pick_campaign(current_user, code)  # only one it may see
    current = candidates.rule_for(campaign)
    form = RuleForm(
        data={
            "unit_completion_percent": current.completion_percent,
            "unit_pass_percent": current.pass_percent,
            "unit_min_cadres": current.min_cadres,
            "person_first_percent": current.first_percent,
        }
        if request.method == "GET"
        else None
    )
    if form.validate_on_submit():
        values = {name: form[name].data for name in RuleForm.FIELDS}
        services.set_rule(campaign, current_user, **values)
        db.session.commit()
        flash(_("Đã lưu tiêu chí xét khen thưởng."), "success")
        return redirect(url_for("rewards.candidates_page", kind="campaigns", code=code))
    status = 400 if request.method == "POST" else 200
    return render_template("rewards/rule.html", campaign=campaign, form=form), status


@bp.route("/periods/new", methods=["GET", "POST"])
@role_required("hr", "admin")
def period_form():
    _province_only()
    form = PeriodForm()
    campaigns = {c.code: c for c in visibility.visible_campaigns(current_user)}
    form.campaigns.choices = [
        SelectChoice(code, c.title) for code, c in campaigns.items()
    ]
    if form.validate_on_submit():
        try:
            period = periods.save_period(
                form.code.data.strip(),
                form.title.data.strip(),
                form.kind.data,
                [campaigns[code] for code in form.campaigns.data],
                form.min_campaigns.data,
                actor=current_user,
            )
        except DomainError as error:
            db.session.rollback()
            form.min_campaigns.errors.append(error.message)
        else:
            audit.record(
                "reward.period_saved",
                actor=current_user,
                target=period,
                code=period.code,
                campaigns=[c.code for c in period.campaigns],
                min_campaigns=period.min_campaigns,
            )
            db.session.commit()
            flash(_("Đã lưu đợt xét khen thưởng."), "success")
            return redirect(
                url_for("rewards.candidates_page", kind="periods", code=period.code)
            )
    status = 400 if request.method == "POST" else 200
    return render_template("rewards/period_form.html", form=form), status


def _form_errors(form) -> str:
    return "; ".join(
        f"{form[name].label.text}: {' '.join(errors)}"
        for name, errors in form.errors.items()
        if name in form
    )


def _audit_export(kind: str, target, unit: Unit | None) -> None:
    start_writing()
    audit.record(
        "reward.exported",
        actor=current_user,
        target=target,
        kind=kind,
        code=target.code,
        unit=unit.code if unit is not None else None,
    )
    db.session.commit()


def _xlsx(data: bytes, name: str) -> Response:
    response = Response(data, mimetype=XLSX_MIME)
    response.headers["Content-Disposition"] = content_disposition(name)
    return response


@bp.get(f"/<any({KINDS}):kind>/<code>/candidates.xlsx")
@role_required("hr", "admin")
@not_from_other_sites
def candidates_xlsx(kind: str, code: str):
    """The candidates' workbook. For a scope of more than EXPORT_JOB_ROWS cadres
    and units, a background job makes it (rewards/jobs.py: the lists are built
    there, not in this request) and the officer is taken to its page."""
    target, unit, as_of = _target(kind, code), _unit(), _as_of()
    paths = services.scope_of(current_user, unit, as_of.day)
    _audit_export("candidates.xlsx", target, unit)
    name = exports.filename("Ứng viên khen thưởng", target, "xlsx", unit)
    if services.people_in_scope(paths) > current_app.config["EXPORT_JOB_ROWS"]:
        params = {"kind": kind, "code": code, "unit": unit.id if unit else None}
        params |= as_of.args
        if unit is None:  # the officer's subtrees now (kept: see reward_jobs)
            params["scope"] = paths
        return jobs.started(
            jobs.submit(
                reward_jobs.KIND,
                _candidates_title(target, unit),
                current_user.id,
                params,
            )
        )
    collectives, individuals = services.candidate_lists(target, paths, as_of)
    data = exports.candidates_xlsx(target, collectives, individuals, as_of)
    return _xlsx(data, name)


def _candidates_title(target, unit: Unit | None):
    """The title of a candidates' workbook job: of one unit, or of the officer's
    whole scope (the jobs of several units are told apart in "Việc của tôi")."""
    if unit is None:
        return _l("Ứng viên khen thưởng %(code)s (XLSX)", code=target.code)
    return _l(
        "Ứng viên khen thưởng %(code)s — %(unit)s (XLSX)",
        code=target.code,
        unit=unit.name,
    )


@bp.get(f"/<any({KINDS}):kind>/<code>/nominations.xlsx")
@role_required("hr", "admin")
@not_from_other_sites
def nominations_xlsx(kind: str, code: str):
    target, unit = _target(kind, code), _unit()
    rows = services.visible_nominations(current_user, target, unit)
    data = exports.nominations_xlsx(target, rows)
    _audit_export("nominations.xlsx", target, unit)
    return _xlsx(data, exports.filename("Đề nghị khen thưởng", target, "xlsx", unit))


@bp.get(f"/<any({KINDS}):kind>/<code>/paper")
@role_required("hr", "admin")
def paper(kind: str, code: str):
    target, unit, as_of = _target(kind, code), _unit(), _as_of()
    if unit is None:
        unit = visibility.default_unit(
            current_user, target if isinstance(target, Campaign) else None
        )
    rows = services.visible_nominations(current_user, target, unit)
    nonce = secrets.token_urlsafe(16)
    page = render_template(
        "rewards/paper.html",
        kind=kind,
        paper=exports.paper(
            target, unit, rows, current_app.config, reading=Reading.of(as_of)
        ),
        as_of=as_of,
        nominee=exports.nominee_values,
        nonce=nonce,
        standalone=False,
    )
    response = Response(page, mimetype="text/html")
    response.headers["Content-Security-Policy"] = CSP.replace(
        "style-src 'self'", f"style-src 'self' 'nonce-{nonce}'"
    )
    return response
