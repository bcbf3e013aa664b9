"""HR pages to import cadres: upload → preview (nothing written) → confirm.

The uploaded bytes wait in a private folder (the instance folder by default) under a
random token bound to the uploader; confirming starts a background job
(accounts/jobs.py) that parses, plans and writes them again — the form carries no
data — and the file is deleted after the import or after an hour.
"""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import BooleanField, DateField, SelectField
from wtforms.validators import Optional

from app.errors import InvalidInput
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.forms import FlaskForm
from app.jobs import services as jobs
from app.security import role_required
from app.tabular import TableError
from app.uploads import FORM_OVERHEAD, FileTooBig, max_bytes, read_upload, takes_upload

from .. import cadre_import
from ..jobs import UPLOADS, stored_day
from ..models import Unit
from ..permissions import get_scoped_unit, scoped_units
from ..units import tree_order
from .blueprint import bp

PREVIEW_ROWS = 300  # rows shown per section of the preview; the counts cover all


class CadreImportForm(FlaskForm):
    file = FileField(
        _l("Tệp danh sách (CSV hoặc XLSX)"),
        validators=[FileRequired(_l("Hãy chọn tệp danh sách."))],
    )
    unit = SelectField(_l("Nhập vào đơn vị"), coerce=int)
    effective = DateField(_l("Có hiệu lực từ ngày"), validators=[Optional()])


class ConfirmImportForm(FlaskForm):
    accept_warnings = BooleanField(
        _l("Tôi đã kiểm tra các cảnh báo ở trên và đồng ý nhập như vậy")
    )


@bp.route("/cadres/import", methods=["GET", "POST"])
@takes_upload  # the form checks its token itself, after the size check below
@role_required("hr", "admin")
def import_cadres():
    limit = max_bytes()
    size = request.content_length or 0
    if request.method == "POST" and size > limit + FORM_OVERHEAD:
        return _form_page(_empty_form(), _too_big(size, limit), 413)
    request.max_content_length = limit + FORM_OVERHEAD  # caps a body without length
    try:
        form = CadreImportForm()
    except RequestEntityTooLarge:
        return _form_page(_empty_form(), _too_big(size, limit), 413)
    form.unit.choices = _unit_choices()
    if not form.validate_on_submit():
        if form.is_submitted() and form.csrf_token.errors:
            return _form_page(
                form,
                _(
                    "Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang "
                    "và thử lại."
                ),
                400,
            )
        return _form_page(form)
    upload = form.file.data
    try:
        data = read_upload(upload)
    except FileTooBig:
        return _form_page(form, _too_big(size, limit), 413)
    unit = get_scoped_unit(current_user, form.unit.data, "hr")
    try:
        rows = cadre_import.parse_cadre_file(data, upload.filename or "tệp.csv")
    except TableError as error:
        return _form_page(form, str(error), 400)
    try:
        plan = cadre_import.plan_import(
            rows, unit, current_user, effective=form.effective.data
        )
    except InvalidInput as error:
        # the file was read; what it asks is refused (a unit, the effective day)
        return _form_page(form, str(error.message), 400, read=True)
    token = None
    if not plan.has_errors:
        token = _store(data, rows.source, unit.id, plan.has_warnings, plan.effective)
    return _preview_page(plan, token, 400 if plan.has_errors else 200)


@bp.post("/cadres/import/<token>/confirm")
@role_required("hr", "admin")
def confirm_cadre_import(token: str):
    stored = _load(token)
    if stored is None:
        flash(
            _(
                "Bản xem trước đã hết hạn hoặc đã được nhập. Hãy tải tệp lên lại để "
                "xem trước."
            ),
            "error",
        )
        return redirect(url_for("accounts.import_cadres"))
    meta, data = stored
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        flash(_("Biểu mẫu đã hết hạn. Hãy tải tệp lên lại."), "error")
        return redirect(url_for("accounts.import_cadres"))
    unit = get_scoped_unit(current_user, meta["unit_id"], "hr")
    if meta.get("warnings") and not form.accept_warnings.data:
        flash(_("Hãy đánh dấu ô xác nhận đã kiểm tra các cảnh báo."), "error")
        plan = cadre_import.plan_import(
            cadre_import.parse_cadre_file(data, meta["filename"]),
            unit,
            current_user,
            effective=stored_day(meta),
        )
        return _preview_page(plan, token, 400)
    # Checked again against the data of now and written by a background job.
    job = jobs.submit(
        "cadres.import",
        _l(
            "Nhập cán bộ từ %(file)s vào %(unit)s",
            file=meta["filename"],
            unit=unit.name,
        ),
        current_user.id,
        {"token": token, "accept_warnings": bool(form.accept_warnings.data)},
    )
    return jobs.started(job)


def _empty_form() -> CadreImportForm:
    form = CadreImportForm(formdata=None)  # does not touch the request body
    form.unit.choices = _unit_choices()
    return form


def _unit_choices() -> list[tuple[int, str]]:
    query = scoped_units(current_user, "hr").where(Unit.active.is_(True))
    units = tree_order(db.session.scalars(query))
    top = min((u.depth for u in units), default=0)
    return [(u.id, f"{'— ' * (u.depth - top)}{u.code} · {u.name}") for u in units]


def _too_big(size: int, limit: int) -> str:
    return cadre_import.too_big_message(size, limit)


def _form_page(
    form: CadreImportForm, error: str | None = None, status: int = 200, read=False
):
    return render_template(
        "accounts/cadre_import.html",
        form=form,
        error=error,
        read=read,
        limit_mb=max_bytes() / 1e6,
    ), status


def _preview_page(plan, token: str | None, status: int):
    def rows(predicate):
        chosen = [r for r in plan.rows if predicate(r)]
        return chosen[:PREVIEW_ROWS], max(0, len(chosen) - PREVIEW_ROWS)

    return render_template(
        "accounts/cadre_import_preview.html",
        plan=plan,
        counts=plan.counts,
        token=token,
        form=ConfirmImportForm(formdata=None),
        problems=rows(lambda r: r.errors or r.warnings),
        fixes=rows(lambda r: r.row.fixes),
        updates=rows(lambda r: r.action == cadre_import.UPDATE),
        creates=rows(lambda r: r.action == cadre_import.CREATE),
        field_labels={
            "full_name": _("Họ và tên"),
            "given_name": _("Tên"),
            "position": _("Chức vụ"),
        },
        encoding_labels={"tcvn3": "TCVN3", "vni": "VNI"},
    ), status


# --- the uploaded file, kept between preview and confirmation ------------------------


def _store(data: bytes, filename: str, unit_id: int, warnings: bool, day) -> str:
    return UPLOADS.store(
        data,
        unit_id=unit_id,
        filename=filename,
        warnings=warnings,
        effective=day.isoformat() if day else None,
    )


_load = UPLOADS.load
