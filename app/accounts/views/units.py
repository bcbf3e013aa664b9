"""Admin pages for the unit tree: browse, create, rename, move, merge, import."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from app.database import int_arg
from app.errors import Conflict, DomainError, ImportRejected, InvalidInput
from app.extensions import db
from app.numbers import count
from app.security import role_required
from app.tabular import TableError
from app.uploads import check_token, read_upload, takes_upload

from .. import asof, history, scope
from .. import units as unit_services
from ..forms import (
    UnitCreateForm,
    UnitImportForm,
    UnitMergeForm,
    UnitMoveForm,
    UnitRecodeForm,
    UnitRenameForm,
    flash_form_errors,
    flash_refused,
)
from ..importing import read_unit_rows
from ..models import Unit
from .blueprint import bp
from .unit_changes import as_of_arg
from .unit_page import cadre_counts, unit_page


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
    return _units_page(parent)


def _units_page(parent: Unit | None, form: UnitCreateForm | None = None):
    """The units below `parent`, with the form adding one: empty, or `form` shown
    again as it was posted."""
    children = unit_services.children_of(parent)
    return render_template(
        "accounts/units.html",
        parent=parent,
        children=children,
        counts=cadre_counts(children),
        ancestors=unit_services.ancestors_of(parent) if parent else [],
        form=form or UnitCreateForm(parent_code=parent.code if parent else ""),
        import_form=UnitImportForm(formdata=None),
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


@bp.post("/admin/units")
@role_required("admin")
def create_unit():
    """Add a unit; refused, the page it was posted from (`?parent=`) again, the
    form as typed with each problem beside its field."""
    parent_id = int_arg("parent")
    page = _unit_or_404(parent_id) if parent_id else None
    form = UnitCreateForm()
    if not form.validate_on_submit():
        flash_refused(form)
        return _units_page(page, form), 400
    field = form.effective  # the field a refusal is about, step by step
    try:
        history.effective(form.effective.data)
        field = form.parent_code
        code = form.parent_code.data
        parent = unit_services.get_unit_by_code(code) if code else None
        field = form.parent_code if parent else form.code
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
        db.session.rollback()
        flash_refused(form, error, form.code if isinstance(error, Conflict) else field)
        return _units_page(page, form), 400
    db.session.commit()
    flash(_("Đã tạo đơn vị %(name)s.", name=unit.name), "success")
    return redirect(url_for("accounts.unit", unit_id=unit.id))


@bp.get("/admin/units/<int:unit_id>")
@role_required("admin")
def unit(unit_id: int):
    return unit_page(_unit_or_404(unit_id))


def _act(unit_id: int, form, slot: str, action, about: str):
    """The flow of a form of the unit's page (`slot`, its name there): `action`
    done and committed, or, refused, the page again with the form as typed, each
    problem beside its field — a refusal of the day beside the day, any other of
    `action` beside the field named `about`."""
    unit = _unit_or_404(unit_id)
    if not form.validate_on_submit():
        flash_refused(form)
        return unit_page(unit, **{slot: form}), 400
    field = form.effective
    try:
        history.effective(form.effective.data)
        field = form[about]
        message = action(unit, form)
    except DomainError as error:
        db.session.rollback()
        flash_refused(form, error, field)
        return unit_page(unit, **{slot: form}), 400
    db.session.commit()
    flash(message, "success")
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

    return _act(unit_id, UnitRenameForm(), "rename_form", action, "name")


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

    return _act(unit_id, UnitMoveForm(), "move_form", action, "parent_code")


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

    return _act(unit_id, UnitRecodeForm(), "recode_form", action, "admin_code")


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
    form = UnitMergeForm(formdata=request.args, meta={"csrf": False})
    field = form.effective  # the field a refusal is about, step by step
    try:
        day = history.parse_day(request.args.get("effective"))
        field = form.target_code
        if not code:
            raise InvalidInput(_("Nhập mã đơn vị tiếp nhận."))
        target = unit_services.get_unit_by_code(code)
        preview = unit_services.merge_preview(unit, target, effective=day)
    except DomainError as error:
        flash_refused(form, error, field)
        return unit_page(unit, merge_form=form), 400
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

    return _act(unit_id, UnitMergeForm(), "merge_form", action, "target_code")


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
        rows = read_unit_rows(read_upload(upload), upload.filename or "upload.csv")
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
