"""Admin pages for the dated mergers (into one or more units), splits and
dissolutions of a unit: a form posts to a confirm step (which changes nothing),
whose button posts again with confirm=1."""

from collections import Counter

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.errors import DomainError, InvalidInput
from app.extensions import db
from app.numbers import count
from app.security import role_required

from .. import history, restructure
from .. import units as unit_services
from ..forms import DatedForm, UnitRestructureForm, flash_refused
from ..models import Unit, User
from .blueprint import bp
from .unit_page import unit_page

KINDS = ("merge", "split", "dissolve")
SHOWN = 100


def as_of_arg():
    """The day of `?as_of=YYYY-MM-DD`, or None (absent, or bad: then a message)."""
    try:
        return history.parse_day(request.args.get("as_of"))
    except DomainError as error:
        flash(error.message, "error")
        return None


def _targets(text: str) -> list[Unit]:
    codes = [c.strip() for c in (text or "").replace(";", ",").split(",")]
    return [unit_services.get_unit_by_code(c) for c in codes if c]


@bp.post("/admin/units/<int:unit_id>/restructure/<kind>")
@role_required("admin")
def restructure_unit(unit_id: int, kind: str):
    """Merge into one or more units, split, or dissolve `unit_id` from a day: the
    first post shows what would happen; the confirmed one does it."""
    unit = db.get_or_404(Unit, unit_id)
    if kind not in KINDS:
        return redirect(url_for("accounts.unit", unit_id=unit.id))
    form = UnitRestructureForm() if kind != "dissolve" else DatedForm()
    slot = "dissolve_form" if kind == "dissolve" else f"restructure_{kind}"
    back = redirect(url_for("accounts.unit", unit_id=unit.id))
    if not form.validate_on_submit():
        flash_refused(form)
        return unit_page(unit, **{slot: form}), 400
    decision = form.decision.data or ""
    blame = []  # the fields a refusal may be about, the last its own
    try:
        change = _plan(unit, form, kind, blame)
        if request.form.get("confirm") == "1":
            moved = restructure.apply(change, decision, current_user)
            db.session.commit()
            flash(
                ngettext(
                    "Đã ghi thay đổi có hiệu lực từ %(day)s; %(n)s cán bộ chuyển sang "
                    "đơn vị tiếp nhận.",
                    "Đã ghi thay đổi có hiệu lực từ %(day)s; %(n)s cán bộ chuyển sang "
                    "đơn vị tiếp nhận.",
                    moved,
                    day=history.format_day(change.day),
                    n=count(moved),
                ),
                "success",
            )
            return back
    except DomainError as error:
        db.session.rollback()
        flash_refused(form, error, blame[-1])
        return unit_page(unit, **{slot: form}), 400
    return _confirm(unit, change, form, decision)


def _plan(unit: Unit, form, kind: str, blame: list):
    """The change `form` asks of `unit`, planned (nothing written); each step
    first adds to `blame` the field a refusal of its own is about."""
    blame.append(form.effective)
    day = history.effective(form.effective.data)
    targets, cadre_map = [], ""
    if kind != "dissolve":
        blame.append(form.target_codes)
        targets = _targets(form.target_codes.data)
        if kind == "merge" and not targets:
            raise InvalidInput(_("Nhập mã đơn vị tiếp nhận."))
        blame.append(form.cadre_map)
        cadre_map = form.cadre_map.data or ""
    mapping = restructure.parse_cadre_map(cadre_map, targets)
    blame.append(form.target_codes if kind != "dissolve" else form.effective)
    return restructure.plan(unit, targets, day, kind, mapping)


def _confirm(unit: Unit, change, form, decision: str):
    """The confirm step of `change`: what it would do; its button posts the form
    again with confirm=1."""
    titles = {
        "merge": _("Sáp nhập %(a)s?", a=unit.display_name),
        "split": _("Chia tách %(a)s?", a=unit.display_name),
        "dissolve": _("Giải thể %(a)s?", a=unit.display_name),
    }
    effects = _effects(unit, change)
    names = _cadre_names(change)
    fields = {
        "effective": change.day.isoformat(),
        "decision": decision,
    }
    if change.kind != "dissolve":
        fields["target_codes"] = form.target_codes.data
        fields["cadre_map"] = form.cadre_map.data or ""
    return render_template(
        "confirm.html",
        title=titles[change.kind],
        effects=effects,
        details=[
            (_("Cán bộ chuyển đi"), names, len(change.cadres) - len(names)),
            (
                _("Đơn vị cấp dưới chuyển đi"),
                [
                    f"{db.session.get(Unit, i).code} → {t.code}"
                    for i, t in change.children.items()
                ],
                0,
            ),
        ],
        action=url_for("accounts.restructure_unit", unit_id=unit.id, kind=change.kind),
        fields=fields,
        button=titles[change.kind].rstrip("?"),
        cancel=url_for("accounts.unit", unit_id=unit.id),
    )


def _effects(unit: Unit, change) -> list[str]:
    """The lines saying what `change` does: the unit leaves the tree, what each
    successor receives, and when a change dated ahead applies."""
    counts = change.cadre_counts()
    children = Counter(target.id for target in change.children.values())
    effects = [
        _(
            "từ ngày %(day)s, %(a)s không còn trong cơ cấu; lịch sử trước ngày đó "
            "giữ nguyên;",
            day=history.format_day(change.day),
            a=unit.display_name,
        )
    ]
    for successor in change.successors:
        effects.append(
            _(
                "%(b)s nhận %(n)s và %(m)s%(primary)s;",
                b=successor.display_name,
                n=ngettext(
                    "%(n)s cán bộ",
                    "%(n)s cán bộ",
                    counts[successor.id],
                    n=count(counts[successor.id]),
                ),
                m=ngettext(
                    "%(n)s đơn vị cấp dưới",
                    "%(n)s đơn vị cấp dưới",
                    children[successor.id],
                    n=count(children[successor.id]),
                ),
                primary=_(" (đơn vị kế thừa chính)")
                if successor is change.primary
                else "",
            )
        )
    if change.day > history.vn_today():
        effects.append(_("thay đổi được áp dụng vào ngày có hiệu lực."))
    return effects


def _cadre_names(change) -> list[str]:
    """The first SHOWN cadres `change` moves, as "name → successor's code"."""
    ids = list(change.cadres)[:SHOWN]
    people = {u.id: u for u in db.session.query(User).filter(User.id.in_(ids))}
    return [
        f"{people[i].full_name} → {change.cadres[i].code}" for i in ids if i in people
    ]
