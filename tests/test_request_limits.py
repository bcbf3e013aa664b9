"""Request bodies are bounded before anything reads them: a 300 MB body to the
sign-in, the sign-out, the autosave or an upload page is answered 413 without the
server reading it (also where the CSRF check would read the form first)."""

import io

import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app

from tests.factories import make_tree, make_user

HUGE = 300_000_000


class CountingStream(io.RawIOBase):
    """A request body that says it is HUGE bytes and counts what is read of it."""

    def __init__(self):
        self.read_bytes = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        size = min(len(buffer), 65536)
        buffer[:size] = b"a" * size
        self.read_bytes += size
        return size


def _post_huge(client, url: str, content_type: str) -> tuple[int, int]:
    """POST to `url` as the client (its cookie), a body that claims HUGE bytes:
    (status, bytes the app read of it)."""
    environ = EnvironBuilder(path=url, method="POST").get_environ()
    stream = CountingStream()
    environ.update(
        {
            "wsgi.input": stream,
            "CONTENT_LENGTH": str(HUGE),
            "CONTENT_TYPE": content_type,
        }
    )
    cookie = client.get_cookie("session")
    if cookie is not None:
        environ["HTTP_COOKIE"] = f"session={cookie.value}"
    _, status, _ = run_wsgi_app(client.application, environ, buffered=True)
    return int(status.split()[0]), stream.read_bytes


@pytest.fixture
def trainer(app, client, auth):
    with app.app_context():
        tree = make_tree()
        make_user("adm", tree["P"], roles=[("admin", None), ("hr", tree["P"])])
    auth.login("adm")


@pytest.mark.parametrize(
    "url, content_type",
    [
        ("/login", "application/x-www-form-urlencoded"),
        ("/logout", "application/x-www-form-urlencoded"),
        ("/autosave/1", "application/x-www-form-urlencoded"),
        ("/language", "multipart/form-data; boundary=x"),
    ],
)
def test_a_huge_body_is_refused_unread(app, client, url, content_type):
    assert _post_huge(client, url, content_type) == (413, 0)


@pytest.mark.parametrize(
    "url",
    ["/cadres/import", "/admin/units/import", "/authoring/banks/B/upload"],
)
def test_upload_pages_refuse_a_body_over_the_upload_limit_unread(
    app, client, trainer, url
):
    assert _post_huge(client, url, "multipart/form-data; boundary=x") == (413, 0)


def test_an_ordinary_form_is_held_to_the_form_limit_and_says_so(app, client):
    body = b"username=" + b"a" * (app.config["MAX_FORM_BYTES"] + 10)
    response = client.post(
        "/login", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert "quá lớn" in response.get_data(as_text=True)


def test_the_largest_upload_allowed_is_max_content_length(app):
    from app.uploads import FORM_OVERHEAD, max_bytes

    with app.app_context():
        assert app.config["MAX_CONTENT_LENGTH"] == max_bytes() + FORM_OVERHEAD
    assert app.config["MAX_FORM_BYTES"] < app.config["MAX_CONTENT_LENGTH"]


def test_an_anonymous_upload_is_held_to_the_form_limit(app, client):
    """Only a signed-in user may send an upload-sized body, even to an upload page
    (its role check comes after the CSRF check has read the body)."""
    body = b"x" * (app.config["MAX_FORM_BYTES"] + 10)
    response = client.post(
        "/admin/units/import",
        data=body,
        content_type="multipart/form-data; boundary=x",
    )
    assert response.status_code == 413
