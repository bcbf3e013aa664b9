"""A quiz's prediction question: a whole number saved under the rules of a save
(the page's form, the page script's endpoint), required to submit before the
deadline, None when the time ended the attempt; HR's review shows it."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.accounts.models import User
from app.errors import InvalidInput, NotFound, TimeExpired
from app.extensions import db
from app.quizzes import attempts, prediction, sweep
from app.quizzes.models import Attempt, AttemptAnswer
from app.timeutil import utcnow
from tests.factories import make_tree, make_user
from tests.quizzes.helpers import make_quiz

PROMPT = "Dự đoán có bao nhiêu người trả lời đúng tất cả các câu hỏi của đợt thi này?"
BAD = "Dự đoán phải là một số nguyên từ 0 đến 10.000.000."
REQUIRED = "Bạn cần nhập dự đoán trước khi nộp bài."
BAD_VALUES = ["abc", "-1", "10000001", "1e3", "3.5", "١٢", "9" * 40, " ", "+5"]


@pytest.fixture
def round_(app):
    with app.app_context():
        tree = make_tree()
        make_user("hv", tree["C1"])
        make_user("hv2", tree["C1"])
        make_user("hr", tree["C"], roles=[("hr", tree["C"])])
        quiz = make_quiz()
        quiz.prediction_prompt = PROMPT
        db.session.commit()


def start(client, auth, username="hv") -> int:
    auth.login(username)
    token = auth.token("/quizzes/Q")
    response = client.post("/quizzes/Q/start", data={"csrf_token": token})
    return int(response.headers["Location"].rsplit("/", 1)[1])


def stored(app, attempt_id: int) -> int | None:
    with app.app_context():
        return db.session.get(Attempt, attempt_id).prediction


def expire(app, attempt_id: int) -> None:
    with app.app_context():
        db.session.execute(
            update(Attempt)
            .where(Attempt.id == attempt_id)
            .values(deadline_at=utcnow() - timedelta(hours=1))
        )
        db.session.commit()


def post_prediction(client, auth, attempt_id, value=None, csrf=True):
    data = {} if value is None else {"prediction": value}
    if csrf:
        data["csrf_token"] = auth.token(f"/attempts/{attempt_id}/confirm")
    return client.post(f"/attempts/{attempt_id}/prediction", data=data)


def test_parse_takes_whole_numbers_in_bounds_only():
    assert prediction.parse(" 42 ") == 42
    assert prediction.parse("0") == 0
    assert prediction.parse("10000000") == 10_000_000
    for value in [*BAD_VALUES, "", None]:
        with pytest.raises(InvalidInput):
            prediction.parse(value)


def test_parse_reads_thousands_grouped_with_dots_as_the_hint_writes_them():
    """The page's hint says "từ 0 đến 10.000.000": a cadre may well type 1.500 for
    one thousand five hundred. Groups of exactly three digits only: 1.5, 10.000000
    (what the browser's number field leaves of 10.000.000 typed twice over) and a
    dot at either end stay refused."""
    assert prediction.parse("1.500") == 1500
    assert prediction.parse(" 10.000.000 ") == 10_000_000
    assert prediction.parse("250.000") == 250_000
    for value in ("1.5", "10.000000", "1.0000", ".500", "500.", "1..000", "10.000.001"):
        with pytest.raises(InvalidInput):
            prediction.parse(value)


def test_the_page_script_and_the_confirm_page_take_grouped_thousands(
    app, client, auth, round_
):
    attempt_id = start(client, auth)
    response = post_prediction(client, auth, attempt_id, "1.500")
    assert response.get_json() == {"saved": True, "prediction": 1500}
    token = auth.token(f"/attempts/{attempt_id}/confirm")
    response = client.post(
        f"/attempts/{attempt_id}/submit",
        data={"csrf_token": token, "prediction": "12.000"},
    )
    assert response.headers["Location"].endswith("/result")
    assert stored(app, attempt_id) == 12_000


def test_the_pages_show_the_field_with_its_prompt(client, auth, round_):
    attempt_id = start(client, auth)
    for url in (f"/attempts/{attempt_id}", f"/attempts/{attempt_id}/confirm"):
        page = client.get(url).get_data(as_text=True)
        assert f'<label for="prediction-input">{PROMPT}</label>' in page
        assert "bắt buộc trả lời trước khi nộp bài" in page
        assert 'name="prediction"' in page and 'max="10000000"' in page


def test_the_page_script_saves_it(app, client, auth, round_):
    attempt_id = start(client, auth)
    response = post_prediction(client, auth, attempt_id, "1234")
    assert response.status_code == 200 and response.json == {
        "saved": True,
        "prediction": 1234,
    }
    assert stored(app, attempt_id) == 1234
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert 'value="1234"' in page and "Bạn chưa nhập dự đoán" not in page


def test_the_page_script_is_refused_bad_values(app, client, auth, round_):
    attempt_id = start(client, auth)
    post_prediction(client, auth, attempt_id, "7")
    for value in BAD_VALUES:
        response = post_prediction(client, auth, attempt_id, value)
        assert response.status_code == 400, value
        assert response.json == {"saved": False, "error": BAD}
    missing = post_prediction(client, auth, attempt_id)
    assert missing.status_code == 400 and missing.json["saved"] is False
    no_csrf = post_prediction(client, auth, attempt_id, "8", csrf=False)
    assert no_csrf.status_code == 400
    assert stored(app, attempt_id) == 7


def test_nobody_saves_into_anothers_attempt(app, client, auth, round_):
    attempt_id = start(client, auth)
    auth.logout()
    auth.login("hv2")
    token = auth.token("/quizzes/Q")
    response = client.post(
        f"/attempts/{attempt_id}/prediction",
        data={"csrf_token": token, "prediction": "5"},
    )
    assert response.status_code == 404 and response.json["saved"] is False
    response = client.post(
        f"/attempts/{attempt_id}/save",
        data={"csrf_token": token, "prediction": "5", "go": "1"},
    )
    assert response.status_code == 404
    assert stored(app, attempt_id) is None


def test_no_save_after_the_deadline(app, client, auth, round_):
    attempt_id = start(client, auth)
    token = auth.token(f"/attempts/{attempt_id}")
    expire(app, attempt_id)
    response = client.post(
        f"/attempts/{attempt_id}/prediction",
        data={"csrf_token": token, "prediction": "5"},
    )
    assert response.status_code == 409 and response.json["saved"] is False
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.state == "finished" and attempt.prediction is None


def test_the_service_refuses_time_owner_and_quiz_without_prompt(ctx, round_):
    hv = db.session.scalar(select(User).where(User.username == "hv"))
    hv2 = db.session.scalar(select(User).where(User.username == "hv2"))
    attempt = attempts.start_attempt(hv, attempts.get_quiz("Q"))
    cutoff = attempts.save_cutoff()
    with pytest.raises(NotFound):
        prediction.save(attempt, hv2.id, 5, cutoff)
    with pytest.raises(InvalidInput):
        prediction.save(attempt, hv.id, -1, cutoff)
    prediction.save(attempt, hv.id, 5, cutoff)
    assert attempt.prediction == 5 and attempt.last_saved_at is not None
    attempts.finalise(attempt)
    with pytest.raises(TimeExpired):
        prediction.save(attempt, hv.id, 6, cutoff)
    attempt.quiz.prediction_prompt = None
    with pytest.raises(InvalidInput):
        prediction.save(attempt, hv.id, 6, cutoff)
    assert attempt.prediction == 5


def test_the_pages_form_saves_it_without_javascript(app, client, auth, round_):
    attempt_id = start(client, auth)
    token = auth.token(f"/attempts/{attempt_id}")
    data = {"csrf_token": token, "positions": ["1"], "q1": "0", "go": "2"}
    response = client.post(
        f"/attempts/{attempt_id}/save",
        data={**data, "prediction": "321", "prediction_shown": ""},
        follow_redirects=True,
    )
    assert "Đã lưu câu trả lời." in response.get_data(as_text=True)
    assert stored(app, attempt_id) == 321
    # A page that still shows an older value (another tab) changes nothing.
    with app.app_context():
        db.session.execute(
            update(Attempt).where(Attempt.id == attempt_id).values(prediction=400)
        )
        db.session.commit()
    client.post(
        f"/attempts/{attempt_id}/save",
        data={**data, "prediction": "321", "prediction_shown": "321"},
    )
    assert stored(app, attempt_id) == 400


def test_the_pages_form_refuses_bad_values_but_keeps_the_choices(
    app, client, auth, round_
):
    attempt_id = start(client, auth)
    token = auth.token(f"/attempts/{attempt_id}")
    for value in BAD_VALUES + [""]:
        response = client.post(
            f"/attempts/{attempt_id}/save",
            data={
                "csrf_token": token,
                "positions": ["1"],
                "q1": "1",
                "go": "submit",
                "prediction": value,
                "prediction_shown": "12",
            },
        )
        assert response.status_code == 302, value
        assert response.headers["Location"].endswith(
            f"/attempts/{attempt_id}#prediction"
        )
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert BAD in page, value
    assert stored(app, attempt_id) is None
    with app.app_context():
        assert db.session.scalar(
            select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id)
        ).selected


def test_submitting_needs_a_prediction(app, client, auth, round_):
    attempt_id = start(client, auth)
    token = auth.token(f"/attempts/{attempt_id}/confirm")
    response = client.post(
        f"/attempts/{attempt_id}/submit",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert REQUIRED in page and 'name="prediction"' in page  # the confirm page
    for value in ("", "  ", "abc", "-3", "99999999"):
        response = client.post(
            f"/attempts/{attempt_id}/submit",
            data={"csrf_token": token, "prediction": value},
        )
        assert response.headers["Location"].endswith("/confirm"), value
    # The timer's own submit, well before the deadline, needs one too.
    response = client.post(
        f"/attempts/{attempt_id}/submit", data={"csrf_token": token, "auto": "1"}
    )
    assert response.headers["Location"].endswith("/confirm")
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).state == "open"
    response = client.post(
        f"/attempts/{attempt_id}/submit",
        data={"csrf_token": token, "prediction": "250"},
    )
    assert response.headers["Location"].endswith("/result")
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.state == "finished" and attempt.prediction == 250
    result = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "Dự đoán của bạn: 250" in result


def test_a_saved_prediction_is_enough_to_submit(app, client, auth, round_):
    attempt_id = start(client, auth)
    post_prediction(client, auth, attempt_id, "9")
    token = auth.token(f"/attempts/{attempt_id}/confirm")
    response = client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": token})
    assert response.headers["Location"].endswith("/result")
    assert stored(app, attempt_id) == 9


def test_the_time_ends_an_attempt_without_one(app, client, auth, round_):
    lazily = start(client, auth)
    expire(app, lazily)
    response = client.get(f"/attempts/{lazily}")
    assert response.headers["Location"].endswith("/result")
    auth.logout()
    swept = start(client, auth, "hv2")
    expire(app, swept)
    with app.app_context():
        assert sweep.close_overdue() == 1
        db.session.commit()
        for attempt_id, by in ((lazily, "deadline"), (swept, "sweep")):
            attempt = db.session.get(Attempt, attempt_id)
            assert attempt.state == "finished" and attempt.finished_by == by
            assert attempt.prediction is None


def _deadline_in(app, attempt_id: int, seconds: float) -> None:
    with app.app_context():
        db.session.execute(
            update(Attempt)
            .where(Attempt.id == attempt_id)
            .values(deadline_at=utcnow() + timedelta(seconds=seconds))
        )
        db.session.commit()


def test_the_timers_submit_at_the_deadline_needs_none(app, client, auth, round_):
    """Anyone may send the timer's "auto": before the deadline it is refused
    without a prediction, as "Nộp bài" is (the confirm page it lands on posts
    again at zero); once the deadline has passed it ends the attempt."""
    attempt_id = start(client, auth)
    token = auth.token(f"/attempts/{attempt_id}")
    for seconds in (9, 3, 0.5):
        _deadline_in(app, attempt_id, seconds)
        response = client.post(
            f"/attempts/{attempt_id}/submit",
            data={"csrf_token": token, "auto": "1"},
            follow_redirects=True,
        )
        assert response.request.path.endswith("/confirm"), seconds
        assert REQUIRED in response.get_data(as_text=True)
        with app.app_context():
            assert db.session.get(Attempt, attempt_id).state == "open"
    _deadline_in(app, attempt_id, -1)
    response = client.post(
        f"/attempts/{attempt_id}/submit", data={"csrf_token": token, "auto": "1"}
    )
    assert response.headers["Location"].endswith("/result")
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.finished_by == "auto" and attempt.prediction is None


def test_the_timer_needs_one_until_the_deadline_as_a_cadre_does(ctx, round_):
    """The page's timer gets no slack: whoever submits, a prediction is needed
    until the server's clock reaches the deadline."""
    hv = db.session.scalar(select(User).where(User.username == "hv"))
    attempt = attempts.start_attempt(hv, attempts.get_quiz("Q"))
    cutoff, deadline = attempts.save_cutoff(), attempt.deadline_at
    moment = timedelta(milliseconds=1)
    for by_timer in (True, False):
        for now, needed in (
            (deadline - timedelta(seconds=10), True),
            (deadline - moment, True),
            (deadline, False),
            (deadline + moment, False),
        ):
            if needed:
                with pytest.raises(InvalidInput):
                    prediction.before_submit(attempt, None, cutoff, now, by_timer)
            else:
                prediction.before_submit(attempt, None, cutoff, now, by_timer)


def test_a_quiz_without_a_prompt_asks_nothing(app, client, auth, round_):
    with app.app_context():
        attempts.get_quiz("Q").prediction_prompt = None
        db.session.commit()
    attempt_id = start(client, auth)
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert 'name="prediction"' not in page and "prediction.js" not in page
    assert post_prediction(client, auth, attempt_id, "5").status_code == 400
    token = auth.token(f"/attempts/{attempt_id}/confirm")
    response = client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": token})
    assert response.headers["Location"].endswith("/result")


def test_hrs_review_shows_the_prediction(app, client, auth, round_):
    attempt_id = start(client, auth)
    post_prediction(client, auth, attempt_id, "12345")
    auth.logout()
    auth.login("hr")
    page = client.get(f"/reports/attempts/{attempt_id}").get_data(as_text=True)
    assert re.search(r'<dd id="prediction">12\.345</dd>', page)


def test_the_timers_submit_keeps_the_prediction_typed_on_the_page(
    app, client, auth, round_
):
    """The page's timer posts its own small form when the time is up: a prediction
    typed on the page but not yet saved (the field not left, or its save lost to
    the network) comes with it and is saved while the attempt takes saves."""
    attempt_id = start(client, auth)
    token = auth.token(f"/attempts/{attempt_id}")
    _deadline_in(app, attempt_id, -3)  # the time is up, within the grace
    response = client.post(
        f"/attempts/{attempt_id}/submit",
        data={"csrf_token": token, "auto": "1", "prediction": " 77 "},
    )
    assert response.headers["Location"].endswith("/result")
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.state == "finished" and attempt.finished_by == "auto"
        assert attempt.prediction == 77


@pytest.mark.parametrize("value", ["abc", "-1", "99999999", "1e3"])
def test_a_bad_prediction_does_not_hold_back_the_timers_submit(
    app, client, auth, round_, value
):
    attempt_id = start(client, auth)
    token = auth.token(f"/attempts/{attempt_id}")
    _deadline_in(app, attempt_id, -1)  # the time is up, within the grace
    response = client.post(
        f"/attempts/{attempt_id}/submit",
        data={"csrf_token": token, "auto": "1", "prediction": value},
    )
    assert response.headers["Location"].endswith("/result"), value
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.state == "finished" and attempt.prediction is None


def test_a_prediction_arriving_after_the_grace_is_not_taken(app, client, auth, round_):
    """The timer's form reaching the server after the deadline plus grace (the
    network was down): the attempt ends with what arrived in time, no prediction."""
    attempt_id = start(client, auth)
    token = auth.token(f"/attempts/{attempt_id}")
    _deadline_in(app, attempt_id, -60)
    response = client.post(
        f"/attempts/{attempt_id}/submit",
        data={"csrf_token": token, "auto": "1", "prediction": "5"},
    )
    assert response.headers["Location"].endswith("/result")
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.state == "finished" and attempt.prediction is None
