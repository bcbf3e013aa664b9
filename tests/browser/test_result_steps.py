"""What a cadre sees after the quiz, in Debian's Chromium: after a pass, the result
page links the certificate (it downloads); after a fail with an attempt left, the
result page offers "Làm lại (còn 1 lượt)" and the home page and the transcript say
"Chưa đạt, còn 1 lượt"."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.quizzes.models import AttemptSlot, Quiz
from app.timeutil import utcnow
from tests.browser.steps import sign_in, start_quiz
from tests.browser.test_sign_in import live_server, page  # noqa: F401 (fixtures)
from tests.certificates.helpers import user
from tests.records.helpers import make_campaign, read_all

pytestmark = pytest.mark.browser


@pytest.fixture
def quiz_server(live_server, tmp_path):  # noqa: F811
    """Campaign C2026 over subtree D (course T, quiz Q: 4 questions, 80 % to pass,
    2 attempts), the four questions on one page, options in file order; in1 and in2
    have read the course."""
    url, app = live_server
    app.config["COURSES_DIR"] = str(tmp_path)
    with app.app_context():
        make_campaign(tmp_path)
        now = utcnow()
        for username in ("in1", "in2"):
            read_all(user(username), now)
        quiz = db.session.scalar(select(Quiz).where(Quiz.code == "Q"))
        quiz.questions_per_page = 4
        quiz.shuffle_options = False
        db.session.commit()
    return url, app


def _right_choices(app, attempt_id: int) -> dict[int, list[int]]:
    """{position: the positions (as shown) of its right options}."""
    with app.app_context():
        slots = db.session.scalars(
            select(AttemptSlot).where(AttemptSlot.attempt_id == attempt_id)
        )
        return {
            slot.position: [
                slot.option_order.index(o["key"])
                for o in slot.version.options
                if o["correct"]
            ]
            for slot in slots
        }


def _submit(page):  # noqa: F811
    page.get_by_role("button", name="Nộp bài").click()
    page.wait_for_url("**/confirm")
    page.get_by_role("button", name="Nộp bài").last.click()
    page.wait_for_url("**/result")


def test_a_pass_links_the_certificate_on_the_result_page(quiz_server, page):  # noqa: F811
    url, app = quiz_server
    sign_in(page, url, "in1")
    attempt_id = start_quiz(page, url)
    right = _right_choices(app, attempt_id)
    assert len(right) == 4
    for position, choices in right.items():
        for choice in choices:
            page.locator(f'input[name="q{position}"][value="{choice}"]').check()
        page.locator(f"#state-{position}").get_by_text("Đã lưu").wait_for()
    _submit(page)

    steps = page.locator("#result-next")
    assert "4/4 câu đúng" in page.locator("main").inner_text()
    link = steps.get_by_role("link", name="Tải giấy chứng nhận")
    assert link.is_visible()
    assert steps.get_by_text("Số ").is_visible()  # the certificate's serial
    assert steps.get_by_role("button", name="Làm lại").count() == 0
    download = page.request.get(url + link.get_attribute("href"))
    assert download.status == 200
    assert download.headers["content-type"] == "application/pdf"


def test_a_fail_with_an_attempt_left_offers_another_everywhere(quiz_server, page):  # noqa: F811
    url, _ = quiz_server
    sign_in(page, url, "in2")
    first = start_quiz(page, url)
    _submit(page)  # nothing answered: 0 of 4
    result = page.url

    steps = page.locator("#result-next")
    assert "0/4 câu đúng" in page.locator("main").inner_text()
    assert steps.get_by_role("button", name="Làm lại (còn 1 lượt)").is_visible()
    assert steps.get_by_role("link", name="Tải giấy chứng nhận").count() == 0

    page.goto(f"{url}/")
    training = page.locator("section[aria-labelledby=training-heading]")
    assert training.get_by_text("Chưa đạt, còn 1 lượt", exact=True).is_visible()
    assert training.get_by_role("link", name="Làm lại bài kiểm tra").is_visible()

    page.goto(f"{url}/transcript")
    row = page.get_by_role("row", name="Bồi dưỡng năm 2026")
    assert row.get_by_text("Chưa đạt, còn 1 lượt", exact=True).is_visible()

    page.goto(result)  # the button starts the last attempt
    page.get_by_role("button", name="Làm lại (còn 1 lượt)").click()
    page.wait_for_url("**/attempts/*")
    assert int(page.url.rsplit("/", 1)[1].split("?")[0]) != first
