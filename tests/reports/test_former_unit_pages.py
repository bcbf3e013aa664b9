"""A former unit's pages lead somewhere: the administrator's dashboard of a former
unit offers no action of today's subtree (empty ZIP, 404s), the admin's page of an
ended unit links its tree, cadres and reports as of its last day, the annual
workbook of a former unit is sized and counted by the structure of its day, and
the last day of a unit is one rule (app.accounts.days.last_day)."""

import io
import re
from datetime import date
from html import unescape

import openpyxl
import pytest

from app.accounts.days import last_day, vn_today
from app.accounts.report_access import ReportAccess
from app.accounts.rollup import Structure
from app.extensions import db
from tests.factories import make_user

from .history_world import MERGER, build
from .test_former_units import PAST, _links

LAST = "2025-06-30"  # the day before the mergers of 1/7/2025


@pytest.fixture
def world(app):
    """{code or username: id} (tests/reports/history_world.py) with the officer
    of the new province and an administrator."""
    with app.app_context():
        world = build()
        make_user("hr-ag", world["AGM"], roles=[("hr", world["AGM"])])
        make_user("boss", world["CT-SNV"], roles=[("admin", None)])
        db.session.commit()
        return {key: value.id for key, value in world.items()}


def test_the_last_day_of_a_unit_is_the_day_before_its_end(ctx):
    assert last_day(None, date(2026, 1, 1)) is None
    assert last_day(MERGER, date(2026, 1, 1)) == date(2025, 6, 30)
    assert last_day(MERGER, MERGER) == date(2025, 6, 30)  # ended today
    assert last_day(MERGER, date(2025, 6, 30)) is None  # ends tomorrow


def test_reports_take_a_former_units_last_day_from_the_one_rule(app, world):
    with app.app_context():
        structure = Structure.on(vn_today())
        assert structure.last_day(world["KG"]) == date(2025, 6, 30)
        assert structure.last_day(world["AGM"]) is None
        assert structure.last_day(world["CT-SNV"]) is None  # renamed, not ended
        access = ReportAccess(structure, [f"/{world['AGM']}/"])
        assert access.may_open(world["KG"]) and not access.may_open(world["CT"])


@pytest.mark.parametrize("query", ["campaign=C2024", PAST])
def test_the_admins_dashboard_of_a_former_unit_has_no_dead_end(
    client, auth, world, query
):
    """The certificates, reminders and reward candidates of a unit are of its
    subtree today, which a former unit no longer has: an empty ZIP and two 404s
    for the administrator too."""
    auth.login("boss")
    html = client.get(f"/reports/?{query}&unit={world['KG']}").get_data(as_text=True)
    links = set(_links(html, "/re"))
    assert links
    for action in ("certificates.zip", "reminders", "/rewards/"):
        assert not any(action in link for link in links), action
    for link in links:
        assert client.get(link).status_code != 404, link
    alive = client.get(f"/reports/?{query}&unit={world['AGM']}").get_data(as_text=True)
    for action in ("certificates.zip", "/reports/reminders?", "/rewards/"):
        assert action in alive, action


def _total_row(body: bytes) -> tuple:
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    return next(r for r in sheet.iter_rows(values_only=True) if r[1] == "Tổng cộng")


@pytest.mark.parametrize("who", ["hr-ag", "boss"])
def test_the_annual_workbook_of_a_former_unit_is_sized_by_its_day(
    app, client, auth, world, who
):
    """Former Kiên Giang has 3 records of 2024 and no cadre today: past
    EXPORT_JOB_ROWS records the workbook is a job, as the CSV of the same
    report; and the job's workbook counts what the page counts."""
    auth.login(who)
    query = f"{PAST}&unit={world['KG']}"
    direct = client.get(f"/reports/annual.xlsx?{query}")
    assert direct.status_code == 200 and _total_row(direct.get_data())[2] == 3
    app.config["EXPORT_JOB_ROWS"] = 2
    csv = client.get(f"/reports/export.csv?{query}")
    assert csv.status_code == 302 and "/jobs/" in csv.location
    started = client.get(f"/reports/annual.xlsx?{query}")
    assert started.status_code == 302 and "/jobs/" in started.location
    job = started.location.rsplit("/", 1)[1]
    made = client.get(f"/jobs/{job}/download")
    assert made.status_code == 200 and _total_row(made.get_data())[2] == 3


def _href(html: str, text: str) -> str:
    found = re.search(rf'href="([^"]+)">{re.escape(text)}', html)
    assert found, text
    return unescape(found.group(1))


def test_the_admin_page_of_an_ended_unit_shows_it_on_its_last_day(client, auth, world):
    auth.login("boss")
    html = client.get(f"/admin/units/{world['KG']}").get_data(as_text=True)
    assert "30/06/2025" in html
    tree = _href(html, "Các đơn vị cấp dưới")
    assert f"as_of={LAST}" in tree
    listed = client.get(tree).get_data(as_text=True)
    assert "Sở Thông tin và Truyền thông" in listed
    assert "Ủy ban nhân dân thành phố Rạch Giá" in listed
    cadres = _href(html, "Cán bộ vào ngày 30/06/2025")
    assert f"as_of={LAST}" in cadres and "unit=KG" in cadres
    listed = client.get(cadres).get_data(as_text=True)
    assert "Cán bộ A1" in listed and "Cán bộ A4" in listed
    reports = _href(html, "Báo cáo vào ngày 30/06/2025")
    assert f"as_of={LAST}" in reports and f"unit={world['KG']}" in reports
    page = client.get(reports).get_data(as_text=True)
    assert re.search(r"Cán bộ trong phạm vi</dt><dd>[1-9]", page), reports
    # a unit still there: its tree of today, no last day
    alive = client.get(f"/admin/units/{world['AGM']}").get_data(as_text=True)
    assert "as_of=" not in _href(alive, "Các đơn vị cấp dưới")
    assert "Báo cáo vào ngày" not in alive


def _fact(html: str, label: str) -> str:
    found = re.search(rf"<dt>{re.escape(label)}</dt><dd>([^<]*)</dd>", html)
    assert found, label
    return found.group(1)


def test_the_admin_page_of_an_ended_unit_counts_its_cadres_of_its_last_day(
    client, auth, world
):
    """Former Kiên Giang had A1, A3 and A4 on 30/06/2025 and has nobody today;
    a unit still there keeps today's count."""
    auth.login("boss")
    html = client.get(f"/admin/units/{world['KG']}").get_data(as_text=True)
    label = "Số cán bộ (cả đơn vị cấp dưới) vào ngày 30/06/2025"
    assert _fact(html, label) == "3"
    assert "<dt>Số cán bộ (cả đơn vị cấp dưới)</dt>" not in html
    alive = client.get(f"/admin/units/{world['AGM']}").get_data(as_text=True)
    assert _fact(alive, "Số cán bộ (cả đơn vị cấp dưới)") == "5"


def _more_campaigns(app, world):
    """C2025 (1/5/2025 to 31/12/2025, for former Rạch Giá: running on 30/06/2025)
    and C2025B (1/6 to 15/6/2025, for former Kiên Giang: closed before it), with
    C2024 (for Kiên Giang, closed 15/11/2024) and C2026 (the newest, for An Giang
    (mới), opened after it)."""
    from app.accounts.models import Unit

    from .history_world import _campaign

    with app.app_context():
        rg, kg = db.session.get(Unit, world["KG-RG"]), db.session.get(Unit, world["KG"])
        _campaign("C2025", 2025, date(2025, 5, 1), date(2025, 12, 31), [rg])
        _campaign("C2025B", 2025, date(2025, 6, 1), date(2025, 6, 15), [kg])
        db.session.commit()


def test_the_campaign_of_a_unit_on_a_day_is_the_one_open_latest_then(app, world):
    """At or above the unit that day; running on the day, else closed last before
    it; never one opened after it; None without one."""
    from app.accounts.models import Unit
    from app.records.campaigns import campaign_on

    _more_campaigns(app, world)
    with app.app_context():

        def code(unit_code, day):
            found = campaign_on(db.session.get(Unit, world[unit_code]), day)
            return found.code if found else None

        last = date(2025, 6, 30)
        assert code("KG-VTV", last) == "C2025"  # running, below Kiên Giang
        assert code("KG-RG", last) == "C2025"
        assert code("KG", last) == "C2025B"  # closed last before the day
        assert code("KG-STTTT", last) == "C2025B"
        assert code("KG", date(2025, 5, 31)) == "C2024"
        assert code("KG-RG", date(2024, 1, 1)) is None  # none opened yet
        assert code("AGM", last) is None  # not there yet
        assert code("CT-SNV", date(2026, 3, 1)) == "C2026"  # opens that day


def test_the_reports_link_of_an_ended_unit_opens_its_campaign_of_its_last_day(
    app, client, auth, world
):
    """Not the newest campaign (C2026, for An Giang (mới), opened after the day)."""
    auth.login("boss")
    html = client.get(f"/admin/units/{world['KG']}").get_data(as_text=True)
    reports = _href(html, "Báo cáo vào ngày 30/06/2025")
    assert "campaign=C2024" in reports and f"as_of={LAST}" in reports
    _more_campaigns(app, world)
    for unit, campaign in (("KG", "C2025B"), ("KG-VTV", "C2025"), ("KG-X", "C2025B")):
        html = client.get(f"/admin/units/{world[unit]}").get_data(as_text=True)
        reports = _href(html, "Báo cáo vào ngày 30/06/2025")
        assert f"campaign={campaign}" in reports, (unit, reports)
        assert f"unit={world[unit]}" in reports and f"as_of={LAST}" in reports
        assert client.get(reports).status_code == 200
    with app.app_context():  # no campaign then: the dashboard's default
        from sqlalchemy import delete

        from app.records.models import CampaignTarget

        db.session.execute(delete(CampaignTarget))
        db.session.commit()
    html = client.get(f"/admin/units/{world['KG']}").get_data(as_text=True)
    assert "campaign=" not in _href(html, "Báo cáo vào ngày 30/06/2025")


def test_the_breadcrumbs_of_an_ended_unit_lead_to_the_tree_of_its_last_day(
    client, auth, world
):
    auth.login("boss")
    html = client.get(f"/admin/units/{world['KG-VTV']}").get_data(as_text=True)
    for name, above, below in (
        ("Ủy ban nhân dân tỉnh Kiên Giang", "KG", "Ban quản lý dự án"),
        (
            "Ủy ban nhân dân thành phố Rạch Giá",
            "KG-RG",
            "Ủy ban nhân dân phường Vĩnh Thanh Vân",
        ),
    ):
        crumb = _href(html, name)
        assert f"parent={world[above]}" in crumb and f"as_of={LAST}" in crumb, crumb
        assert below in client.get(crumb).get_data(as_text=True)
    alive = client.get(f"/admin/units/{world['CT-SNV']}").get_data(as_text=True)
    crumb = _href(alive, "Ủy ban nhân dân thành phố Cần Thơ")
    assert crumb == f"/admin/units?parent={world['CT']}"
