"""The attempt page's smaller aids in Debian's Chromium: a flag toggled without a
reload shows in the navigator and on the confirm page; the navigator's names for
screen readers and the answered count follow each save; unticking every box of a
multiple-answer question makes it unanswered; without JavaScript the navigator
saves the page before moving and the timer says it does not run."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.quizzes.models import AttemptAnswer, AttemptSlot, QuestionVersion, Quiz
from app.quizzes.questions import MULTIPLE
from tests.browser.test_sign_in import (  # noqa: F401 (fixtures)
    CHROMIUM,
    CHROMIUM_ARGS,
    live_server,
    page,
)
from tests.factories import PASSWORD, make_tree, make_user
from tests.quizzes.helpers import make_quiz

pytestmark = pytest.mark.browser


@pytest.fixture
def quiz_server(live_server):  # noqa: F811
    url, app = live_server
    with app.app_context():
        make_user("thisinh", make_tree()["C1"], full_name="Ngô Thị Ánh")
        make_quiz()
        quiz = db.session.scalar(select(Quiz))
        quiz.time_limit_seconds = 600
        quiz.shuffle_options = False
        db.session.commit()  # two questions a page
    return url, app


def _start(page, url) -> int:  # noqa: F811
    page.goto(f"{url}/login")
    page.get_by_label("Tên đăng nhập").fill("thisinh")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"{url}/quizzes/Q")
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.wait_for_url("**/attempts/*")
    return int(page.url.rsplit("/", 1)[1].split("?")[0])


def _slot(app, attempt_id, position):
    with app.app_context():
        return db.session.execute(
            select(AttemptSlot.flagged, AttemptAnswer.selected)
            .outerjoin(AttemptAnswer, AttemptAnswer.slot_id == AttemptSlot.id)
            .where(
                AttemptSlot.attempt_id == attempt_id, AttemptSlot.position == position
            )
        ).one()


def test_a_flag_toggles_without_reload_and_shows_in_navigator_and_confirm(
    quiz_server,
    page,  # noqa: F811
):
    url, app = quiz_server
    attempt_id = _start(page, url)
    assert page.get_by_text("Mỗi lựa chọn được lưu ngay.").is_visible()  # script on
    page.evaluate("window.notReloaded = true")
    page.locator("#q2").get_by_label("Đánh dấu để xem lại").check()
    nav = page.get_by_role("button", name="Câu 2, chưa trả lời, đã đánh dấu")
    nav.wait_for()
    assert "flagged" in page.locator("#nav-2").get_attribute("class")
    assert page.locator("#nav-2 .nav-flag").is_visible()
    page.locator("#announcer").get_by_text("Đã đánh dấu câu 2").wait_for()
    assert _slot(app, attempt_id, 2).flagged is True
    assert page.evaluate("window.notReloaded") is True

    page.reload()
    assert page.locator("#q2").get_by_label("Đánh dấu để xem lại").is_checked()
    page.get_by_role("button", name="Nộp bài").click()
    page.wait_for_url("**/confirm")
    flagged = page.locator("#flagged")
    assert "Câu đã đánh dấu để xem lại: 2" in flagged.inner_text()
    flagged.get_by_role("link", name="2").click()
    page.wait_for_url("**/attempts/*#q2")
    page.locator("#q2").get_by_label("Đánh dấu để xem lại").uncheck()
    page.get_by_role("button", name="Câu 2, chưa trả lời", exact=True).wait_for()
    page.locator("#announcer").get_by_text("Đã bỏ đánh dấu câu 2").wait_for()
    assert _slot(app, attempt_id, 2).flagged is False


def test_the_navigator_and_answered_count_follow_each_save(quiz_server, page):  # noqa: F811
    url, app = quiz_server
    attempt_id = _start(page, url)
    nav = page.locator("#nav-1")
    assert nav.get_attribute("aria-label") == "Câu 1, chưa trả lời"
    assert page.locator("#answered-count").inner_text() == "0"
    page.locator('input[name="q1"]').first.check()
    page.locator("#state-1").get_by_text("Đã lưu lúc").wait_for()
    page.get_by_role("button", name="Câu 1, đã trả lời", exact=True).wait_for()
    assert page.locator("#answered-count").inner_text() == "1"
    assert _slot(app, attempt_id, 1).selected

    # Keyboard: the navigator's buttons take the focus, which is shown.
    page.locator("#nav-2").focus()
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == "nav-1"
    assert nav.evaluate("b => b.matches(':focus-visible')")
    assert nav.evaluate("b => getComputedStyle(b).outlineStyle") == "solid"

    # A question of another page: the page is posted, then the question shown.
    page.get_by_role("button", name="Câu 3, chưa trả lời").click()
    page.wait_for_url("**/attempts/*?page=2#q3")
    assert page.locator("#answered-count").inner_text() == "1"


def test_a_skip_link_leads_past_the_timer_and_navigator_to_the_first_question(
    quiz_server,
    page,  # noqa: F811
):
    url, _app = quiz_server
    _start(page, url)
    page.keyboard.press("Tab")  # the page's own skip link first, then this one
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Đến câu hỏi đầu tiên của trang")
    assert skip.evaluate("a => a === document.activeElement")
    assert skip.is_visible()  # shown while it has the focus
    page.keyboard.press("Enter")
    page.wait_for_url("**#q1")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('fieldset')?.id") == "q1"
    top = page.locator("#q1").evaluate("f => f.getBoundingClientRect().top")
    bar = page.locator("#quiz-bar").evaluate("b => b.getBoundingClientRect().bottom")
    assert top >= bar  # not hidden under the sticky timer bar


def test_unticking_every_box_of_a_multiple_makes_it_unanswered(quiz_server, page):  # noqa: F811
    url, app = quiz_server
    attempt_id = _start(page, url)
    with app.app_context():
        position = db.session.scalar(
            select(AttemptSlot.position)
            .join(QuestionVersion)
            .where(
                AttemptSlot.attempt_id == attempt_id, QuestionVersion.type == MULTIPLE
            )
        )
    page.goto(f"{url}/attempts/{attempt_id}?page={(position + 1) // 2}")
    boxes = page.locator(f'input[name="q{position}"]')
    for i in (0, 2):
        boxes.nth(i).check()
        page.locator(f"#state-{position}").get_by_text("Đã lưu lúc").wait_for()
    page.get_by_role("button", name=f"Câu {position}, đã trả lời").wait_for()
    assert page.locator("#answered-count").inner_text() == "1"
    for i in (0, 2):
        boxes.nth(i).uncheck()
    state = page.locator(f"#state-{position}")
    state.get_by_text("Chưa trả lời (việc bỏ chọn đã lưu lúc").wait_for()
    page.get_by_role("button", name=f"Câu {position}, chưa trả lời").wait_for()
    assert page.locator("#answered-count").inner_text() == "0"
    assert _slot(app, attempt_id, position).selected == []

    page.reload()
    assert "Chưa trả lời" in state.inner_text()
    page.get_by_role("button", name="Nộp bài").click()
    page.wait_for_url("**/confirm")
    assert "Bạn đã trả lời 0/4 câu" in page.locator("main").inner_text()
    assert str(position) in page.locator("#unanswered").inner_text()


def test_without_javascript_the_navigator_saves_the_page_first(quiz_server):
    from playwright.sync_api import sync_playwright

    url, app = quiz_server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, java_script_enabled=False
        )
        page = context.new_page()  # noqa: F811
        attempt_id = _start(page, url)
        timer = page.locator(".timer").inner_text()
        assert "Hết giờ lúc" in timer
        assert "(đồng hồ không tự chạy khi tắt JavaScript)" in timer
        # nothing claims a choice is saved as it is made: it is not, here
        assert not page.get_by_text("Mỗi lựa chọn được lưu ngay.").is_visible()
        page.locator('input[name="q1"]').nth(1).check()  # not saved yet
        page.locator("#q2").get_by_label("Đánh dấu để xem lại").check()
        page.get_by_role("button", name="Câu 4, chưa trả lời").click()
        page.wait_for_url("**/attempts/*?page=2#q4")
        assert "Đã lưu câu trả lời." in page.locator("main").inner_text()
        assert _slot(app, attempt_id, 1).selected
        assert _slot(app, attempt_id, 2).flagged is True
        assert page.get_by_role("button", name="Câu 1, đã trả lời").is_visible()
        assert page.get_by_role(
            "button", name="Câu 2, chưa trả lời, đã đánh dấu"
        ).is_visible()
        browser.close()
