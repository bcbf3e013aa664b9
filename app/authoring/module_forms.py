from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from app.content.modules import MODULE_MINUTES
from app.errors import lazy_gettext as _l
from app.forms import FlaskForm

LOW, HIGH = MODULE_MINUTES  # as a module file's "minutes"


class ModuleForm(FlaskForm):
    title = StringField(
        _l("Tiêu đề học phần"), validators=[DataRequired(), Length(max=255)]
    )
    minutes = IntegerField(
        _l("Thời gian đọc (phút)"),
        validators=[
            InputRequired(
                _l("Nhập số phút, từ %(low)s đến %(high)s.", low=LOW, high=HIGH)
            ),
            NumberRange(
                LOW, HIGH, _l("Từ %(low)s đến %(high)s phút.", low=LOW, high=HIGH)
            ),
        ],
    )
    objectives = TextAreaField(_l("Mục tiêu (mỗi dòng một mục tiêu)"))
    sources = TextAreaField(_l("Nguồn, căn cứ (mỗi dòng một văn bản)"))
    body = TextAreaField(
        _l("Nội dung (Markdown)"),
        validators=[DataRequired(_l("Nội dung không được để trống."))],
    )
    # module_editing.editing_base when the page was opened: a draft save over a
    # change saved since (another tab, another trainer) is refused once.
    base = HiddenField()


class NewModuleForm(FlaskForm):
    code = StringField(_l("Mã học phần"), validators=[DataRequired(), Length(max=40)])
    title = StringField(
        _l("Tiêu đề học phần"), validators=[DataRequired(), Length(max=255)]
    )
