"""A trainer edits a module in Debian's Chromium: the live preview follows the
typing (rendered by the server's pipeline), the draft is saved and published."""

import pytest

from app.content.modules import load_content
from app.content.sync_courses import sync_content, url_builders
from app.demo.data import DEMO_PASSWORD
from app.demo.seed import seed_demo
from app.extensions import db
from tests.browser.test_sign_in import live_server, page  # noqa: F401 (fixtures)
from tests.courses.content import write_course

pytestmark = pytest.mark.browser


@pytest.fixture
def content(live_server, tmp_path):  # noqa: F811
    url, app = live_server
    folder = tmp_path / "courses"
    write_course(folder)
    with app.app_context():
        sync_content(load_content(folder), *url_builders())
        seed_demo()  # gives the unowned course to the demo province
        db.session.commit()
    return url


def test_live_preview_then_publish(content, page):  # noqa: F811
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{content}/login")
    page.get_by_label("Tên đăng nhập").fill("trainer")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{content}/")
    page.get_by_role("link", name="Biên soạn", exact=True).click()
    page.get_by_role("link", name="Học phần 1").click()
    body = page.get_by_label("Nội dung (Markdown)")
    body.fill("## Mục mới\n\nCán bộ **tận tụy** phục vụ.\n")
    preview = page.locator("#module-preview")
    preview.locator("strong", has_text="tận tụy").wait_for(timeout=5000)
    assert preview.locator("h2", has_text="Mục mới").is_visible()
    page.get_by_role("button", name="Lưu bản nháp").click()
    assert page.get_by_text("Đã lưu bản nháp.").is_visible()
    page.get_by_role("button", name="Xuất bản bản nháp").click()
    assert page.locator("ins", has_text="tận tụy").first.is_visible()  # the diff
    page.get_by_role("button", name="Xuất bản", exact=True).click()
    assert page.get_by_text("Đã xuất bản phiên bản 2.").is_visible()
    page.goto(f"{content}/modules/T-M1")
    assert page.locator(".prose strong", has_text="tận tụy").is_visible()
