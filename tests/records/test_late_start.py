"""The quiz page of a cadre who would start shortly before its window closes: the
attempt would end at the close, not after the whole time limit, and the page says
so before the cadre starts."""

from datetime import timedelta

from app.extensions import db
from app.timeutil import to_vn, utcnow
from tests.certificates.helpers import user
from tests.records.helpers import make_campaign, read_all


def _quiz_page(app, client, auth, tmp_path, closes_in: timedelta) -> str:
    with app.app_context():
        make_campaign(tmp_path, closes=utcnow() + closes_in)
        read_all(user("in1"), utcnow())
        db.session.commit()
    auth.login("in1")
    return client.get("/quizzes/Q").get_data(as_text=True)


def test_a_start_near_the_close_is_told_the_time_it_really_has(
    app, client, auth, tmp_path
):
    page = _quiz_page(app, client, auth, tmp_path, timedelta(minutes=4, seconds=30))
    with app.app_context():
        from app.records.services import get_campaign

        closes = to_vn(get_campaign("C2026").closes_at).strftime("%d/%m/%Y %H:%M")
    assert (
        f"Bài kiểm tra đóng lúc {closes}: nếu bắt đầu bây giờ, bạn chỉ có 5 phút "
        "(không phải 10 phút), và bài được nộp tự động lúc đóng."
    ) in page
    assert "đồng hồ đếm ngược 5 phút" in page
    assert "Bắt đầu làm bài" in page


def test_a_start_well_before_the_close_is_told_the_time_limit(
    app, client, auth, tmp_path
):
    page = _quiz_page(app, client, auth, tmp_path, timedelta(days=3))
    assert "nếu bắt đầu bây giờ, bạn chỉ có" not in page
    assert "đồng hồ đếm ngược 10 phút" in page
