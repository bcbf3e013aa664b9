from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from app.errors import lazy_gettext as _l
from app.forms import FlaskForm

from .models import UNIT_KINDS


class LoginForm(FlaskForm):
    username = StringField(
        _l("Tên đăng nhập"), validators=[DataRequired(), Length(max=80)]
    )
    password = PasswordField(
        _l("Mật khẩu"), validators=[DataRequired(), Length(max=200)]
    )


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Mật khẩu hiện tại"), validators=[DataRequired()])
    new = PasswordField(
        _l("Mật khẩu mới"), validators=[DataRequired(), Length(min=8, max=200)]
    )
    confirm = PasswordField(
        _l("Nhập lại mật khẩu mới"),
        validators=[
            DataRequired(),
            EqualTo("new", message=_l("Hai mật khẩu không khớp.")),
        ],
    )


def _kind_choices():
    return [SelectChoice(k, _l(v)) for k, v in UNIT_KINDS.items()]


class DatedForm(FlaskForm):
    """A change with the day it takes effect (default today) and its decision."""

    effective = DateField(
        _l("Có hiệu lực từ ngày"),
        validators=[Optional()],
        description=_l("Để trống: hôm nay. Có thể là ngày đã qua hoặc sắp tới."),
    )
    decision = StringField(
        _l("Quyết định (số, ngày)"), validators=[Optional(), Length(max=255)]
    )


class UnitCreateForm(DatedForm):
    code = StringField(_l("Mã đơn vị"), validators=[DataRequired(), Length(max=40)])
    name = StringField(_l("Tên đơn vị"), validators=[DataRequired(), Length(max=255)])
    kind = SelectField(_l("Loại đơn vị"), choices=_kind_choices())
    parent_code = StringField(
        _l("Mã đơn vị cấp trên"), validators=[Optional(), Length(max=40)]
    )


class UnitRenameForm(DatedForm):
    name = StringField(_l("Tên mới"), validators=[DataRequired(), Length(max=255)])


class UnitMoveForm(DatedForm):
    """A new parent by its code, or the top level when that box is ticked: an
    empty code alone is a slip, not a wish to lift the unit and its subtree."""

    parent_code = StringField(
        _l("Mã đơn vị cấp trên mới"), validators=[Optional(), Length(max=40)]
    )
    to_top = BooleanField(_l("Đưa lên cấp cao nhất (không có đơn vị cấp trên)"))

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if bool(self.parent_code.data) == bool(self.to_top.data):
            self.parent_code.errors.append(
                _l("Nhập mã đơn vị cấp trên mới, hoặc chọn đưa lên cấp cao nhất.")
            )
            return False
        return True


class UnitMergeForm(DatedForm):
    target_code = StringField(
        _l("Mã đơn vị tiếp nhận"), validators=[DataRequired(), Length(max=40)]
    )


class UnitRecodeForm(DatedForm):
    admin_code = StringField(
        _l("Mã đơn vị hành chính (để trống: bỏ mã)"),
        validators=[Optional(), Length(max=20)],
    )


class UnitRestructureForm(DatedForm):
    """A merge into one or more units, or a split: successor codes, the first the
    primary one, and where each cadre goes."""

    target_codes = StringField(
        _l("Mã các đơn vị tiếp nhận, cách nhau bởi dấu phẩy (đơn vị đầu là chính)"),
        validators=[DataRequired(), Length(max=400)],
    )
    cadre_map = TextAreaField(
        _l("Cán bộ sang đơn vị khác đơn vị chính: mỗi dòng “mã cán bộ; mã đơn vị”"),
        validators=[Optional(), Length(max=100_000)],
    )


class UnitImportForm(FlaskForm):
    file = FileField(_l("Tệp CSV hoặc XLSX"), validators=[FileRequired()])
    effective = DateField(
        _l("Có hiệu lực từ ngày"),
        validators=[Optional()],
        description=_l("Để trống: hôm nay."),
    )


class MoveCadreForm(FlaskForm):
    unit_code = StringField(
        _l("Mã đơn vị mới (trong phạm vi của bạn)"),
        validators=[DataRequired(), Length(max=40)],
    )
    effective = DateField(
        _l("Có hiệu lực từ ngày"),
        validators=[Optional()],
        description=_l("Để trống: hôm nay."),
    )


class EmptyForm(FlaskForm):
    """A form with only its CSRF token, for buttons that post."""


def flash_refused(form: FlaskForm, error=None, field=None) -> None:
    """Say once at the top that `form` was not saved, for a page that shows it again
    with its typed values and each problem beside its field (the `field` macro of
    _macros.html): a domain's refusal, `error`, goes beside `field`, the one it is
    about. The error of a field the page does not show (a hidden one) is said at
    the top itself."""
    from flask import flash
    from flask_babel import gettext as _

    if error is not None:
        field.errors = [*field.errors, error.message]
    hidden = ("CSRFTokenField", "HiddenField")
    for message in (e for f in form if f.type in hidden for e in f.errors):
        flash(message, "error")
    if any(f.errors for f in form if f.type not in hidden):
        flash(_("Chưa lưu: xem các lỗi bên dưới."), "error")


def flash_form_errors(form: FlaskForm) -> None:
    """Flash each field error as "Label: message" (for forms posted from a list page
    that redirects back)."""
    from flask import flash

    for field in form:
        for error in field.errors:  # a confirmation box's label is a sentence
            confirm = field.type == "BooleanField"
            flash(error if confirm else f"{field.label.text}: {error}", "error")
