"""Ids and page numbers beyond the database's integer range answer 404/400, never a
500 from the driver (SQLite fails at 2^63, PostgreSQL's integer at 2^31)."""

import re

import pytest

from tests.factories import make_tree, make_user

HUGE = ["2147483648", "9223372036854775808", "99999999999999999999"]


@pytest.fixture
def admin(app, client, auth):
    with app.app_context():
        tree = make_tree()
        make_user("adm", tree["P"], roles=[("admin", None), ("hr", tree["P"])])
    auth.login("adm")
    return client


def _urls_with_ids(app, value: str) -> list[str]:
    """Every GET route that takes an integer, with `value` in its place."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or "int" not in rule.rule:
            continue
        url = re.sub(r"<int:[^>]+>", value, rule.rule)
        urls.append(re.sub(r"<[^>]+>", "x", url))
    return urls


@pytest.mark.parametrize("value", HUGE)
def test_ids_in_routes_beyond_the_range_are_404(app, admin, value):
    urls = _urls_with_ids(app, value)
    assert len(urls) >= 9  # every GET route with an id
    for url in urls:
        assert admin.get(url).status_code == 404, url


@pytest.mark.parametrize("value", HUGE)
def test_numbers_in_query_arguments_beyond_the_range_are_404(app, admin, value):
    for url in (
        f"/cadres?page={value}",
        f"/admin/audit?page={value}",
        f"/reports/?unit={value}",
        f"/admin/units?parent={value}",
    ):
        assert admin.get(url).status_code == 404, url


@pytest.mark.parametrize("value", HUGE)
def test_an_anonymous_autosave_with_huge_numbers_is_404(app, client, value):
    for url, data in (
        (f"/autosave/{value}", {"t": "x", "position": 1, "choice": 0}),
        ("/autosave/1", {"t": "x", "position": value, "choice": value}),
    ):
        response = client.post(url, data=data, headers={"Accept": "application/json"})
        assert response.status_code == 404, url


def test_the_api_refuses_a_huge_page(app, client):
    response = client.get(
        f"/api/v1/campaigns/C/records?page={HUGE[1]}",
        headers={"Authorization": "Bearer nothing"},
    )
    assert response.status_code in (400, 401)
