"""A module page in Debian's Chromium: the reading time left counts down while the
page is visible, stops while it is hidden (the time read is reported as it hides),
and marking too early answers in place without moving the reader."""

import time

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.content.modules import load_content
from app.content.sync_courses import sync_content, url_builders
from app.courses.models import Module, ModuleProgress
from app.extensions import db
from tests.browser.test_sign_in import live_server, page  # noqa: F401 (fixtures)
from tests.courses.content import write_course
from tests.factories import PASSWORD, make_tree, make_user

pytestmark = pytest.mark.browser

HIDE = """() => {
  Object.defineProperty(document, "visibilityState", {
    configurable: true, get: () => "hidden"
  });
  document.dispatchEvent(new Event("visibilitychange"));
}"""
SHOW = """() => {
  delete document.visibilityState;
  document.dispatchEvent(new Event("visibilitychange"));
}"""


@pytest.fixture
def reading_server(live_server, tmp_path):  # noqa: F811
    url, app = live_server
    app.config["COURSES_DIR"] = str(tmp_path)
    app.config["MIN_READING_FRACTION"] = 0.26  # 4 minutes -> 63 s
    write_course(tmp_path)
    with app.app_context():
        sync_content(load_content(tmp_path), *url_builders())
        make_user("docgia", make_tree()["C1"], full_name="Đỗ Thị Gia")
        db.session.commit()
    return url, app


def _left(page) -> int:  # noqa: F811
    return int(page.locator("#reading-note").get_attribute("data-remaining"))


def _progress() -> ModuleProgress:
    return db.session.scalar(
        select(ModuleProgress)
        .join(User, User.id == ModuleProgress.user_id)
        .join(Module, Module.id == ModuleProgress.module_id)
        .where(User.username == "docgia", Module.code == "T-M1")
    )


def _spent(app) -> int:
    with app.app_context():
        return _progress().seconds_spent


def test_countdown_runs_while_visible_and_marking_early_keeps_the_place(
    reading_server,
    page,  # noqa: F811
):
    url, app = reading_server
    page.goto(f"{url}/login")
    page.get_by_label("Tên đăng nhập").fill("docgia")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{url}/")
    page.goto(f"{url}/modules/T-M1")
    note = page.locator("#reading-note")
    assert note.inner_text() == "Còn khoảng 2 phút đọc."
    assert _left(page) == 63

    page.wait_for_function(
        "() => document.getElementById('reading-note').dataset.remaining <= 60",
        timeout=10000,
    )
    assert note.inner_text() == "Còn khoảng 1 phút đọc."

    # Hidden: the seconds read are reported at once, and the countdown stops.
    page.evaluate(HIDE)
    left = _left(page)
    deadline = time.monotonic() + 5
    while _spent(app) < 63 - left and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _spent(app) == 63 - left
    time.sleep(2.5)
    assert _left(page) == left
    page.evaluate(SHOW)
    page.wait_for_function(
        f"() => document.getElementById('reading-note').dataset.remaining < {left}",
        timeout=5000,
    )

    # Too early: the server's answer is shown by the button; the page stays put.
    page.get_by_role("button", name="Tôi đã đọc xong").scroll_into_view_if_needed()
    scrolled = page.evaluate("() => window.scrollY")
    page.get_by_role("button", name="Tôi đã đọc xong").click()
    refused = page.locator("#reading-refused")
    refused.wait_for(state="visible")
    assert refused.inner_text().startswith("Bạn cần đọc thêm khoảng 1 phút nữa")
    assert page.url == f"{url}/modules/T-M1"
    assert page.evaluate("() => window.scrollY") == scrolled
    with app.app_context():
        assert _progress().completed_at is None
