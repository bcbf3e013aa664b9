"""Layout in Debian's Chromium: nothing wider than the window — the cadre import
page and its preview on a 360 px phone, the administrator's header at 1366 px —
and checkboxes on the same line as their labels."""

import pytest

from app.demo.data import DEMO_PASSWORD
from tests.browser.test_sign_in import CHROMIUM, CHROMIUM_ARGS, live_server  # noqa: F401

pytestmark = pytest.mark.browser

WIDTH = "document.documentElement.scrollWidth"
OVERFLOW = f"{WIDTH} <= innerWidth"
CSV = "Mã cán bộ;Họ và tên;Mã đơn vị;Chức vụ;Email\n" + "".join(
    f"CBX{i:04d};Nguyễn Thị Thanh Hương {i};AG-SNV;"
    "Chuyên viên chính phụ trách công tác tổng hợp và cải cách hành chính;"
    f"nguyen.thi.thanh.huong.so.{i}@angiang.gov.vn\n"
    for i in range(5)
)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def _signed_in(browser, url, width, username="admin"):
    page = browser.new_context(viewport={"width": width, "height": 800}).new_page()
    page.goto(f"{url}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{url}/")
    return page


def test_the_cadre_import_fits_a_phone(live_server, browser, tmp_path):  # noqa: F811
    url, _ = live_server
    page = _signed_in(browser, url, 360, "hr")
    page.goto(f"{url}/cadres/import")
    assert page.evaluate(OVERFLOW), page.evaluate(WIDTH)
    upload = tmp_path / "cadres.csv"
    upload.write_text(CSV, "utf-8")
    page.set_input_files("input[type=file]", str(upload))
    page.get_by_role("button", name="Tải lên và xem trước").click()
    page.get_by_role("heading", name="Cán bộ sẽ được tạo mới").wait_for()
    assert page.evaluate(OVERFLOW), page.evaluate(WIDTH)


@pytest.mark.parametrize("username", ["admin", "hr", "trainer", "learner"])
def test_the_header_fits_1366_px_for_every_role(live_server, browser, username):  # noqa: F811
    url, _ = live_server
    page = _signed_in(browser, url, 1366, username)
    assert page.evaluate(OVERFLOW)
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < 130  # two rows at most
    if username == "admin":
        page.get_by_text("Quản trị", exact=True).click()
        page.get_by_role("link", name="Đơn vị", exact=True).click()
        page.wait_for_url(f"{url}/admin/units*")


def test_a_checkbox_is_on_its_labels_line(live_server, browser):  # noqa: F811
    url, _ = live_server
    page = _signed_in(browser, url, 360)
    page.goto(f"{url}/admin/campaigns")
    box = page.get_by_label("Công chức", exact=True).bounding_box()
    label = page.locator("label", has_text="Công chức").first.bounding_box()
    assert abs((box["y"] + box["height"] / 2) - (label["y"] + label["height"] / 2)) < 8
    assert box["x"] < label["x"]
