"""A cadre's attempts as staff see them: the save log behind them (every save, kept
or not), the list and the review, and who may see them (HR and trainers within
their subtree, administrators; nobody else)."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.accounts.models import User
from app.extensions import db
from app.quizzes import attempts
from app.quizzes.models import (
    SAVE_CLOSED,
    SAVE_LATE,
    SAVE_OLDER,
    SAVE_STORED,
    AnswerSave,
    Attempt,
    AttemptAnswer,
    AttemptSlot,
)
from app.quizzes.saving import autosave_token
from app.reports import attempts as review
from app.timeutil import to_vn, utcnow
from tests.factories import make_user
from tests.records.helpers import make_campaign
from tests.test_bounds import HUGE


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def slot_of(attempt_id: int, position: int) -> AttemptSlot:
    return db.session.scalar(
        select(AttemptSlot).where(
            AttemptSlot.attempt_id == attempt_id, AttemptSlot.position == position
        )
    )


@pytest.fixture
def ids(app, tmp_path) -> dict:
    """in1 (D1A) has one open attempt of quiz Q; staff around it:
    hr (HR of D), hrc (HR of C), tr (trainer of D1), trc (trainer of C), adm;
    in2 (D1) is a learner only."""
    with app.app_context():
        campaign, tree = make_campaign(tmp_path)
        make_user("hr", tree["D"], roles=[("hr", tree["D"])])
        make_user("hrc", tree["C"], roles=[("hr", tree["C"])])
        make_user("tr", tree["D1"], roles=[("trainer", tree["D1"])])
        make_user("trc", tree["C"], roles=[("trainer", tree["C"])])
        make_user("adm", tree["P"], roles=[("admin", None)])
        cadre = user("in1")
        attempt = attempts.start_attempt(cadre, attempts.get_quiz("Q"))
        db.session.commit()
        token = autosave_token(
            app.config["SECRET_KEY"], attempt.id, cadre.id, cadre.session_version
        )
        return {"attempt": attempt.id, "in1": cadre.id, "token": token}


def autosave(client, ids, position, choices, seq=None):
    data = {"t": ids["token"], "position": position, "choice": choices}
    if seq is not None:
        data["seq"] = seq
    return client.post(f"/autosave/{ids['attempt']}", data=data)


def log_of(attempt_id: int) -> list[AnswerSave]:
    return list(
        db.session.scalars(
            select(AnswerSave)
            .where(AnswerSave.attempt_id == attempt_id)
            .order_by(AnswerSave.id)
        )
    )


def page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.get_data(as_text=True)


# --- the save log -----------------------------------------------------------


def test_every_save_is_logged_even_an_older_one_that_was_ignored(app, client, ids):
    assert autosave(client, ids, 1, [0], seq=1).json["stored"] is True
    assert autosave(client, ids, 1, [1], seq=3).json["stored"] is True
    late_retry = autosave(client, ids, 1, [0], seq=2).json  # arrives after seq 3
    assert late_retry["saved"] is True and late_retry["stored"] is False
    with app.app_context():
        order = slot_of(ids["attempt"], 1).option_order
        log = log_of(ids["attempt"])
        assert [(s.seq, s.outcome) for s in log] == [
            (1, SAVE_STORED),
            (3, SAVE_STORED),
            (2, SAVE_OLDER),
        ]
        assert [s.selected for s in log] == [[order[0]], [order[1]], [order[0]]]
        assert all(s.slot_id == slot_of(ids["attempt"], 1).id for s in log)
        answer = db.session.scalar(select(AttemptAnswer))
        assert (answer.selected, answer.seq) == ([order[1]], 3)  # the newer kept
        assert log[1].saved_at == answer.saved_at


def test_a_refused_choice_is_not_logged(app, client, ids):
    """A choice that does not fit (no such option, several for a single-answer
    question) is no save of the attempt: nothing is written."""
    assert autosave(client, ids, 1, [9], seq=1).status_code == 404
    assert autosave(client, ids, 99, [0], seq=2).status_code == 404
    with app.app_context():
        assert log_of(ids["attempt"]) == []


def test_saves_refused_as_late_or_after_the_end_are_logged(app, client, ids):
    assert autosave(client, ids, 2, [0], seq=1).status_code == 200
    with app.app_context():
        past = utcnow() - timedelta(minutes=5)  # beyond the grace
        db.session.execute(
            update(Attempt).where(Attempt.id == ids["attempt"]).values(deadline_at=past)
        )
        db.session.commit()
    assert autosave(client, ids, 2, [1], seq=2).status_code == 409
    assert autosave(client, ids, 2, [], seq=3).status_code == 409
    with app.app_context():
        attempt = db.session.get(Attempt, ids["attempt"])
        assert attempt.state == "finished" and attempt.finished_by == "deadline"
        log = log_of(ids["attempt"])
        assert [(s.seq, s.outcome) for s in log] == [
            (1, SAVE_STORED),
            (2, SAVE_LATE),  # open, but past the deadline and its grace
            (3, SAVE_CLOSED),  # the late save finalised the attempt
        ]
        assert log[2].selected == []  # a clearing save is logged as such
        order = slot_of(ids["attempt"], 2).option_order
        answer = db.session.scalar(select(AttemptAnswer))
        assert answer.selected == [order[0]]  # what was saved in time


def test_the_form_post_logs_its_saves_and_its_late_refusals(app, client, auth, ids):
    auth.login("in1")
    url = f"/attempts/{ids['attempt']}"
    token = auth.token(url)
    form = {"csrf_token": token, "positions": [1], "q1": 0, "go": "1"}
    assert client.post(f"{url}/save", data=form).status_code == 302
    with app.app_context():
        db.session.execute(
            update(Attempt)
            .where(Attempt.id == ids["attempt"])
            .values(deadline_at=utcnow() - timedelta(seconds=30))
        )
        db.session.commit()
    # the page finalises the overdue attempt first; the save is then refused
    assert client.post(f"{url}/save", data={**form, "q1": 1}).status_code == 302
    with app.app_context():
        log = log_of(ids["attempt"])
        order = slot_of(ids["attempt"], 1).option_order
        assert [(s.seq, s.outcome, s.selected) for s in log] == [
            (None, SAVE_STORED, [order[0]]),
            (None, SAVE_CLOSED, [order[1]]),
        ]


# --- the pages ----------------------------------------------------------------


def _finish_with_history(app, client, ids) -> tuple[list[int], list[int]]:
    """Question 1: right at seq 1, wrong at seq 3, an older retry (seq 2); question
    2 untouched; then submitted. The positions shown of its right and wrong
    choices."""
    with app.app_context():
        slot = slot_of(ids["attempt"], 1)
        right = [
            i
            for i, key in enumerate(slot.option_order)
            if any(o["key"] == key and o["correct"] for o in slot.version.options)
        ]
        wrong = [i for i in range(len(slot.option_order)) if i not in right][:1]
    autosave(client, ids, 1, right, seq=1)
    autosave(client, ids, 1, wrong, seq=3)
    autosave(client, ids, 1, right, seq=2)
    with app.app_context():
        attempts.finalise(db.session.get(Attempt, ids["attempt"]), utcnow())
        db.session.commit()
    return right, wrong


def letters(positions: list[int]) -> str:
    return ", ".join("ABCD"[i] for i in positions)


def test_hr_in_scope_sees_the_list_and_the_review(app, client, auth, ids):
    right, wrong = _finish_with_history(app, client, ids)
    auth.login("hr")
    listing = page(client, f"/reports/cadres/{ids['in1']}/attempts")
    assert "Bài kiểm tra thử" in listing and "Tự nộp bài" in listing
    assert f"/reports/attempts/{ids['attempt']}" in listing
    assert f'href="/reports/cadres/{ids["in1"]}"' in listing  # HR's report page
    cadre_page = page(client, f"/reports/cadres/{ids['in1']}?campaign=C2026")
    assert f"/reports/attempts/{ids['attempt']}" in cadre_page
    assert f"/reports/cadres/{ids['in1']}/attempts" in cadre_page

    html = page(client, f"/reports/attempts/{ids['attempt']}")
    assert "Nguyễn Văn An" in html and "Chưa đạt" in html
    positions = [int(n) for n in re.findall(r'<h2 id="q(\d+)-title">', html)]
    assert positions == [1, 2, 3, 4]
    with app.app_context():
        stems = [slot_of(ids["attempt"], p).version.stem_html for p in positions]
        saves = log_of(ids["attempt"])
        times = [to_vn(s.saved_at).strftime("%d/%m/%Y %H:%M:%S") for s in saves]
    where = [html.index(stem) for stem in stems]
    assert where == sorted(where)  # in the attempt's order
    first = html.split('id="q1"')[1].split('id="q2"')[0]
    items = re.findall(r'<li class="([^"]*)">\s*<strong>([A-D])\.</strong>', first)
    assert [x for c, x in items if "chosen" in c] == [letters(wrong)]  # seq 3
    assert [x for c, x in items if "correct" in c] == ["ABCD"[i] for i in right]
    assert first.count("· cán bộ chọn") == 1
    assert first.count("· đáp án đúng") == len(right)
    assert "✗ Chưa đúng" in first
    assert all(t in first for t in times)  # every save, to the second
    assert "Được lưu, sau đó được thay bằng lựa chọn sau" in first
    assert "Được lưu — là câu trả lời cuối cùng" in first
    assert "Bỏ qua: đã lưu một lựa chọn mới hơn" in first
    history = re.findall(r"<td>([A-D, ]+)</td>\s*<td class=\"num\">(\d+)</td>", first)
    assert history == [
        (letters(right), "1"),
        (letters(wrong), "3"),
        (letters(right), "2"),
    ]
    second = html.split('id="q2"')[1].split('id="q3"')[0]
    assert "Không có câu trả lời được lưu." in second


def test_an_officer_who_may_still_take_the_quiz_sees_no_right_option(
    app, client, auth, ids
):
    """An HR officer who is also one of the quiz's cadres, with an attempt left
    and its window open, is not shown the right options or marks of a colleague's
    finished attempt (nor would a trainer be), nor the colleague's choices and
    score (the lists show scores: a perfect attempt's choices are the key); once
    out of attempts, it is."""
    _finish_with_history(app, client, ids)
    with app.app_context():
        make_user(
            "hrl", user("hr").unit, roles=[("hr", user("hr").unit), ("learner", None)]
        )
    auth.login("hrl")
    html = page(client, f"/reports/attempts/{ids['attempt']}")
    assert "· đáp án đúng" not in html and 'class="correct' not in html
    assert "Chưa đúng" not in html and "vẫn còn lượt làm bài" in html
    assert "cán bộ chọn" not in html and 'class=" chosen' not in html
    assert "ẩn với bạn" in html and "Chưa đạt" not in html and "Đạt" not in html
    saves = re.findall(r"<td>([^<]*)</td>\s*<td class=\"num\">", html)
    assert saves and set(saves) == {"(ẩn)"}  # the save log keeps its times only
    # what was kept is still said: hidden, not absent
    assert "Số câu đã trả lời</dt><dd>1/" in html
    assert html.count("Câu trả lời được giữ lưu lúc") == 1
    with app.app_context():
        score = db.session.get(Attempt, ids["attempt"]).score
    assert f"{score:g}/" not in html.split("<dt>Điểm</dt>")[1].split("</dd>")[0]
    with app.app_context():
        officer = user("hrl")
        quiz = attempts.get_quiz("Q")
        assert review.may_still_take(officer, quiz, utcnow())
        for _ in range(quiz.attempts_allowed):
            last = attempts.start_attempt(officer, quiz)
            # sitting its last attempt: held still (its open attempt is counted)
            assert review.may_still_take(officer, quiz, utcnow())
            attempts.finalise(last, utcnow())
        db.session.commit()
        assert not review.may_still_take(officer, quiz, utcnow())
    html = page(client, f"/reports/attempts/{ids['attempt']}")
    assert "· đáp án đúng" in html and "cán bộ chọn" in html and "(ẩn)" not in html


def test_the_review_shows_options_in_the_order_the_cadre_saw_them(app, ids):
    with app.app_context():
        attempt = db.session.get(Attempt, ids["attempt"])
        info = review.attempt_review(attempt)
        for question in info.questions:
            slot = slot_of(attempt.id, question.position)
            options = {o["key"]: o["html"] for o in slot.version.options}
            shown = [str(o.html) for o in question.options]
            assert shown == [options[k] for k in slot.option_order]
            assert [o.letter for o in question.options] == list("ABCD"[: len(shown)])


def test_an_open_attempt_shows_no_right_option(app, client, auth, ids):
    autosave(client, ids, 1, [0], seq=1)
    auth.login("hr")
    html = page(client, f"/reports/attempts/{ids['attempt']}")
    assert "· đáp án đúng" not in html and 'class="correct' not in html
    assert "Đang làm" in html and "cán bộ chọn" in html


def test_an_attempt_past_its_deadline_is_not_shown_as_being_taken(
    app, client, auth, ids
):
    with app.app_context():
        attempt = db.session.get(Attempt, ids["attempt"])
        attempt.deadline_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    auth.login("hr")
    html = page(client, f"/reports/attempts/{ids['attempt']}")
    assert "Hết giờ — hệ thống sẽ tự chấm" in html and "Đang làm" not in html


def test_a_trainer_within_the_subtree_sees_them_without_the_hr_page(client, auth, ids):
    auth.login("tr")
    listing = page(client, f"/reports/cadres/{ids['in1']}/attempts")
    assert f"/reports/attempts/{ids['attempt']}" in listing
    assert f'href="/reports/cadres/{ids["in1"]}"' not in listing
    page(client, f"/reports/attempts/{ids['attempt']}")
    page(client, f"/reports/cadres/{ids['in1']}", 403)  # HR's page stays HR's


def test_the_administrator_sees_them(client, auth, ids):
    auth.login("adm")
    page(client, f"/reports/cadres/{ids['in1']}/attempts")
    page(client, f"/reports/attempts/{ids['attempt']}")


@pytest.mark.parametrize("username", ["hrc", "trc"])
def test_staff_outside_the_subtree_get_404(client, auth, ids, username):
    auth.login(username)
    page(client, f"/reports/cadres/{ids['in1']}/attempts", 404)
    page(client, f"/reports/attempts/{ids['attempt']}", 404)


@pytest.mark.parametrize("username", ["in2", "in1"])
def test_learners_are_forbidden_even_their_own(client, auth, ids, username):
    auth.login(username)
    page(client, f"/reports/cadres/{ids['in1']}/attempts", 403)
    page(client, f"/reports/attempts/{ids['attempt']}", 403)


def test_previews_are_neither_listed_nor_reviewable(app, client, auth, ids):
    with app.app_context():
        attempts.finalise(db.session.get(Attempt, ids["attempt"]), utcnow())
        preview = attempts.start_attempt(
            user("in1"), attempts.get_quiz("Q"), preview=True
        )
        db.session.commit()
        preview_id = preview.id
    auth.login("adm")
    listing = page(client, f"/reports/cadres/{ids['in1']}/attempts")
    assert f"/reports/attempts/{preview_id}" not in listing
    assert f"/reports/attempts/{ids['attempt']}" in listing
    page(client, f"/reports/attempts/{preview_id}", 404)


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "²", *HUGE])
def test_bad_ids_are_404(client, auth, ids, value):
    auth.login("adm")
    page(client, f"/reports/attempts/{value}", 404)
    page(client, f"/reports/cadres/{value}/attempts", 404)


def test_ids_that_do_not_exist_are_404(client, auth, ids):
    auth.login("adm")
    page(client, f"/reports/attempts/{ids['attempt'] + 1000}", 404)
    page(client, f"/reports/cadres/{ids['in1'] + 1000}/attempts", 404)


# --- finding a cadre ------------------------------------------------------------


def test_staff_find_cadres_of_their_subtree_only(client, auth, ids):
    auth.login("tr")
    html = page(client, "/reports/attempts?q=nguyen van an")
    assert f"/reports/cadres/{ids['in1']}/attempts" in html
    assert "Trần Văn Cường" not in page(client, "/reports/attempts?q=tran")
    auth.logout()
    auth.login("hrc")
    assert f"/reports/cadres/{ids['in1']}/attempts" not in page(
        client, "/reports/attempts?q=nguyen"
    )
    assert "Trần Văn Cường" in page(client, "/reports/attempts")


@pytest.mark.parametrize("value", HUGE)
def test_the_finder_refuses_a_huge_page_and_learners(client, auth, ids, value):
    auth.login("hr")
    page(client, f"/reports/attempts?page={value}", 404)
    assert "Nguyễn Văn An" in page(client, "/reports/attempts?page=x&q=nguyen")
    auth.logout()
    auth.login("in2")
    page(client, "/reports/attempts", 403)


def test_home_links_staff_to_the_finder(client, auth, ids):
    auth.login("tr")
    assert 'href="/reports/attempts"' in page(client, "/")


def test_a_unit_whose_name_repeats_is_shown_with_its_parent(app, client, auth, ids):
    """in1's unit D1A shares its name with a unit of C: the finder, the cadre's
    attempts, the review and the accommodations page name it with its parent."""
    from tests.factories import make_unit

    with app.app_context():
        unit = user("in1").unit
        unit.name = "Văn phòng"
        make_unit("C9", "Văn phòng", db.session.get(type(unit), unit.parent_id).parent)
    auth.login("hr")
    shown = "Văn phòng — Phòng Công chức"
    assert f"<td>{shown}</td>" in page(client, "/reports/attempts?q=nguyen van an")
    assert f"<dd>{shown}</dd>" in page(client, f"/reports/cadres/{ids['in1']}/attempts")
    assert f"— {shown}</dd>" in page(client, f"/reports/attempts/{ids['attempt']}")
    assert f"— {shown}</p>" in page(
        client, f"/reports/cadres/{ids['in1']}/accommodations"
    )
