from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.content.banks import OPTION_KEYS
from app.content.frontmatter import SLUG
from app.errors import lazy_gettext as _l
from app.forms import FlaskForm, SubForm
from app.quizzes.questions import (
    FALSE_KEY,
    MULTIPLE,
    SINGLE,
    TRUE_KEY,
    TRUEFALSE,
    OptionData,
    QuestionData,
    true_false_label,
)

MIN_OPTION_ROWS = 2  # rows never fewer than this (a question needs two options)
NEW_OPTION_ROWS = 4  # rows a new question starts with
MAX_OPTIONS = 10  # rows never more than this
ADD_OPTION, REMOVE_OPTION = "add_option", "remove-"  # the row buttons' actions
EMPTY_OPTION = _l(
    "Phương án để trống: hãy ghi nội dung, hoặc bỏ dấu “Đúng” và phản hồi."
)


def true_false_choices() -> list[SelectChoice]:
    """The true/false answer's choices, in the request's language: "Đúng" is also
    the word of a right option ("Correct"), so the answer's words have a context of
    their own ("True"/"False" in English)."""
    return [SelectChoice(key, true_false_label(key)) for key in (TRUE_KEY, FALSE_KEY)]


TYPE_LABELS = {
    SINGLE: _l("Một đáp án đúng"),
    MULTIPLE: _l("Nhiều đáp án đúng"),
    TRUEFALSE: _l("Đúng / Sai"),
}


class OptionForm(SubForm):
    text = StringField(_l("Lựa chọn"), validators=[Length(max=1000)])
    correct = BooleanField(_l("Đúng"))
    feedback = StringField(_l("Phản hồi khi chọn"), validators=[Length(max=1000)])

    def blank_but_used(self) -> bool:
        """No text, yet ticked correct or given a feedback: not a blank row to skip
        (its tick or feedback would be dropped unseen)."""
        blank = not (self.text.data or "").strip()
        return blank and bool(self.correct.data or (self.feedback.data or "").strip())


def _tag_list(value: str) -> list[str]:
    return [t.strip() for t in (value or "").split(",") if t.strip()]


class QuestionForm(FlaskForm):
    type = SelectField(
        _l("Loại câu hỏi"), choices=[SelectChoice(k, v) for k, v in TYPE_LABELS.items()]
    )
    stem = TextAreaField(
        _l("Đề bài (Markdown)"), validators=[DataRequired(), Length(max=10000)]
    )
    # One row more than allowed is read, so that too many rows are refused (by
    # validate_options) rather than cut silently.
    options = FieldList(
        FormField(OptionForm), min_entries=MIN_OPTION_ROWS, max_entries=MAX_OPTIONS + 1
    )
    answer = RadioField(
        _l("Đáp án (câu Đúng/Sai)"),
        # Labelled in __init__, in the request's language (true_false_choices).
        choices=[SelectChoice("true", "true"), SelectChoice("false", "false")],
        validators=[Optional()],
    )
    feedback_true = StringField(
        _l("Phản hồi khi chọn “Đúng”"), validators=[Length(max=1000)]
    )
    feedback_false = StringField(
        _l("Phản hồi khi chọn “Sai”"), validators=[Length(max=1000)]
    )
    explanation = TextAreaField(
        _l("Giải thích (Markdown)"), validators=[DataRequired(), Length(max=10000)]
    )
    source = StringField(
        _l("Nguồn (điều, khoản được hỏi)"),
        validators=[DataRequired(), Length(max=400)],
    )
    tags = StringField(
        _l("Thẻ (cách nhau bằng dấu phẩy)"), validators=[Length(max=400)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.answer.choices = true_false_choices()

    def validate_tags(self, field):
        bad = [t for t in _tag_list(field.data) if not SLUG.match(t)]
        if bad:
            raise ValidationError(
                _l(
                    "Thẻ chỉ gồm chữ thường không dấu, chữ số và “-”: %(tags)s",
                    tags=", ".join(bad),
                )
            )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return self._check_rows() and valid

    def _check_rows(self) -> bool:
        """A question with options (not Đúng/Sai) has no row without text that is
        ticked or has a feedback; the error is put beside the row."""
        if self.type.data not in (SINGLE, MULTIPLE):
            return True
        used = [r.form for r in self.options if r.form.blank_but_used()]
        for row in used:
            row.text.errors = [*row.text.errors, EMPTY_OPTION]
        return not used

    def validate_options(self, field):
        if len(field.entries) > MAX_OPTIONS:
            raise ValidationError(
                _l("Tối đa %(n)d phương án cho một câu hỏi.", n=MAX_OPTIONS)
            )

    def pad_options(self, rows: int = NEW_OPTION_ROWS) -> None:
        """Blank rows up to `rows` (a new question starts with four)."""
        while len(self.options.entries) < min(rows, MAX_OPTIONS):
            self.options.append_entry()

    def change_rows(self, action: str) -> str | None:
        """Carry out a row button: ADD_OPTION adds a blank row, "remove-<n>" takes
        out the row at position n (from 0). Returns None when `action` is not a row
        action; else "" when done, or the reason nothing changed."""
        rows = self.options.entries
        if action == ADD_OPTION:
            if len(rows) >= MAX_OPTIONS:
                return str(_l("Tối đa %(n)d phương án cho một câu hỏi.", n=MAX_OPTIONS))
            self.options.append_entry()
            return ""
        if not action.startswith(REMOVE_OPTION):
            return None
        position = action.removeprefix(REMOVE_OPTION)
        if not position.isdigit() or int(position) >= len(rows):
            return str(_l("Không có phương án này để xóa."))
        if len(rows) <= MIN_OPTION_ROWS:
            return str(_l("Câu hỏi cần ít nhất %(n)d phương án.", n=MIN_OPTION_ROWS))
        kept = [row.form.data for i, row in enumerate(rows) if i != int(position)]
        self._set_rows(kept)
        return ""

    def _set_rows(self, values: list[dict]) -> None:
        """Rebuild the rows from `values` (dicts of text, correct, feedback), named
        options-0…n-1 again."""
        self.options.entries, self.options.last_index = [], -1
        for value in values:
            form = self.options.append_entry().form
            form.text.data, form.correct.data = value["text"], value["correct"]
            form.feedback.data = value["feedback"]

    def fill(self, data: QuestionData) -> None:
        self.type.data, self.stem.data = data.type, data.stem
        while len(self.options.entries) < min(len(data.options), MAX_OPTIONS):
            self.options.append_entry()
        for row, option in zip(self.options, data.options, strict=False):
            row.form.text.data = option.text
            row.form.correct.data = option.correct
            row.form.feedback.data = option.feedback
        if data.answer is not None:
            self.answer.data = "true" if data.answer else "false"
        self.feedback_true.data = data.feedback_true
        self.feedback_false.data = data.feedback_false
        self.explanation.data, self.source.data = data.explanation, data.source
        self.tags.data = ", ".join(data.tags)

    def question(self, code: str) -> QuestionData:
        """The question the form describes (options: the non-blank rows, keyed a, b,
        … in order). Checked by question_problems, not here."""
        rows = [r.form for r in self.options if (r.form.text.data or "").strip()]
        kind = self.type.data
        return QuestionData(
            code=code,
            type=kind,
            stem=(self.stem.data or "").replace("\r\n", "\n").strip(),
            options=tuple(
                OptionData(
                    OPTION_KEYS[i],
                    " ".join(r.text.data.split()),
                    bool(r.correct.data),
                    None,
                    " ".join((r.feedback.data or "").split()),
                )
                for i, r in enumerate(rows)
            ),
            answer=(self.answer.data == "true")
            if kind == TRUEFALSE and self.answer.data
            else None,
            explanation=(self.explanation.data or "").replace("\r\n", "\n").strip(),
            source=" ".join((self.source.data or "").split()),
            tags=tuple(_tag_list(self.tags.data)),
            feedback_true=" ".join((self.feedback_true.data or "").split())
            if kind == TRUEFALSE
            else "",
            feedback_false=" ".join((self.feedback_false.data or "").split())
            if kind == TRUEFALSE
            else "",
        )


class BankForm(FlaskForm):
    code = StringField(_l("Mã ngân hàng"), validators=[DataRequired(), Length(max=60)])
    title = StringField(
        _l("Tên ngân hàng"), validators=[DataRequired(), Length(max=255)]
    )
    owner = SelectField(_l("Đơn vị quản lý"), coerce=int)
    module_code = StringField(
        _l("Học phần (mã, không bắt buộc)"), validators=[Optional(), Length(max=40)]
    )


class UploadForm(FlaskForm):
    file = FileField(
        _l("Tệp câu hỏi"), validators=[FileRequired(_l("Hãy chọn tệp câu hỏi."))]
    )
    format = SelectField(
        _l("Định dạng"),
        choices=[
            SelectChoice(
                "auto", _l("Tự nhận theo đuôi tệp (.gift, .xml, .docx; còn: Aiken)")
            ),
            SelectChoice("gift", "GIFT (Moodle)"),
            SelectChoice("moodle-xml", "Moodle XML"),
            SelectChoice("aiken", "Aiken"),
            SelectChoice("word", "Word (.docx)"),
        ],
    )
