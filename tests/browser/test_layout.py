"""Layout in Debian's Chromium: nothing wider than the window — the cadre import
page and its preview, the HR filters, the transcript and a module with a wide table
on a 360 px phone, the administrator's header at 1366 px —, checkboxes and radio
buttons on the same line as their labels, header targets 44 px high on a phone."""

from itertools import pairwise

import pytest

from app.demo.data import DEMO_PASSWORD
from app.demo.seed import seed_demo
from app.extensions import db
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


def _on_its_labels_line(page, name):
    box = page.get_by_label(name, exact=True).bounding_box()
    label = page.locator("label", has_text=name).first.bounding_box()
    return abs((box["y"] + box["height"] / 2) - (label["y"] + label["height"] / 2)) < 8


@pytest.fixture
def demo(live_server):  # noqa: F811
    """The demo as `make db` builds it: the content synced, then the 2026 campaign."""
    url, app = live_server
    result = app.test_cli_runner().invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        seed_demo()
        db.session.commit()
    return url


def test_the_hr_filters_fit_a_phone(demo, browser):
    """A checkbox or radio button in an inline field was stretched to the field's
    width on a phone, its label pushed off the page."""
    url = demo
    page = _signed_in(browser, url, 360, "hr")
    page.goto(f"{url}/reports/cadres")
    assert page.evaluate(OVERFLOW), page.evaluate(WIDTH)
    assert _on_its_labels_line(page, "Chỉ cán bộ trực thuộc")
    names = page.locator("td.person-name a")  # a name on one line, the table scrolls
    heights = {
        round(box["height"]) for box in map(lambda n: n.bounding_box(), names.all())
    }
    assert len(heights) == 1, heights
    page.goto(f"{url}/reports/")
    assert _on_its_labels_line(page, "Theo đơn vị tại thời điểm hoàn thành")


def test_the_header_and_transcript_suit_a_phone(live_server, browser):  # noqa: F811
    url, _ = live_server
    page = _signed_in(browser, url, 360, "learner2")
    targets = page.locator(".site-header a:not(.brand), .site-header button")
    for target in targets.all():
        assert target.bounding_box()["height"] >= 44, target.inner_text()
    page.goto(f"{url}/transcript")  # a card per row, not columns off the screen
    assert page.evaluate(OVERFLOW), page.evaluate(WIDTH)
    for cell in page.locator("table td").all():
        assert cell.bounding_box()["x"] + cell.bounding_box()["width"] <= 360


def test_a_wide_table_scrolls_in_its_module(demo, browser):
    """Module 1's table of documents widened the page past a phone's window."""
    page = _signed_in(browser, demo, 360, "learner")
    page.goto(f"{demo}/modules/VHCV-M1")
    assert page.locator(".prose table").count()
    assert page.evaluate(OVERFLOW), page.evaluate(WIDTH)


def _right(locator) -> float:
    box = locator.bounding_box()
    return box["x"] + box["width"]


PAPERS = (
    "/reports/annual?campaign=VHCV-2026&unit=1",
    "/rewards/campaigns/VHCV-2026/paper",
    "/rewards/periods/TK-2024-2025/paper",
    "/contests/thi-tim-hieu-vhcv-2026/rounds/1/announcement",
)


def test_the_printable_papers_fit_a_phone(demo, browser):
    """The papers' toolbar select and their heading (the motto kept on one line in
    two columns) ran 100 px past a phone's window; the annual table too."""
    page = _signed_in(browser, demo, 360)
    for path in PAPERS:
        page.goto(f"{demo}{path}")
        assert page.locator(".doc-head").count(), path
        assert page.evaluate(OVERFLOW), (path, page.evaluate(WIDTH))
        for select in page.locator(".toolbar select").all():
            assert _right(select) <= 360, path


def test_the_dashboards_bars_fit_a_small_phone(demo, browser):
    """A bar's number was cut off at 360 px: the bar and the number did not fit the
    grid's column beside their label."""
    page = _signed_in(browser, demo, 320)
    page.goto(f"{demo}/reports/")
    assert page.evaluate(OVERFLOW), page.evaluate(WIDTH)
    numbers = page.locator(".figure-bars .bar-num")
    assert numbers.count() == 2
    for number in numbers.all():
        assert _right(number) <= 320, number.inner_text()


def test_the_confirm_pages_targets_suit_a_finger(demo, browser):
    """The question numbers were 10×19 px links 19 px apart, and "Nộp bài"
    touched "Quay lại làm tiếp": numbers are now chips, the buttons apart."""
    page = _signed_in(browser, demo, 360, "learner2")
    page.goto(f"{demo}/quizzes/VHCV-FINAL-2026")
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.wait_for_url("**/attempts/*")
    attempt_id = page.url.rsplit("/", 1)[1].split("?")[0]
    page.goto(f"{demo}/attempts/{attempt_id}/confirm")
    boxes = [chip.bounding_box() for chip in page.locator("#unanswered a").all()]
    assert len(boxes) > 10
    for box in boxes:
        assert box["width"] >= 24 and box["height"] >= 24, box
    for box, after in pairwise(boxes):
        if abs(after["y"] - box["y"]) < 1:  # on the same row: apart
            assert after["x"] - (box["x"] + box["width"]) >= 2, (box, after)
    submit = page.get_by_role("button", name="Nộp bài").bounding_box()
    back = page.get_by_role("link", name="Quay lại làm tiếp").bounding_box()
    apart = max(
        back["x"] - (submit["x"] + submit["width"]),
        back["y"] - (submit["y"] + submit["height"]),
    )
    assert apart >= 8, (submit, back)
