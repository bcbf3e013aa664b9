from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.extensions import db
from tests.factories import make_tree, make_user

WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."


@pytest.fixture
def tree(app):
    """Data made in its own app context: requests must not share the test's context."""
    with app.app_context():
        tree = make_tree()
        make_user("learner1", tree["C1"], full_name="Phạm Văn Đức")


def test_login_lands_on_vietnamese_home(client, auth, tree):
    response = auth.login("learner1", follow=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Xin chào, Phạm Văn Đức" in page
    assert 'lang="vi"' in page


def test_wrong_password_and_unknown_user_get_the_same_message(client, auth, tree):
    wrong_password = auth.login("learner1", "nope-nope-1").get_data(as_text=True)
    unknown_user = auth.login("ghost", "nope-nope-1").get_data(as_text=True)
    assert WRONG in wrong_password and WRONG in unknown_user
    assert "ghost" not in unknown_user.replace('value="ghost"', "")


def test_logout_ends_the_session(client, auth, tree):
    auth.login("learner1")
    auth.logout()
    assert client.get("/").status_code == 302


def test_a_cookie_copied_before_logout_is_refused_after_it(app, client, auth, tree):
    auth.login("learner1")
    assert client.get("/").status_code == 200
    copied = client.get_cookie("session").value
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/").headers["Location"].startswith("/login")
    auth.login("learner1")  # signing in again works, with a new session
    assert client.get("/").status_code == 200
    thief.set_cookie("session", copied)
    assert thief.get("/").status_code == 302


def test_post_without_csrf_token_is_refused_and_changes_nothing(client, auth, tree):
    auth.login("learner1")
    response = client.post(
        "/password",
        data={"current": "Passw0rd!", "new": "Another1pass", "confirm": "Another1pass"},
    )
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)
    assert (
        client.post(
            "/login", data={"username": "learner1", "password": "x"}
        ).status_code
        == 400
    )


def test_first_sign_in_forces_a_password_change(app, client, auth):
    with app.app_context():
        make_user("new1", make_tree()["C1"], must_change=True)
    response = auth.login("new1", follow=True)
    assert "vui lòng đặt mật khẩu mới" in response.get_data(as_text=True)
    assert client.get("/").headers["Location"].endswith("/password")
    token = auth.token()
    response = client.post(
        "/password",
        data={
            "current": "Passw0rd!",
            "new": "Fresh2026pass",
            "confirm": "Fresh2026pass",
            "csrf_token": token,
        },
        follow_redirects=True,
    )
    assert "Đã đổi mật khẩu." in response.get_data(as_text=True)
    assert client.get("/").status_code == 200
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "user.password_set")
        ).all()
        user = db.session.scalar(select(User).where(User.username == "new1"))
        # the row names the cadre (its own change goes through current_user)
        assert [(e.target_type, e.target_id) for e in events] == [
            ("user", str(user.id))
        ]


def test_tampered_session_cookie_is_treated_as_signed_out(client, auth, tree):
    auth.login("learner1")
    cookie = client.get_cookie("session")
    client.set_cookie("session", cookie.value[:-3] + "AAA")
    assert client.get("/").status_code == 302


def test_expired_session_signs_out(app, client, auth, tree):
    auth.login("learner1")
    assert client.get("/").status_code == 200
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=-1)
    assert client.get("/").headers["Location"].startswith("/login")


def test_password_change_elsewhere_ends_other_sessions(app, client, auth, tree):
    auth.login("learner1")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "learner1"))
        user.session_version += 1
        db.session.commit()
    assert client.get("/").status_code == 302


def test_open_redirect_after_login_is_ignored(client, tree):
    from tests.conftest import csrf_token

    token = csrf_token(client)
    response = client.post(
        "/login?next=https://evil.example/",
        data={"username": "learner1", "password": "Passw0rd!", "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


class TestRateLimit:
    @pytest.fixture
    def config_overrides(self):
        return {"LOGIN_RATE_LIMIT": "3 per minute"}

    def test_sign_in_is_rate_limited(self, client, auth, tree):
        statuses = [
            auth.login("learner1", "wrong-pass-1").status_code for _ in range(4)
        ]
        assert statuses[:3] == [200, 200, 200]
        assert statuses[3] == 429
        refused = auth.login("learner1")  # the right password, while refused
        assert refused.status_code == 429
        assert "Đã nhập sai mật khẩu quá nhiều lần" in refused.get_data(as_text=True)


def _session_cookie_set(response) -> bool:
    return any(h.startswith("session=") for h in response.headers.getlist("Set-Cookie"))


def test_the_sign_in_slides_with_each_request(app, client, auth, tree):
    """Flask renews a permanent session's cookie on every response, so the
    lifetime runs from the last request."""
    auth.login("learner1")
    renewed = client.get("/")
    assert renewed.status_code == 200
    assert _session_cookie_set(renewed)
    assert "Expires=" in renewed.headers["Set-Cookie"]  # still a lasting sign-in


def test_a_tampered_session_cookie_signs_out(app, client, auth, tree):
    auth.login("learner1")
    client.set_cookie("session", "tampered.value.sig")
    assert client.get("/").headers["Location"].startswith("/login")
    assert client.get("/").headers["Location"].startswith("/login")


def test_a_verified_cookie_is_refused_under_another_secret_key(app, client, auth, tree):
    auth.login("learner1")
    assert client.get("/").status_code == 200  # the cookie is now known verified
    app.secret_key = app.config["SECRET_KEY"] = "another-secret-" + "x" * 40
    assert client.get("/").headers["Location"].startswith("/login")


def test_a_flashed_message_in_the_cookie_shows_once(app, client, auth, tree):
    auth.login("learner1")
    client.get("/")
    serializer = app.session_interface.get_signing_serializer(app)
    data = serializer.loads(client.get_cookie("session").value)
    data["_flashes"] = [("success", "Một thông báo")]
    client.set_cookie("session", serializer.dumps(data))
    assert "Một thông báo" in client.get("/").get_data(as_text=True)
    assert "Một thông báo" not in client.get("/").get_data(as_text=True)
