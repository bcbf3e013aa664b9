"""An autosave answer whose body stalls, in Debian's Chromium: its headers arrive,
then nothing (a lossy link, a captive portal). The page gives it up after its
time limit and sends the choice again, and the choices made meanwhile do not
wait behind it. Playwright's route cannot stall a body (it fulfils whole): the
test server's autosave answers stall, in a WSGI layer of this test around the app."""

import threading

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.test_offline import _serve, _start, _stored
from tests.browser.test_sign_in import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser


class Stall:
    """While `on` is set, an autosave is answered with its headers and the first
    bytes of a body said to be longer, then nothing until `released` (or a minute)."""

    def __init__(self, app):
        self.on, self.hit, self.released = (threading.Event() for _ in range(3))
        wsgi_app = app.wsgi_app

        def stalling(environ, start_response):
            if not (self.on.is_set() and environ["PATH_INFO"].startswith("/autosave/")):
                return wsgi_app(environ, start_response)
            environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            headers = [("Content-Type", "application/json"), ("Content-Length", "400")]
            start_response("200 OK", headers)
            self.hit.set()
            return self.body()

        app.wsgi_app = stalling

    def body(self):
        yield b'{"saved": tr'
        self.released.wait(60)


@pytest.fixture
def stalling_quiz(tmp_path):
    url, app, server = _serve(tmp_path, time_limit=600)
    stall = Stall(app)
    yield url, app, stall
    stall.released.set()
    server.shutdown()


@pytest.fixture
def page():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield browser.new_context().new_page()
        browser.close()


def test_an_answer_whose_body_stalls_is_given_up_and_the_choice_sent_again(
    stalling_quiz, page
):
    url, app, stall = stalling_quiz
    attempt_id = _start(page, url)
    stall.on.set()
    page.locator('input[name="q1"][value="0"]').check()
    assert stall.hit.wait(10)  # its headers are out, its body stalls
    stall.on.clear()  # the link is good again
    page.locator('input[name="q2"][value="1"]').check()
    # given up after the page's limit (10 s), and both sent: not a minute later
    for position in (1, 2):
        page.locator(f"#state-{position}").get_by_text("Đã lưu lúc").wait_for(
            timeout=25000
        )
    stored = _stored(app, attempt_id)
    assert {p: choices for p, (choices, _) in stored.items()} == {1: [0], 2: [1]}
