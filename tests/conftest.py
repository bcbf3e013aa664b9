"""Fixtures: an empty database for every test (in-memory SQLite by default, or the
PostgreSQL at TEST_DATABASE_URL; tables emptied after each test), the app (one per
configuration and worker, reset after each test), its client and CLI runner."""

import copy
import os
import re

import pytest
from flask import Flask

from app import create_app
from app.config import TestConfig
from app.extensions import cache, db, limiter


def _worker_database(url: str | None) -> str | None:
    """Under pytest-xdist, each worker empties tables after every test, so each gets
    a PostgreSQL database of its own (`<name>_gw0`, …), created when missing."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    from sqlalchemy import create_engine, make_url, text

    base = make_url(url)
    name = f"{base.database}_{worker}"
    server = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


TEST_DATABASE_URL = _worker_database(os.environ.get("TEST_DATABASE_URL"))


def make_config(**overrides) -> dict:
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config["SQLALCHEMY_DATABASE_URI"] = TEST_DATABASE_URL or "sqlite://"
    config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    config["LOGIN_USER_RATE_LIMIT"] = "1000 per minute"
    config["PASSWORD_CHECK_RATE_LIMIT"] = "1000 per minute"
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def _postgres_schema():
    """On PostgreSQL, build the schema once per run; tests then empty the tables."""
    if TEST_DATABASE_URL:
        app = create_app(make_config())
        with app.app_context():
            db.drop_all()
            db.create_all()
            db.engine.dispose()
    yield


def _empty_tables() -> None:
    """DELETE, children first: a test leaves few rows, and DELETE takes no table-wide
    locks (TRUNCATE of every table after every test cost about a second in ten)."""
    with db.engine.begin() as connection:
        for table in db.metadata.sorted_tables:  # break the use_alter cycles first
            cyclic = [k.parent.name for k in table.foreign_keys if k.use_alter]
            if cyclic:
                connection.execute(table.update().values(dict.fromkeys(cyclic)))
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


# Building an app costs about 0.3 s (Werkzeug compiles ~140 URL rules), more than
# most tests: each worker keeps one app per configuration (the most recently used
# eight), and every test gets it back as new: empty tables, the configuration and
# the global rate limiter as built, no rate-limit counts, an empty cache, no
# per-app memo. A test that must change the app itself (a route, a hook, its
# template loader) builds its own with `create_app(make_config(...))`.
_APPS: dict[str, Flask] = {}
_AS_BUILT: dict[Flask, tuple] = {}  # configuration, extensions, limiter state
_MOST_APPS = 8


def _limiter_state() -> tuple[dict, dict]:
    """Flask-Limiter's one `limiter` object holds what the latest create_app set
    (enabled, storage, default limits…): saved and put back around tests."""
    return dict(vars(limiter)), dict(vars(limiter.limit_manager))


def _set_limiter_state(state: tuple[dict, dict]) -> None:
    own, manager = state
    limiter.__dict__.clear()
    limiter.__dict__.update(own)
    limiter.limit_manager.__dict__.clear()
    limiter.limit_manager.__dict__.update(manager)


@pytest.fixture(autouse=True)
def _limiter_as_found():
    """A test that builds apps of its own leaves the global limiter as it found it."""
    state = _limiter_state()
    yield
    _set_limiter_state(state)


def _shared_app(overrides: dict) -> Flask:
    key = repr(sorted(overrides.items()))
    if key in _APPS:
        app = _APPS[key]
        _close_others(app)
        _APPS[key] = _APPS.pop(key)  # the most recently used last
        return app
    if len(_APPS) >= _MOST_APPS:
        oldest = _APPS.pop(next(iter(_APPS)))
        del _AS_BUILT[oldest]
        with oldest.app_context():
            db.engine.dispose()
    app = create_app(make_config(**overrides))
    with app.app_context():
        if not TEST_DATABASE_URL:
            db.create_all()
    _close_others(app)
    _APPS[key] = app
    _AS_BUILT[app] = (
        copy.deepcopy(dict(app.config)),
        set(app.extensions),
        _limiter_state(),
    )
    return app


def _close_others(app: Flask) -> None:
    """On PostgreSQL, only the app in use keeps connections open: when a test takes
    another app than the last test's, the last one's pool is closed (eight apps'
    idle connections on every worker could reach the server's limit)."""
    last = next(reversed(_APPS.values()), None)
    if TEST_DATABASE_URL and last is not None and last is not app:
        with last.app_context():
            db.engine.dispose()


def _reset(app: Flask) -> None:
    """Give the next test the app as it was built."""
    config, extensions, limiter_state = _AS_BUILT[app]
    _set_limiter_state(limiter_state)
    with app.app_context():
        db.session.remove()
        if db.inspect(db.engine).has_table("user"):
            _empty_tables()
        else:  # an in-memory SQLite gone with an engine a test disposed
            db.create_all()
        limiter.reset()  # the autosave's counts too: it uses limiter.limiter
        cache.clear()
    for name in set(app.extensions) - extensions:  # per-app memos made since
        del app.extensions[name]
    app.config.clear()
    app.config.update(copy.deepcopy(config))


@pytest.fixture
def config_overrides() -> dict:
    """Override in a test module to change the app's configuration."""
    return {}


@pytest.fixture
def app(_postgres_schema, config_overrides, tmp_path):
    app = _shared_app(config_overrides)
    _set_limiter_state(_AS_BUILT[app][2])
    per_test = {  # the test's own folders, never the instance folder's
        "JOBS_DIR": str(tmp_path / "jobs"),
        "CADRE_IMPORT_DIR": str(tmp_path / "uploads"),
        # never the signing key of instance/ (a `make run` leaves one there)
        "CERT_SIGNING_KEY": str(tmp_path / "cert_signing_key.pem"),
    }
    app.config.update({k: v for k, v in per_test.items() if k not in config_overrides})
    yield app
    _reset(app)


@pytest.fixture
def ctx(app):
    """An application context for service-level tests."""
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# The headers of a request read in English (the language switch's cookie).
ENGLISH = {"Cookie": "vhcv_language=en"}


def csrf_token(client, url: str = "/login") -> str:
    """The CSRF token of the form on `url` (fetched as the client sees it)."""
    page = client.get(url, follow_redirects=True).get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str = "Passw0rd!", follow: bool = False):
        token = csrf_token(self.client)
        return self.client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": token},
            follow_redirects=follow,
        )

    def logout(self):
        token = csrf_token(self.client, "/password")
        return self.client.post("/logout", data={"csrf_token": token})

    def token(self, url: str = "/password") -> str:
        return csrf_token(self.client, url)


@pytest.fixture
def auth(client):
    return AuthActions(client)
