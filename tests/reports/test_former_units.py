"""Former units in the reports (app.accounts.report_access): an officer opens a
former unit whose records all roll up into its scope — from the dashboard, the
ranking, the annual report and the exports — and no other; and the list of cadres
as of a day, which lists what the dashboard of that day counts."""

import csv
import io
import re
from datetime import date
from html import unescape

import pytest
from sqlalchemy import select, update

from app.accounts.models import Assignment, Unit, User
from app.extensions import db
from app.records.models import TrainingRecord
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


def test_no_link_on_a_former_units_dashboard_is_a_dead_end(client, auth, world):
    """The certificates, reminders and reward candidates of a unit are of its
    subtree today: the page of a former unit opened through its records does not
    offer them (they would answer 404)."""
    auth.login("hr-ag")
    html = client.get(f"/reports/?{PAST}&unit={world['KG']}").get_data(as_text=True)
    links = set(_links(html, "/re"))  # /reports, /reminders, /rewards
    assert links and not any("reminders" in link for link in links)
    for link in links:
        assert client.get(link).status_code != 404, link
    home = client.get(f"/reports/?{PAST}").get_data(as_text=True)
    assert "/reports/reminders?" in home and "/rewards/" in home


def test_a_large_export_of_a_former_unit_is_a_job_that_finishes(
    app, client, auth, world
):
    """The job re-checks the owner's reach by the same rule as the page."""
    app.config["EXPORT_JOB_ROWS"] = 0
    auth.login("hr-ag")
    files = {}
    for path in ("export.csv", "export.xlsx"):
        started = client.get(f"/reports/{path}?{PAST}&unit={world['KG']}")
        assert started.status_code == 302 and "/jobs/" in started.location, path
        job = started.location.rsplit("/", 1)[1]
        files[path] = client.get(f"/jobs/{job}/download")
        assert files[path].status_code == 200, path
    rows = list(csv.reader(io.StringIO(files["export.csv"].text.lstrip("\ufeff"))))
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


def _gone_to_can_tho(app, world) -> None:
    """Cadre a1 (2024: completed in former Sở TT&TT) moved to Cần Thơ in 2026: An
    Giang's dashboard of 2024 counts the record, today's list of cadres does not."""
    with app.app_context():
        gone = db.session.get(User, world["a1"])
        gone.unit_id = world["CT-SNV"]
        db.session.execute(
            update(TrainingRecord)
            .where(TrainingRecord.user_id == gone.id)
            .values(unit_id=world["CT-SNV"])
        )
        db.session.execute(
            update(Assignment)
            .where(Assignment.user_id == gone.id, Assignment.valid_to.is_(None))
            .values(valid_to=date(2026, 1, 1))
        )
        db.session.add(
            Assignment(
                user_id=gone.id, unit_id=world["CT-SNV"], valid_from=date(2026, 1, 1)
            )
        )
        db.session.commit()


def _count(html: str) -> int:
    return int(re.search(r'<p class="count" role="status">(\d+)', html).group(1))


def test_the_list_of_cadres_as_of_a_day_is_what_the_dashboard_counts(
    app, client, auth, world
):
    _gone_to_can_tho(app, world)
    auth.login("hr-ag")
    page = client.get(f"/reports/?{PAST}&unit={world['AGM']}").get_data(as_text=True)
    legend = re.search(r'<ul class="legend">(.*?)</ul>', page, re.S).group(1)
    links = re.findall(r'href="([^"]+)">[^<:]+: (\d+)</a>', legend)
    assert len(links) == 3
    for link, shown in links:
        link = unescape(link)
        assert "as_of=2024-12-31" in link and "attribution=at_time" in link
        listed = client.get(link).get_data(as_text=True)
        assert _count(listed) == int(shown), link
        assert "Số liệu tại ngày 31/12/2024" in listed
    everyone = unescape(re.search(r'href="([^"]+)">Danh sách cán bộ<', page).group(1))
    listed = client.get(everyone).get_data(as_text=True)
    total = re.search(r"Cán bộ trong phạm vi</dt><dd>(\d+)<", page).group(1)
    assert _count(listed) == int(total) == 4
    assert "Cán bộ A1" in listed and "Sở Thông tin và Truyền thông" in listed
    today = client.get(f"/reports/cadres?campaign=C2024&unit={world['AGM']}").text
    assert "Cán bộ A1" not in today  # the cadres in their units now
    # A1 is in Cần Thơ now: listed for the record, without a link to its page
    people = _links(listed, "/reports/cadres/")
    assert len(people) == 3 and f"/reports/cadres/{world['a1']}?" not in listed
    gone = "Không tìm thấy cán bộ này trong phạm vi của bạn."
    for link in people:  # (the world has no quiz: only the scope is checked)
        assert gone not in client.get(link).text, link
    assert gone in client.get(f"/reports/cadres/{world['a1']}?campaign=C2024").text


def test_the_list_as_of_a_day_keeps_the_day_and_the_attribution(
    app, client, auth, world
):
    app.config["PAGE_SIZE"] = 2
    auth.login("hr-ag")
    query = f"campaign=C2024&unit={world['AGM']}&as_of=2026-06-01&attribution=rolled_up"
    html = client.get(f"/reports/cadres?{query}").get_data(as_text=True)
    assert "cộng dồn vào đơn vị kế thừa tại ngày đó" in html
    assert _count(html) == 4
    assert 'name="as_of" value="2026-06-01"' in html
    assert 'name="attribution" value="rolled_up"' in html
    following = _links(html, "/reports/cadres[?]page=2")
    assert following and "attribution=rolled_up" in following[0]
    second = client.get(following[0]).get_data(as_text=True)
    # rolled up: each record in the unit of 1/6/2026 its unit then went into
    assert "Ủy ban nhân dân phường Rạch Giá" in html + second
    assert "Vĩnh Thanh Vân" not in html + second
    back = _links(html, "/reports/[?]")
    assert back and all("as_of=2026-06-01" in link for link in back)


def test_the_direct_row_lists_the_units_own_records_of_the_day(client, auth, world):
    auth.login("hr-ag")
    page = client.get(f"/reports/?{PAST}&unit={world['KG-RG']}").get_data(as_text=True)
    direct = [link for link in _links(page, "/reports/cadres") if "direct=1" in link]
    assert len(direct) == 1 and "as_of=2024-12-31" in direct[0]
    listed = client.get(direct[0]).get_data(as_text=True)
    assert _count(listed) == 1 and "Cán bộ A4" in listed


@pytest.mark.parametrize(
    "query",
    [
        "as_of=2024-13-45",
        "as_of=hôm-qua",
        "attribution=all",
        "as_of=1945-09-01",
        "as_of=0001-01-01",
    ],
)
def test_a_bad_day_on_the_list_is_a_message(client, auth, world, query):
    auth.login("hr-ag")
    response = client.get(f"/reports/cadres?campaign=C2024&{query}")
    assert response.status_code == 400
    assert "không hợp lệ" in response.text or "ngoài khoảng cho phép" in response.text
    assert "/1 " not in response.text  # a year is written with its four digits


def test_the_list_as_of_a_day_pages_as_the_list_of_today(app, world):
    """Both lists page alike (dashboard.row_page): a page below the first is the
    first, the pages in turn are the whole list in its order, and a page past the
    end is empty but keeps the count."""
    from app.accounts.rollup import Structure
    from app.records.models import Campaign
    from app.reports.asof import AsOf
    from app.reports.dashboard import record_page, record_page_as_of

    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.code == "C2024"))
        unit = db.session.get(Unit, world["AGM"])
        as_of = AsOf(date(2024, 12, 31))
        structure = Structure.on(as_of.day)
        filters = {"status": "", "q": "", "direct": None}

        def past(page, size=2):
            return record_page_as_of(
                campaign, unit, as_of, structure, filters, page, size, None
            )

        def today(page, size=2):
            return record_page(campaign, unit, "", "", page, size)

        for listing in (past, today):
            whole = listing(1, 100)
            names = [row[1].full_name for row in whole.items]
            assert len(names) == whole.total >= 3, listing
            pages = [listing(n) for n in (-1, 0, 1, 2, 3)]
            assert [p.page for p in pages] == [1, 1, 1, 2, 3]
            assert {p.total for p in pages} == {whole.total}
            assert pages[0].items == pages[1].items == pages[2].items
            paged = [row[1].full_name for p in pages[2:] for row in p.items]
            assert paged == names and listing(9).items == []
            assert (pages[2].pages, pages[2].has_prev, pages[2].has_next) == (
                (whole.total + 1) // 2,
                False,
                True,
            )
