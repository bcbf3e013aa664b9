"""Sign-in limits: failed sign-ins only, per client address (through ProxyFix with a
configured number of trusted proxies) and per username, in shared storage, held to
by guesses sent together; the current password of /password, per user."""

import itertools
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from app import create_app
from app.extensions import db
from tests.conftest import AuthActions, make_config
from tests.factories import make_tree, make_user


@pytest.fixture
def config_overrides():
    return {"LOGIN_RATE_LIMIT": "3 per minute", "LOGIN_USER_RATE_LIMIT": "2 per minute"}


@pytest.fixture
def people(app):
    with app.app_context():
        tree = make_tree()
        make_user("an", tree["C1"])
        make_user("binh", tree["C1"])


def _login(client, username, password="Passw0rd!", address="10.0.0.1", **headers):
    client.environ_base["REMOTE_ADDR"] = address
    response = AuthActions(client).login(username, password)
    if response.status_code == 302:
        AuthActions(client).logout()
    return response.status_code


def test_successful_sign_ins_are_not_counted(app, people):
    client = app.test_client()
    assert [_login(client, "an") for _ in range(6)] == [302] * 6
    assert [_login(client, "an", "sai") for _ in range(2)] == [200, 200]
    assert _login(client, "an", "sai") == 429  # the username's limit (2)


def test_failures_are_counted_per_username_from_any_address(app, people):
    client = app.test_client()
    assert _login(client, "an", "sai", "10.0.0.1") == 200
    assert _login(client, "an", "sai", "10.0.0.2") == 200
    assert _login(client, "AN ", "sai", "10.0.0.3") == 429  # same name, third address
    assert _login(client, "an", address="10.0.0.4") == 429  # even the right password
    assert _login(client, "binh", address="10.0.0.3") == 302  # another name


def test_failures_are_counted_per_address(app, people):
    client = app.test_client()
    results = [_login(client, name, "sai") for name in ("an", "binh", "x", "y")]
    assert results == [200, 200, 200, 429]  # the address's limit (3)
    assert _login(client, "binh", address="10.0.0.9") == 302


def test_guesses_from_elsewhere_do_not_lock_out_a_browser_known_to_the_account(
    app, people
):
    """Wrong passwords for "an" sent from anywhere fill the username's limit; the
    browser "an" signed in with before (its device cookie) still signs in, and its
    own wrong guesses are held to a limit of their own."""
    owner, attacker = app.test_client(), app.test_client()
    assert _login(owner, "an", address="10.0.1.1") == 302  # known from now on
    assert [_login(attacker, "an", "sai", f"10.0.2.{n}") for n in range(3)] == [
        200,
        200,
        429,
    ]
    assert _login(attacker, "an", address="10.0.2.9") == 429  # the name is held
    assert _login(owner, "an", address="10.0.1.1") == 302  # its owner's browser is not
    assert [_login(owner, "an", "sai", "10.0.1.2") for _ in range(3)] == [
        200,
        200,
        429,
    ]


def test_a_device_cookie_names_no_one_and_cannot_be_forged(app, people):
    import base64

    from app.accounts import devices

    owner, attacker = app.test_client(), app.test_client()
    assert _login(owner, "binh", address="10.0.3.1") == 302
    cookie = owner.get_cookie(devices.COOKIE)
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    payload = cookie.value.split(".")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert b"binh" not in decoded  # a shared computer's next user cannot read it
    for _ in range(2):
        _login(attacker, "an", "sai", "10.0.4.1")
    # binh's device cookie, or one altered, is no device of "an"
    for value in (cookie.value, cookie.value[:-2] + "xx", "garbage"):
        attacker.set_cookie(devices.COOKIE, value)
        assert _login(attacker, "an", address="10.0.4.2") == 429


def test_a_browser_is_known_to_an_account_only_under_its_current_password(app, people):
    """A password changed or reset makes the browsers that knew the old one
    unknown: device cookies gathered with it buy no guesses against the new one."""
    from sqlalchemy import select
    from werkzeug.security import generate_password_hash

    from app.accounts.models import User

    owner, attacker = app.test_client(), app.test_client()
    assert _login(owner, "an", address="10.0.6.1") == 302
    with app.app_context():  # an officer resets it
        user = db.session.scalar(select(User).where(User.username == "an"))
        user.password_hash = generate_password_hash("Moi-Passw0rd!")
        db.session.commit()
    for n in range(2):
        _login(attacker, "an", "sai", f"10.0.7.{n}")
    assert _login(owner, "an", "sai", "10.0.6.1") == 429  # the username's limit


def test_a_browser_that_changed_its_own_password_stays_known(app, people):
    """The owner changes its password (as every new account must at once): the
    browser it did so in stays known to the account under the new password."""
    owner, attacker = app.test_client(), app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "10.0.8.1"
    AuthActions(owner).login("an")
    token = AuthActions(owner).token("/password")
    changed = owner.post(
        "/password",
        data={
            "csrf_token": token,
            "current": "Passw0rd!",
            "new": "Moi-Passw0rd!9",
            "confirm": "Moi-Passw0rd!9",
        },
    )
    assert changed.status_code == 302, changed.get_data(as_text=True)
    AuthActions(owner).logout()
    for n in range(2):
        _login(attacker, "an", "sai", f"10.0.9.{n}")
    assert _login(owner, "an", "Moi-Passw0rd!9", "10.0.8.1") == 302


def test_a_refused_sign_in_shows_the_form_and_how_long_to_wait(app, people):
    client = app.test_client()
    for _ in range(2):
        _login(client, "an", "sai", "10.0.5.1")
    client.environ_base["REMOTE_ADDR"] = "10.0.5.1"
    answer = AuthActions(client).login("an", "sai")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 429 and 0 < int(answer.headers["Retry-After"]) <= 60
    assert "Hãy thử lại sau 1 phút." in page and 'name="username"' in page
    assert 'role="alert"' in page


class TestBehindProxies:
    @pytest.fixture
    def config_overrides(self):
        return {"LOGIN_RATE_LIMIT": "2 per minute", "TRUSTED_PROXIES": 1}

    def test_the_client_address_comes_from_the_trusted_proxy(self, app, people):
        client = app.test_client()
        for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
            client.environ_base["HTTP_X_FORWARDED_FOR"] = address
            assert _login(client, f"u{address[-1]}", "sai") == 200
        client.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.1"
        assert _login(client, "z", "sai") == 200
        assert _login(client, "w", "sai") == 429


def test_without_trusted_proxies_a_forwarded_address_is_ignored(app, people):
    client = app.test_client()
    for number in range(3):
        client.environ_base["HTTP_X_FORWARDED_FOR"] = f"203.0.113.{number}"
        assert _login(client, f"u{number}", "sai") == 200
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.99"
    assert _login(client, "u9", "sai") == 429


WORKER = """
import json, sys
from app import create_app
from tests.conftest import AuthActions, make_config
app = create_app(make_config(**json.loads(sys.argv[1])))
client = app.test_client()
auth = AuthActions(client)
print(json.dumps([auth.login("an", p).status_code for p in sys.argv[2:]]))
"""


def _other_worker(settings: dict, *passwords: str) -> list[int]:
    """Sign in from another process (another gunicorn worker, or server)."""
    done = subprocess.run(
        [sys.executable, "-c", WORKER, json.dumps(settings), *passwords],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.redis
def test_two_processes_share_the_counts_in_redis(tmp_path):
    """Failures in either process count for both, and a right password is refused
    in both once the limit is reached (with in-process memory each would count
    alone, and the limit would double)."""
    url = os.environ["TEST_REDIS_URL"]
    prefix = f"vhcv-test-{uuid.uuid4().hex}"
    settings = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        "RATELIMIT_STORAGE_URI": url,
        "RATELIMIT_KEY_PREFIX": prefix,
        "LOGIN_RATE_LIMIT": "100 per minute",
        "LOGIN_USER_RATE_LIMIT": "3 per minute",
    }
    app = create_app(make_config(**settings))
    with app.app_context():
        db.create_all()
        make_user("an", make_tree()["C1"])
    try:
        here = app.test_client()
        assert _other_worker(settings, "sai", "sai") == [200, 200]
        assert _login(here, "an", "sai") == 200
        assert _login(here, "an") == 429
        assert _other_worker(settings, "Passw0rd!") == [429]
    finally:
        import redis

        client = redis.Redis.from_url(url)
        for key in client.scan_iter(f"*{prefix}*"):
            client.delete(key)
        with app.app_context():
            db.engine.dispose()


# Guesses sent together: Flask-Limiter checks a limit before the view and, with
# `deduct_when`, counts the request after the response, so every guess of a burst
# passed the check before the first failure was counted. The app is served by
# werkzeug in threads; each password check is slowed down so that the guesses are
# all in flight together (on SQLite a sign-in's transaction takes the write lock:
# the checks then run one after another, still after every guess passed the check).

WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."
TOGETHER = 6


@pytest.fixture
def served(tmp_path, monkeypatch, _postgres_schema):
    """Serve an app with these settings (CSRF off: one POST per guess) on a free
    port in threads; yields a function of the settings giving the base URL."""
    import threading

    from werkzeug.security import check_password_hash
    from werkzeug.serving import make_server

    from app.accounts import services
    from tests.conftest import TEST_DATABASE_URL, _empty_tables

    def slow_check(*args):
        time.sleep(0.2)
        return check_password_hash(*args)

    monkeypatch.setattr(services, "check_password_hash", slow_check)
    started = []

    def serve(**settings):
        url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'served.sqlite3'}"
        app = create_app(
            make_config(SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False, **settings)
        )
        with app.app_context():
            if not TEST_DATABASE_URL:
                db.create_all()
            tree = make_tree()
            for name in ("an", "binh", "chi", "dung", "em", "giang", "ha"):
                make_user(name, tree["C1"])
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append((app, server))
        return f"http://127.0.0.1:{server.server_port}"

    yield serve
    for app, server in started:
        server.shutdown()
        with app.app_context():
            db.session.remove()
            if TEST_DATABASE_URL:
                _empty_tables()
            db.engine.dispose()


def _together(base: str, guesses: list[tuple[str, str]]) -> list[tuple[int, str]]:
    """POST the sign-ins (username, password) at once; their (status, page)."""
    import threading

    import requests

    barrier = threading.Barrier(len(guesses))
    answers: list = [None] * len(guesses)

    def send(index, username, password):
        barrier.wait()
        response = requests.post(
            f"{base}/login",
            data={"username": username, "password": password},
            allow_redirects=False,
            timeout=60,
        )
        answers[index] = (response.status_code, response.text)

    threads = [
        threading.Thread(target=send, args=(i, *guess))
        for i, guess in enumerate(guesses)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    return answers


def _tally(answers) -> tuple[int, int]:
    """(guesses answered 'wrong password', guesses refused with 429)."""
    wrong = sum(1 for status, page in answers if status == 200 and WRONG in page)
    return wrong, sum(1 for status, _ in answers if status == 429)


def test_guesses_sent_together_get_no_more_answers_than_the_username_limit(served):
    base = served(LOGIN_USER_RATE_LIMIT="2 per minute")
    answers = _together(base, [("an", f"sai-{i}") for i in range(TOGETHER)])
    assert _tally(answers) == (2, TOGETHER - 2)
    # the right password is refused too while the name's limit is full
    assert _together(base, [("an", "Passw0rd!")])[0][0] == 429


def test_guesses_sent_together_get_no_more_answers_than_the_address_limit(served):
    base = served(LOGIN_RATE_LIMIT="2 per minute")
    names = ["an", "binh", "chi", "dung", "em", "giang"][:TOGETHER]
    answers = _together(base, [(name, "sai") for name in names])
    assert _tally(answers) == (2, TOGETHER - 2)


def test_successful_sign_ins_sent_together_are_not_counted(served):
    base = served(LOGIN_USER_RATE_LIMIT="2 per minute", LOGIN_RATE_LIMIT="3 per minute")
    answers = _together(base, [("an", "Passw0rd!")] * TOGETHER)
    assert [status for status, _ in answers] == [302] * TOGETHER
    answers = _together(base, [("an", "sai-1"), ("an", "sai-2"), ("an", "sai-3")])
    assert _tally(answers) == (2, 1)


@pytest.mark.redis
def test_guesses_sent_together_are_held_to_the_limit_in_redis(served):
    """The same with the counts in Redis, where `hit` is one Lua script."""
    import redis

    url = os.environ["TEST_REDIS_URL"]
    prefix = f"vhcv-test-{uuid.uuid4().hex}"
    base = served(
        RATELIMIT_STORAGE_URI=url,
        RATELIMIT_KEY_PREFIX=prefix,
        LOGIN_USER_RATE_LIMIT="2 per minute",
    )
    try:
        answers = _together(base, [("an", f"sai-{i}") for i in range(TOGETHER)])
        assert _tally(answers) == (2, TOGETHER - 2)
    finally:
        client = redis.Redis.from_url(url)
        for key in client.scan_iter(f"*{prefix}*"):
            client.delete(key)


class TestCurrentPassword:
    """/password asks the current password: wrong ones are counted per user."""

    MISTAKEN = "Mật khẩu hiện tại không đúng."
    TOO_MANY = "Bạn đã nhập sai mật khẩu hiện tại quá nhiều lần."

    @pytest.fixture
    def config_overrides(self):
        return {"PASSWORD_CHECK_RATE_LIMIT": "2 per minute"}

    @staticmethod
    def _change(client, current, new="Moi-Passw0rd!"):
        auth = AuthActions(client)
        data = {"current": current, "new": new, "confirm": new}
        return client.post("/password", data={**data, "csrf_token": auth.token()})

    def test_guessing_the_current_password_is_refused_past_the_limit(self, app, people):
        client = app.test_client()
        AuthActions(client).login("an")
        for guess in ("sai-1", "sai-2"):
            answer = self._change(client, guess)
            assert answer.status_code == 200
            assert self.MISTAKEN in answer.get_data(as_text=True)
        answer = self._change(client, "sai-3")
        assert answer.status_code == 429
        assert self.TOO_MANY in answer.get_data(as_text=True)
        assert int(answer.headers["Retry-After"]) > 0
        assert (
            self._change(client, "Passw0rd!").status_code == 429
        )  # even the right one
        other = app.test_client()  # another user's count is their own
        AuthActions(other).login("binh")
        assert self._change(other, "Passw0rd!").status_code == 302
        AuthActions(client).logout()  # the password was not changed
        assert AuthActions(client).login("an").status_code == 302

    def test_a_right_current_password_is_not_counted(self, app, people):
        client = app.test_client()
        AuthActions(client).login("an")
        passwords = ["Passw0rd!", "Moi-1-Passw0rd!", "Moi-2-Passw0rd!", "Moi-3-Pw0rd!"]
        for current, new in itertools.pairwise(passwords):
            assert self._change(client, current, new).status_code == 302
        assert [self._change(client, "sai").status_code for _ in range(3)] == [
            200,
            200,
            429,
        ]

    def test_the_refusal_is_said_in_english(self, app, people):
        client = app.test_client()
        AuthActions(client).login("an")
        for _ in range(3):
            answer = self._change(client, "sai")
        client.set_cookie("vhcv_language", "en")
        answer = self._change(client, "sai")
        assert answer.status_code == 429
        assert "wrong current password too many times" in answer.get_data(as_text=True)
