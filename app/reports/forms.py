"""Forms of the HR pages: a cadre's accommodations."""

from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.errors import lazy_gettext as _l
from app.forms import FlaskForm
from app.quizzes.accommodations import (
    MAX_EXTRA_ATTEMPTS,
    MAX_EXTRA_MINUTES,
    MAX_EXTRA_PERCENT,
    MAX_REASON,
)


def _extra(label, high: int) -> IntegerField:
    return IntegerField(
        label,
        default=0,
        validators=[
            Optional(),
            NumberRange(min=0, max=high, message=_l("Từ %(min)s đến %(max)s.")),
        ],
        render_kw={"inputmode": "numeric", "min": 0, "max": high},
    )


class AccommodationForm(FlaskForm):
    quiz_code = SelectField(_l("Bài kiểm tra"), validators=[DataRequired()])
    extra_minutes = _extra(_l("Thêm số phút"), MAX_EXTRA_MINUTES)
    extra_percent = _extra(_l("Thêm theo tỷ lệ thời gian (%)"), MAX_EXTRA_PERCENT)
    extra_attempts = _extra(_l("Thêm số lượt làm bài"), MAX_EXTRA_ATTEMPTS)
    reason = TextAreaField(
        _l("Lý do (ghi vào nhật ký)"),
        validators=[DataRequired(), Length(max=MAX_REASON)],
        render_kw={"rows": 2, "maxlength": MAX_REASON},
    )


class RemoveAccommodationForm(FlaskForm):
    reason = TextAreaField(
        _l("Lý do bỏ điều chỉnh"),
        validators=[DataRequired(), Length(max=MAX_REASON)],
        render_kw={"rows": 1, "maxlength": MAX_REASON},
    )
