from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.database import MAX_INT
from app.errors import lazy_gettext as _l
from app.forms import FlaskForm

from .services import MESSAGE_MAX


class ReminderForm(FlaskForm):
    """The confirmation of a reminder: the campaign and unit previewed, and the
    officer's optional words."""

    campaign = HiddenField(validators=[DataRequired(), Length(max=60)])
    unit = IntegerField(validators=[DataRequired(), NumberRange(1, MAX_INT)])
    message = TextAreaField(
        _l("Lời nhắn thêm (không bắt buộc)"),
        validators=[Optional(), Length(max=MESSAGE_MAX)],
        render_kw={"maxlength": MESSAGE_MAX},
    )
