"""The server's side of the attempt page's journal (bad connections): each choice
carries a sequence number, a late retry of an older choice never overwrites a newer
one, nothing arrives after the deadline plus grace, and the pages give the script
what it needs (the numbers stored, its service worker, its words)."""

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.quizzes.models import Attempt, AttemptAnswer, AttemptSlot, QuestionVersion
from app.quizzes.questions import SINGLE
from app.timeutil import utcnow
from tests.quizzes.test_attempt_pages import _start, _token, learner  # noqa: F401


def _save(client, attempt_id, token, position, choice, seq=None):
    data = {"t": token, "position": position, "choice": choice}
    if seq is not None:
        data["seq"] = seq
    return client.post(f"/autosave/{attempt_id}", data=data)


def _singles(app, attempt_id) -> list[int]:
    """Positions of the single-answer questions (four options each); the order of
    the questions is drawn at random."""
    with app.app_context():
        return sorted(
            db.session.scalars(
                select(AttemptSlot.position)
                .join(QuestionVersion)
                .where(
                    AttemptSlot.attempt_id == attempt_id, QuestionVersion.type == SINGLE
                )
            )
        )


def _stored(app, attempt_id, position):
    with app.app_context():
        row = db.session.execute(
            select(AttemptAnswer.selected, AttemptAnswer.seq, AttemptSlot.option_order)
            .join(AttemptSlot, AttemptSlot.id == AttemptAnswer.slot_id)
            .where(
                AttemptSlot.attempt_id == attempt_id, AttemptSlot.position == position
            )
        ).one()
        return [row.option_order.index(k) for k in row.selected], row.seq


def test_an_older_choice_retried_late_leaves_the_newer_one(app, client, auth, learner):  # noqa: F811
    attempt_id = _start(client, auth)
    token = _token(client, attempt_id)
    p, q = _singles(app, attempt_id)
    newer = _save(client, attempt_id, token, p, 1, seq=7)
    assert newer.status_code == 200 and newer.json["stored"] is True
    assert newer.json["seq"] == 7
    older = _save(client, attempt_id, token, p, 0, seq=5)  # the retry of an earlier one
    assert older.status_code == 200 and older.json["saved"] is True
    assert older.json["stored"] is False
    assert _stored(app, attempt_id, p) == ([1], 7)
    # The same number with another choice: another device numbered past the same
    # stored choice. Kept as stored, and said so (its page numbers past it).
    rival = _save(client, attempt_id, token, p, 2, seq=7)
    assert rival.json["stored"] is False and rival.json["stored_seq"] == 7
    assert rival.json["stored_choices"] == [1] and _stored(app, attempt_id, p) == (
        [1],
        7,
    )
    resent = _save(client, attempt_id, token, p, 1, seq=7)  # the same choice again
    assert resent.json["stored"] is True and _stored(app, attempt_id, p) == ([1], 7)
    later = _save(client, attempt_id, token, p, 3, seq=8)
    assert later.json["stored"] is True and _stored(app, attempt_id, p) == ([3], 8)
    # Numbers are per question: a low number on another question is stored.
    other = _save(client, attempt_id, token, q, 0, seq=1)
    assert other.json["stored"] is True and _stored(app, attempt_id, q) == ([0], 1)


def test_a_save_refused_as_older_says_what_the_question_holds(
    app,
    client,
    auth,
    learner,  # noqa: F811
):
    """Two devices: a PC stores number 2; a phone whose page knew nothing of it
    sends its choice numbered 1. The answer gives the phone the number and choice
    held, and the status gives every question's number, so that the phone numbers
    its next choices past them (the later choice is then stored)."""
    attempt_id = _start(client, auth)
    token = _token(client, attempt_id)
    p, q = _singles(app, attempt_id)
    pc = _save(client, attempt_id, token, p, 2, seq=2)
    assert pc.json["stored"] is True and pc.json["stored_seq"] == 2
    assert pc.json["stored_choices"] is None
    phone = _save(client, attempt_id, token, p, 1, seq=1)
    assert phone.json["stored"] is False
    assert phone.json["stored_seq"] == 2 and phone.json["stored_choices"] == [2]
    status = client.get(f"/attempts/{attempt_id}/status").get_json()
    assert status["seqs"] == {str(p): 2}
    again = _save(client, attempt_id, token, p, 1, seq=3)  # numbered past it
    assert again.json["stored"] is True and again.json["stored_seq"] == 3
    assert _stored(app, attempt_id, p) == ([1], 3)
    _save(client, attempt_id, token, q, 0)  # a form post's kind: no number
    assert client.get(f"/attempts/{attempt_id}/status").get_json()["seqs"] == {
        str(p): 3,
        str(q): 0,
    }


def test_a_save_without_a_number_is_stored_and_numbered_past_the_stored_one(
    app,
    client,
    auth,
    learner,  # noqa: F811
):
    """A save without a number (a form post without the page script, a tool) is
    stored; changing the choice, it takes the number after the stored one, so
    that a page with the script learns at its next resync that another page's
    choice is held (with the same number, it would go on showing its own)."""
    attempt_id = _start(client, auth)
    token = _token(client, attempt_id)
    p = _singles(app, attempt_id)[0]
    _save(client, attempt_id, token, p, 1, seq=4)
    plain = _save(client, attempt_id, token, p, 0)  # an older page script or a tool
    assert plain.json["stored"] is True and plain.json["seq"] is None
    assert _stored(app, attempt_id, p) == ([0], 5)
    again = _save(client, attempt_id, token, p, 0)  # the same choice: same number
    assert again.json["stored"] is True and _stored(app, attempt_id, p) == ([0], 5)
    status = client.get(f"/attempts/{attempt_id}/status").get_json()
    assert status["seqs"][str(p)] == 5  # the page that sent number 4 learns of it
    # …and a retry below the number held still loses.
    assert _save(client, attempt_id, token, p, 3, seq=4).json["stored"] is False
    assert _stored(app, attempt_id, p) == ([0], 5)


@pytest.mark.parametrize("seq", ["0", "-1", "abc", "1.5", "", str(2**31), "²"])
def test_a_bad_sequence_number_is_refused(app, client, auth, learner, seq):  # noqa: F811
    attempt_id = _start(client, auth)
    response = _save(client, attempt_id, _token(client, attempt_id), 2, 1, seq=seq)
    assert response.status_code == 400 and response.json["saved"] is False
    assert "Số thứ tự" in response.json["error"]
    with app.app_context():
        assert db.session.scalar(select(AttemptAnswer.id)) is None


def test_the_form_post_numbers_its_choices_after_the_journal(
    app,
    client,
    auth,
    learner,  # noqa: F811
):
    attempt_id = _start(client, auth)
    token = _token(client, attempt_id)
    p = _singles(app, attempt_id)[0]
    _save(client, attempt_id, token, p, 0, seq=3)
    csrf = auth.token(f"/attempts/{attempt_id}")
    client.post(
        f"/attempts/{attempt_id}/save",
        data={
            "csrf_token": csrf,
            "positions": [p],
            f"q{p}": "1",
            "go": "1",
            "seq": "9",
        },
    )
    assert _stored(app, attempt_id, p) == ([1], 9)
    # The journal's unsent older choice, retried after the form post, loses.
    assert _save(client, attempt_id, token, p, 0, seq=5).json["stored"] is False
    # A bad number is refused, as the autosave refuses it: nothing stored.
    refused = client.post(
        f"/attempts/{attempt_id}/save",
        data={"csrf_token": csrf, "positions": [p], f"q{p}": "2", "seq": "x"},
    )
    page = client.get(refused.location).get_data(as_text=True)
    assert "Số thứ tự của lựa chọn không hợp lệ." in page
    assert _stored(app, attempt_id, p) == ([1], 9)
    # A form post without the script (no number) is stored, numbered past.
    client.post(
        f"/attempts/{attempt_id}/save",
        data={"csrf_token": csrf, "positions": [p], f"q{p}": "2"},
    )
    assert _stored(app, attempt_id, p) == ([2], 10)


def test_nothing_is_stored_after_the_deadline_plus_grace(app, client, auth, learner):  # noqa: F811
    attempt_id = _start(client, auth)
    token = _token(client, attempt_id)
    grace = app.config["ATTEMPT_GRACE_SECONDS"]
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        attempt.deadline_at = utcnow() - timedelta(seconds=grace // 2)
        db.session.commit()
    in_grace = _save(
        client, attempt_id, token, 1, 0, seq=1
    )  # sent in time, arrived late
    assert in_grace.status_code == 200 and in_grace.json["stored"] is True
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        attempt.deadline_at = utcnow() - timedelta(seconds=grace + 1)
        db.session.commit()
    too_late = _save(client, attempt_id, token, 2, 0, seq=2)
    assert too_late.status_code == 409 and too_late.json["saved"] is False
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.state == "finished"
        positions = db.session.scalars(
            select(AttemptSlot.position)
            .join(AttemptAnswer, AttemptAnswer.slot_id == AttemptSlot.id)
            .where(AttemptSlot.attempt_id == attempt_id)
        ).all()
        assert positions == [1]


def _page_script(page: str) -> dict:
    found = re.search(
        r'<script type="application/json" id="attempt-config">(.*?)</script>',
        page,
        re.S,
    )
    return json.loads(found.group(1))


def test_the_attempt_page_gives_its_script_the_journal_and_the_numbers_stored(
    app,
    client,
    auth,
    learner,  # noqa: F811
):
    attempt_id = _start(client, auth)
    _save(client, attempt_id, _token(client, attempt_id), 2, 1, seq=6)
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    script = _page_script(page)
    with app.app_context():
        user_id = db.session.get(Attempt, attempt_id).user_id
    assert script["journal"] == f"vhcv.journal.{user_id}.{attempt_id}"
    assert script["user"] == user_id and script["cache"] == f"vhcv-attempt-{attempt_id}"
    assert script["grace"] == app.config["ATTEMPT_GRACE_SECONDS"]
    assert script["worker"] == "/attempts/sw.js" and script["scope"] == "/attempts/"
    assert script["texts"]["offline"] == (
        "Mất kết nối — các lựa chọn được giữ trên máy này và sẽ gửi khi có mạng."
    )
    assert 'id="nav-2" data-position="2" data-seq="6"' in page
    assert 'id="nav-1" data-position="1" data-seq="0"' in page
    assert '<p id="connection" class="connection notice" role="status" hidden>' in page
    assert "js/journal.js" in page and "js/attempt.js" in page


def test_the_page_scripts_words_follow_the_language(app, client, auth, learner):  # noqa: F811
    attempt_id = _start(client, auth)
    client.post("/language", data={"language": "en", "csrf_token": auth.token("/")})
    page = client.get(f"/attempts/{attempt_id}")
    texts = _page_script(page.get_data(as_text=True))["texts"]
    assert texts["offline"].startswith("Connection lost")


def test_the_service_worker_is_served_for_the_attempt_pages(app, client):
    response = client.get("/attempts/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert "no-cache" in response.headers["Cache-Control"]
    assert "vhcv-attempt-" in response.get_data(as_text=True)


def test_the_result_page_gives_the_numbers_stored(app, client, auth, learner):  # noqa: F811
    attempt_id = _start(client, auth)
    token = _token(client, attempt_id)
    _save(client, attempt_id, token, 3, 0, seq=11)
    _save(client, attempt_id, token, 1, 0)
    csrf = auth.token(f"/attempts/{attempt_id}")
    client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": csrf})
    page = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    found = re.search(
        r'<script type="application/json" id="attempt-done">(.*?)</script>', page, re.S
    )
    done = json.loads(found.group(1))
    assert done["stored"] == {"1": 0, "3": 11}
    assert done["cache"] == f"vhcv-attempt-{attempt_id}"
    assert done["journal"].endswith(f".{attempt_id}")
    assert 'id="not-counted"' in page and "js/attempt-done.js" in page


def test_the_scripts_say_one_question_or_several(app):
    """The late summary (attempt.js) has a form for one question and one for
    several, picked by the script: "question 3", "questions 3, 5" in English."""
    from flask_babel import force_locale

    from app.quizzes.script_texts import attempt_script_texts

    with app.test_request_context("/"), force_locale("en"):
        texts = attempt_script_texts()
    assert texts["late_summary_one"] == (
        "Time is up: the choice for question {list} could not be sent before the "
        "deadline and is not counted."
    )
    assert texts["late_summary"] == (
        "Time is up: the choices for questions {list} could not be sent before the "
        "deadline and are not counted."
    )
    with app.test_request_context("/"):
        texts = attempt_script_texts()
    said = "Hết giờ: lựa chọn của câu {list} chưa gửi được trước hạn nên không"
    assert texts["late_summary_one"].startswith(said)
    assert texts["late_summary"] == texts["late_summary_one"]


def test_the_result_page_says_one_question_or_several(app, client, auth, learner):  # noqa: F811
    """The result page's notice of choices never sent (attempt-done.js) has the
    two forms as attributes: the script picks by the count of questions."""
    attempt_id = _start(client, auth)
    csrf = auth.token(f"/attempts/{attempt_id}")
    client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": csrf})
    client.post("/language", data={"language": "en", "csrf_token": csrf})
    page = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    notice = re.search(r'<p id="not-counted"[^>]*>', page).group(0)
    assert 'data-text-one="The choice for question {list} could not' in notice
    assert 'data-text="The choices for questions {list} could not' in notice
    assert "(s)" not in notice


def test_signing_out_asks_the_browser_to_forget_the_journal(app, client, auth, learner):  # noqa: F811
    auth.login("hv")
    token = auth.token("/")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    home = client.get("/login").get_data(as_text=True)
    assert "js/sign-out.js" in home
