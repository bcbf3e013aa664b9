"""Forms of the campaign pages: create, edit, a unit's own window, close."""

from wtforms import (
    BooleanField,
    DateTimeLocalField,
    Field,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from app.accounts.models import CATEGORIES
from app.errors import lazy_gettext as _l
from app.forms import FlaskForm, InYears, code_format

MAX_TARGETS = 50
LOCAL = "%Y-%m-%dT%H:%M"


class UnitsField(Field):
    """Several unit pickers of one name (accounts.unit_picker): the texts typed or
    chosen, blanks dropped."""

    def _value(self):
        return ""

    def process_formdata(self, valuelist):
        self.data = [v.strip()[:300] for v in valuelist if v.strip()]

    def pre_validate(self, form):
        if not self.data:
            raise ValidationError(_l("Cần chọn ít nhất một đơn vị."))
        if len(self.data) > MAX_TARGETS:
            raise ValidationError(_l("Tối đa %(n)d đơn vị.", n=MAX_TARGETS))


def _categories() -> SelectMultipleField:
    return SelectMultipleField(
        _l("Đối tượng (để trống: tất cả)"),
        choices=[SelectChoice(k, _l(v)) for k, v in CATEGORIES.items()],  # read shown
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


def _moment(label) -> DateTimeLocalField:
    return DateTimeLocalField(
        label, format=LOCAL, validators=[InputRequired(), InYears()]
    )


class _Window:
    def validate_closes_at(self, field):
        if self.opens_at.data and field.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("Thời điểm đóng phải sau thời điểm mở."))


class CampaignEditForm(_Window, FlaskForm):
    title = StringField(
        _l("Tên đợt bồi dưỡng"), validators=[DataRequired(), Length(max=255)]
    )
    opens_at = _moment(_l("Mở bài kiểm tra lúc"))
    closes_at = _moment(_l("Đóng bài kiểm tra lúc"))
    targets = UnitsField(_l("Đơn vị áp dụng (gồm cả đơn vị cấp dưới)"))
    categories = _categories()


class CampaignForm(CampaignEditForm):
    code = StringField(
        _l("Mã đợt"), validators=[DataRequired(), Length(max=60), code_format()]
    )
    year = IntegerField(  # InputRequired: "abc" is said to be no number, not missing
        _l("Năm"), validators=[InputRequired(), NumberRange(2000, 2100)]
    )
    course_code = SelectField(_l("Khóa học"), validators=[DataRequired()])
    quiz_code = SelectField(_l("Bài kiểm tra cuối khóa"), validators=[DataRequired()])


class UnitWindowForm(_Window, FlaskForm):
    unit = StringField(  # suggested by the page's datalist (records/_unit_picker.html)
        _l("Đơn vị (gõ tên để tìm)"),
        validators=[DataRequired(), Length(max=300)],
        render_kw={"list": "unit-options"},
    )
    # ids of their own: the campaign form on the same page has opens_at, closes_at
    opens_at = DateTimeLocalField(
        _l("Mở lúc"),
        format=LOCAL,
        validators=[Optional(), InYears()],
        id="window-opens_at",
    )
    closes_at = DateTimeLocalField(
        _l("Đóng lúc"),
        format=LOCAL,
        validators=[Optional(), InYears()],
        id="window-closes_at",
    )
    remove = BooleanField(_l("Bỏ thời gian riêng, theo thời gian chung của đợt"))


class CloseCampaignForm(FlaskForm):
    confirm = BooleanField(
        _l(
            "Tôi hiểu: không ai bắt đầu làm bài được nữa, "
            "các lượt đang làm kết thúc ngay."
        ),
        validators=[DataRequired(_l("Cần xác nhận trước khi đóng đợt."))],
    )


class RequireModulesForm(FlaskForm):
    confirm = BooleanField(
        _l(
            "Tôi hiểu: cán bộ chưa hoàn thành phải đọc đủ các học phần này; người "
            "đã hoàn thành giữ nguyên kết quả và giấy chứng nhận."
        ),
        validators=[DataRequired(_l("Cần xác nhận trước khi đổi học phần bắt buộc."))],
    )
