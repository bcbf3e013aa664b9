"""Hostile input to every route, with the access matrix's data (a unit tree, a
campaign, a quiz and its attempt, a ranked contest, a certificate, a nomination):
odd values in each path argument of every GET route and in each query argument
its view reads (found by watching request.args) answer a 4xx or a page, never a
500; a POST without its CSRF token is refused in Vietnamese. Beyond-range
integers have their own tests (tests/test_bounds.py)."""

import re
from urllib.parse import quote

import pytest
from sqlalchemy import select
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.sansio.request import Request

from app.accounts.models import Unit
from app.extensions import db
from tests.conftest import AuthActions
from tests.test_access_matrix import TOKEN_404, TOKEN_ONLY, _values
from tests.test_access_matrix import people as people  # the fixture

SEGMENTS = [
    "0",
    "-1",
    "x" * 300,
    "%00",
    quote("a\x01\x1fb"),
    quote("Hòa An Đồng"),
    "..%2F..%2Fapp",
    "%ff%fe",
]
QUERY_VALUES = [
    "-1",
    "9" * 30,
    "abc",
    "0001-01-01",
    "9999-12-31",
    quote("Đ" * 2000 + "\x00%_"),
]


class _Watched(ImmutableMultiDict):
    """request.args that notes the names a view asks for."""

    names: set[str] = set()

    def get(self, key, *args, **kwargs):
        _Watched.names.add(key)
        return super().get(key, *args, **kwargs)

    def getlist(self, key, *args, **kwargs):
        _Watched.names.add(key)
        return super().getlist(key, *args, **kwargs)

    def __getitem__(self, key):
        _Watched.names.add(key)
        return super().__getitem__(key)


@pytest.fixture
def watched_args(app, monkeypatch):
    parsed = Request.__dict__["args"]  # werkzeug's cached property

    def args(request):
        if "_watched" not in request.__dict__:
            request.__dict__["_watched"] = _Watched(parsed.fget(request))
        return request.__dict__["_watched"]

    monkeypatch.setattr(app.request_class, "args", property(args))


def _get_routes(app):
    skip = TOKEN_ONLY | TOKEN_404
    return [
        r
        for r in app.url_map.iter_rules()
        if "GET" in r.methods and r.endpoint not in skip
    ]


def _with(rule, values: dict, argument: str, segment: str) -> str:
    url = rule.rule
    for name in rule.arguments:
        value = segment if name == argument else quote(str(values[name]), safe="")
        url = re.sub(rf"<[^>]*\b{name}>", lambda _m, v=value: v, url)
    return url


def _failures(client, urls) -> list[str]:
    failed = []
    for url in urls:
        try:
            response = client.get(url)
            response.close()
        except Exception as error:  # TESTING: a view's exception reaches the test
            failed.append(f"{url}: {type(error).__name__}: {error}"[:300])
            continue
        if response.status_code >= 500:
            failed.append(f"{url}: {response.status_code}")
    return failed


@pytest.mark.parametrize("role", ["learner", "admin"])
def test_odd_path_arguments_are_never_a_500(app, client, people, role):
    AuthActions(client).login(role)
    urls = [
        _with(rule, _values(rule, people), name, segment)
        for rule in _get_routes(app)
        for name in rule.arguments
        for segment in SEGMENTS
    ]
    assert len(urls) > 300
    assert _failures(client, urls) == []


# Python's words on a page: a value shown as Python writes it, or an error's name
PYTHON_WORDS = re.compile(r"\b(None|True|False|Traceback|[A-Z][a-z]+Error)\b")


def _python_words(response) -> set[str]:
    if response.mimetype != "text/html":
        return set()
    page = re.sub(r"(?s)<(script|style)\b.*?</\1>", "", response.get_data(as_text=True))
    return set(PYTHON_WORDS.findall(re.sub(r"<[^>]+>", " ", page)))


@pytest.mark.parametrize("role", ["hr", "admin"])
def test_odd_query_arguments_are_never_a_500(app, client, people, watched_args, role):
    """The pages as they come (no odd input yet) show no Python words either."""
    AuthActions(client).login(role)
    with app.app_context():  # out of the HR officer's scope (the department D)
        elsewhere = db.session.scalar(select(Unit.id).where(Unit.code == "C1"))
    urls = []
    for rule in _get_routes(app):
        url = rule.build(_values(rule, people))[1]
        _Watched.names = set()
        response = client.get(url)
        assert _python_words(response) == set(), url
        response.close()
        join = "&" if "?" in url else "?"
        urls += [
            f"{url}{join}{name}={value}"
            for name in sorted(_Watched.names)
            for value in [*QUERY_VALUES, str(elsewhere)]
        ]
        urls.append(f"{url}{join}page=1&page=x&unit=&as_of=")
    assert len(urls) > 200  # the names were found
    assert _failures(client, urls) == []


def test_a_post_without_its_csrf_token_is_refused_in_vietnamese(app, client, people):
    AuthActions(client).login("admin")
    let_through = {}
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint in TOKEN_404:
            continue
        response = client.post(rule.build(_values(rule, people))[1], data={})
        page = response.get_data(as_text=True)
        if response.status_code != 400 or "hết hạn" not in page:
            let_through[rule.endpoint] = response.status_code
    assert let_through == {}


def test_a_nul_character_is_refused_before_any_view(app, client, people):
    """PostgreSQL refuses NUL in a query (a 500 there, a pass on SQLite): in the
    path, the query string or a form, it is a 400 in words on both databases."""
    AuthActions(client).login("admin")
    token = AuthActions(client).token("/cadres")
    for response in (
        client.get("/courses/a%00b"),
        client.get("/cadres?q=x%00"),
        client.post("/admin/units", data={"csrf_token": token, "code": "a\x00"}),
    ):
        assert response.status_code == 400
        assert "ký tự không hợp lệ (NUL)" in response.get_data(as_text=True)
