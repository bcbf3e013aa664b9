"""Admin pages for the unit tree: browse, create, rename, move, merge, import."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.database import int_arg
from app.errors import DomainError, ImportRejected, InvalidInput
from app.extensions import db
from app.numbers import count
from app.security import role_required
from app.signals import unit_campaign_asked
from app.tabular import TableError
from app.uploads import check_token, takes_upload

from .. import asof, history, scope
from .. import units as unit_services
from ..forms import (
    DatedForm,
    UnitCreateForm,
    UnitImportForm,
    UnitMergeForm,
    UnitMoveForm,
    UnitRecodeForm,
    UnitRenameForm,
    UnitRestructureForm,
    flash_form_errors,
)
from ..importing import read_unit_rows
from ..models import Unit, UnitEvent, UnitVersion, User
from .blueprint import bp
from .unit_changes import as_of_arg


def _unit_or_404(unit_id: int) -> Unit:
    return db.get_or_404(Unit, unit_id)


@bp.get("/admin/units")
@role_required("admin")
def units():
    parent_id = int_arg("parent")
    parent = _unit_or_404(parent_id) if parent_id else None
    day = as_of_arg()
    if day is not None:
        return _units_as_of(parent, day)
    children = unit_services.children_of(parent)
    counts = _cadre_counts(children)
    return render_template(
        "accounts/units.html",
        parent=parent,
        children=children,
        counts=counts,
        ancestors=unit_services.ancestors_of(parent) if parent else [],
        form=UnitCreateForm(parent_code=parent.code if parent else ""),
        import_form=UnitImportForm(),
    )


def _units_as_of(parent: Unit | None, day):
    """The tree as it was on `day`, below `parent` (read-only)."""
    top = asof.unit_as_of(parent.id, day) if parent else None
    children = asof.children_as_of(parent, day) if parent is None or top else []
    ids = scope.path_ids(top.path) if top else []
    return render_template(
        "accounts/units_as_of.html",
        day=day,
        parent=parent,
        top=top,
        ancestors=[v for v in asof.tree_as_of(day) if v.unit_id in ids[:-1]],
        children=children,
        counts=asof.cadre_counts_as_of(children, day),
        codes=dict(db.session.execute(select(Unit.id, Unit.code)).all()),
    )


def _cadre_counts(units: list[Unit]) -> dict[int, int]:
    """Cadres in each unit's subtree, in one grouped query."""
    if not units:
        return {}
    head, member = aliased(Unit), aliased(Unit)
    rows = db.session.execute(
        select(head.id, func.count(User.id))
        .join(member, member.in_subtree(head.path))
        .join(User, User.unit_id == member.id)
        .where(head.id.in_([u.id for u in units]))
        .group_by(head.id)
    )
    counts = dict.fromkeys((u.id for u in units), 0)
    counts.update({unit_id: count for unit_id, count in rows})
    return counts


@bp.post("/admin/units")
@role_required("admin")
def create_unit():
    form = UnitCreateForm()
    if form.validate_on_submit():
        try:
            parent = (
                unit_services.get_unit_by_code(form.parent_code.data)
                if form.parent_code.data
                else None
            )
            unit = unit_services.create_unit(
                form.code.data,
                form.name.data,
                form.kind.data,
                parent,
                current_user,
                effective=form.effective.data,
                decision=form.decision.data or "",
            )
        except DomainError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Đã tạo đơn vị %(name)s.", name=unit.name), "success")
            return redirect(url_for("accounts.unit", unit_id=unit.id))
    else:
        flash_form_errors(form)
    return redirect(url_for("accounts.units"))


@bp.get("/admin/units/<int:unit_id>")
@role_required("admin")
def unit(unit_id: int):
    unit = _unit_or_404(unit_id)
    events = db.session.scalars(
        select(UnitEvent)
        .where(UnitEvent.unit_id == unit.id)
        .order_by(UnitEvent.at.desc())
    ).all()
    versions = db.session.scalars(
        select(UnitVersion)
        .where(UnitVersion.unit_id == unit.id)
        .order_by(UnitVersion.valid_from.desc(), UnitVersion.id.desc())
    ).all()
    last = asof.on_last_day(unit)
    return render_template(
        "accounts/unit.html",
        unit=unit,
        events=events,
        versions=versions,
        successions=history.successions_of(unit),
        current=history.unit_as_of(unit.id, history.vn_today()),
        today=history.vn_today(),
        parents=dict(
            db.session.execute(
                select(Unit.id, Unit.name).where(
                    Unit.id.in_(sorted({v.parent_id for v in versions if v.parent_id}))
                )
            ).all()
        ),
        recode_form=UnitRecodeForm(),
        restructure_form=UnitRestructureForm(),
        dissolve_form=DatedForm(),
        # an ended unit: the units above it on its last day, linked as of then
        ancestors=last.ancestors if last else unit_services.ancestors_of(unit),
        children=unit_services.children_of(unit),
        # an ended unit: its cadres of its last day (LastDay.cadres), not today's
        cadre_count=None if last else _cadre_counts([unit])[unit.id],
        last=last,
        last_campaign=_campaign_on(unit, last.day) if last else None,
        rename_form=UnitRenameForm(name=unit.name),
        move_form=UnitMoveForm(),
        merge_form=UnitMergeForm(),
    )


def _campaign_on(unit: Unit, day) -> str | None:
    """The code of the campaign of `unit`'s reports of `day`, as the records
    domain answers (app.signals.unit_campaign_asked); None: the dashboard's
    default."""
    answers = [code for _r, code in unit_campaign_asked.send(unit, day=day) if code]
    return answers[0] if answers else None


def _act(unit_id: int, form, action):
    unit = _unit_or_404(unit_id)
    if form.validate_on_submit():
        try:
            message = action(unit, form)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(message, "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("accounts.unit", unit_id=unit_id))


@bp.post("/admin/units/<int:unit_id>/rename")
@role_required("admin")
def rename_unit(unit_id: int):
    def action(unit, form):
        unit_services.rename_unit(
            unit,
            form.name.data,
            current_user,
            effective=form.effective.data,
            decision=form.decision.data or "",
        )
        return _dated_message(_("Đã đổi tên đơn vị."), form.effective.data)

    return _act(unit_id, UnitRenameForm(), action)


@bp.post("/admin/units/<int:unit_id>/move")
@role_required("admin")
def move_unit(unit_id: int):
    def action(unit, form):
        code = form.parent_code.data
        parent = unit_services.get_unit_by_code(code) if code else None
        unit_services.move_unit(
            unit,
            parent,
            current_user,
            effective=form.effective.data,
            decision=form.decision.data or "",
        )
        return _dated_message(_("Đã chuyển đơn vị."), form.effective.data)

    return _act(unit_id, UnitMoveForm(), action)


@bp.post("/admin/units/<int:unit_id>/recode")
@role_required("admin")
def recode_unit(unit_id: int):
    def action(unit, form):
        unit_services.recode_unit(
            unit,
            form.admin_code.data or "",
            current_user,
            effective=form.effective.data,
            decision=form.decision.data or "",
        )
        return _dated_message(_("Đã ghi mã hành chính."), form.effective.data)

    return _act(unit_id, UnitRecodeForm(), action)


def _dated_message(message: str, day) -> str:
    """`message`, saying when a change dated in the future will apply."""
    if day is not None and day > history.vn_today():
        return _(
            "%(message)s Thay đổi có hiệu lực từ %(day)s và được áp dụng vào ngày đó.",
            message=message,
            day=history.format_day(day),
        )
    return message


@bp.get("/admin/units/<int:unit_id>/merge")
@role_required("admin")
def merge_unit_preview(unit_id: int):
    """The confirm step: which cadres and units would move; changes nothing."""
    unit = _unit_or_404(unit_id)
    code = request.args.get("target_code", "").strip()
    decision = request.args.get("decision", "").strip()[:255]
    try:
        day = history.parse_day(request.args.get("effective"))
        if not code:
            raise InvalidInput(_("Nhập mã đơn vị tiếp nhận."))
        target = unit_services.get_unit_by_code(code)
        preview = unit_services.merge_preview(unit, target, effective=day)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("accounts.unit", unit_id=unit.id))
    names = [f"{p.full_name} ({p.employee_code or p.username})" for p in preview.cadres]
    return render_template(
        "confirm.html",
        title=_(
            "Sáp nhập %(a)s vào %(b)s?", a=unit.display_name, b=target.display_name
        ),
        effects=_merge_effects(unit, target, preview, day),
        details=[
            (
                _("Cán bộ chuyển đi"),
                names,
                preview.cadre_count - len(names),
            ),
            (
                _("Đơn vị cấp dưới chuyển đi"),
                [f"{c.code} · {c.display_name}" for c in preview.children],
                0,
            ),
        ],
        action=url_for("accounts.merge_unit", unit_id=unit.id),
        fields={
            "target_code": target.code,
            "effective": day.isoformat() if day else "",
            "decision": decision,
        },
        button=_("Sáp nhập"),
        cancel=url_for("accounts.unit", unit_id=unit.id),
    )


def _merge_effects(unit: Unit, target: Unit, preview, day) -> list[str]:
    """The lines saying what merging `unit` into `target` from `day` does."""
    return [
        ngettext(
            "chuyển %(n)s cán bộ trực thuộc %(a)s sang %(b)s;",
            "chuyển %(n)s cán bộ trực thuộc %(a)s sang %(b)s;",
            preview.cadre_count,
            n=count(preview.cadre_count),
            a=unit.display_name,
            b=target.display_name,
        ),
        ngettext(
            "chuyển %(n)s đơn vị cấp dưới (cùng cán bộ của chúng) sang %(b)s;",
            "chuyển %(n)s đơn vị cấp dưới (cùng cán bộ của chúng) sang %(b)s;",
            len(preview.children),
            n=count(len(preview.children)),
            b=target.display_name,
        ),
        _(
            "cho %(a)s ngừng hoạt động, trỏ tới %(b)s. Hồ sơ cũ giữ nguyên; "
            "không hoàn tác được bằng một nút.",
            a=unit.display_name,
            b=target.display_name,
        ),
        _(
            "có hiệu lực từ ngày %(day)s.",
            day=history.format_day(day or history.vn_today()),
        ),
    ]


@bp.post("/admin/units/<int:unit_id>/merge")
@role_required("admin")
def merge_unit(unit_id: int):
    if request.form.get("confirm") != "1":
        return redirect(
            url_for(
                "accounts.merge_unit_preview",
                unit_id=unit_id,
                target_code=request.form.get("target_code", ""),
                effective=request.form.get("effective", ""),
                decision=request.form.get("decision", ""),
            )
        )

    def action(unit, form):
        target = unit_services.get_unit_by_code(form.target_code.data)
        moved = unit_services.merge_unit(
            unit,
            target,
            current_user,
            effective=form.effective.data,
            decision=form.decision.data or "",
        )
        return ngettext(
            "Đã sáp nhập vào %(name)s; chuyển %(n)s cán bộ.",
            "Đã sáp nhập vào %(name)s; chuyển %(n)s cán bộ.",
            moved,
            n=count(moved),
            name=target.name,
        )

    return _act(unit_id, UnitMergeForm(), action)


@bp.post("/admin/units/import")
@takes_upload
@role_required("admin")
def import_units():
    check_token()  # after the role check: a learner's body is never read
    form = UnitImportForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("accounts.units"))
    upload = form.file.data
    try:
        rows = read_unit_rows(upload.read(), upload.filename or "upload.csv")
        counts = unit_services.import_units(
            rows, upload.filename, current_user, effective=form.effective.data
        )
    except ImportRejected as error:
        db.session.rollback()
        return render_template("accounts/import_errors.html", error=error), 400
    except (TableError, DomainError) as error:
        db.session.rollback()
        flash(str(getattr(error, "message", error)), "error")
        return redirect(url_for("accounts.units"))
    db.session.commit()
    flash(
        _(
            "Đã nhập: %(created)s mới, %(updated)s cập nhật, %(unchanged)s không đổi.",
            **{key: count(value) for key, value in counts.items()},
        ),
        "success",
    )
    return redirect(url_for("accounts.units"))
