"""A timed quiz in Debian's Chromium: answer, reload and find the answer kept, let the
time run out, and see the automatic submission count the saved answer."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.quizzes.models import AttemptSlot, Quiz
from tests.browser.test_sign_in import live_server, page  # noqa: F401 (fixtures)
from tests.factories import PASSWORD, make_tree, make_user
from tests.quizzes.helpers import make_quiz

pytestmark = pytest.mark.browser
TIME_LIMIT = 20


@pytest.fixture
def quiz_server(live_server):  # noqa: F811
    url, app = live_server
    with app.app_context():
        make_user("thisinh", make_tree()["C1"], full_name="Ngô Thị Ánh")
        make_quiz()
        quiz = db.session.scalar(select(Quiz))
        quiz.time_limit_seconds = TIME_LIMIT
        quiz.shuffle_options = False
        db.session.commit()
    return url, app


def _right_choices(app, position: int) -> list[int]:
    """Positions (as shown) of every right option; position 1 may be multiple-answer."""
    with app.app_context():
        slot = db.session.scalar(
            select(AttemptSlot).where(AttemptSlot.position == position)
        )
        keys = [o["key"] for o in slot.version.options if o["correct"]]
        return [slot.option_order.index(k) for k in keys]


def test_timed_quiz_autosaves_survives_reload_and_submits_at_zero(quiz_server, page):  # noqa: F811
    url, app = quiz_server
    page.goto(f"{url}/login")
    page.get_by_label("Tên đăng nhập").fill("thisinh")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"{url}/quizzes/Q")
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.wait_for_url("**/attempts/*")
    assert page.locator("#timer").inner_text().startswith("0:")
    assert not page.locator("#timer-static").is_visible()  # the no-JavaScript note

    choices = _right_choices(app, 1)
    for choice in choices:
        page.locator(f'input[name="q1"][value="{choice}"]').check()
        page.locator("#state-1").get_by_text("Đã lưu").wait_for()
    assert "answered" in page.locator("#nav-1").get_attribute("class")

    page.reload()
    for choice in choices:
        assert page.locator(f'input[name="q1"][value="{choice}"]').is_checked()
    assert "Đã lưu lúc" in page.locator("#state-1").inner_text()

    page.wait_for_url("**/result", timeout=(TIME_LIMIT + 15) * 1000)
    text = page.locator("main").inner_text()
    assert "nộp tự động" in text
    assert "1/4 câu đúng" in text
