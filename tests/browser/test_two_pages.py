"""The attempt on two devices (two browser contexts of the same user: no shared
journal), and a busy server, in Debian's Chromium: a choice made later on a page
that knew nothing of another device's save is stored (numbers order one browser's
choices, not two devices'); answers of a busy or unreachable server keep the
choice, say it waits, and it is sent by itself. Two tabs of one browser (one
journal): a tab's older choice sent late does not replace the other's newer one,
and a sign-out in one leaves no journal behind in the other."""

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.steps import sign_in
from tests.browser.test_offline import (
    _journal,
    _pending,
    _positions,
    _serve,
    _signed_out_elsewhere,
    _start,
    _stored,
)
from tests.browser.test_sign_in import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser


@pytest.fixture
def quiz(tmp_path):
    url, app, server = _serve(tmp_path, time_limit=600)
    yield url, app
    server.shutdown()


@pytest.fixture
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def _two_devices(browser, url: str):
    """(PC page, phone page, attempt id): the cadre starts the attempt on a PC
    and opens it on a phone too (two browser contexts: no shared journal)."""
    pc = browser.new_context().new_page()
    attempt_id = _start(pc, url)
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(phone, url, "thisinh")  # the same cadre, the attempt under way
    phone.goto(f"{url}/attempts/{attempt_id}")
    return pc, phone, attempt_id


def _choose(page, position: int, choice: int) -> None:
    page.locator(f'input[name="q{position}"][value="{choice}"]').check()


def test_a_choice_made_later_on_a_second_device_is_stored(quiz, browser):
    url, app = quiz
    pc, phone, attempt_id = _two_devices(browser, url)
    position = _positions(app, attempt_id)["single"][0]

    for choice in (0, 2):  # the PC's choices are numbered 1 and 2
        _choose(pc, position, choice)
        pc.locator(f"#state-{position}").get_by_text("Đã lưu lúc").wait_for()
    assert _stored(app, attempt_id)[position] == ([2], 2)

    # The phone's page came before; its choice, numbered 1, is the later one.
    _choose(phone, position, 1)
    phone.locator(f"#state-{position}").get_by_text("Đã lưu lúc").wait_for()
    choices, seq = _stored(app, attempt_id)[position]
    assert choices == [1] and seq > 2
    assert "mới hơn" not in phone.locator(f"#state-{position}").inner_text()

    # Back on the PC (a resync): it is told that another page's choice is saved.
    pc.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    pc.locator(f"#state-{position}").get_by_text("mới hơn").wait_for()
    _choose(pc, position, 3)  # numbered past the phone's: stored
    pc.locator(f"#state-{position}").get_by_text("Đã lưu lúc").wait_for()
    assert _stored(app, attempt_id)[position][0] == [3]


def test_two_devices_numbering_alike_never_disagree_on_what_is_stored(quiz, browser):
    """Both pages know nothing stored: the PC's choice and then the phone's are
    both numbered 1. The phone's (the later) is stored numbered past the PC's, so
    the PC, at its next resync, learns of it and says so — before, the phone's
    replaced it under the same number and the PC kept showing its own as saved."""
    url, app = quiz
    pc, phone, attempt_id = _two_devices(browser, url)
    position = _positions(app, attempt_id)["single"][0]
    _choose(pc, position, 0)
    pc.locator(f"#state-{position}").get_by_text("Đã lưu lúc").wait_for()
    assert _stored(app, attempt_id)[position] == ([0], 1)
    _choose(phone, position, 1)  # numbered 1 too: this page knew of nothing
    phone.locator(f"#state-{position}").get_by_text("Đã lưu lúc").wait_for()
    assert _stored(app, attempt_id)[position] == ([1], 2)
    pc.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    # told that another page's choice is the one saved (its words say to reload)
    pc.locator(f"#state-{position}").get_by_text("mới hơn").wait_for()
    assert "Đã lưu lúc" not in pc.locator(f"#state-{position}").inner_text()


def test_a_pages_form_never_puts_its_choice_back_over_a_newer_one(quiz, browser):
    """The PC's choice was saved; the phone then saves a later one. "Nộp bài" on
    the PC posts its page's form: the form saves no choice again (every one went
    through the journal), so the phone's stays, and the confirm page says that
    a newer choice from another page is kept."""
    url, app = quiz
    pc, phone, attempt_id = _two_devices(browser, url)
    position, other = _positions(app, attempt_id)["single"][:2]
    for question in (position, other):  # numbered 1 and 2 on the PC
        _choose(pc, question, 0)
        pc.locator(f"#state-{question}").get_by_text("Đã lưu lúc").wait_for()
    _choose(phone, position, 1)
    phone.locator(f"#state-{position}").get_by_text("Đã lưu lúc").wait_for()
    assert _stored(app, attempt_id)[position] == ([1], 2)
    pc.get_by_role("button", name="Nộp bài").click()  # the form numbered 3
    pc.wait_for_url("**/confirm")
    assert _stored(app, attempt_id)[position][0] == [1]  # the phone's, still
    assert "giữ lựa chọn mới hơn đó" in pc.content()


def test_a_busy_server_keeps_the_choice_and_it_is_sent_by_itself(quiz, browser):
    url, app = quiz
    page = browser.new_context().new_page()
    attempt_id = _start(page, url)
    busy_json = (503, "application/json", '{"saved": false, "error": "bận"}')
    # nginx's page with every app server down, then the app's "busy", again
    answers = [(502, "text/html", "<html><body>502 Bad Gateway</body></html>")]

    def busy(route):
        status, kind, body = answers.pop(0) if answers else busy_json
        route.fulfill(status=status, content_type=kind, body=body)

    page.route("**/autosave/**", busy)
    _choose(page, 1, 1)
    banner = page.locator("#connection")
    banner.get_by_text("Chưa liên lạc được với máy chủ").wait_for()
    assert "1 lựa chọn đang chờ gửi" in banner.inner_text()
    state = page.locator("#state-1").inner_text()
    assert "đang chờ gửi" in state and "chọn lại" not in state
    assert _stored(app, attempt_id) == {}

    page.unroute("**/autosave/**")
    page.locator("#state-1").get_by_text("Đã lưu lúc").wait_for(timeout=20000)
    assert _stored(app, attempt_id)[1][0] == [1]
    assert banner.is_hidden()


def _two_tabs(browser, url: str):
    """(context, tab A, tab B, attempt id): two tabs of one browser on the
    attempt; they share its journal."""
    context = browser.new_context()
    first = context.new_page()
    attempt_id = _start(first, url)
    second = context.new_page()
    second.goto(f"{url}/attempts/{attempt_id}")
    return context, first, second, attempt_id


def test_a_tabs_older_choice_sent_late_does_not_replace_another_tabs_newer(
    quiz, browser
):
    """Tab A's saves fail (its link is down, the browser says it is online) while
    it holds a choice; tab B then saves a newer one. A's link back, the server
    refuses A's older choice: A does not send it again numbered past B's (the
    journal the tabs share holds B's acknowledgement), it shows B's choice."""
    url, app = quiz
    _, first, second, attempt_id = _two_tabs(browser, url)
    position = _positions(app, attempt_id)["single"][0]
    first.route("**/autosave/**", lambda route: route.abort("internetdisconnected"))
    _choose(first, position, 1)
    first.locator(f"#state-{position}").get_by_text("Chưa lưu").wait_for()
    _choose(second, position, 2)
    second.locator(f"#state-{position}").get_by_text("Đã lưu lúc").wait_for()
    assert _stored(app, attempt_id)[position][0] == [2]

    first.unroute("**/autosave/**")
    first.locator(f"#state-{position}").get_by_text("trang khác").wait_for(
        timeout=20000
    )
    assert _stored(app, attempt_id)[position][0] == [2]
    assert first.locator(f'input[name="q{position}"][value="2"]').is_checked()


def test_signing_out_in_another_tab_leaves_no_journal_behind(quiz, browser):
    """Tab A's choices wait (its link is down) when the cadre signs out in tab B,
    which clears the journals: A does not write its journal back (the next user
    of this browser would find it); it drops it, says the cadre signed out, and
    takes no more choices."""
    url, app = quiz
    _, first, second, attempt_id = _two_tabs(browser, url)
    first.route("**/*", lambda route: route.abort("internetdisconnected"))
    for position in (2, 3):
        _choose(first, position, 1)
    first.locator("#connection").get_by_text("2 lựa chọn đang chờ gửi").wait_for()
    assert [e["position"] for e in _pending(second)] == ["2", "3"]

    second.get_by_role("button", name="Đăng xuất").click()
    second.wait_for_url(f"{url}/login")
    banner = first.locator("#connection")
    banner.get_by_text("Bạn đã đăng xuất trên trình duyệt này").wait_for()
    assert "chờ gửi" not in banner.inner_text()
    assert "đã đăng xuất" in first.locator("#state-2").inner_text()
    assert first.locator('input[name="q4"]').first.is_disabled()
    first.wait_for_timeout(2000)  # its retries, its clock: nothing written back
    assert _journal(second) == {} and _journal(first) == {}
    assert _stored(app, attempt_id) == {}


def test_a_journal_cleared_unheard_is_not_written_back(quiz, browser):
    """The journal is removed without the sign-out's mark reaching the tab (the
    server's Clear-Site-Data, a mark missed): the tab's next choice does not
    write it back; the autosave then refused for the ended session, the tab
    knows this browser signed out and drops what waited."""
    url, app = quiz
    _, first, second, attempt_id = _two_tabs(browser, url)
    first.route("**/autosave/**", lambda route: route.abort("internetdisconnected"))
    _choose(first, 2, 1)
    first.locator("#connection").get_by_text("1 lựa chọn đang chờ gửi").wait_for()
    second.evaluate("localStorage.clear()")
    _signed_out_elsewhere(app)
    _choose(first, 3, 1)
    first.locator("#state-3").get_by_text("chỉ còn trong trang này").wait_for()
    assert _journal(second) == {}

    first.unroute("**/autosave/**")  # the server answers: the session has ended
    banner = first.locator("#connection")
    banner.get_by_text("Bạn đã đăng xuất trên trình duyệt này").wait_for(timeout=20000)
    assert _journal(second) == {} and _stored(app, attempt_id) == {}
