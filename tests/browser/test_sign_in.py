"""Sign in as the demo learner in Debian's Chromium, see the Vietnamese home page,
sign out. Runs the real app on a local port over a seeded SQLite file."""

import os
import threading

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.demo.data import DEMO_PASSWORD
from app.demo.seed import seed_demo
from app.extensions import db
from tests.conftest import make_config

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_server(tmp_path):
    url = f"sqlite:///{tmp_path / 'browser.sqlite3'}"
    app = create_app(
        make_config(
            SQLALCHEMY_DATABASE_URI=url,
            # the test's own folders, never the instance folder's (as tests/conftest.py)
            JOBS_DIR=str(tmp_path / "jobs"),
            CADRE_IMPORT_DIR=str(tmp_path / "uploads"),
            CERT_SIGNING_KEY=str(tmp_path / "cert_signing_key.pem"),
        )
    )
    with app.app_context():
        db.create_all()
        seed_demo()
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app
    server.shutdown()


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 390, "height": 844})
        yield context.new_page()
        browser.close()


def test_demo_learner_signs_in_sees_home_and_signs_out(live_server, page):
    live_server, _ = live_server
    page.goto(f"{live_server}/")
    assert page.url.startswith(f"{live_server}/login")
    page.get_by_label("Tên đăng nhập").fill("learner")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{live_server}/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_role("heading", level=1).inner_text() == "Xin chào, Phạm Văn Đức"
    assert page.get_by_role("heading", name="Bồi dưỡng của bạn").is_visible()
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(f"{live_server}/login")
    assert page.get_by_text("Bạn đã đăng xuất.").is_visible()
    page.goto(f"{live_server}/")
    assert page.url.startswith(f"{live_server}/login")
