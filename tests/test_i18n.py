from datetime import UTC, date, datetime

from app.timeutil import format_vn_date, paper_dated


def test_dates_are_dd_mm_yyyy_in_vietnam_time():
    late_evening_utc = datetime(2026, 1, 1, 20, 30, tzinfo=UTC)
    assert format_vn_date(late_evening_utc) == "02/01/2026"
    assert format_vn_date(late_evening_utc, with_time=True) == "02/01/2026 03:30"
    assert format_vn_date(None) == ""


def test_papers_are_dated_as_the_decree_says():
    """Nghị định 30/2020, Phụ lục I: a leading zero for the days below 10 and for
    the months 1 and 2 only — the one rule of every paper (certificate, annual
    report, reward paper, contest announcement)."""
    assert paper_dated("Huế", date(2026, 2, 5)) == "Huế, ngày 05 tháng 02 năm 2026"
    assert paper_dated("Huế", date(2026, 3, 1)) == "Huế, ngày 01 tháng 3 năm 2026"
    assert paper_dated("", date(2026, 12, 25)) == "Ngày 25 tháng 12 năm 2026"


def test_vietnamese_by_default_and_english_on_request(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Đăng nhập" in page and 'lang="vi"' in page
    from tests.conftest import csrf_token

    token = csrf_token(client)
    client.post(
        "/language", data={"language": "en", "next": "/login", "csrf_token": token}
    )
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in page
    assert "Sign in" in page and "Đăng nhập" not in page


def test_the_language_is_a_cookie_of_its_own(client, app):
    """The switch writes its own cookie (a year, HttpOnly, SameSite=Lax), not the
    session: a response to a request sent before the switch, bringing back the
    session of that moment, leaves the language chosen."""
    from tests.conftest import AuthActions, csrf_token
    from tests.factories import make_tree, make_user

    with app.app_context():
        make_user("an", make_tree()["D"])
    AuthActions(client).login("an")
    before = client.get_cookie("session").value  # an autosave in flight
    answer = client.post(
        "/language",
        data={"language": "en", "next": "/", "csrf_token": csrf_token(client, "/")},
    )
    cookie = next(
        c for c in answer.headers.getlist("Set-Cookie") if "vhcv_language" in c
    )
    assert "vhcv_language=en" in cookie and "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie and "Max-Age=31536000" in cookie
    client.set_cookie("session", before)  # … whose answer comes back afterwards
    page = client.get("/").get_data(as_text=True)
    assert 'lang="en"' in page


def test_an_unknown_language_changes_nothing(client):
    from tests.conftest import csrf_token

    token = csrf_token(client)
    for language in ("fr", "", "en; Path=/", "x" * 5000):
        answer = client.post(
            "/language",
            data={"language": language, "next": "/login", "csrf_token": token},
        )
        assert answer.status_code == 302
        assert "vhcv_language" not in " ".join(answer.headers.getlist("Set-Cookie"))
    client.set_cookie("vhcv_language", "fr")  # a forged cookie: the default
    assert 'lang="vi"' in client.get("/login").get_data(as_text=True)


def _validated_form(app, language=None):
    from werkzeug.datastructures import MultiDict
    from wtforms import DateField, IntegerField, StringField
    from wtforms.validators import DataRequired, Length

    from app.forms import FlaskForm

    class Sample(FlaskForm):
        class Meta:
            csrf = False

        name = StringField("Tên", validators=[DataRequired()])
        code = StringField("Mã", validators=[Length(min=3)])
        note = StringField("Ghi chú", validators=[Length(max=10000)])
        count = IntegerField("Số")
        day = DateField("Ngày")

    headers = {"Cookie": f"vhcv_language={language}"} if language else {}
    with app.test_request_context(method="POST", headers=headers):
        form = Sample(
            formdata=MultiDict(
                {"count": "ba", "day": "31/02", "code": "a", "note": "x" * 10001}
            )
        )
        assert not form.validate()
        return {name: errors[0] for name, errors in form.errors.items()}


def test_form_validators_speak_vietnamese_by_default(app):
    errors = _validated_form(app)
    assert errors == {
        "name": "Vui lòng điền trường này.",
        "code": "Cần ít nhất 3 ký tự.",
        "note": "Không được dài quá 10.000 ký tự.",  # a limit of thousands: 10.000
        "count": "Cần nhập một số nguyên.",
        "day": "Ngày không hợp lệ.",
    }


def test_form_validators_speak_english_when_chosen(app):
    errors = _validated_form(app, "en")
    assert errors == {
        "name": "This field is required.",
        "code": "Field must be at least 3 characters long.",
        "note": "Field cannot be longer than 10,000 characters.",
        "count": "Not a valid integer value.",
        "day": "Not a valid date value.",
    }


def test_a_domain_error_is_shown_in_the_readers_language(app):
    from app.errors import NotFound
    from tests.conftest import ENGLISH

    error = NotFound(_l_code("X1"))
    assert error.message == "Không có đơn vị mã “X1”." == str(error)
    with app.test_request_context(headers=ENGLISH):
        assert error.message == "There is no unit with code “X1”."


def _l_code(code):
    from flask_babel import lazy_gettext as _l

    return _l("Không có đơn vị mã “%(code)s”.", code=code)


def test_the_english_catalogue_is_complete():
    """Every message has an English translation, none fuzzy (scripts/untranslated.py
    lists the missing ones)."""
    from pathlib import Path

    from babel.messages.pofile import read_po

    path = Path(__file__).parent.parent / "app/translations/en/LC_MESSAGES/messages.po"
    with path.open("rb") as po:
        catalog = read_po(po)
    missing = [
        m.id
        for m in catalog
        if m.id
        and (
            m.fuzzy or not (all(m.string) if isinstance(m.string, tuple) else m.string)
        )
    ]
    assert missing == []


def test_a_count_of_one_thing_is_said_with_ngettext():
    """A message with counts is written with ngettext (a message counting two
    kinds of things takes each count as a piece said with ngettext), so English
    says "1 cadre" and "2 cadres", never "cadre(s)". Whatever the count's
    placeholder (%(n)d, %(count)s, the scripts' {list} and {n}), and in a plural's
    forms too: no English text lumps the forms as "(s)" or "(es)"."""
    import re
    from pathlib import Path

    from babel.messages.pofile import read_po

    path = Path(__file__).parent.parent / "app/translations/en/LC_MESSAGES/messages.po"
    with path.open("rb") as po:
        catalog = read_po(po)
    placeholder = re.compile(r"%\(\w+\)[sd]")  # "%(s)s" is no plural
    lumped = [
        m.id
        for m in catalog
        if m.id
        and any(
            re.search(r"\((?:s|es)\)", placeholder.sub("", text))
            for text in (m.string if isinstance(m.string, tuple) else (m.string,))
        )
    ]
    assert lumped == []


def test_no_english_text_says_its_sentence_twice():
    """A translation pasted twice ("…was made.Each person's … made.") reads as a
    stutter on every English page that shows it: no msgstr is one text repeated,
    nor holds a sentence twice in a row."""
    import re
    from pathlib import Path

    from babel.messages.pofile import read_po

    path = Path(__file__).parent.parent / "app/translations/en/LC_MESSAGES/messages.po"
    with path.open("rb") as po:
        catalog = read_po(po)
    twice = re.compile(r"(.{20,}?[.!?])\s*\1")
    doubled = [
        m.id
        for m in catalog
        if m.id
        and any(
            twice.search(text)
            for text in (m.string if isinstance(m.string, tuple) else (m.string,))
        )
    ]
    assert doubled == []
