"""Forms of the contest editor: the contest itself, and one round."""

from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    ValidationError,
)

from app.contests.models import OVERALL_BEST, OVERALL_SUM, PRIZE_LEVELS
from app.errors import lazy_gettext as _l
from app.forms import FlaskForm, InYears
from app.quizzes.questions import (
    ATTEMPTS_ALLOWED,
    QUESTIONS_PER_PAGE,
    TIME_LIMIT_MINUTES,
)
from app.records.forms import LOCAL, UnitsField

from .quiz_forms import MAX_RULE_ROWS, RULE_ROWS, RuleForm, whole_number

PRIZE_LABELS = {
    "nhat": _l("Số giải Nhất"),
    "nhi": _l("Số giải Nhì"),
    "ba": _l("Số giải Ba"),
    "khuyen_khich": _l("Số giải Khuyến khích"),
}


class ContestForm(FlaskForm):
    title = StringField(
        _l("Tên cuộc thi"), validators=[DataRequired(), Length(max=255)]
    )
    organiser = StringField(
        _l("Đơn vị tổ chức"), validators=[DataRequired(), Length(max=255)]
    )
    description = TextAreaField(
        _l("Giới thiệu (Markdown)"), validators=[Length(max=20000)]
    )
    rules = TextAreaField(
        _l("Thể lệ (Markdown)"), validators=[DataRequired(), Length(max=50000)]
    )
    overall = SelectField(
        _l("Xếp hạng chung của cuộc thi"),
        choices=[
            SelectChoice(OVERALL_SUM, _l("Cộng kết quả các đợt")),
            SelectChoice(OVERALL_BEST, _l("Lấy đợt có kết quả tốt nhất")),
        ],
    )
    one_prize_per_contest = BooleanField(
        _l("Mỗi người nhận nhiều nhất một giải trong cả cuộc thi")
    )
    targets = UnitsField(
        _l("Đơn vị dự thi (cán bộ của đơn vị và các đơn vị trực thuộc)")
    )
    # editing.contest_base when the page was opened: a save over the contest's
    # fields saved since (another tab, another trainer, a file sync) is refused once.
    base = HiddenField()


class RoundForm(FlaskForm):
    title = StringField(_l("Tên đợt thi"), validators=[DataRequired(), Length(max=255)])
    opens_at = DateTimeLocalField(
        _l("Mở lúc (giờ Việt Nam)"),
        format=LOCAL,
        validators=[InputRequired(), InYears()],
    )
    closes_at = DateTimeLocalField(
        _l("Đóng lúc (giờ Việt Nam)"),
        format=LOCAL,
        validators=[InputRequired(), InYears()],
    )
    time_limit_minutes = whole_number(
        _l("Thời gian làm bài (phút)"), *TIME_LIMIT_MINUTES
    )
    attempts_allowed = whole_number(_l("Số lượt làm bài"), *ATTEMPTS_ALLOWED)
    questions_per_page = whole_number(_l("Số câu mỗi trang"), *QUESTIONS_PER_PAGE)
    shuffle_questions = BooleanField(_l("Xáo trộn thứ tự câu hỏi"))
    shuffle_options = BooleanField(_l("Xáo trộn thứ tự lựa chọn"))
    prediction = TextAreaField(
        _l("Câu hỏi dự đoán"), validators=[DataRequired(), Length(max=1000)]
    )
    prize_nhat = whole_number(PRIZE_LABELS["nhat"], 0, 1000)
    prize_nhi = whole_number(PRIZE_LABELS["nhi"], 0, 1000)
    prize_ba = whole_number(PRIZE_LABELS["ba"], 0, 1000)
    prize_khuyen_khich = whole_number(PRIZE_LABELS["khuyen_khich"], 0, 1000)
    rules = FieldList(
        FormField(RuleForm), min_entries=RULE_ROWS, max_entries=MAX_RULE_ROWS
    )
    base = HiddenField()  # editing.round_base when the page was opened

    def validate_closes_at(self, field):
        if self.opens_at.data and field.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("Đợt thi phải đóng sau khi mở."))

    def prizes(self) -> tuple[tuple[str, int], ...]:
        return tuple(
            (level, getattr(self, f"prize_{level}").data) for level in PRIZE_LEVELS
        )
