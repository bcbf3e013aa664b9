"""The base form: Flask-WTF's FlaskForm whose built-in validator and field messages
(WTForms' and Flask-WTF's own, written in English) are given in the page's language.

WTForms ships no Vietnamese catalogue, so its English messages are mapped here to
Vietnamese messages of our own catalogue (app/translations), translated back to
English when English is chosen. A validator given an explicit `message=` keeps it.
Every form subclasses this FlaskForm instead of flask_wtf's.
"""

import re
from collections.abc import Callable

from flask_babel import get_translations
from flask_wtf import FlaskForm as _FlaskForm
from wtforms import Form
from wtforms.validators import Regexp, ValidationError

from app.errors import lazy_gettext as _l
from app.numbers import count

# WTForms' (and Flask-WTF's) English message -> ours. A plural message has a pair
# (singular, plural) of ours. Placeholders are kept: the validator fills them in.
_MESSAGES: dict = {
    "This field is required.": _l("Vui lòng điền trường này."),
    "Invalid input.": _l("Giá trị không hợp lệ."),
    "Invalid email address.": _l("Địa chỉ thư điện tử không hợp lệ."),
    "Invalid IP address.": _l("Địa chỉ IP không hợp lệ."),
    "Invalid Mac address.": _l("Địa chỉ MAC không hợp lệ."),
    "Invalid URL.": _l("Địa chỉ URL không hợp lệ."),
    "Invalid UUID.": _l("Mã UUID không hợp lệ."),
    "Field must be equal to %(other_name)s.": _l(
        "Giá trị phải trùng với %(other_name)s."
    ),
    "Field must be between %(min)d and %(max)d characters long.": _l(
        "Cần từ %(min)d đến %(max)d ký tự."
    ),
    "Number must be at least %(min)s.": _l("Số phải từ %(min)s trở lên."),
    "Number must be at most %(max)s.": _l("Số không được lớn hơn %(max)s."),
    "Number must be between %(min)s and %(max)s.": _l(
        "Số phải từ %(min)s đến %(max)s."
    ),
    "Date must be at least %(min)s.": _l("Ngày phải từ %(min)s trở đi."),
    "Date must be at most %(max)s.": _l("Ngày không được sau %(max)s."),
    "Date must be between %(min)s and %(max)s.": _l(
        "Ngày phải từ %(min)s đến %(max)s."
    ),
    "Invalid value, must be one of: %(values)s.": _l(
        "Giá trị không hợp lệ; phải là một trong: %(values)s."
    ),
    "Invalid value, can't be any of: %(values)s.": _l(
        "Giá trị không hợp lệ; không được là: %(values)s."
    ),
    "This field cannot be edited.": _l("Trường này không sửa được."),
    "This field is disabled and cannot have a value.": _l(
        "Trường này đang bị khóa và không được có giá trị."
    ),
    "Invalid CSRF Token.": _l("Mã bảo vệ biểu mẫu không hợp lệ."),
    "CSRF token missing.": _l("Thiếu mã bảo vệ biểu mẫu."),
    "CSRF failed.": _l("Kiểm tra bảo vệ biểu mẫu không thành công."),
    "CSRF token expired.": _l("Mã bảo vệ biểu mẫu đã hết hạn."),
    "The CSRF token is missing.": _l("Thiếu mã bảo vệ biểu mẫu."),
    "The CSRF token is invalid.": _l("Mã bảo vệ biểu mẫu không hợp lệ."),
    "The CSRF token has expired.": _l("Mã bảo vệ biểu mẫu đã hết hạn."),
    "Invalid Choice: could not coerce.": _l("Lựa chọn không hợp lệ."),
    "Choices cannot be None.": _l("Chưa có lựa chọn nào."),
    "Not a valid choice.": _l("Lựa chọn không hợp lệ."),
    "Invalid choice(s): one or more data inputs could not be coerced.": _l(
        "Có lựa chọn không hợp lệ."
    ),
    "Not a valid datetime value.": _l("Ngày giờ không hợp lệ."),
    "Not a valid date value.": _l("Ngày không hợp lệ."),
    "Not a valid time value.": _l("Giờ không hợp lệ."),
    "Not a valid week value.": _l("Tuần không hợp lệ."),
    "Not a valid integer value.": _l("Cần nhập một số nguyên."),
    "Not a valid decimal value.": _l("Cần nhập một số."),
    "Not a valid float value.": _l("Cần nhập một số."),
    "File does not have an approved extension: {extensions}": _l(
        "Tệp không có đuôi được chấp nhận: {extensions}"
    ),
    "File does not have an approved extension.": _l(
        "Tệp không có đuôi được chấp nhận."
    ),
}


def ngettext(
    singular: str, plural: str, counted: str | None = None
) -> Callable[[int], str]:
    """One of our plural messages, translated for a count when WTForms asks (named
    ngettext so that pybabel extracts it). Placeholders are left to WTForms, but
    the `counted` one, the count itself: a character limit can reach thousands, and
    WTForms writes integers bare ("10000"), so it is written here as the page
    writes numbers ("10.000" / "10,000")."""
    if counted is None:
        return lambda n: get_translations().ngettext(singular, plural, n)

    def translated(n: int) -> str:
        text = get_translations().ngettext(singular, plural, n)
        return (text % {counted: count(n)}).replace("%", "%%")  # WTForms fills again

    return translated


_PLURALS: dict[str, Callable[[int], str]] = {
    "Field must be at least %(min)d character long.": ngettext(
        "Cần ít nhất %(min)s ký tự.", "Cần ít nhất %(min)s ký tự.", "min"
    ),
    "Field cannot be longer than %(max)d character.": ngettext(
        "Không được dài quá %(max)s ký tự.", "Không được dài quá %(max)s ký tự.", "max"
    ),
    "Field must be exactly %(max)d character long.": ngettext(
        "Cần đúng %(max)s ký tự.", "Cần đúng %(max)s ký tự.", "max"
    ),
    "'%(value)s' is not a valid choice for this field.": ngettext(
        "“%(value)s” không phải lựa chọn hợp lệ.",
        "“%(value)s” không phải lựa chọn hợp lệ.",
    ),
}

_FILE_SIZE = re.compile(r"File must be between (\d+) and (\d+) bytes\.")


class WTFormsTranslations:
    """The gettext/ngettext WTForms calls for its built-in messages."""

    def gettext(self, string: str) -> str:
        ours = _MESSAGES.get(string)
        if ours is not None:
            return str(ours)
        size = _FILE_SIZE.fullmatch(string)
        if size is not None:
            return str(
                _l(
                    "Tệp phải có dung lượng từ %(low)s đến %(high)s byte.",
                    low=size.group(1),
                    high=size.group(2),
                )
            )
        return string

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        ours = _PLURALS.get(singular)
        if ours is None:
            return singular if n == 1 else plural
        return ours(n)


class FlaskForm(_FlaskForm):
    class Meta(_FlaskForm.Meta):
        def get_translations(self, form):
            return WTFormsTranslations()

        def render_field(self, field, render_kw):
            """A hidden input (the CSRF token, a form's hidden value) has no id: no
            label points at it, and a page of several forms would otherwise repeat
            `id="csrf_token"`. An id given when rendering is kept."""
            if getattr(field.widget, "input_type", None) == "hidden":
                render_kw = {"id": False, **render_kw}
            return super().render_field(field, render_kw)


class SubForm(Form):
    """A form nested in a FlaskForm (a FormField's rows): WTForms builds it with its
    own Meta, not its parent's, so it needs the translations too; no CSRF token of
    its own (its parent has one)."""

    class Meta:
        def get_translations(self, form):
            return WTFormsTranslations()


class InYears:
    """A date or datetime field's value lies in the years `first`..`last`: a year
    like 0001 or 9999 would overflow the conversions to and from Vietnam time."""

    def __init__(self, first: int = 2000, last: int = 2100):
        self.first, self.last = first, last

    def __call__(self, form, field) -> None:
        value = field.data
        if value is not None and not self.first <= value.year <= self.last:
            raise ValidationError(
                _l(
                    "Năm phải từ %(first)s đến %(last)s.",
                    first=self.first,
                    last=self.last,
                )
            )


def code_format() -> Regexp:
    """A code that goes into addresses (/admin/campaigns/<code>): letters without
    diacritics, digits, "-", "_" and "." — no "/", space or "?"."""
    return Regexp(
        r"^[A-Za-z0-9_.-]+$",
        message=_l("Chỉ dùng chữ không dấu, số, dấu gạch (-, _) và dấu chấm."),
    )
