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
def test_an_autosave_with_huge_numbers_is_404(app, client, value):
    """Anonymous, and with the owner's own token (so that the numbers, not the
    token, are what is refused)."""
    from app.quizzes import attempts
    from app.quizzes.saving import autosave_token
    from tests.quizzes.helpers import make_quiz

    with app.app_context():
        learner = make_user("hv", make_tree()["C1"])
        attempt = attempts.start_attempt(learner, make_quiz())
        from app.extensions import db

        db.session.commit()
        token = autosave_token(app.config["SECRET_KEY"], attempt.id, learner.id, 1)
        attempt_id = attempt.id
    for url, data in (
        (f"/autosave/{value}", {"t": "x", "position": 1, "choice": 0}),
        (f"/autosave/{attempt_id}", {"t": token, "position": value, "choice": 0}),
        (f"/autosave/{attempt_id}", {"t": token, "position": 1, "choice": value}),
    ):
        response = client.post(url, data=data, headers={"Accept": "application/json"})
        assert response.status_code == 404, (url, data)


@pytest.mark.parametrize("page", [*HUGE, "²", "0", "-1", "1.5"])
def test_the_api_refuses_a_page_out_of_range(app, client, page):
    from app.api import services
    from app.extensions import db

    with app.app_context():
        _, token = services.issue_token("HRM", make_tree()["D"])
        db.session.commit()
    response = client.get(
        f"/api/v1/campaigns/C/records?page={page}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400, page


def test_odd_digits_in_an_autosave_address_or_a_page_button_are_404_or_ignored(
    app, client, auth
):
    for path in ("/autosave/²", "/autosave/١٢", "/autosave/%C2%B2"):
        response = client.post(path, data={"t": "x", "position": 1, "choice": 0})
        assert response.status_code == 404, path
