import pytest

from app import create_app
from app.config import DEV_SECRET
from app.security import safe_next_url
from tests.conftest import make_config
from tests.factories import make_tree, make_user


def test_refuses_to_start_with_default_secret_outside_debug():
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(make_config(SECRET_KEY=DEV_SECRET, TESTING=False, DEBUG=False))


def test_starts_with_default_secret_in_debug():
    app = create_app(make_config(SECRET_KEY=DEV_SECRET, TESTING=False, DEBUG=True))
    assert app.debug


def test_security_headers_and_cookie_flags(app, client, auth):
    with app.app_context():
        make_user("u1", make_tree()["D"])
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "http" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    login = auth.login("u1")
    cookie = login.headers.get("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/cadres?q=a", "/cadres?q=a"),
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        (None, "/"),
        ("cadres", "/"),
    ],
)
def test_safe_next_url(target, expected):
    assert safe_next_url(target) == expected


def test_pages_reference_no_external_assets(app, client, auth):
    with app.app_context():
        make_user("adm", make_tree()["P"], roles=[("admin", None), ("learner", None)])
    auth.login("adm")
    for url in ["/", "/cadres", "/admin/units", "/login", "/password"]:
        page = client.get(url).get_data(as_text=True)
        assert "http://" not in page and "https://" not in page, url


def test_rate_limits_can_be_given_a_default_or_switched_off():
    default = create_app(make_config(RATELIMIT_DEFAULT="2 per minute"))
    client = default.test_client()
    codes = [client.get("/login").status_code for _ in range(3)]
    assert codes == [200, 200, 429]  # every route, through Flask-Limiter's own check
    off = create_app(make_config(RATELIMIT_ENABLED=False))
    assert off.test_client().get("/login").status_code == 200


@pytest.mark.parametrize(
    "settings, warned",
    [
        ({}, True),  # production without REDIS_URL: limits per process
        ({"DEBUG": True}, False),
        ({"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15"}, False),
    ],
)
def test_limits_kept_per_process_are_logged_at_start(
    _postgres_schema, tmp_path, caplog, settings, warned
):
    import logging

    config = make_config(TESTING=False, JOBS_DIR=str(tmp_path), **settings)
    with caplog.at_level(logging.WARNING):
        app = create_app(config)
    said = any("Rate limits are counted" in r.getMessage() for r in caplog.records)
    assert said is warned
    with app.app_context():
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize(
    "workers, environ, refused",
    [
        (2, {}, True),  # the deployed layout, REDIS_URL forgotten: limits doubled
        (2, {"REDIS_URL": "redis://127.0.0.1:6379/0"}, False),
        (1, {}, False),  # make run: one process counts for all
        (4, {"VHCV_LIMITS_PER_PROCESS": "1"}, False),  # accepted knowingly
    ],
)
def test_gunicorn_refuses_several_workers_counting_limits_alone(
    workers, environ, refused, monkeypatch
):
    """gunicorn.conf.py (read by gunicorn from the working directory) stops the
    master before any worker starts when its workers would each count alone."""
    import importlib.util
    from pathlib import Path
    from types import SimpleNamespace

    for name in ("REDIS_URL", "VHCV_LIMITS_PER_PROCESS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    path = Path(__file__).parents[1] / "gunicorn.conf.py"
    spec = importlib.util.spec_from_file_location("gunicorn_conf", path)
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    logged = []
    server = SimpleNamespace(
        cfg=SimpleNamespace(workers=workers),
        log=SimpleNamespace(error=logged.append),
    )
    if refused:
        with pytest.raises(SystemExit):
            conf.on_starting(server)
        assert "REDIS_URL" in logged[0] and f"{workers} workers" in logged[0]
    else:
        conf.on_starting(server)
        assert logged == []
