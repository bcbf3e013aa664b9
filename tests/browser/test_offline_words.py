"""The attempt page's words about a bad connection, in Debian's Chromium: the
number of choices waiting is said with its plural form on an English screen (1
choice, 2 choices); a page waiting for the network says that choices wait only
when some do, and, past the deadline, that choices will be sent only while some
wait."""

import pytest

from tests.browser.test_offline import (
    GRACE,
    _network,
    _serve,
    _signed_out_elsewhere,
    _start,
    _wait_for_offline_copy,
)
from tests.browser.test_sign_in import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield browser.new_context(viewport={"width": 390, "height": 844})
        browser.close()


@pytest.fixture
def long_quiz(tmp_path):
    url, app, server = _serve(tmp_path, time_limit=600)
    yield url, app
    server.shutdown()


@pytest.fixture
def short_quiz(tmp_path):
    url, app, server = _serve(tmp_path, time_limit=20)
    yield url, app
    server.shutdown()


def test_the_choices_waiting_are_counted_in_english(long_quiz, browser_context):
    url, app = long_quiz
    page = browser_context.new_page()
    attempt_id = _start(page, url)
    # The page's copy is fetched first: a switch of language posted while that
    # fetch runs can be undone by its response, which sends the session cookie
    # as it was (a signed cookie session refreshed on every response).
    _wait_for_offline_copy(page, attempt_id)
    page.get_by_role("button", name="English").click()
    page.get_by_role("button", name="Tiếng Việt").wait_for()  # the English page
    page.wait_for_load_state()
    assert page.url.endswith(f"/attempts/{attempt_id}")
    _network(browser_context, app, up=False)
    banner = page.locator("#connection")
    page.locator('input[name="q1"][value="0"]').check()
    banner.get_by_text("1 choice waiting to be sent.").wait_for()
    page.locator('input[name="q2"][value="0"]').check()
    banner.get_by_text("2 choices waiting to be sent.").wait_for()
    _network(browser_context, app, up=True)


def test_a_button_pressed_offline_with_nothing_waiting_says_so(
    long_quiz, browser_context
):
    """ "Nộp bài" offline with every choice already saved: the page waits for the
    network, and does not say that choices are waiting."""
    url, app = long_quiz
    page = browser_context.new_page()
    attempt_id = _start(page, url)
    page.locator('input[name="q1"][value="0"]').check()
    page.locator("#state-1").get_by_text("Đã lưu lúc").wait_for()
    _network(browser_context, app, up=False)
    page.get_by_role("button", name="Nộp bài").click()
    banner = page.locator("#connection")
    banner.get_by_text("Chưa chuyển trang được: đang chờ có mạng.").wait_for()
    assert "chờ gửi" not in banner.inner_text()
    assert page.url.endswith(f"/attempts/{attempt_id}")
    _network(browser_context, app, up=True)
    page.wait_for_url("**/confirm", timeout=20000)


def _page_without_storage(browser_context, url: str):
    """An attempt page whose browser will not keep anything in localStorage (full,
    or blocked): every write of the journal throws."""
    page = browser_context.new_page()
    _start(page, url)
    page.evaluate(
        "() => { Storage.prototype.setItem = function () {"
        " throw new DOMException('full', 'QuotaExceededError'); }; }"
    )
    return page


def test_a_browser_that_cannot_keep_the_journal_says_so(long_quiz, browser_context):
    """localStorage full (or blocked): the page cannot keep a choice on this
    machine, so it does not say it does — offline, it says the choices waiting
    live in the page only, and not to reload it; they are still sent once the
    network is back."""
    url, app = long_quiz
    page = _page_without_storage(browser_context, url)
    _network(browser_context, app, up=False)
    page.locator('input[name="q1"][value="0"]').check()
    banner = page.locator("#connection")
    banner.get_by_text("không lưu được lựa chọn trên máy").wait_for()
    assert "Đừng tải lại hay đóng trang." in banner.inner_text()
    assert "được giữ trên máy này" not in banner.inner_text()
    state = page.locator("#state-1")
    state.get_by_text("chỉ còn trong trang này").wait_for()
    _network(browser_context, app, up=True)
    state.get_by_text("Đã lưu lúc").wait_for(timeout=20000)


def test_signed_out_with_a_journal_the_browser_cannot_keep(long_quiz, browser_context):
    """The session ends (signed out on another device) while the browser cannot
    keep the journal: the page does not say the choices are kept on this machine
    and to reload, which would lose them; it says to note them down first."""
    url, app = long_quiz
    page = _page_without_storage(browser_context, url)
    _signed_out_elsewhere(app)
    page.locator('input[name="q1"][value="1"]').check()
    banner = page.locator("#connection")
    banner.get_by_text("tải lại trang sẽ làm mất chúng").wait_for()
    assert "vẫn được giữ trên máy này" not in banner.inner_text()
    assert "chỉ còn trong trang này" in page.locator("#state-1").inner_text()
    # the network drops too: still signed out, nothing will be sent by itself
    _network(browser_context, app, up=False)
    page.evaluate("window.dispatchEvent(new Event('offline'))")
    assert "tải lại trang sẽ làm mất chúng" in banner.inner_text()
    assert "sẽ gửi khi có mạng" not in banner.inner_text()
    _network(browser_context, app, up=True)


def test_past_the_deadline_offline_nothing_is_said_to_be_sent(
    short_quiz, browser_context
):
    """Offline past the deadline plus grace, the choice that waited is held as not
    counted and the page submits once the network is back: nothing waits any
    more, so the banner no longer says that choices will be sent."""
    url, app = short_quiz
    page = browser_context.new_page()
    _start(page, url)
    _network(browser_context, app, up=False)
    page.locator('input[name="q2"][value="0"]').check()
    banner = page.locator("#connection")
    banner.get_by_text("sẽ gửi khi có mạng").wait_for()  # while it waits, yes
    banner.get_by_text("Hết giờ: lựa chọn của câu 2 chưa gửi được").wait_for(
        timeout=(20 + GRACE + 10) * 1000
    )
    text = banner.inner_text()
    assert "Hết giờ: bài sẽ được nộp khi có mạng trở lại." in text
    assert "sẽ gửi khi có mạng" not in text and "chờ gửi" not in text
    _network(browser_context, app, up=True)
    page.wait_for_url("**/result", timeout=20000)


def test_the_time_up_with_the_session_ended_says_so_and_stops_asking(
    short_quiz, browser_context
):
    """Signed out on another device, then the time runs out with nothing waiting:
    the page's question to the server (is the time up there too?) is answered by
    the sign-in page (401): the page says the session has ended, as a save's 401
    does, and stops asking — it asked again every 3 s for ever, saying nothing."""
    url, app = short_quiz
    page = browser_context.new_page()
    _start(page, url)
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "/status" in r.url else None)
    _signed_out_elsewhere(app)
    banner = page.locator("#connection")
    banner.get_by_text("Phiên đăng nhập đã kết thúc").wait_for(
        timeout=(20 + GRACE + 15) * 1000
    )
    before = len(asked)
    page.wait_for_timeout(7000)  # two retries' time
    assert len(asked) == before
    assert "/result" not in page.url
