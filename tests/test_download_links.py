"""Every download link (a GET ending in .csv, .xlsx or .zip) may write an audit row
or start a job: a request another site's page made the browser send (Fetch
Metadata: Sec-Fetch-Site cross-site) is refused before any of it."""

import pytest

from tests.factories import make_tree, make_user

DOWNLOADS = (".csv", ".xlsx", ".zip")


def _example(rule) -> str:
    """The rule's URL with a harmless value for each part."""
    values = {}
    for name, converter in rule._converters.items():
        choices = getattr(converter, "items", None)
        if choices:
            values[name] = sorted(choices)[0]
        elif hasattr(converter, "num_convert"):  # int, and the app's id
            values[name] = 1
        else:
            values[name] = "X"
    return rule.build(values)[1]


def test_every_download_link_refuses_another_sites_request(app, client, auth):
    with app.app_context():
        tree = make_tree()
        make_user(
            "all",
            tree["P"],
            roles=[("admin", None), ("hr", tree["P"]), ("trainer", tree["P"])],
        )
    auth.login("all")
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.rule.endswith(DOWNLOADS)
    ]
    assert len(rules) >= 8  # the exports, the ZIP, the rewards, prizes, audit
    for rule in rules:
        url = _example(rule)
        response = client.get(url, headers={"Sec-Fetch-Site": "cross-site"})
        assert response.status_code == 403, url


@pytest.mark.parametrize("site", ["same-origin", "none"])
def test_the_sites_own_links_pass(app, client, auth, site):
    with app.app_context():
        make_user("adm", make_tree()["P"], roles=[("admin", None)])
    auth.login("adm")
    response = client.get("/admin/audit.csv", headers={"Sec-Fetch-Site": site})
    assert response.status_code == 200
