from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from app.forms import FlaskForm


class ModuleForm(FlaskForm):
    title = StringField(
        _l("Tiêu đề học phần"), validators=[DataRequired(), Length(max=255)]
    )
    minutes = IntegerField(
        _l("Thời gian đọc (phút)"),
        validators=[
            InputRequired(_l("Nhập số phút, từ 1 đến 600.")),
            NumberRange(min=1, max=600, message=_l("Từ 1 đến 600 phút.")),
        ],
    )
    objectives = TextAreaField(_l("Mục tiêu (mỗi dòng một mục tiêu)"))
    sources = TextAreaField(_l("Nguồn, căn cứ (mỗi dòng một văn bản)"))
    body = TextAreaField(
        _l("Nội dung (Markdown)"),
        validators=[DataRequired(_l("Nội dung không được để trống."))],
    )


class NewModuleForm(FlaskForm):
    code = StringField(_l("Mã học phần"), validators=[DataRequired(), Length(max=40)])
    title = StringField(
        _l("Tiêu đề học phần"), validators=[DataRequired(), Length(max=255)]
    )
