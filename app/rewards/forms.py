"""Forms of the rewards pages: the campaign's rule, a period, a nomination and its
withdrawal. Bounds are checked here; rules needing the database in services."""

from wtforms import (
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)
from wtforms.widgets import CheckboxInput, ListWidget

from app.database import MAX_INT
from app.errors import lazy_gettext as _l
from app.forms import FlaskForm, code_format

from .models import COLLECTIVE, INDIVIDUAL, PERIOD_KINDS
from .periods import MAX_CAMPAIGNS
from .services import MAX_ACHIEVEMENT, MAX_NOTE

MAX_CADRES = 100_000


def _percent(label) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            InputRequired(),
            NumberRange(min=0, max=100, message=_l("Từ %(min)s đến %(max)s.")),
        ],
        render_kw={"inputmode": "numeric", "min": 0, "max": 100},
    )


class RuleForm(FlaskForm):
    FIELDS = (
        "unit_completion_percent",
        "unit_pass_percent",
        "unit_min_cadres",
        "person_first_percent",
    )
    unit_completion_percent = _percent(_l("Tập thể: tỷ lệ hoàn thành tối thiểu (%)"))
    unit_pass_percent = _percent(_l("Tập thể: tỷ lệ đạt bài kiểm tra tối thiểu (%)"))
    unit_min_cadres = IntegerField(
        _l("Tập thể: số cán bộ tối thiểu (0: không đặt)"),
        default=0,
        validators=[
            InputRequired(),
            NumberRange(min=0, max=MAX_CADRES, message=_l("Từ %(min)s đến %(max)s.")),
        ],
        render_kw={"inputmode": "numeric", "min": 0, "max": MAX_CADRES},
    )
    person_first_percent = _percent(
        _l("Cá nhân: điểm tối thiểu của lần làm bài đầu tiên (%)")
    )


class PeriodForm(FlaskForm):
    code = StringField(
        _l("Mã đợt xét"),
        validators=[
            DataRequired(),
            Length(max=60),
            code_format(),
        ],
    )
    title = StringField(_l("Tên đợt xét"), validators=[DataRequired(), Length(max=255)])
    kind = SelectField(
        _l("Loại"),
        choices=[SelectChoice(k, _l(v)) for k, v in PERIOD_KINDS.items()],  # shown
        validators=[DataRequired()],
    )
    campaigns = SelectMultipleField(
        _l("Các đợt bồi dưỡng gộp lại"),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[DataRequired(_l("Cần chọn ít nhất một đợt bồi dưỡng."))],
    )
    min_campaigns = IntegerField(
        _l("Số đợt tham gia tối thiểu"),
        default=1,
        validators=[
            InputRequired(),
            NumberRange(
                min=1, max=MAX_CAMPAIGNS, message=_l("Từ %(min)s đến %(max)s.")
            ),
        ],
        render_kw={"inputmode": "numeric", "min": 1, "max": MAX_CAMPAIGNS},
    )


class NominateForm(FlaskForm):
    # hidden, but named in words when a forged or damaged form is refused
    kind = HiddenField(
        _l("Loại đề nghị"),
        validators=[AnyOf((COLLECTIVE, INDIVIDUAL), message=_l("Không hợp lệ."))],
    )
    # ids: within the database's integers (a larger one would fail the query)
    unit_id = IntegerField(
        _l("Đơn vị được đề nghị"),
        validators=[InputRequired(), NumberRange(min=1, max=MAX_INT)],
    )
    user_id = IntegerField(
        _l("Cán bộ được đề nghị"),
        validators=[Optional(), NumberRange(min=1, max=MAX_INT)],
    )
    achievement = TextAreaField(
        _l("Thành tích"),
        validators=[Optional(), Length(max=MAX_ACHIEVEMENT)],
        render_kw={"rows": 2, "maxlength": MAX_ACHIEVEMENT},
    )
    note = TextAreaField(
        _l("Ghi chú"),
        validators=[Optional(), Length(max=MAX_NOTE)],
        render_kw={"rows": 1, "maxlength": MAX_NOTE},
    )


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        _l("Lý do rút đề nghị"),
        validators=[DataRequired(), Length(max=MAX_NOTE)],
        render_kw={"rows": 1, "maxlength": MAX_NOTE},
    )
