import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.quizzes.models import Attempt, AttemptAnswer, AttemptSlot, QuestionVersion
from app.timeutil import utcnow
from tests.factories import make_tree, make_user
from tests.quizzes.helpers import make_quiz


@pytest.fixture
def learner(app):
    with app.app_context():
        tree = make_tree()
        make_user("hv", tree["C1"], full_name="Võ Thị Ân")
        make_user("hv2", tree["C1"])
        make_quiz()


def _start(client, auth) -> int:
    auth.login("hv")
    token = auth.token("/quizzes/Q")
    response = client.post("/quizzes/Q/start", data={"csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _positions_right(app, attempt_id: int, position: int) -> list[int]:
    with app.app_context():
        slot = db.session.scalar(
            select(AttemptSlot).where(
                AttemptSlot.attempt_id == attempt_id, AttemptSlot.position == position
            )
        )
        correct = {o["key"] for o in slot.version.options if o["correct"]}
        return [i for i, k in enumerate(slot.option_order) if k in correct]


TOKEN_RE = re.compile(r'data-token="([0-9a-f]+)"')


def _token(client, attempt_id) -> str:
    """The autosave token the attempt page gives its script."""
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    return TOKEN_RE.search(page).group(1)


def test_autosave_reload_and_submit(app, client, auth, learner):
    attempt_id = _start(client, auth)
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "Câu 1" in page and 'id="timer"' in page and "Nộp bài" in page
    token = auth.token(f"/attempts/{attempt_id}")
    choice = _positions_right(app, attempt_id, 1)
    response = client.post(
        f"/attempts/{attempt_id}/autosave",
        data={"t": _token(client, attempt_id), "position": 1, "choice": choice},
    )
    assert response.status_code == 200 and response.json["saved"] is True
    assert 0 < response.json["remaining"] <= 600
    reloaded = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert re.search(rf'name="q1" value="{choice[0]}" checked', reloaded)
    assert "Đã lưu lúc" in reloaded
    response = client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": token})
    assert response.headers["Location"].endswith(f"/attempts/{attempt_id}/result")
    again = client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": token})
    assert again.status_code == 302
    result = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "1/4 câu đúng — 25%" in result and "Chưa đạt" in result
    assert "Giải thích" in result and "KH 115 Sóc Trăng" in result


def test_plain_form_post_saves_without_javascript(app, client, auth, learner):
    attempt_id = _start(client, auth)
    token = auth.token(f"/attempts/{attempt_id}")
    response = client.post(
        f"/attempts/{attempt_id}/save",
        data={"csrf_token": token, "positions": ["1", "2"], "q1": "0", "go": "2"},
    )
    assert response.headers["Location"].endswith(f"/attempts/{attempt_id}?page=2")
    page1 = client.get(f"/attempts/{attempt_id}?page=1").get_data(as_text=True)
    assert 'name="q1" value="0" checked' in page1


def test_bad_saves_get_clear_errors_and_change_nothing(app, client, auth, learner):
    attempt_id = _start(client, auth)
    token = _token(client, attempt_id)  # as the open page holds it
    not_in = client.post(
        f"/attempts/{attempt_id}/autosave",
        data={"t": token, "position": 99, "choice": 0},
    )
    assert not_in.status_code == 404 and "không có trong" in not_in.json["error"]
    no_option = client.post(
        f"/attempts/{attempt_id}/autosave",
        data={"t": token, "position": 1, "choice": 9},
    )
    assert no_option.status_code == 404 and "không tồn tại" in no_option.json["error"]
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        attempt.deadline_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    late = client.post(
        f"/attempts/{attempt_id}/autosave",
        data={"t": token, "position": 1, "choice": 0},
    )
    assert late.status_code == 409 and late.json["saved"] is False
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).state == "finished"
        assert db.session.get(Attempt, attempt_id).score == 0


def test_someone_elses_attempt_is_404(app, client, auth, learner):
    attempt_id = _start(client, auth)
    auth.logout()
    auth.login("hv2")
    assert client.get(f"/attempts/{attempt_id}").status_code == 404
    response = client.post(  # hv2's page never carries hv's token
        f"/attempts/{attempt_id}/autosave",
        data={"t": "", "position": 1, "choice": 0},
    )
    assert response.status_code == 404


def test_overdue_attempt_shows_its_result_when_the_cadre_comes_back(
    app, client, auth, learner
):
    attempt_id = _start(client, auth)
    choice = _positions_right(app, attempt_id, 2)
    client.post(
        f"/attempts/{attempt_id}/autosave",
        data={"t": _token(client, attempt_id), "position": 2, "choice": choice},
    )
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        attempt.started_at -= timedelta(hours=1)
        attempt.deadline_at -= timedelta(hours=1)
        db.session.commit()
    response = client.get(f"/attempts/{attempt_id}")
    assert response.headers["Location"].endswith("/result")
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "nộp tự động" in result and "1/4 câu đúng" in result


def test_nothing_sent_before_finishing_reveals_the_right_answers(
    app, client, auth, learner
):
    attempt_id = _start(client, auth)
    urls = [
        f"/attempts/{attempt_id}?page=1",
        f"/attempts/{attempt_id}?page=2",
        f"/attempts/{attempt_id}/status",
        f"/attempts/{attempt_id}/confirm",
    ]
    before = [client.get(u).get_data(as_text=True) for u in urls]
    for text in before:
        assert "Giải thích" not in text and "Phản hồi" not in text
        assert "correct" not in text and "Bạn chọn Đúng" not in text
    with app.app_context():  # flip which options are right everywhere
        for version in db.session.scalars(select(QuestionVersion)):
            version.options = [
                {**o, "correct": not o["correct"]} for o in version.options
            ]
        db.session.commit()
    after = [client.get(u).get_data(as_text=True) for u in urls]
    # What may differ between the two renders: the clock, and the CSRF token, which
    # is signed with a timestamp.
    strip = re.compile(
        r'"remaining":\s*\d+|data-remaining="\d+"|\d+:\d\d</span>|Còn \d+ phút'
        r'|name="csrf_token"[^>]*'
    )
    assert [strip.sub("", t) for t in before] == [strip.sub("", t) for t in after]


def test_quiz_page_refuses_a_start_when_attempts_are_used_up(
    app, client, auth, learner
):
    for _ in range(2):
        attempt_id = _start(client, auth)
        token = auth.token(f"/attempts/{attempt_id}")
        client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": token})
        auth.logout()
    auth.login("hv")
    page = client.get("/quizzes/Q").get_data(as_text=True)
    assert "Bạn đã dùng hết 2 lượt làm bài." in page
    token = auth.token("/quizzes/Q")
    response = client.post(
        "/quizzes/Q/start", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Bạn đã dùng hết 2 lượt làm bài." in response.get_data(as_text=True)


def test_autosave_fast_path_saves_with_the_pages_token_and_no_session(
    app, client, auth, learner
):
    attempt_id = _start(client, auth)
    token = _token(client, attempt_id)
    stranger = app.test_client()  # no cookie: the token is the proof
    choice = _positions_right(app, attempt_id, 1)
    response = stranger.post(
        f"/attempts/{attempt_id}/autosave",
        data={"t": token, "position": 1, "choice": choice},
    )
    assert response.status_code == 200 and response.json["saved"] is True
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert re.search(rf'name="q1" value="{choice[0]}" checked', page)


def test_autosave_fast_path_refuses_bad_tokens_and_bad_input(
    app, client, auth, learner
):
    attempt_id = _start(client, auth)
    token = _token(client, attempt_id)
    post = app.test_client().post
    url = f"/attempts/{attempt_id}/autosave"
    assert post(url, data={"position": 1, "choice": 0}).status_code == 404
    assert (
        post(url, data={"t": "0" * 32, "position": 1, "choice": 0}).status_code == 404
    )
    assert post(url, data={"t": token, "position": 99, "choice": 0}).status_code == 404
    assert post(url, data={"t": token, "position": 1, "choice": 9}).status_code == 404
    other = f"/attempts/{attempt_id + 1}/autosave"  # another attempt, same token
    assert post(other, data={"t": token, "position": 1, "choice": 0}).status_code == 404
    with app.app_context():  # a password change ends the token
        from app.accounts.models import User

        db.session.scalar(
            select(User).where(User.username == "hv")
        ).session_version += 1
        db.session.commit()
    assert post(url, data={"t": token, "position": 1, "choice": 0}).status_code == 404
    with app.app_context():
        assert db.session.scalars(select(AttemptAnswer)).all() == []


def test_autosave_fast_path_refuses_late_saves_and_finalises(
    app, client, auth, learner
):
    attempt_id = _start(client, auth)
    token = _token(client, attempt_id)
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        attempt.deadline_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    response = app.test_client().post(
        f"/attempts/{attempt_id}/autosave",
        data={"t": token, "position": 1, "choice": 0},
    )
    assert response.status_code == 409 and response.json["saved"] is False
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).state == "finished"


def test_autosave_answers_multipart_and_odd_bodies_through_the_flask_view(
    app, client, auth, learner
):
    """The WSGI fast path takes only clean urlencoded saves; a multipart body (an
    older page script) or an odd field gets the same rules from the Flask view."""
    attempt_id = _start(client, auth)
    token = _token(client, attempt_id)
    post = app.test_client().post
    url = f"/attempts/{attempt_id}/autosave"
    multipart = post(
        url,
        data={"t": token, "position": "2", "choice": "0"},
        content_type="multipart/form-data",
    )
    assert multipart.status_code == 200 and multipart.json["position"] == 2
    odd = post(url, data={"t": token, "position": "abc", "choice": "0"})
    assert odd.status_code == 404 and odd.json["saved"] is False
    with app.app_context():
        saved = db.session.scalars(select(AttemptAnswer)).all()
        assert [a.selected for a in saved] == [
            [db.session.get(AttemptSlot, saved[0].slot_id).option_order[0]]
        ]


def test_autosave_fast_path_answers_with_the_apps_headers(app, client, auth, learner):
    attempt_id = _start(client, auth)
    response = app.test_client().post(
        f"/attempts/{attempt_id}/autosave",
        data={"t": _token(client, attempt_id), "position": 1, "choice": 0},
    )
    assert response.status_code == 200 and response.json["remaining"] > 0
    assert response.headers["Cache-Control"] == "no-store"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "body, parsed",
    [
        (b"t=" + b"a" * 32 + b"&position=3&choice=1&choice=2", (3, [1, 2], "a" * 32)),
        (b"t=" + b"0" * 32 + b"&position=3", (3, [], "0" * 32)),
        (b"t=abc&position=3", None),  # not a token
        (b"t=" + b"a" * 32 + b"&position=99999", None),
        (b"t=" + b"a" * 32 + b"&position=1&choice=-1", None),
        (b"position=3&choice=1", None),  # no token
        (b"t=abc&position=x", None),
        (b"t=abc&position=1&extra=1", None),
        (b"t=abc&position=1&position=2", None),
        (b"\xff", None),
        (b"t", None),
    ],
)
def test_parse_save(body, parsed):
    from app.quizzes.fastpath import parse_save

    assert parse_save(body) == parsed


def _framed_and_rendered(app, client, attempt_id: int, page: int) -> tuple[str, str]:
    """The attempt page from its kept frame and through Jinja, in one request."""
    from flask_login import current_user

    from app.quizzes import attempts, frame, presenters

    cookie = client.get_cookie("session").value
    path = f"/attempts/{attempt_id}?page={page}&x=<&y=%22"  # the language form's next
    with app.test_request_context(path, headers={"Cookie": f"session={cookie}"}):
        head = attempts.read_own_attempt(current_user.id, attempt_id)
        info = presenters.attempt_page(head, page, utcnow())
        token = attempts.attempt_token(
            app.config["SECRET_KEY"],
            attempt_id,
            current_user.id,
            current_user.session_version,
        )
        framed = frame.render_attempt_page(info, token)
        urls = frame.AttemptUrls.of(attempt_id)
        return framed, frame.render_attempt_template(info, token, urls)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_framed_attempt_page_is_the_rendered_page(
    app, client, auth, learner, language
):
    attempt_id = _start(client, auth)
    client.post(
        f"/attempts/{attempt_id}/autosave",
        data={"t": _token(client, attempt_id), "position": 1, "choice": 0},
    )
    client.post("/language", data={"language": language, "csrf_token": auth.token("/")})
    for page in (1, 2, 2, 1):  # the second time from the kept frame
        framed, rendered = _framed_and_rendered(app, client, attempt_id, page)
        assert framed == rendered
        assert f'<html lang="{language}">' in framed
    assert "Võ Thị Ân" in framed and "x=&lt;&amp;y=%22" in framed
    assert "\x02" not in framed and "%(" not in framed
    frames = app.extensions["vhcv_attempt_frames"]
    assert sum(key[0] == language for key in frames) == 2  # pages 1 and 2


def test_a_waiting_message_shows_on_the_attempt_page_once(app, client, auth, learner):
    attempt_id = _start(client, auth)
    client.get(f"/attempts/{attempt_id}")  # its frame is kept
    response = client.post(
        f"/attempts/{attempt_id}/save",
        data={"csrf_token": auth.token(f"/attempts/{attempt_id}"), "go": "1"},
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã lưu câu trả lời." in page
    again = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "Đã lưu câu trả lời." not in again and "Nộp bài" in again


@pytest.fixture
def trainer(app):
    with app.app_context():
        tree = make_tree()
        make_user("qt", tree["C1"], roles=[("admin", None)], full_name="Lê <Quản> Trị")
        make_quiz()


def test_the_framed_preview_page_of_an_admin_is_the_rendered_page(
    app, client, auth, trainer
):
    auth.login("qt")
    token = auth.token("/authoring/quizzes/Q")
    started = client.post("/authoring/quizzes/Q/preview", data={"csrf_token": token})
    attempt_id = int(started.headers["Location"].rsplit("/", 1)[1])
    for page in (1, 1):
        framed, rendered = _framed_and_rendered(app, client, attempt_id, page)
        assert framed == rendered
    assert "Đang xem thử" in framed and "Lê &lt;Quản&gt; Trị" in framed
    assert "/authoring" in framed  # the admin's navigation, not a learner's
