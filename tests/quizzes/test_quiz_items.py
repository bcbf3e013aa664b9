"""The attempt page's smaller aids (issue #16.5): flags to come back to, the
navigator's state after each save, a multiple-answer question unticked, the page
without JavaScript (navigator buttons that save first, a static timer), and what
the result, home and transcript pages lead on to."""

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.quizzes.models import Attempt, AttemptAnswer, AttemptSlot, QuestionVersion
from app.quizzes.questions import MULTIPLE
from app.timeutil import utcnow
from tests.quizzes.test_attempt_pages import _start, _token, learner  # noqa: F401

pytestmark = pytest.mark.usefixtures("learner")


def _flag(client, auth, attempt_id, position, flagged="1", **extra):
    data = {
        "csrf_token": auth.token(f"/attempts/{attempt_id}"),
        "position": position,
        "flagged": flagged,
        **extra,
    }
    return client.post(
        f"/attempts/{attempt_id}/flag",
        data=data,
        headers={"Accept": "application/json"},
    )


def _flags(app, attempt_id) -> dict[int, bool]:
    with app.app_context():
        rows = db.session.execute(
            select(AttemptSlot.position, AttemptSlot.flagged).where(
                AttemptSlot.attempt_id == attempt_id
            )
        )
        return dict(rows.all())


def _multiple(app, attempt_id) -> int:
    with app.app_context():
        return db.session.scalar(
            select(AttemptSlot.position)
            .join(QuestionVersion)
            .where(
                AttemptSlot.attempt_id == attempt_id, QuestionVersion.type == MULTIPLE
            )
        )


def _nav(html: str, position: int) -> str:
    return re.search(rf'<button[^>]*id="nav-{position}"[^>]*>', html, re.S).group(0)


# --- Flags ---------------------------------------------------------------------


def test_a_flag_shows_in_the_navigator_and_on_the_confirm_page(
    app,
    client,
    auth,
):
    attempt_id = _start(client, auth)
    response = _flag(client, auth, attempt_id, 3)
    assert response.status_code == 200
    assert response.json == {"position": 3, "flagged": True}
    assert _flags(app, attempt_id) == {1: False, 2: False, 3: True, 4: False}
    page = client.get(f"/attempts/{attempt_id}?page=2").get_data(as_text=True)
    nav = _nav(page, 3)
    assert 'data-flagged="1"' in nav and "flagged" in nav
    assert 'aria-label="Câu 3, chưa trả lời, đã đánh dấu"' in nav
    assert re.search(r'name="flag3" value="1" data-flag="3" checked', page)
    assert "Đánh dấu để xem lại" in page
    confirm = client.get(f"/attempts/{attempt_id}/confirm").get_data(as_text=True)
    flagged = re.search(r'<p class="notice" id="flagged">(.*?)</p>', confirm, re.S)
    assert "Câu đã đánh dấu để xem lại" in flagged.group(1)
    assert "page=2#q3" in flagged.group(1)

    assert _flag(client, auth, attempt_id, 3, "0").json["flagged"] is False
    assert not any(_flags(app, attempt_id).values())
    confirm = client.get(f"/attempts/{attempt_id}/confirm").get_data(as_text=True)
    assert 'id="flagged"' not in confirm


def test_bad_flags_are_refused_and_change_nothing(app, client, auth):
    attempt_id = _start(client, auth)
    for position, flagged, status in (
        (99, "1", 404),  # no such question in the attempt
        (0, "1", 404),
        ("x", "1", 400),
        ("", "1", 400),
        (1, "yes", 400),
        (1, "", 400),
        (10**30, "1", 400),
    ):
        response = _flag(client, auth, attempt_id, position, flagged)
        assert response.status_code == status, (position, flagged)
        assert response.json["flagged"] is None and response.json["error"]
    no_csrf = client.post(
        f"/attempts/{attempt_id}/flag", data={"position": 1, "flagged": "1"}
    )
    assert no_csrf.status_code == 400
    assert not any(_flags(app, attempt_id).values())


def test_the_flag_of_another_users_attempt_is_404(app, client, auth):
    attempt_id = _start(client, auth)
    auth.logout()
    auth.login("hv2")
    response = _flag(client, auth, attempt_id, 1)
    assert response.status_code == 404
    assert not any(_flags(app, attempt_id).values())
    auth.logout()
    anonymous = client.post(f"/attempts/{attempt_id}/flag", data={"position": 1})
    assert anonymous.status_code in (302, 400)  # sign-in first (or its CSRF)


def test_a_finished_or_timed_out_attempt_takes_no_flag(app, client, auth):
    attempt_id = _start(client, auth)
    token = auth.token(f"/attempts/{attempt_id}")
    client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": token})
    response = _flag(client, auth, attempt_id, 1)
    assert response.status_code == 409 and "không đánh dấu" in response.json["error"]
    assert not any(_flags(app, attempt_id).values())

    second = _start(client, auth)
    with app.app_context():
        db.session.get(Attempt, second).deadline_at = utcnow() - timedelta(minutes=5)
        db.session.commit()
    late = _flag(client, auth, second, 1)
    assert late.status_code == 409
    with app.app_context():
        assert db.session.get(Attempt, second).state == "finished"  # graded now
    assert not any(_flags(app, second).values())


def test_the_pages_form_sets_and_clears_its_questions_flags(app, client, auth):
    attempt_id = _start(client, auth)
    token = auth.token(f"/attempts/{attempt_id}")
    _flag(client, auth, attempt_id, 4)
    client.post(
        f"/attempts/{attempt_id}/save",
        data={"csrf_token": token, "positions": ["1", "2"], "flag2": "1", "go": "2"},
    )
    assert _flags(app, attempt_id) == {1: False, 2: True, 3: False, 4: True}
    client.post(  # page 2 posted with question 4's box unticked; page 1 untouched
        f"/attempts/{attempt_id}/save",
        data={"csrf_token": token, "positions": ["3", "4"], "go": "1"},
    )
    assert _flags(app, attempt_id) == {1: False, 2: True, 3: False, 4: False}
    bad = client.post(  # a question not in the attempt: nothing of the post is kept
        f"/attempts/{attempt_id}/save",
        data={"csrf_token": token, "positions": ["1", "77"], "flag1": "1", "go": "1"},
    )
    assert bad.status_code == 302
    assert _flags(app, attempt_id)[1] is False


# --- Saves: the navigator and unticked multiple-answer questions ---------------


def test_unticking_every_box_of_a_multiple_makes_it_unanswered(app, client, auth):
    attempt_id = _start(client, auth)
    token = _token(client, attempt_id)
    position = _multiple(app, attempt_id)
    ticked = client.post(
        f"/autosave/{attempt_id}",
        data={"t": token, "position": position, "choice": [0, 2], "seq": 1},
    )
    assert ticked.json["saved"] is True
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert re.search(r'<span id="answered-count">1</span>', page)
    assert f"Câu {position}, đã trả lời" in _nav(page, position)
    cleared = client.post(  # the page script sends no choice at all
        f"/autosave/{attempt_id}",
        data={"t": token, "position": position, "seq": 2},
    )
    assert cleared.status_code == 200 and cleared.json["stored"] is True
    with app.app_context():
        answer = db.session.scalar(select(AttemptAnswer))
        assert answer.selected == []
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert re.search(r'<span id="answered-count">0</span>', page)
    nav = _nav(page, position)
    assert "unanswered" in nav and f"Câu {position}, chưa trả lời" in nav
    confirm = client.get(f"/attempts/{attempt_id}/confirm").get_data(as_text=True)
    assert "Bạn đã trả lời 0/4 câu" in confirm
    unanswered = re.search(r'id="unanswered">(.*?)</p>', confirm, re.S).group(1)
    assert f"#q{position}" in unanswered


def test_without_javascript_an_unticked_question_is_saved_only_if_it_was_answered(
    app,
    client,
    auth,
):
    attempt_id = _start(client, auth)
    token = auth.token(f"/attempts/{attempt_id}")
    position = _multiple(app, attempt_id)
    page = 1 if position <= 2 else 2
    others = [p for p in ((1, 2) if page == 1 else (3, 4)) if p != position]
    client.post(
        f"/attempts/{attempt_id}/save",
        data={
            "csrf_token": token,
            "positions": [position, *others],
            f"q{position}": ["0", "2"],
            "go": str(page),
        },
    )
    html = client.get(f"/attempts/{attempt_id}?page={page}").get_data(as_text=True)
    assert f'name="shown{position}" value="0,2"' in html  # what the page shows
    assert f'name="shown{others[0]}"' not in html
    # Another tab answers the other question meanwhile; this page, unticked, posts
    # (as a page of before `shown` did: `answered` and its position).
    _save = client.post(
        f"/autosave/{attempt_id}",
        data={"t": _token(client, attempt_id), "position": others[0], "choice": 1},
    )
    assert _save.json["saved"] is True
    client.post(
        f"/attempts/{attempt_id}/save",
        data={
            "csrf_token": token,
            "positions": [position, *others],
            "answered": [str(position)],
            "go": str(page),
        },
    )
    with app.app_context():
        stored = dict(
            db.session.execute(
                select(AttemptSlot.position, AttemptAnswer.selected).join(
                    AttemptAnswer, AttemptAnswer.slot_id == AttemptSlot.id
                )
            ).all()
        )
    assert stored[position] == []  # unticked: saved as unanswered
    assert stored[others[0]] != []  # untouched here: the other tab's choice stays


def test_a_form_post_leaves_a_question_it_did_not_change_to_a_newer_choice(
    app,
    client,
    auth,
):
    """The page showed a question answered "0,2"; another device changes it
    meanwhile. This page's form, posted with the question as it showed it, does
    not put its old choice back; changed here, it is saved (the later wins)."""
    attempt_id = _start(client, auth)
    token = auth.token(f"/attempts/{attempt_id}")
    position = _multiple(app, attempt_id)
    page = 1 if position <= 2 else 2

    def post(picked):
        return client.post(
            f"/attempts/{attempt_id}/save",
            data={
                "csrf_token": token,
                "positions": [position],
                f"q{position}": picked,
                f"shown{position}": "0,2",
                "go": str(page),
            },
        )

    def stored():
        with app.app_context():
            return db.session.scalar(
                select(AttemptAnswer.selected)
                .join(AttemptSlot, AttemptAnswer.slot_id == AttemptSlot.id)
                .where(AttemptSlot.attempt_id == attempt_id)
                .where(AttemptSlot.position == position)
            )

    first = client.post(  # this page's choice, saved as it was made
        f"/autosave/{attempt_id}",
        data={
            "t": _token(client, attempt_id),
            "position": position,
            "choice": ["0", "2"],
        },
    )
    assert first.json["saved"] is True
    elsewhere = client.post(
        f"/autosave/{attempt_id}",
        data={"t": _token(client, attempt_id), "position": position, "choice": 1},
    )
    assert elsewhere.json["saved"] is True
    newer = stored()
    left = post(["2", "0"])  # as the page showed it: left alone, and said so
    assert stored() == newer
    said = client.get(left.location).get_data(as_text=True)
    assert "giữ lựa chọn mới hơn đó" in said
    post(["2"])  # changed on this page: saved
    assert stored() != newer and len(stored()) == 1
    # the confirm page says so too, before the cadre submits
    elsewhere = client.post(
        f"/autosave/{attempt_id}",
        data={"t": _token(client, attempt_id), "position": position, "choice": 3},
    )
    assert elsewhere.json["stored"] is True
    submit = client.post(
        f"/attempts/{attempt_id}/save",
        data={
            "csrf_token": token,
            "positions": [position],
            f"q{position}": ["2"],
            f"shown{position}": "2",
            "go": "submit",
        },
    )
    assert submit.location.endswith("/confirm")
    assert "giữ lựa chọn mới hơn đó" in client.get(submit.location).get_data(True)


def test_a_form_post_after_the_deadline_says_no_newer_choice_was_kept(
    app,
    client,
    auth,
):
    """Past the deadline, a page shows a choice its journal could not send in
    time (not counted, as the page says): the form posted after it finds the
    stored choice differs, yet it is older, not newer — the form says nothing
    of a newer choice kept, and the stored one stays."""
    attempt_id = _start(client, auth)
    token = auth.token(f"/attempts/{attempt_id}")
    position = _multiple(app, attempt_id)
    saved = client.post(
        f"/autosave/{attempt_id}",
        data={"t": _token(client, attempt_id), "position": position, "choice": 1},
    )
    assert saved.json["saved"] is True
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        attempt.deadline_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    posted = client.post(
        f"/attempts/{attempt_id}/save",
        data={
            "csrf_token": token,
            "positions": [position],
            f"q{position}": ["0", "2"],
            f"shown{position}": "0,2",  # the late choice the page shows
            "go": "submit",
        },
    )
    said = client.get(posted.location, follow_redirects=True).get_data(True)
    assert "giữ lựa chọn mới hơn đó" not in said
    with app.app_context():
        stored = db.session.scalar(
            select(AttemptAnswer.selected)
            .join(AttemptSlot, AttemptAnswer.slot_id == AttemptSlot.id)
            .where(AttemptSlot.attempt_id == attempt_id)
            .where(AttemptSlot.position == position)
        )
    assert len(stored) == 1  # the choice saved in time, not the page's late one


# --- Without JavaScript: the navigator saves first, the timer is static --------


def test_the_navigator_posts_the_page_before_moving(app, client, auth):
    attempt_id = _start(client, auth)
    html = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    for position in (1, 2, 3, 4):
        nav = _nav(html, position)
        assert 'type="submit"' in nav and 'form="attempt-form"' in nav
        assert 'name="goto"' in nav and f'value="{position}"' in nav
    assert 'aria-label="Câu 1, chưa trả lời"' in html
    token = auth.token(f"/attempts/{attempt_id}")
    response = client.post(
        f"/attempts/{attempt_id}/save",
        data={"csrf_token": token, "positions": ["1", "2"], "q1": "1", "goto": "4"},
    )
    assert response.headers["Location"].endswith(f"/attempts/{attempt_id}?page=2#q4")
    page1 = client.get(f"/attempts/{attempt_id}?page=1").get_data(as_text=True)
    assert 'name="q1" value="1" checked' in page1
    for goto in ("abc", "-3", "0", str(10**30)):  # not a question: back to `go`
        response = client.post(
            f"/attempts/{attempt_id}/save",
            data={"csrf_token": token, "goto": goto, "go": "2"},
        )
        assert response.headers["Location"].endswith(f"/attempts/{attempt_id}?page=2")
    far = client.post(  # past the last question: its page is clamped when shown
        f"/attempts/{attempt_id}/save", data={"csrf_token": token, "goto": "40"}
    )
    assert client.get(far.headers["Location"]).status_code == 200


def test_the_static_timer_says_when_time_is_up_and_that_it_does_not_run(
    app,
    client,
    auth,
):
    from app.timeutil import to_vn

    attempt_id = _start(client, auth)
    html = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    with app.app_context():
        deadline = to_vn(db.session.get(Attempt, attempt_id).deadline_at)
    timer = re.search(r'<p class="timer".*?</p>', html, re.S).group(0)
    text = re.sub(r"<[^>]+>|\s+", " ", timer).split()
    assert " ".join(text) == (
        f"Hết giờ lúc {deadline:%H:%M} (đồng hồ không tự chạy khi tắt JavaScript)"
    )
    config = re.search(r'id="attempt-config">(.*?)</script>', html, re.S).group(1)
    assert json.loads(config)["texts"]["remaining"] == "Còn lại"  # the countdown's
    assert "<noscript>" in html


# --- What the result page leads on to ------------------------------------------


def test_a_failed_attempt_offers_another_with_the_attempts_left(
    app,
    client,
    auth,
):
    attempt_id = _start(client, auth)
    token = auth.token(f"/attempts/{attempt_id}")
    client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": token})
    result = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "Chưa đạt" in result and "Làm lại (còn 1 lượt)" in result
    assert 'action="/quizzes/Q/start"' in result and 'name="csrf_token"' in result
    retry = client.post(
        "/quizzes/Q/start",
        data={"csrf_token": auth.token(f"/attempts/{attempt_id}/result")},
    )
    second = int(retry.headers["Location"].rsplit("/", 1)[1])
    assert second != attempt_id
    client.post(f"/attempts/{second}/submit", data={"csrf_token": token})
    result = client.get(f"/attempts/{second}/result").get_data(as_text=True)
    assert "Làm lại" not in result and "Bạn đã dùng hết 2 lượt làm bài." in result


def test_a_failed_attempt_of_a_closed_quiz_says_why_it_cannot_be_retried(
    app,
    client,
    auth,
):
    from app.quizzes.models import Quiz

    attempt_id = _start(client, auth)
    token = auth.token(f"/attempts/{attempt_id}")
    client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": token})
    with app.app_context():
        db.session.scalar(select(Quiz)).closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    result = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "Làm lại (" not in result
    assert "Còn 1 lượt làm bài, nhưng chưa làm lại được" in result
    assert "Bài kiểm tra đã đóng lúc" in result


def test_no_retry_is_offered_when_the_score_is_not_shown(app, client, auth):
    from app.quizzes.models import Quiz

    with app.app_context():
        db.session.scalar(select(Quiz)).review_policy = "none"
        db.session.commit()
    attempt_id = _start(client, auth)
    token = auth.token(f"/attempts/{attempt_id}")
    client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": token})
    result = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "Làm lại" not in result and 'id="result-next"' not in result
    quiz_page = client.get("/quizzes/Q").get_data(as_text=True)
    assert "Kết quả tốt nhất" not in quiz_page and "Chưa đạt" not in quiz_page
    assert "Kết quả sẽ được thông báo sau" in quiz_page  # no score, as the result
