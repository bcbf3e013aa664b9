"""Sign-in limits: failed sign-ins only, per client address (through ProxyFix with a
configured number of trusted proxies) and per username, in shared storage."""

import json
import os
import subprocess
import sys
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
