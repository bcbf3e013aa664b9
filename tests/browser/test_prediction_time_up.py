"""A contest round's prediction on a bad connection and at the end of the time, in
Debian's Chromium: a save lost to the network is made again when the network is
back; the page's timer submits the attempt with the prediction its field holds —
typed but never saved, because the cadre did not leave the field or because its
save was lost to the network — rather than ending the attempt without one, and
never sends the value an older copy of the page came with."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.quizzes.models import Attempt, Quiz
from tests.browser.test_offline import _network, _serve, _start
from tests.browser.test_sign_in import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser
PROMPT = "Dự đoán có bao nhiêu người trả lời đúng tất cả các câu hỏi của đợt thi này?"
TIME_LIMIT = 12


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
def round_quiz(tmp_path):
    url, app, server = _serve(tmp_path, time_limit=TIME_LIMIT)
    with app.app_context():
        db.session.scalar(select(Quiz)).prediction_prompt = PROMPT
        db.session.commit()
    yield url, app
    server.shutdown()


def _finished(app, page, attempt_id: int) -> Attempt:
    page.wait_for_url("**/result", timeout=(TIME_LIMIT + 20) * 1000)
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.state == "finished" and attempt.finished_by == "auto"
        return attempt


def test_a_prediction_typed_as_the_time_runs_out_is_kept(round_quiz, browser_context):
    url, app = round_quiz
    page = browser_context.new_page()
    attempt_id = _start(page, url)
    page.locator("#prediction-input").fill("42")  # the field is never left
    assert _finished(app, page, attempt_id).prediction == 42


def test_a_prediction_whose_save_was_lost_offline_is_kept(round_quiz, browser_context):
    url, app = round_quiz
    page = browser_context.new_page()
    attempt_id = _start(page, url)
    _network(browser_context, app, up=False)
    field = page.locator("#prediction-input")
    field.fill("17")
    field.press("Enter")  # its save fails: no network
    page.locator("#prediction-status").get_by_text("Chưa lưu được dự đoán").wait_for()
    _network(browser_context, app, up=True)
    assert _finished(app, page, attempt_id).prediction == 17


def _set_prediction(app, attempt_id: int, value: int) -> None:
    with app.app_context():
        db.session.get(Attempt, attempt_id).prediction = value
        db.session.commit()


def test_the_value_the_page_came_with_does_not_overwrite_a_newer_one(
    round_quiz, browser_context
):
    """The field as the page came (an older copy: another tab has saved a new
    value since) is not sent at the end: the newer value stays."""
    url, app = round_quiz
    page = browser_context.new_page()
    attempt_id = _start(page, url)
    _set_prediction(app, attempt_id, 5)
    page.reload()
    assert page.locator("#prediction-input").input_value() == "5"
    _set_prediction(app, attempt_id, 10)  # saved from another tab
    assert _finished(app, page, attempt_id).prediction == 10


@pytest.fixture
def long_round(tmp_path):
    url, app, server = _serve(tmp_path, time_limit=600)
    with app.app_context():
        db.session.scalar(select(Quiz)).prediction_prompt = PROMPT
        db.session.commit()
    yield url, app
    server.shutdown()


def test_a_prediction_saved_offline_is_sent_when_the_network_is_back(
    long_round, browser_context
):
    url, app = long_round
    page = browser_context.new_page()
    attempt_id = _start(page, url)
    _network(browser_context, app, up=False)
    field = page.locator("#prediction-input")
    field.fill("23")
    field.press("Enter")
    page.locator("#prediction-status").get_by_text("Chưa lưu được dự đoán").wait_for()
    _network(browser_context, app, up=True)
    page.locator("#prediction-status").get_by_text("Đã lưu dự đoán").wait_for()
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).prediction == 23


def test_thousands_typed_with_dots_are_saved_and_let_the_page_go(
    long_round, browser_context
):
    """1.500 (one thousand five hundred, as the hint writes 10.000.000) is saved as
    1500 and shown so; the field's own check then lets the page's form go."""
    url, app = long_round
    page = browser_context.new_page()
    attempt_id = _start(page, url)
    field = page.locator("#prediction-input")
    field.fill("1.500")
    field.press("Enter")
    page.locator("#prediction-status").get_by_text("Đã lưu dự đoán").wait_for()
    assert field.input_value() == "1500"
    page.get_by_role("button", name="Nộp bài").click()
    page.wait_for_url("**/confirm")
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).prediction == 1500


def test_a_prediction_typed_offline_survives_a_reload_and_is_saved_when_back(
    long_round, browser_context
):
    """The prediction is kept in the attempt's journal as it is typed: a reload
    without network (the page's offline copy, which came without it) puts it back
    in the field, said not yet saved, and it is saved once the network is back."""
    from tests.browser.test_offline import _journal, _wait_for_offline_copy

    url, app = long_round
    page = browser_context.new_page()
    attempt_id = _start(page, url)
    _wait_for_offline_copy(page, attempt_id)
    _network(browser_context, app, up=False)
    page.locator("#prediction-input").fill("31")  # the field is never left
    (journal,) = _journal(page).values()
    assert journal["prediction"] == {"value": "31"}

    page.reload()  # without network: the service worker's copy, then the journal
    assert page.locator("#prediction-input").input_value() == "31"
    status = page.locator("#prediction-status").inner_text()
    assert "chưa được lưu" in status
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).prediction is None

    _network(browser_context, app, up=True)
    page.locator("#prediction-status").get_by_text("Đã lưu dự đoán").wait_for()
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).prediction == 31
    (journal,) = _journal(page).values()
    assert "prediction" not in journal  # acknowledged: nothing left to keep


def test_a_prediction_restored_offline_goes_with_the_submit(
    long_round, browser_context
):
    """Restored after an offline reload, the prediction is posted with the page's
    form when "Nộp bài" is pressed (the form waits for the network)."""
    from tests.browser.test_offline import _wait_for_offline_copy

    url, app = long_round
    page = browser_context.new_page()
    attempt_id = _start(page, url)
    _wait_for_offline_copy(page, attempt_id)
    _network(browser_context, app, up=False)
    page.locator("#prediction-input").fill("8")
    page.reload()
    assert page.locator("#prediction-input").input_value() == "8"
    page.get_by_role("button", name="Nộp bài").click()
    _network(browser_context, app, up=True)
    page.wait_for_url("**/confirm", timeout=20000)
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).prediction == 8
