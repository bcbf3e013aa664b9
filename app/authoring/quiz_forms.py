from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from app.errors import lazy_gettext as _l
from app.forms import FlaskForm, SubForm
from app.quizzes.questions import (
    ATTEMPTS_ALLOWED,
    DRAW_COUNT,
    PASS_PERCENT,
    QUESTIONS_PER_PAGE,
    TIME_LIMIT_MINUTES,
    DrawRule,
)

RULE_ROWS = 12  # empty rows offered; a draw with more rules gets a row for each
MAX_RULE_ROWS = 100  # rows read from a posted form
REVIEW_LABELS = {
    "none": _l("Không cho xem gì"),
    "score": _l("Chỉ xem điểm"),
    "after_submit": _l("Xem điểm, đáp án và giải thích ngay sau khi nộp"),
    "after_close": _l("Xem điểm ngay; đáp án sau khi bài kiểm tra đóng"),
}


class RuleForm(SubForm):
    count = IntegerField(
        _l("Số câu"),
        validators=[Optional(), NumberRange(min=DRAW_COUNT[0], max=DRAW_COUNT[1])],
    )
    bank = SelectField(_l("Ngân hàng"), validate_choice=False)
    tag = StringField(_l("hoặc thẻ"), validators=[Length(max=60)])


def whole_number(label, low: int, high: int) -> IntegerField:
    """A required whole number from `low` to `high`, with Vietnamese messages."""
    return IntegerField(
        label,
        validators=[
            InputRequired(_l("Nhập một số.")),
            NumberRange(min=low, max=high, message=_l("Từ %(min)s đến %(max)s.")),
        ],
    )


class QuizSettingsForm(FlaskForm):
    title = StringField(
        _l("Tên bài kiểm tra"), validators=[DataRequired(), Length(max=255)]
    )
    time_limit_minutes = whole_number(
        _l("Thời gian làm bài (phút)"), *TIME_LIMIT_MINUTES
    )
    pass_percent = whole_number(_l("Điểm đạt (%)"), *PASS_PERCENT)
    attempts_allowed = whole_number(_l("Số lượt làm bài"), *ATTEMPTS_ALLOWED)
    questions_per_page = whole_number(_l("Số câu mỗi trang"), *QUESTIONS_PER_PAGE)
    shuffle_questions = BooleanField(_l("Xáo trộn thứ tự câu hỏi"))
    shuffle_options = BooleanField(_l("Xáo trộn thứ tự lựa chọn"))
    partial_credit = BooleanField(_l("Chấm điểm từng phần cho câu nhiều đáp án"))
    review_policy = SelectField(
        _l("Chế độ xem lại"),
        choices=[SelectChoice(k, v) for k, v in REVIEW_LABELS.items()],
    )
    rules = FieldList(
        FormField(RuleForm), min_entries=RULE_ROWS, max_entries=MAX_RULE_ROWS
    )
    # The quiz's content hash when the page was opened: a save over settings saved
    # since (another tab, another trainer, a file sync) is refused once.
    base = HiddenField()

    def draw_rules(self) -> tuple[DrawRule, ...]:
        return draw_rules_of(self.rules)


def fill_rules(rows: FieldList, draw: tuple[DrawRule, ...]) -> None:
    """Show each rule of `draw` in a row of its own: a draw of more rules than the
    rows offered (a file may have them) gets rows added, so that saving the form
    keeps every rule. Added rows get the bank choices of the first."""
    while len(rows) < len(draw):
        rows.append_entry()
        rows[-1].form.bank.choices = rows[0].form.bank.choices
    for row, rule in zip(rows, draw, strict=False):
        row.form.count.data = rule.count
        row.form.bank.data = rule.bank or ""
        row.form.tag.data = rule.tag or ""


def draw_rules_of(rows: FieldList) -> tuple[DrawRule, ...]:
    """The filled rows of a form's RuleForms as rules (checked by
    content.quiz_editing.draw_problems)."""
    rules = []
    for row in rows:
        count, bank = row.form.count.data, row.form.bank.data or None
        tag = (row.form.tag.data or "").strip() or None
        if count is None and not bank and not tag:
            continue
        rules.append(DrawRule(count, bank, tag))
    return tuple(rules)
