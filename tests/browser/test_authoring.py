"""A trainer edits a module in Debian's Chromium: the live preview follows the
typing (rendered by the server's pipeline), the draft is saved and published. And
writes a question: Enter in an option's field previews it, removes no option."""

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.content.modules import load_content
from app.content.ownership import owner_units
from app.content.question_editing import create_bank
from app.content.sync_courses import sync_content, url_builders
from app.demo.data import DEMO_PASSWORD
from app.demo.seed import seed_demo
from app.extensions import db
from tests.browser.steps import sign_in
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


@pytest.fixture
def bank(live_server):  # noqa: F811
    url, app = live_server
    with app.app_context():
        trainer = db.session.scalar(select(User).where(User.username == "trainer"))
        create_bank(trainer, "ENTER", "Ngân hàng thử", owner_units(trainer)[0])
        db.session.commit()
    return url


def test_enter_in_an_option_field_removes_no_option(bank, page):  # noqa: F811
    """Enter presses the form's first submit button: the hidden preview, not the
    first row's "Xóa phương án 1" (which the script would carry out in place)."""
    sign_in(page, bank, "trainer", DEMO_PASSWORD)
    page.goto(f"{bank}/authoring/banks/ENTER/questions/new")
    page.get_by_label("Đề bài").fill("Cán bộ tiếp dân cần làm gì trước tiên?")
    texts = ["Chào hỏi", "Hỏi giấy tờ", "Chờ người dân hỏi"]
    for n, text in enumerate(texts, 1):
        page.get_by_label(f"Phương án {n}", exact=True).fill(text)
    page.get_by_role("checkbox", name="Phương án 1: Đúng").check()
    with page.expect_navigation():
        page.get_by_label("Phương án 2", exact=True).press("Enter")
    rows = page.locator("[data-option-row]")
    assert rows.count() == 4
    for n, text in enumerate(texts, 1):
        assert page.get_by_label(f"Phương án {n}", exact=True).input_value() == text
    assert page.get_by_role("checkbox", name="Phương án 1: Đúng").is_checked()
    preview = page.locator(".learner-preview")
    assert preview.get_by_text("Chào hỏi").is_visible()
    page.get_by_role("button", name="Xóa phương án 1").click()  # in place
    assert rows.count() == 3
    # the labels are numbered again, the checkbox's hidden part kept apart
    assert page.get_by_label("Phương án 1", exact=True).input_value() == "Hỏi giấy tờ"
    label = page.locator("label[for=options-1-correct]")
    assert label.locator(".visually-hidden").inner_text() == "Phương án 1:"
    assert page.get_by_role("checkbox", name="Phương án 3: Đúng").count() == 1
