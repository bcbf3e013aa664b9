from datetime import UTC, datetime

from app.timeutil import format_vn_date


def test_dates_are_dd_mm_yyyy_in_vietnam_time():
    late_evening_utc = datetime(2026, 1, 1, 20, 30, tzinfo=UTC)
    assert format_vn_date(late_evening_utc) == "02/01/2026"
    assert format_vn_date(late_evening_utc, with_time=True) == "02/01/2026 03:30"
    assert format_vn_date(None) == ""


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
