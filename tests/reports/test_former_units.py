"""Former units in the reports (app.reports.access): an officer opens a former unit
whose records all roll up into its scope — from the dashboard, the ranking, the
annual report and the exports — and no other."""

import csv
import io
import re
from html import unescape

import pytest

from app.extensions import db
from tests.factories import make_user

from .history_world import build

PAST = "campaign=C2024&as_of=2024-12-31"
NOT_IN_SCOPE = "Không tìm thấy đơn vị này trong phạm vi của bạn."


@pytest.fixture
def world(app):
    """{code or username: id} (tests/reports/history_world.py) with the officers
    of the new province, of a department, of a ward, of another province, and an
    administrator."""
    with app.app_context():
        world = build()
        officers = {"hr-ag": "AGM", "hr-kh": "SKHCN", "hr-rg": "RG", "hr-ct": "CT"}
        for name, code in officers.items():
            make_user(name, world[code], roles=[("hr", world[code])])
        make_user("boss", world["CT-SNV"], roles=[("admin", None)])
        db.session.commit()
        return {key: value.id for key, value in world.items()}


def _rows(html: str) -> dict[str, bool]:
    """{unit name: linked?} of the rows of a report's unit table."""
    found = {}
    for cell in re.findall(r'<th scope="row">(.*?)</th>', html, re.S):
        name = re.sub(r"<[^>]+>", "", cell).split("(")[0].strip()
        found[unescape(name)] = "<a " in cell
    return found


def _links(html: str, path: str) -> list[str]:
    return [unescape(link) for link in re.findall(rf'href="({path}[^"]*)"', html)]


@pytest.mark.parametrize("who", ["hr-ag", "boss"])
def test_the_officer_of_the_new_province_opens_former_kien_giang(
    client, auth, world, who
):
    auth.login(who)
    top = client.get(f"/reports/?{PAST}&unit={world['AGM']}").get_data(as_text=True)
    assert _rows(top)["Ủy ban nhân dân tỉnh Kiên Giang"] is True
    kg = f"{PAST}&unit={world['KG']}"
    page = client.get(f"/reports/?{kg}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html
    rows = _rows(html)
    assert rows["Sở Thông tin và Truyền thông"] is True
    assert rows["Ủy ban nhân dân thành phố Rạch Giá"] is True
    # every unit the page links to opens, as of the same day
    for link in _links(html, "/reports/[?]"):
        assert client.get(link).status_code == 200, link
    for path in ("/reports/ranking", "/reports/annual", "/reports/export.csv"):
        assert client.get(f"{path}?{kg}").status_code == 200, path
    ranking = client.get(f"/reports/ranking?{kg}").get_data(as_text=True)
    assert _rows(ranking)["Ủy ban nhân dân thành phố Rạch Giá"] is True
    rows = list(csv.reader(io.StringIO(client.get(f"/reports/export.csv?{kg}").text)))
    assert {row[1] for row in rows[1:]} == {"Cán bộ A1", "Cán bộ A3", "Cán bộ A4"}


def test_the_trail_of_a_former_unit_starts_at_the_officers_unit(client, auth, world):
    auth.login("hr-ag")
    html = client.get(f"/reports/?{PAST}&unit={world['KG-VTV']}").get_data(as_text=True)
    trail = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S).group(0)
    names = [unescape(n) for n in re.findall(r">([^<>]+)</(?:a|li)>", trail)]
    assert names == [
        "Ủy ban nhân dân tỉnh An Giang",
        "Ủy ban nhân dân tỉnh Kiên Giang",
        "Ủy ban nhân dân thành phố Rạch Giá",
        "Ủy ban nhân dân phường Vĩnh Thanh Vân",
    ]
    assert f"unit={world['AGM']}&amp;as_of=2024-12-31" in trail


def test_the_officer_of_a_ward_opens_the_former_units_merged_into_it(
    client, auth, world
):
    auth.login("hr-rg")
    home = client.get(f"/reports/?{PAST}").get_data(as_text=True)
    assert _rows(home)["Ủy ban nhân dân thành phố Rạch Giá"] is True
    for code in ("KG-RG", "KG-VTV"):  # its primary successor is the ward
        response = client.get(f"/reports/?{PAST}&unit={world[code]}")
        assert response.status_code == 200, code
    # former Kiên Giang holds records that went elsewhere (Sở TT&TT's)
    response = client.get(f"/reports/?{PAST}&unit={world['KG']}")
    assert response.status_code == 404 and NOT_IN_SCOPE in response.text


@pytest.mark.parametrize(
    "who, code",
    [
        ("hr-kh", "KG"),  # a department's officer, another former province
        ("hr-kh", "AGO"),
        ("hr-kh", "KG-RG"),  # the department took only a secondary part of it
        ("hr-ct", "KG"),
        ("hr-ct", "KG-STTTT"),
        ("hr-rg", "AGO-SKHCN"),
    ],
)
def test_a_former_unit_outside_the_scope_is_not_found(client, auth, world, who, code):
    auth.login(who)
    query = f"{PAST}&unit={world[code]}"
    for path in (
        "/reports/",
        "/reports/ranking",
        "/reports/cadres",
        "/reports/annual",
        "/reports/annual.xlsx",
        "/reports/export.csv",
        "/reports/export.xlsx",
    ):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 404, (path, response.status_code)
        assert NOT_IN_SCOPE in response.text or path.endswith(("xlsx", "csv"))


def test_the_department_opens_the_former_department_merged_into_it(client, auth, world):
    auth.login("hr-kh")
    home = client.get(f"/reports/?{PAST}").get_data(as_text=True)
    rows = _rows(home)
    assert rows["Sở Thông tin và Truyền thông"] is True
    # its records went to the ward (primary), not to the department (secondary)
    assert "Ủy ban nhân dân thành phố Rạch Giá" not in rows
    assert client.get(f"/reports/?{PAST}&unit={world['KG-STTTT']}").status_code == 200


@pytest.mark.parametrize(
    "unit", ["99999999999999999999", "-1", "0", "2147483647", "9223372036854775807"]
)
def test_bad_and_huge_unit_ids_are_not_found(client, auth, world, unit):
    auth.login("hr-ag")
    for path in ("/reports/", "/reports/ranking", "/reports/cadres", "/reports/annual"):
        assert client.get(f"{path}?{PAST}&unit={unit}").status_code == 404, path
