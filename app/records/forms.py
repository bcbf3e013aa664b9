from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.accounts.models import CATEGORIES


class CampaignForm(FlaskForm):
    code = StringField(_l("Mã đợt"), validators=[DataRequired(), Length(max=60)])
    title = StringField(
        _l("Tên đợt bồi dưỡng"), validators=[DataRequired(), Length(max=255)]
    )
    year = IntegerField(_l("Năm"), validators=[DataRequired(), NumberRange(2000, 2100)])
    course_code = SelectField(_l("Khóa học"), validators=[DataRequired()])
    quiz_code = SelectField(_l("Bài kiểm tra cuối khóa"), validators=[DataRequired()])
    opens_on = DateField(_l("Ngày bắt đầu"), validators=[DataRequired()])
    closes_on = DateField(_l("Ngày kết thúc"), validators=[DataRequired()])
    unit_codes = StringField(
        _l("Mã các đơn vị áp dụng (cách nhau bởi dấu phẩy; gồm cả đơn vị cấp dưới)"),
        validators=[DataRequired(), Length(max=2000)],
    )
    categories = SelectMultipleField(
        _l("Đối tượng (để trống: tất cả)"),
        choices=[SelectChoice(k, v) for k, v in CATEGORIES.items()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def validate_closes_on(self, field):
        if self.opens_on.data and field.data and field.data < self.opens_on.data:
            raise ValidationError(_l("Ngày kết thúc phải sau ngày bắt đầu."))
