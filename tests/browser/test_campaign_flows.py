"""Campaign flows in Debian's Chromium: an admin gives a unit its own window (the
unit chosen in the datalist picker) and its learner sees it opens later; HR grants
extra time, seen by a new attempt and by an open one at its next re-sync; HR sends
a reminder, seen on the learner's home page and received by email (aiosmtpd)."""

import re
import threading
from datetime import timedelta

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from app.timeutil import to_vn, utcnow
from tests.browser.steps import sign_in
from tests.browser.test_sign_in import page  # noqa: F401 (fixture)
from tests.certificates.helpers import user
from tests.conftest import make_config
from tests.factories import make_user
from tests.records.helpers import make_campaign, read_all
from tests.reminders.helpers import SmtpServer

pytestmark = pytest.mark.browser


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def site(tmp_path, smtp):
    """Campaign C2026 over subtree D (quiz Q, 10 minutes); in1 (D1A) has read the
    course, with an address; hr_d is HR of D, admin_p an administrator. Mail goes to
    the local SMTP server."""
    app = create_app(
        make_config(
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'flows.sqlite3'}",
            JOBS_DIR=str(tmp_path / "jobs"),
            COURSES_DIR=str(tmp_path),
            **smtp.config(),
        )
    )
    with app.app_context():
        db.create_all()
        _, tree = make_campaign(tmp_path)
        read_all(user("in1"), utcnow())
        user("in1").email = "in1@example.org"
        make_user("hr_d", tree["D"], roles=[("hr", tree["D"]), ("learner", None)])
        make_user("admin_p", tree["P"], roles=[("admin", None)])
        db.session.commit()
        ids = {"in1": user("in1").id}
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", ids
    server.shutdown()


def _sign_out(page):  # noqa: F811
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url("**/login")


def _start(page, url) -> int:  # noqa: F811
    page.goto(f"{url}/quizzes/Q")
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.wait_for_url("**/attempts/*")
    return _seconds_left(page)


def _seconds_left(page) -> int:  # noqa: F811
    text = page.locator("#timer").inner_text()
    minutes, seconds = re.fullmatch(r"(\d+):(\d\d)", text).groups()
    return int(minutes) * 60 + int(seconds)


def test_a_unit_window_chosen_in_the_picker_makes_the_quiz_open_later(site, page):  # noqa: F811
    url, _ = site
    sign_in(page, url, "admin_p")
    page.goto(f"{url}/admin/campaigns/C2026")
    windows = page.locator("#windows")
    picker = windows.get_by_label("Đơn vị (gõ tên để tìm)")
    picker.press_sequentially("Tổ Đào")
    # Headless Chromium draws no suggestion list: check the datalist offers the unit
    # for what was typed (it matches the typed text), then choose it as a click would.
    suggested = page.locator("#unit-options option").evaluate_all(
        "(options, typed) => options.map(o => o.value)"
        "  .filter(v => v.toLowerCase().includes(typed.toLowerCase()))",
        picker.input_value(),
    )
    option = "Tổ Đào tạo — Phòng Công chức (D1A)"
    assert suggested == [option]
    assert picker.get_attribute("list") == "unit-options"
    picker.fill(option)
    opens = to_vn(utcnow() + timedelta(days=7)).replace(second=0, microsecond=0)
    windows.get_by_label("Mở lúc").fill(opens.strftime("%Y-%m-%dT%H:%M"))
    closes = opens + timedelta(days=14)
    windows.get_by_label("Đóng lúc").fill(closes.strftime("%Y-%m-%dT%H:%M"))
    windows.get_by_role("button", name="Lưu thời gian riêng").click()
    page.get_by_text("Đã lưu thời gian riêng của Tổ Đào tạo.").wait_for()
    assert windows.get_by_role("cell", name="Tổ Đào tạo — Phòng Công chức").is_visible()
    _sign_out(page)

    sign_in(page, url, "in1")
    shown = opens.strftime("%d/%m/%Y %H:%M")
    assert page.get_by_text(f"mở lúc {shown}", exact=True).is_visible()
    page.goto(f"{url}/quizzes/Q")
    assert page.get_by_role("button", name="Bắt đầu làm bài").count() == 0
    assert shown in page.locator("main").inner_text()


def _grant(page, url, person_id, minutes, reason):  # noqa: F811
    page.goto(f"{url}/reports/cadres/{person_id}")
    page.get_by_role("link", name="Điều chỉnh thời gian, lượt làm bài").click()
    page.get_by_label("Thêm số phút").fill(str(minutes))
    page.get_by_label("Lý do (ghi vào nhật ký)").fill(reason)
    page.get_by_role("button", name="Lưu điều chỉnh").click()
    page.get_by_role("cell", name=reason).wait_for()


def test_extra_time_reaches_new_and_open_attempts(site, page):  # noqa: F811
    url, ids = site
    browser = page.context.browser
    learner = browser.new_context().new_page()
    sign_in(learner, url, "in1")
    first = _start(learner, url)
    assert 9 * 60 < first <= 10 * 60  # the quiz's 10 minutes

    sign_in(page, url, "hr_d")
    _grant(page, url, ids["in1"], 10, "Khuyết tật thị giác, cần thêm thời gian")

    learner.context.set_offline(True)  # the page re-syncs when back online
    learner.context.set_offline(False)
    learner.wait_for_function(
        "() => { const [m] = document.getElementById('timer').textContent.split(':');"
        " return parseInt(m, 10) >= 18; }"
    )
    assert _seconds_left(learner) > 18 * 60

    learner.get_by_role("button", name="Nộp bài").click()
    learner.wait_for_url("**/confirm")
    learner.get_by_role("button", name="Nộp bài").last.click()
    learner.wait_for_url("**/result")
    assert _start(learner, url) > 19 * 60  # the second attempt: 10 + 10 minutes


def test_a_reminder_reaches_the_home_page_and_the_mailbox(site, page, smtp):  # noqa: F811
    url, _ = site
    sign_in(page, url, "hr_d")
    page.goto(f"{url}/reports/reminders")
    page.get_by_label("Đợt bồi dưỡng").select_option("C2026")
    page.get_by_label("Đơn vị (gồm cả đơn vị cấp dưới)").select_option(
        label="— — Tổ Đào tạo"
    )
    page.get_by_role("button", name="Xem trước").click()
    assert page.get_by_text("1 cán bộ chưa hoàn thành sẽ nhận").is_visible()
    assert page.get_by_text("1 người trong số đó có địa chỉ email").is_visible()
    page.get_by_label("Lời nhắn thêm (không bắt buộc)").fill(
        "Đề nghị đồng chí hoàn thành trước hạn."
    )
    page.get_by_role("button", name="Gửi lời nhắc tới 1 cán bộ").click()
    page.wait_for_url("**/jobs/*")
    assert [r for r, _ in smtp.handler.messages] == [["in1@example.org"]]
    message = smtp.handler.messages[0][1]
    assert (
        "Đề nghị đồng chí hoàn thành trước hạn."
        in message.get_body(("plain",)).get_content()
    )
    _sign_out(page)

    sign_in(page, url, "in1")
    notice = page.locator(".reminder-notice")
    assert "Đề nghị đồng chí hoàn thành trước hạn." in notice.inner_text()
    notice.get_by_role("button", name="Ẩn lời nhắc này").click()
    page.wait_for_url(f"{url}/")
    assert page.locator(".reminder-notice").count() == 0


def test_the_reminder_is_sent_once_however_often_the_button_is_pressed(site, page):  # noqa: F811
    """Pressing "Gửi" disables it at once (busy.js): a second press on a slow
    network would otherwise make a second reminder, and a second email each."""
    url, _ = site
    sign_in(page, url, "hr_d")
    page.goto(f"{url}/reports/reminders?campaign=C2026")
    send = page.get_by_role("button", name=re.compile(r"^Gửi lời nhắc tới \d+ cán bộ$"))
    assert send.is_visible()
    disabled = page.evaluate(
        "() => { const form = document.querySelector('form[data-busy]');"
        " form.requestSubmit();"
        " return form.querySelector('button[type=submit]').disabled; }"
    )
    assert disabled
    page.wait_for_url("**/jobs/*")
    page.goto(f"{url}/reports/reminders?campaign=C2026")
    assert page.locator("table.data tbody tr").count() == 1  # the reminders made
