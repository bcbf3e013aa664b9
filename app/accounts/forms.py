from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional

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
    return [SelectChoice(k, v) for k, v in UNIT_KINDS.items()]


class UnitCreateForm(FlaskForm):
    code = StringField(_l("Mã đơn vị"), validators=[DataRequired(), Length(max=40)])
    name = StringField(_l("Tên đơn vị"), validators=[DataRequired(), Length(max=255)])
    kind = SelectField(_l("Loại đơn vị"), choices=_kind_choices())
    parent_code = StringField(
        _l("Mã đơn vị cấp trên"), validators=[Optional(), Length(max=40)]
    )


class UnitRenameForm(FlaskForm):
    name = StringField(_l("Tên mới"), validators=[DataRequired(), Length(max=255)])


class UnitMoveForm(FlaskForm):
    parent_code = StringField(
        _l("Mã đơn vị cấp trên mới (để trống: cấp cao nhất)"),
        validators=[Optional(), Length(max=40)],
    )


class UnitMergeForm(FlaskForm):
    target_code = StringField(
        _l("Mã đơn vị tiếp nhận"), validators=[DataRequired(), Length(max=40)]
    )


class UnitImportForm(FlaskForm):
    file = FileField(_l("Tệp CSV hoặc XLSX"), validators=[FileRequired()])


class MoveCadreForm(FlaskForm):
    unit_code = StringField(
        _l("Mã đơn vị mới (trong phạm vi của bạn)"),
        validators=[DataRequired(), Length(max=40)],
    )


class EmptyForm(FlaskForm):
    """A form with only its CSRF token, for buttons that post."""


def flash_form_errors(form: FlaskForm) -> None:
    """Flash each field error as "Label: message" (for forms posted from a list page
    that redirects back)."""
    from flask import flash

    for field in form:
        for error in field.errors:
            flash(f"{field.label.text}: {error}", "error")
