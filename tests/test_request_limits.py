"""Request bodies are bounded before anything reads them: a 300 MB body to the
sign-in, the sign-out, the autosave or an upload page is answered 413 without the
server reading it (also where the CSRF check would read the form first)."""

import io

import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app

from app.content.question_editing import create_bank
from app.extensions import db
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


def _post_huge(
    client, url: str, content_type: str, size: int = HUGE
) -> tuple[int, int]:
    """POST to `url` as the client (its cookie), a body that claims `size` bytes:
    (status, bytes the app read of it)."""
    environ = EnvironBuilder(path=url, method="POST").get_environ()
    stream = CountingStream()
    environ.update(
        {
            "wsgi.input": stream,
            "CONTENT_LENGTH": str(size),
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
        admin = make_user("adm", tree["P"], roles=[("admin", None), ("hr", tree["P"])])
        create_bank(admin, "B", "Ngân hàng", tree["P"])
        db.session.commit()
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


@pytest.mark.parametrize(
    "url",
    ["/cadres/import", "/admin/units/import", "/authoring/banks/B/upload"],
)
def test_an_upload_page_not_ones_own_refuses_a_body_unread(app, client, auth, url):
    """A signed-in user who may not use an upload page (a learner) is refused an
    upload-sized body within the limit without the server reading it: the role or
    scope check runs before the form (and its CSRF token) is read."""
    with app.app_context():
        make_user("an", make_tree()["D"])
    auth.login("an")
    size = app.config["MAX_CONTENT_LENGTH"] - 1000
    status, read = _post_huge(client, url, "multipart/form-data; boundary=x", size)
    assert status in (403, 404) and read == 0


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


@pytest.mark.parametrize(
    "url",
    ["/cadres/import", "/admin/units/import", "/authoring/banks/B/upload"],
)
def test_an_anonymous_upload_is_never_read(app, client, url):
    """Only a signed-in user may send an upload-sized body, even to an upload page:
    an anonymous one is sent to sign in, its body unread."""
    size = app.config["MAX_FORM_BYTES"] + 10
    status, read = _post_huge(client, url, "multipart/form-data; boundary=x", size)
    assert status in (302, 401, 413) and read == 0


def _post_chunked(client, url: str, stream) -> tuple[int, bytes]:
    """POST `stream` to `url` in chunks (no Content-Length), as gunicorn hands such
    a body to the app: (status, page)."""
    environ = EnvironBuilder(path=url, method="POST").get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ.update(
        {
            "wsgi.input": stream,
            "wsgi.input_terminated": True,
            "HTTP_TRANSFER_ENCODING": "chunked",
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
        }
    )
    cookie = client.get_cookie("session")
    if cookie is not None:
        environ["HTTP_COOKIE"] = f"session={cookie.value}"
    app_iter, status, _ = run_wsgi_app(client.application, environ, buffered=True)
    return int(status.split()[0]), b"".join(app_iter)


@pytest.mark.parametrize("url", ["/login", "/logout", "/language"])
def test_a_chunked_body_over_the_form_limit_is_refused_as_too_large(app, client, url):
    """A body without a length is read no further than the form limit and refused
    as too large (413), not read cut short into a form without its token (400)."""
    stream = CountingStream()
    status, page = _post_chunked(client, url, stream)
    assert status == 413 and "quá lớn" in page.decode()
    assert stream.read_bytes <= app.config["MAX_FORM_BYTES"] + 65536


def test_a_chunked_form_within_the_limit_is_read_whole(app, client):
    from tests.conftest import csrf_token

    with app.app_context():
        make_user("an", make_tree()["D"])
    token = csrf_token(client, "/login")
    body = f"username=an&password=Demo%402026x&csrf_token={token}".encode()
    status, page = _post_chunked(client, "/login", io.BytesIO(body))
    # the form arrived whole: its token held, the password was checked
    assert status == 200 and "hết hạn" not in page.decode()
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in page.decode()


@pytest.mark.parametrize(
    "url, fields",
    [
        ("/cadres/import", {"unit": "P"}),  # the unit's id, below
        ("/admin/units/import", {}),
        ("/authoring/banks/B/upload", {"format": "auto"}),
    ],
)
def test_every_upload_page_holds_a_file_to_the_one_limit(
    app, client, auth, trainer, url, fields
):
    """A file one byte past UPLOAD_MAX_BYTES, in a body within the form overhead
    allowed on top of it, is refused by each upload page alike (uploads.read_upload):
    the units import read it whole and imported it."""
    from app.accounts.models import Unit
    from app.uploads import max_bytes

    with app.app_context():
        limit = max_bytes()
        units = db.session.query(Unit).count()
        if "unit" in fields:
            top = db.session.query(Unit).filter_by(code=fields["unit"]).one()
            fields = {"unit": str(top.id)}
    head = "code,name,kind,parent_code\nX1,Đơn vị thử,agency,P\n".encode()
    data = head + b"#" * (limit + 1 - len(head))  # a byte past the limit
    response = client.post(
        url,
        data={
            "csrf_token": auth.token(url if "units" not in url else "/admin/units"),
            "file": (io.BytesIO(data), "units.csv"),
            **fields,
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Tệp quá lớn" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Unit).count() == units  # nothing written
