"""The confirm page's "Nộp bài" on a bad connection, in Debian's Chromium: offline,
the page stays, says so, and submits once the server answers; when the time runs
out on it, it submits by itself."""

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.test_offline import _network, _serve, _start
from tests.browser.test_sign_in import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser


@pytest.fixture
def context():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield browser.new_context()
        browser.close()


def test_submitting_offline_keeps_the_page_and_submits_when_back(tmp_path, context):
    url, app, server = _serve(tmp_path, time_limit=600)
    try:
        page = context.new_page()
        attempt_id = _start(page, url)
        page.goto(f"{url}/attempts/{attempt_id}/confirm")
        _network(context, app, up=False)
        page.get_by_role("button", name="Nộp bài").click()
        page.locator("#submit-state").get_by_text("Chưa nộp được").wait_for()
        assert page.url.endswith(f"/attempts/{attempt_id}/confirm")
        _network(context, app, up=True)
        page.wait_for_url(f"**/attempts/{attempt_id}/result", timeout=15000)
    finally:
        server.shutdown()


def test_the_time_running_out_on_the_confirm_page_submits(tmp_path, context):
    url, app, server = _serve(tmp_path, time_limit=6)
    try:
        page = context.new_page()
        attempt_id = _start(page, url)
        page.goto(f"{url}/attempts/{attempt_id}/confirm")
        page.wait_for_url(f"**/attempts/{attempt_id}/result", timeout=20000)
    finally:
        server.shutdown()
