import os
import re
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.quizzes import attempts
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


TOKEN_RE = re.compile(r'data-token="([^"]+)"')


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
        f"/autosave/{attempt_id}",
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
    assert "1/4 câu đúng — 25\u00a0%" in result and "Chưa đạt" in result
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


def test_the_plain_form_refuses_bad_input_as_the_autosave_does(
    app, client, auth, learner
):
    """A choice or a `seq` that is no number is refused, never dropped: dropping
    the only choice of a question shown answered would clear its answer."""
    attempt_id = _start(client, auth)
    url = f"/attempts/{attempt_id}/save"
    token = auth.token(f"/attempts/{attempt_id}")
    saved = {"csrf_token": token, "positions": ["1"], "q1": "0", "go": "1"}
    first = client.post(url, data=saved)
    assert "Đã lưu câu trả lời." in client.get(first.location).get_data(as_text=True)
    for bad in (
        {"answered": "1", "q1": "x"},  # was read as "nothing ticked": cleared
        {"answered": "1", "q1": ["1", "zz"]},
        {"q1": "1", "seq": "abc"},
        {"q1": "1", "seq": "-3"},
    ):
        response = client.post(
            url, data={"csrf_token": token, "positions": ["1"], "go": "1", **bad}
        )
        assert response.status_code == 302, bad
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "Đã lưu câu trả lời." not in page, bad
        assert (
            "Lựa chọn không tồn tại." in page
            or "Số thứ tự của lựa chọn không hợp lệ." in page
        ), bad
        assert 'name="q1" value="0" checked' in page, bad  # still the first choice


def test_a_refused_form_post_returns_to_the_page_it_came_from(
    app, client, auth, learner
):
    """Without the page script, a refused save shows its reason on the page the
    cadre was on (that of the form's questions), not on the first page."""
    attempt_id = _start(client, auth)
    token = auth.token(f"/attempts/{attempt_id}")
    page2 = client.get(f"/attempts/{attempt_id}?page=2").get_data(as_text=True)
    position = re.search(r'name="positions" value="(\d+)"', page2).group(1)
    for bad in ({f"q{position}": "9"}, {f"q{position}": "0", "seq": "-1"}):
        response = client.post(
            f"/attempts/{attempt_id}/save",
            data={"csrf_token": token, "positions": [position], "go": "3", **bad},
        )
        assert response.headers["Location"].endswith(
            f"/attempts/{attempt_id}?page=2"
        ), bad
        shown = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "Đã lưu câu trả lời." not in shown, bad
    forged = client.post(
        f"/attempts/{attempt_id}/save",
        data={"csrf_token": token, "positions": ["-4"], "q-4": "0", "go": "2"},
    )
    assert forged.headers["Location"].endswith(f"/attempts/{attempt_id}?page=1")


def test_bad_saves_get_clear_errors_and_change_nothing(app, client, auth, learner):
    attempt_id = _start(client, auth)
    token = _token(client, attempt_id)  # as the open page holds it
    not_in = client.post(
        f"/autosave/{attempt_id}",
        data={"t": token, "position": 99, "choice": 0},
    )
    assert not_in.status_code == 404 and "không có trong" in not_in.json["error"]
    no_option = client.post(
        f"/autosave/{attempt_id}",
        data={"t": token, "position": 1, "choice": 9},
    )
    assert no_option.status_code == 404 and "không tồn tại" in no_option.json["error"]
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        attempt.deadline_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    late = client.post(
        f"/autosave/{attempt_id}",
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
        f"/autosave/{attempt_id}",
        data={"t": "", "position": 1, "choice": 0},
    )
    assert response.status_code == 404


def test_overdue_attempt_shows_its_result_when_the_cadre_comes_back(
    app, client, auth, learner
):
    attempt_id = _start(client, auth)
    choice = _positions_right(app, attempt_id, 2)
    client.post(
        f"/autosave/{attempt_id}",
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


def test_the_quiz_page_ends_an_attempt_whose_time_has_run_out(
    app, client, auth, learner
):
    """No "Tiếp tục làm bài" for an attempt past its deadline: the page ends it, as
    the attempt's own pages do, and lists it as submitted."""
    attempt_id = _start(client, auth)
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        attempt.started_at -= timedelta(hours=1)
        attempt.deadline_at -= timedelta(hours=1)
        db.session.commit()
    page = client.get("/quizzes/Q").get_data(as_text=True)
    assert "Tiếp tục làm bài" not in page and "Đang làm" not in page
    with app.app_context():
        ended = db.session.get(Attempt, attempt_id)
        assert ended.state == "finished" and ended.finished_by == "deadline"


@pytest.fixture
def forget_memos(app):
    """Call to drop what the app keeps of question versions, so that the next page
    is built from the database as it is then (else a memo made before a change
    would hide what the change does to the page)."""
    from app.quizzes.presenters import forget_question_html

    return lambda: forget_question_html(app)


def test_nothing_sent_before_finishing_reveals_the_right_answers(
    app, client, auth, learner, forget_memos
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
    forget_memos()
    after = [client.get(u).get_data(as_text=True) for u in urls]
    # What may differ between the two renders: the clock, and the CSRF token, which
    # is signed with a timestamp.
    strip = re.compile(
        r'"remaining":\s*\d+|data-remaining="\d+"|\d+:\d\d</span>|Còn \d+ phút'
        r'|name="csrf_token"[^>]*|"served_at":\s*\d+|"now":\s*"[^"]*"'
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


def test_autosave_saves_with_the_pages_token_and_no_session(app, client, auth, learner):
    attempt_id = _start(client, auth)
    token = _token(client, attempt_id)
    stranger = app.test_client()  # no cookie: the token is the proof
    choice = _positions_right(app, attempt_id, 1)
    response = stranger.post(
        f"/autosave/{attempt_id}",
        data={"t": token, "position": 1, "choice": choice},
    )
    assert response.status_code == 200 and response.json["saved"] is True
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert re.search(rf'name="q1" value="{choice[0]}" checked', page)


def test_autosave_refuses_bad_tokens_and_bad_input(app, client, auth, learner):
    attempt_id = _start(client, auth)
    token = _token(client, attempt_id)
    post = app.test_client().post
    url = f"/autosave/{attempt_id}"
    assert post(url, data={"position": 1, "choice": 0}).status_code == 404
    assert (
        post(url, data={"t": "0" * 32, "position": 1, "choice": 0}).status_code == 404
    )
    assert post(url, data={"t": token, "position": 99, "choice": 0}).status_code == 404
    assert post(url, data={"t": token, "position": 1, "choice": 9}).status_code == 404
    other = f"/autosave/{attempt_id + 1}"  # another attempt, same token
    assert post(other, data={"t": token, "position": 1, "choice": 0}).status_code == 404
    with app.app_context():  # a password change ends the token
        from app.accounts.models import User

        db.session.scalar(
            select(User).where(User.username == "hv")
        ).session_version += 1
        db.session.commit()
    # refused, and said to be a session that ended: the page keeps the choice
    ended = post(url, data={"t": token, "position": 1, "choice": 0})
    assert ended.status_code == 401 and ended.json["saved"] is False
    assert "Phiên đăng nhập đã kết thúc" in ended.json["error"]
    with app.app_context():
        assert db.session.scalars(select(AttemptAnswer)).all() == []


def test_autosave_refuses_late_saves_and_finalises(app, client, auth, learner):
    attempt_id = _start(client, auth)
    token = _token(client, attempt_id)
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        attempt.deadline_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    response = app.test_client().post(
        f"/autosave/{attempt_id}",
        data={"t": token, "position": 1, "choice": 0},
    )
    assert response.status_code == 409 and response.json["saved"] is False
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).state == "finished"


def test_autosave_answers_multipart_and_odd_bodies(app, client, auth, learner):
    """A multipart body (an older page script) saves as an urlencoded one; an odd
    field changes nothing."""
    attempt_id = _start(client, auth)
    token = _token(client, attempt_id)
    post = app.test_client().post
    url = f"/autosave/{attempt_id}"
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


def test_autosave_answers_with_the_apps_headers(app, client, auth, learner):
    attempt_id = _start(client, auth)
    response = app.test_client().post(
        f"/autosave/{attempt_id}",
        data={"t": _token(client, attempt_id), "position": 1, "choice": 0},
    )
    assert response.status_code == 200 and response.json["remaining"] > 0
    assert response.headers["Cache-Control"] == "no-store"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_autosave_tokens_are_checked_before_anything_is_read(app):
    from app.errors import NotFound
    from app.quizzes.saving import autosave_token, read_autosave_token

    token = autosave_token("k1", 7, 3, 2)
    assert read_autosave_token("k1", token, 7).user_id == 3
    assert read_autosave_token("k2", autosave_token("k1", 7, 3, 2), 7, ["k1"]).user_id
    for bad, key, attempt_id in [
        (token, "k1", 8),  # another attempt
        (token, "k2", 7),  # another key
        (token[:-2] + "xx", "k1", 7),  # tampered
        ("", "k1", 7),
        ("a" * 5000, "k1", 7),
        (autosave_token("k1", 7, 3, 2).replace(".", ""), "k1", 7),
    ]:
        with pytest.raises(NotFound):
            read_autosave_token(key, bad, attempt_id)
    from itsdangerous import URLSafeSerializer

    odd = URLSafeSerializer(["k1"], salt="vhcv.autosave")
    for payload in ([7, 3], [7, "3", 2], {"a": 7}, [7, 3, 2.5], [7, 3, True]):
        with pytest.raises(NotFound):
            read_autosave_token("k1", odd.dumps(payload), 7)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_attempt_page_in_each_language(app, client, auth, learner, language):
    attempt_id = _start(client, auth)
    client.post(
        f"/autosave/{attempt_id}",
        data={"t": _token(client, attempt_id), "position": 1, "choice": 0},
    )
    client.post("/language", data={"language": language, "csrf_token": auth.token("/")})
    for page in (1, 2):
        path = f"/attempts/{attempt_id}?page={page}&x=<&y=%22"  # the form's next
        html = client.get(path).get_data(as_text=True)
        assert f'<html lang="{language}">' in html
        assert "Võ Thị Ân" in html and "x=&lt;&amp;y=%22" in html
        assert ('name="q1" value="0" checked' in html) == (page == 1)
        assert html.count('class="question card"') == 2  # two questions a page
    label = {"vi": "Câu 1", "en": "Question 1"}[language]
    assert label in client.get(f"/attempts/{attempt_id}").get_data(as_text=True)


def test_a_per_user_value_in_the_layout_is_never_shown_to_another_learner(
    app, client, auth, learner, monkeypatch, request
):
    """Nothing of one learner's page is kept for another's: a value of the signed-in
    user put into the shared layout shows each learner their own."""
    from jinja2 import ChoiceLoader, DictLoader

    base = app.jinja_loader.get_source(app.jinja_env, "base.html")[0]
    marked = base.replace(
        "<body>", "<body data-who=\"{{ session.get('_user_id') }}\">", 1
    )
    assert marked != base
    # the app is shared by the tests: the loader and compiled templates put back
    monkeypatch.setattr(
        app,
        "jinja_loader",
        ChoiceLoader([DictLoader({"base.html": marked}), app.jinja_loader]),
    )
    app.jinja_env.cache.clear()
    request.addfinalizer(app.jinja_env.cache.clear)
    first = _start(client, auth)
    page = client.get(f"/attempts/{first}").get_data(as_text=True)
    mine = re.search(r'data-who="([^"]*)"', page).group(1)
    auth.logout()
    other = app.test_client()
    from tests.conftest import AuthActions

    AuthActions(other).login("hv2")
    token = AuthActions(other).token("/quizzes/Q")
    started = other.post("/quizzes/Q/start", data={"csrf_token": token})
    second = int(started.headers["Location"].rsplit("/", 1)[1])
    for _ in range(2):
        theirs = other.get(f"/attempts/{second}").get_data(as_text=True)
        who = re.search(r'data-who="([^"]*)"', theirs).group(1)
        assert who and who != mine
        assert "Võ Thị Ân" not in theirs


def test_a_waiting_message_shows_on_the_attempt_page_once(app, client, auth, learner):
    attempt_id = _start(client, auth)
    client.get(f"/attempts/{attempt_id}")
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


def test_the_preview_page_of_an_admin(app, client, auth, trainer):
    auth.login("qt")
    token = auth.token("/authoring/quizzes/Q")
    started = client.post("/authoring/quizzes/Q/preview", data={"csrf_token": token})
    attempt_id = int(started.headers["Location"].rsplit("/", 1)[1])
    html = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "Đang xem thử" in html and "Lê &lt;Quản&gt; Trị" in html
    assert "/authoring" in html  # the admin's navigation, not a learner's


class TestAutosaveLimit:
    @pytest.fixture
    def config_overrides(self):
        return {"AUTOSAVE_RATE_LIMIT": "3 per minute"}

    def test_autosaves_are_limited_per_attempt(self, app, client, auth, learner):
        attempt_id = _start(client, auth)
        token = _token(client, attempt_id)
        post = app.test_client().post
        url = f"/autosave/{attempt_id}"
        json = {"Accept": "application/json"}
        data = {"t": token, "position": 1, "choice": 0}
        statuses = [post(url, data=data, headers=json).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        refused = post(url, data=data, headers=json)
        assert refused.status_code == 429 and "error" in refused.json
        auth.logout()
        auth.login("hv2")  # another cadre's attempt has its own count
        token = auth.token("/quizzes/Q")
        started = client.post("/quizzes/Q/start", data={"csrf_token": token})
        other = int(started.headers["Location"].rsplit("/", 1)[1])
        saved = post(
            f"/autosave/{other}",
            data={"t": _token(client, other), "position": 1, "choice": 0},
        )
        assert saved.status_code == 200

    def test_the_attempts_other_posts_are_limited_too(self, client, auth, learner):
        """The form post, a flag and the prediction write as the autosave does:
        held to its limit per attempt and cadre, not without bound."""
        attempt_id = _start(client, auth)
        csrf = auth.token(f"/attempts/{attempt_id}")
        for path, data in (
            ("save", {"go": "1"}),
            ("flag", {"position": 1, "flagged": "1"}),
        ):
            url = f"/attempts/{attempt_id}/{path}"
            statuses = [
                client.post(url, data={**data, "csrf_token": csrf}).status_code
                for _ in range(4)
            ]
            assert 429 not in statuses[:3] and statuses[3] == 429, (path, statuses)

    def test_forged_saves_do_not_use_up_the_owners_limit(
        self, app, client, auth, learner
    ):
        attempt_id = _start(client, auth)
        token = _token(client, attempt_id)
        url = f"/autosave/{attempt_id}"
        stranger = app.test_client()
        forged = [
            stranger.post(url, data={"t": "x", "position": 1, "choice": 0}).status_code
            for _ in range(5)
        ]
        assert forged == [404, 404, 404, 429, 429]  # limited by the sender's address
        owner = [
            app.test_client()
            .post(url, data={"t": token, "position": 1, "choice": 0})
            .status_code
            for _ in range(4)
        ]
        assert owner == [200, 200, 200, 429]

    def test_the_limit_is_a_moving_window_in_flask_limiters_storage(
        self, app, client, auth, learner, monkeypatch
    ):
        """ "3 per minute" means at most 3 in any 60 seconds (RATELIMIT_STRATEGY),
        counted by Flask-Limiter's own limiter and storage: a fixed window of 60 s
        from the first save would let 3 more through at 61 s (6 in 61 s)."""
        import limits.storage.memory
        from limits.strategies import MovingWindowRateLimiter

        from app.extensions import limiter
        from app.quizzes.autosave import AutosaveApp

        mounted = app.wsgi_app.mounts["/autosave"]
        assert isinstance(mounted, AutosaveApp)
        assert mounted.limiter is limiter.limiter
        assert isinstance(mounted.limiter, MovingWindowRateLimiter)
        assert mounted.limiter.storage is limiter.storage
        clock = [1_000_000.0]
        monkeypatch.setattr(
            limits.storage.memory, "time", SimpleNamespace(time=lambda: clock[0])
        )
        attempt_id = _start(client, auth)
        token = _token(client, attempt_id)
        url = f"/autosave/{attempt_id}"

        def saves(count: int, at: float) -> list[int]:
            clock[0] = 1_000_000.0 + at
            return [
                app.test_client()
                .post(url, data={"t": token, "position": 1, "choice": 0})
                .status_code
                for _ in range(count)
            ]

        assert saves(1, at=0) == [200]
        assert saves(3, at=59) == [200, 200, 429]
        assert saves(3, at=61) == [200, 429, 429]  # the save at 0 s has left
        assert saves(3, at=118) == [429, 429, 429]  # 3 since 58 s: 59, 59, 61
        assert saves(3, at=119.5) == [200, 200, 429]  # those of 59 s have left


def test_the_autosave_of_an_app_with_the_limits_off_takes_no_limiter(monkeypatch):
    """Flask-Limiter sets up no limiter for an app with RATELIMIT_ENABLED off: the
    first such app of a process (the backup tests') has none to take."""
    from app import create_app
    from app.extensions import limiter
    from tests.conftest import make_config

    monkeypatch.setattr(limiter, "_limiter", None)  # as before any app set it up
    app = create_app(make_config(RATELIMIT_ENABLED=False))
    mounted = app.wsgi_app.mounts["/autosave"]
    assert mounted.limiter is None and mounted.enabled is False


@pytest.mark.redis
def test_the_autosave_counts_in_flask_limiters_redis(tmp_path):
    """With the counts in Redis (REDIS_URL), the autosave counts there too, under
    RATELIMIT_KEY_PREFIX, shared by every server: one app's saves use up the
    other's."""
    import redis

    from app import create_app
    from tests.conftest import AuthActions, make_config

    url = os.environ["TEST_REDIS_URL"]
    prefix = f"vhcv-test-{uuid.uuid4().hex}"
    settings = make_config(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        RATELIMIT_STORAGE_URI=url,
        RATELIMIT_KEY_PREFIX=prefix,
        AUTOSAVE_RATE_LIMIT="3 per minute",
    )
    one, other = create_app(settings), create_app(settings)
    with one.app_context():
        db.create_all()
        make_user("hv", make_tree()["C1"])
        make_quiz()
    client = one.test_client()
    try:
        attempt_id = _start(client, AuthActions(client))
        data = {"t": _token(client, attempt_id), "position": 1, "choice": 0}
        statuses = [
            app.test_client().post(f"/autosave/{attempt_id}", data=data).status_code
            for app in (one, other, one, other)
        ]
        assert statuses == [200, 200, 200, 429]
        keys = redis.Redis.from_url(url).keys(f"*{prefix}*autosave*")
        assert keys
    finally:
        client = redis.Redis.from_url(url)
        for key in client.scan_iter(f"*{prefix}*"):
            client.delete(key)


def _forged(token: str) -> str:
    """The token with the first character of its signature changed (the last one
    may carry only padding bits, and changing it may change nothing)."""
    payload, signature = token.rsplit(".", 1)
    first = "B" if signature[0] == "A" else "A"
    return f"{payload}.{first}{signature[1:]}"


def test_a_forged_autosave_runs_no_statement(app, client, auth, learner):
    """The token is checked before the database is touched: a bad one costs no
    read and no write (before, a forged save ran the claim UPDATE twice)."""
    from sqlalchemy import event

    attempt_id = _start(client, auth)
    statements = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        for token in ("", "0" * 32, _forged(_token(client, attempt_id))):
            statements.clear()
            response = app.test_client().post(
                f"/autosave/{attempt_id}",
                data={"t": token, "position": 1, "choice": 0},
            )
            assert response.status_code == 404
            assert statements == []
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_signing_out_ends_the_pages_autosave_token(app, client, auth, learner):
    attempt_id = _start(client, auth)
    token = _token(client, attempt_id)
    auth.logout()
    response = app.test_client().post(
        f"/autosave/{attempt_id}",
        data={"t": token, "position": 1, "choice": 0},
    )
    assert response.status_code == 401  # refused: the session it was given ended
    with app.app_context():
        assert db.session.scalars(select(AttemptAnswer)).all() == []


def test_the_autosave_reads_its_question_before_it_takes_the_write_lock(
    app, client, auth, learner
):
    """The slot is read in a transaction of its own that writes nothing (BEGIN, not
    BEGIN IMMEDIATE, on SQLite): the write lock is held for the claim, the
    upsert and the save log's insert only (the log reads nothing)."""
    from sqlalchemy import event

    attempt_id = _start(client, auth)
    token = _token(client, attempt_id)
    with app.app_context():
        engine = db.engine
    seen = []

    def record(conn, cursor, statement, *args):
        seen.append(
            statement.split()[0].upper() + (" IMMEDIATE" * ("IMMEDIATE" in statement))
        )

    event.listen(engine, "before_cursor_execute", record)
    try:
        response = app.test_client().post(
            f"/autosave/{attempt_id}", data={"t": token, "position": 1, "choice": 0}
        )
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200
    if engine.dialect.name == "sqlite":
        expected = ["BEGIN", "SELECT", "BEGIN IMMEDIATE", "UPDATE", "INSERT", "INSERT"]
        assert seen == expected
    else:
        assert seen == ["SELECT", "UPDATE", "INSERT", "INSERT"]


def test_a_database_failure_in_the_autosave_is_a_503_in_json(
    app, client, auth, learner, monkeypatch
):
    from sqlalchemy.exc import OperationalError

    from app.quizzes import saving

    attempt_id = _start(client, auth)
    token = _token(client, attempt_id)

    def locked(*args, **kwargs):
        raise OperationalError("UPDATE attempt", {}, Exception("database is locked"))

    monkeypatch.setattr(saving, "save_choices", locked)
    response = app.test_client().post(
        f"/autosave/{attempt_id}", data={"t": token, "position": 1, "choice": 0}
    )
    assert response.status_code == 503 and response.json["saved"] is False
    assert "máy chủ bận" in response.json["error"]
    assert response.headers["Cache-Control"] == "no-store"


class TestStaleTokens:
    @pytest.fixture
    def config_overrides(self):
        return {"AUTOSAVE_RATE_LIMIT": "3 per minute"}

    def test_an_ended_sessions_token_does_not_use_up_the_owners_saves(
        self, app, client, auth, learner
    ):
        attempt_id = _start(client, auth)
        stale = _token(client, attempt_id)
        auth.logout()  # the session version changes: the old page's token ends
        url = f"/autosave/{attempt_id}"
        other = app.test_client()
        refused = [
            other.post(url, data={"t": stale, "position": 1, "choice": 0}).status_code
            for _ in range(4)
        ]
        assert refused == [401, 401, 401, 429]
        auth.login("hv")
        fresh = _token(client, attempt_id)
        saved = client.post(url, data={"t": fresh, "position": 1, "choice": 0})
        assert saved.status_code == 200


def test_no_preview_while_the_trainers_own_real_attempt_is_open(
    app, client, auth, trainer
):
    """One open attempt per user and quiz: the page says why, not "try again"."""
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "qt"))
        attempts.start_attempt(admin, attempts.get_quiz("Q"))
        db.session.commit()
    auth.login("qt")
    token = auth.token("/authoring/quizzes/Q")
    refused = client.post(
        "/authoring/quizzes/Q/preview",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert "lượt làm bài thật chưa nộp" in refused.get_data(as_text=True)
    assert "vui lòng thử lại" not in refused.get_data(as_text=True)


def test_percentages_are_written_in_the_readers_language(app, client, auth, learner):
    """The score and the pass mark on the result and quiz pages: "25 %" (with a
    no-break space) on a Vietnamese page, "25%" on an English one."""
    attempt_id = _start(client, auth)
    token = auth.token(f"/attempts/{attempt_id}")
    client.post(
        f"/autosave/{attempt_id}",
        data={
            "t": _token(client, attempt_id),
            "position": 1,
            "choice": _positions_right(app, attempt_id, 1),
        },
    )
    client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": token})
    result = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "1/4 câu đúng — 25\u00a0%" in result and "(điểm đạt 80\u00a0%)" in result
    quiz = client.get("/quizzes/Q").get_data(as_text=True)
    assert "<dd>80\u00a0%</dd>" in quiz and "<dd>25\u00a0% — Chưa đạt</dd>" in quiz
    assert '<td class="num">25\u00a0%</td>' in quiz
    client.post("/language", data={"language": "en", "csrf_token": token})
    result = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "1/4 correct — 25%" in result and "(pass mark 80%)" in result
    quiz = client.get("/quizzes/Q").get_data(as_text=True)
    assert "<dd>80%</dd>" in quiz and "<dd>25% — Not passed</dd>" in quiz
    assert '<td class="num">25%</td>' in quiz
    assert "\u00a0%" not in result + quiz
