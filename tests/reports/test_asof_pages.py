"""The report pages, downloads and commands as of a day: the choice is stated,
bad values get a message (never a 500), and an officer's scope goes through time
(the world: tests/reports/history_world.py)."""

import csv
import io
from datetime import date
from html import unescape

import openpyxl
import pytest
from sqlalchemy import update

from app.accounts import days
from app.accounts.models import Assignment, User
from app.extensions import db
from app.records.models import TrainingRecord
from tests.factories import make_user

from .history_world import build

STATED_AT_TIME = (
    "Số liệu tại ngày 31/12/2024; ghi nhận theo đơn vị tại thời điểm hoàn thành."
)
STATED_ROLLED = "Số liệu tại ngày 01/06/2026; cộng dồn vào đơn vị kế thừa tại ngày đó."
STATE_NOW = (
    "Tình trạng hoàn thành và kết quả của từng người tính đến lúc lập báo cáo; "
    "người chưa có quá trình công tác ghi nhận tại ngày đó được tính theo đơn vị "
    "hiện nay."
)


@pytest.fixture
def world(app):
    """{code or username: id}; built in its own app context, as the downloads
    stream in theirs."""
    with app.app_context():
        world = build()
        make_user("hr-ag", world["AGM"], roles=[("hr", world["AGM"])])
        make_user("hr-kh", world["SKHCN"], roles=[("hr", world["SKHCN"])])
        make_user("hr-ct", world["CT"], roles=[("hr", world["CT"])])
        db.session.commit()
        return {key: value.id for key, value in world.items()}


def _csv(response) -> list[list[str]]:
    return list(
        csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))
    )


def test_the_dashboard_states_its_day_and_attribution(client, auth, world):
    auth.login("hr-ag")
    page = client.get("/reports/?campaign=C2024&as_of=2024-12-31")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f"{STATED_AT_TIME} {STATE_NOW}" in html
    assert 'type="date"' in html and 'value="2024-12-31"' in html
    assert "Ủy ban nhân dân tỉnh Kiên Giang" in html
    rolled = client.get(
        "/reports/?campaign=C2024&as_of=2026-06-01&attribution=rolled_up"
    ).get_data(as_text=True)
    assert STATED_ROLLED in rolled
    assert "Ủy ban nhân dân phường Rạch Giá" in rolled
    assert "Ủy ban nhân dân tỉnh Kiên Giang" not in rolled
    assert 'id="years-table"' in rolled
    default = client.get("/reports/?campaign=C2026").get_data(as_text=True)
    assert "ghi nhận theo đơn vị tại thời điểm hoàn thành" in default
    assert STATE_NOW not in default  # of today, the state now is the day's


def test_the_ranking_ranks_the_units_of_the_day(client, auth, world):
    auth.login("hr-ag")
    query = f"campaign=C2024&unit={world['AGM']}"
    then = client.get(f"/reports/ranking?{query}&as_of=2024-12-31")
    html = then.get_data(as_text=True)
    assert then.status_code == 200 and STATED_AT_TIME in html
    assert 'value="2024-12-31"' in html
    # the two provinces of 2024, each with its records of that campaign
    assert "Ủy ban nhân dân tỉnh Kiên Giang" in html
    assert "Ủy ban nhân dân tỉnh An Giang" in html
    # links down keep the day and the choice
    assert "as_of=2024-12-31&amp;attribution=at_time" in html
    rolled = client.get(
        f"/reports/ranking?{query}&as_of=2026-06-01&attribution=rolled_up"
    ).get_data(as_text=True)
    assert STATED_ROLLED in rolled
    assert "Ủy ban nhân dân tỉnh Kiên Giang" not in rolled


def test_the_annual_report_states_it_on_the_page_and_in_the_workbook(
    client, auth, world
):
    auth.login("hr-ag")
    query = f"campaign=C2024&unit={world['AGM']}&as_of=2024-12-31"
    page = client.get(f"/reports/annual?{query}").get_data(as_text=True)
    assert STATED_AT_TIME in page and "Ủy ban nhân dân tỉnh Kiên Giang" in page
    assert "ngày 31 tháng 12 năm 2024" in page
    response = client.get(f"/reports/annual.xlsx?{query}")
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    cells = list(book.active.iter_rows(values_only=True))
    assert cells[7][0] == f"{STATED_AT_TIME} {STATE_NOW}"
    names = [row[1] for row in cells[9:] if row[1]]
    assert "Ủy ban nhân dân tỉnh Kiên Giang" in names and "Tổng cộng" in names
    assert "Ủy ban nhân dân tỉnh An Giang" in names  # the former province
    years = list(book["Qua các năm"].iter_rows(values_only=True))
    assert years[1][0] == f"{STATED_AT_TIME} {STATE_NOW}" and years[4][:3] == (
        2024,
        "Bồi dưỡng văn hóa công vụ năm 2024",
        4,
    )


def test_the_exports_state_it_in_their_last_column(client, auth, world):
    auth.login("hr-ag")
    base = f"campaign=C2024&unit={world['AGM']}"
    rows = _csv(
        client.get(f"/reports/export.csv?{base}&as_of=2026-06-01&attribution=rolled_up")
    )
    assert rows[0][-1] == f"Đơn vị ghi nhận ({STATED_ROLLED.rstrip('.')})"
    by_name = {row[1]: row[-1] for row in rows[1:]}
    assert by_name["Cán bộ A1"] == "Sở Khoa học và Công nghệ"
    assert by_name["Cán bộ A4"] == "Ủy ban nhân dân phường Rạch Giá"  # split: primary
    at_time = _csv(client.get(f"/reports/export.csv?{base}&as_of=2024-12-31"))
    by_name = {row[1]: row[-1] for row in at_time[1:]}
    assert by_name["Cán bộ A1"] == "Sở Thông tin và Truyền thông"
    assert by_name["Cán bộ A3"] == "Ủy ban nhân dân phường Vĩnh Thanh Vân"
    response = client.get(f"/reports/export.xlsx?{base}&as_of=2024-12-31")
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    header = next(sheet.iter_rows(values_only=True))
    assert header[-1] == f"Đơn vị ghi nhận ({STATED_AT_TIME.rstrip('.')})"
    plain = _csv(client.get(f"/reports/export.csv?{base}"))
    assert not plain[0][-1].startswith("Đơn vị ghi nhận")  # the list of today


@pytest.mark.parametrize(
    "path",
    [
        "/reports/?as_of=2024-13-01",
        "/reports/?attribution=all",
        "/reports/annual?as_of=yesterday",
        "/reports/annual.xlsx?attribution=rolled",
        "/reports/export.csv?as_of=2024-02-30",
        "/reports/export.xlsx?attribution=x",
        "/reports/ranking?as_of=31/12/2024",
        "/reports/ranking?attribution=today",
    ],
)
def test_bad_values_get_a_message_not_a_500(client, auth, world, path):
    auth.login("hr-ag")
    response = client.get(path)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "không hợp lệ" in html


def test_an_officer_of_the_merged_into_unit_sees_its_predecessors_past(
    client, auth, world
):
    auth.login("hr-kh")
    html = client.get(
        f"/reports/?campaign=C2024&unit={world['SKHCN']}&as_of=2024-12-31"
    ).get_data(as_text=True)
    assert "Sở Thông tin và Truyền thông" in html
    assert "Sở Khoa học và Công nghệ" in html  # the former An Giang's
    assert "Vĩnh Thanh Vân" not in html and "Cần Thơ" not in html
    rows = _csv(client.get("/reports/export.csv?campaign=C2024&as_of=2024-12-31"))
    assert {row[1] for row in rows[1:]} == {"Cán bộ A1", "Cán bộ A2"}


def test_an_officer_of_another_unit_sees_none_of_it(client, auth, world):
    auth.login("hr-ct")
    html = client.get("/reports/?campaign=C2024&as_of=2024-12-31").get_data(
        as_text=True
    )
    assert "Sở Nội vụ" in html
    assert "Kiên Giang" not in html and "Thông tin và Truyền thông" not in html
    assert (
        client.get(f"/reports/?campaign=C2024&unit={world['AGM']}").status_code == 404
    )
    rows = _csv(client.get("/reports/export.csv?campaign=C2024&as_of=2024-12-31"))
    assert {row[1] for row in rows[1:]} == {"Cán bộ C1"}


def test_an_export_as_of_a_day_lists_what_the_dashboard_counts_then(
    app, client, auth, world
):
    """A cadre who earned a 2024 record in former Kiên Giang and has since gone to
    Cần Thơ is in An Giang's export as of 2024 (its dashboard counts the record),
    and not in Cần Thơ's."""
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
    past = "/reports/export.csv?campaign=C2024&as_of=2024-12-31"
    auth.login("hr-ag")
    html = client.get(f"/reports/?campaign=C2024&unit={world['AGM']}&as_of=2024-12-31")
    assert "Ủy ban nhân dân tỉnh Kiên Giang" in html.get_data(as_text=True)
    rows = _csv(client.get(f"{past}&unit={world['AGM']}"))
    assert "Cán bộ A1" in {row[1] for row in rows[1:]}
    by_name = {row[1]: row[-1] for row in rows[1:]}
    assert by_name["Cán bộ A1"] == "Sở Thông tin và Truyền thông"
    today = _csv(client.get(f"/reports/export.csv?campaign=C2024&unit={world['AGM']}"))
    assert "Cán bộ A1" not in {row[1] for row in today[1:]}  # the list of today
    auth.logout()
    auth.login("hr-ct")
    rows = _csv(client.get(past))
    assert {row[1] for row in rows[1:]} == {"Cán bộ C1"}


def test_the_cli_takes_as_of_and_attribution(runner, world, tmp_path):
    out = tmp_path / "annual.html"
    result = runner.invoke(
        args=[
            "reports",
            "annual",
            "--campaign",
            "C2024",
            "--unit",
            "AGM",
            "--as-of",
            "2026-06-01",
            "--attribution",
            "rolled_up",
            "-o",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert STATED_ROLLED in page and "Ủy ban nhân dân phường Rạch Giá" in page
    csv_out = tmp_path / "export.csv"
    result = runner.invoke(
        args=[
            "reports",
            "export",
            "--campaign",
            "C2024",
            "--unit",
            "AGM",
            "--as-of",
            "2024-12-31",
            "-o",
            str(csv_out),
        ]
    )
    assert result.exit_code == 0, result.output
    assert STATED_AT_TIME.rstrip(".") in csv_out.read_text(encoding="utf-8")
    bad = runner.invoke(
        args=[
            "reports",
            "annual",
            "--campaign",
            "C2024",
            "--unit",
            "AGM",
            "--as-of",
            "31/12/2024",
            "-o",
            str(out),
        ]
    )
    assert bad.exit_code != 0 and "không hợp lệ" in bad.output


@pytest.mark.parametrize("page", ["/reports/", "/reports/ranking"])
def test_the_trail_and_the_campaign_picker_keep_the_day(client, auth, world, page):
    """The campaign, the day and the attribution are one form with one "Xem" (with
    two, a campaign changed and the other form's "Xem" pressed was lost)."""
    auth.login("hr-ag")
    query = f"campaign=C2024&unit={world['SKHCN']}&as_of=2024-12-31"
    html = client.get(f"{page}?{query}&attribution=rolled_up").get_data(as_text=True)
    trail = html.split('class="breadcrumbs"', 1)[1].split("</nav>", 1)[0]
    assert (
        f"unit={world['AGM']}&amp;as_of=2024-12-31&amp;attribution=rolled_up" in trail
    )
    before, after = html.split('<select id="campaign" name="campaign">', 1)
    form = before.rsplit("<form", 1)[1] + after.split("</form>", 1)[0]
    assert 'name="as_of" value="2024-12-31"' in form
    assert 'value="rolled_up" checked' in form
    assert html.count(">Xem</button>") == form.count(">Xem</button>") == 1


def test_the_date_inputs_allow_the_days_the_server_takes(client, auth, world):
    """The date inputs' min and max are check_day's bounds (from 2/9/1945 to two
    years ahead), not 2000–2100."""
    auth.login("hr-ag")
    first, last = days.day_range()
    bounds = f'min="{first.isoformat()}" max="{last.isoformat()}"'
    assert first == date(1945, 9, 2) and last > days.vn_today()
    for page in (
        "/reports/",
        "/reports/ranking",
        f"/reports/annual?campaign=C2024&unit={world['AGM']}",
    ):
        html = client.get(page).get_data(as_text=True)
        assert 'name="as_of"' in html and bounds in html, page
        assert "2100-12-31" not in html, page


def test_a_bad_attribution_is_answered_with_the_choices_in_words(client, auth, world):
    auth.login("hr-ag")
    html = client.get("/reports/?attribution=all").get_data(as_text=True)
    assert "Theo đơn vị tại thời điểm hoàn thành" in html
    assert "Cộng dồn vào đơn vị kế thừa tại ngày báo cáo" in html


def test_the_pages_state_it_in_the_readers_language(client, auth, world):
    """The dashboard and the ranking are read on screen: in English, the statement
    is in English; the annual report is the official paper, in Vietnamese."""
    auth.login("hr-ag")
    token = auth.token("/reports/")
    client.post("/language", data={"language": "en", "csrf_token": token})
    query = "campaign=C2024&as_of=2024-12-31"
    stated = (
        "Figures as of 31/12/2024; counted by unit at the time of completion. "
        "Each person's completion status and results are as of when the report "
        "was made; a person with no recorded assignment on that date is counted "
        "in their current unit."
    )
    for path in ("/reports/", "/reports/ranking"):
        html = unescape(client.get(f"{path}?{query}").get_data(as_text=True))
        assert stated in html and STATED_AT_TIME not in html, path
    rolled = client.get(f"/reports/?{query}&attribution=rolled_up")
    assert "rolled up into the successor unit on that date." in rolled.get_data(
        as_text=True
    )
    paper = client.get(f"/reports/annual?{query}").get_data(as_text=True)
    assert f"{STATED_AT_TIME} {STATE_NOW}" in paper


def test_the_year_table_is_in_the_readers_numbers_the_paper_in_vietnamese(
    client, auth, world
):
    """The dashboard's year table writes its figures as the screen's language does
    ("75.0" in English); the annual report, an official paper, the Vietnamese way
    ("75,0") whatever the screen."""

    def years(html: str) -> str:
        return html.split('id="years-table"', 1)[1].split("</table>", 1)[0]

    auth.login("hr-ag")
    dashboard = "/reports/?campaign=C2024"
    paper = f"/reports/annual?campaign=C2024&unit={world['AGM']}"
    for path in (dashboard, paper):
        table = years(client.get(path).get_data(as_text=True))
        assert '<td class="num">75,0</td>' in table and "80,0" in table, path
    token = auth.token("/reports/")
    client.post("/language", data={"language": "en", "csrf_token": token})
    table = years(client.get(dashboard).get_data(as_text=True))
    assert '<td class="num">75.0</td>' in table and "80.0" in table
    assert "75,0" not in table
    table = years(client.get(paper).get_data(as_text=True))
    assert '<td class="num">75,0</td>' in table and "80,0" in table
    assert "75.0" not in table


def test_the_annual_paper_is_vietnamese_under_a_toolbar_in_the_readers_language(
    client, auth, world
):
    """Read in English, the annual report's toolbar is in English and the paper
    itself Vietnamese: the year table's headings (macros shared with the
    dashboard), the chart's legend and its numbers; the dashboard, a page, shows
    the same macros in English."""

    def part(html: str, start: str, end: str) -> str:
        return html.split(start, 1)[1].split(end, 1)[0]

    auth.login("hr-ag")
    token = auth.token("/reports/")
    client.post("/language", data={"language": "en", "csrf_token": token})
    path = f"/reports/annual?campaign=C2024&unit={world['AGM']}"
    toolbar, paper = (
        client.get(path).get_data(as_text=True).split('<main class="sheet">')
    )
    assert "« Home" in toolbar and 'aria-label="Report tools"' in toolbar
    assert "Trang chủ" not in toolbar and 'lang="en"' in toolbar
    years = part(paper, 'id="years-table"', "</table>")
    for heading in ("Năm", "Đợt bồi dưỡng", "Cán bộ", "Tỷ lệ hoàn thành (%)"):
        assert f">{heading}</th>" in years, heading
    assert ">Tỷ lệ đạt (%)</th>" in years and ">Điểm trung bình</th>" in years
    assert '<td class="num">75,0</td>' in years
    legend = part(paper, '<ul class="legend">', "</ul>")
    assert "Tỷ lệ hoàn thành (%)" in legend and "Tỷ lệ đạt (%)" in legend
    assert "Điểm trung bình (thang 100)" in legend
    assert "— Hoàn thành</title>" in part(paper, "<svg", "</svg>")
    for english in ("Year", "Cadre", "Completion", "Pass rate", "Average", "Avg."):
        assert english not in paper, english
    dashboard = client.get("/reports/?campaign=C2024").get_data(as_text=True)
    years = part(dashboard, 'id="years-table"', "</table>")
    assert ">Year</th>" in years and ">Completion rate (%)</th>" in years
    assert "Tỷ lệ" not in years
    legend = part(part(dashboard, 'id="chart-years"', "</ul>"), "</svg>", "</ul>")
    assert "Completion rate (%)" in legend


def test_the_year_table_writes_its_counts_in_the_readers_language(app):
    """The dashboard's year table (the annual report renders it in_vietnamese):
    a count through the `number` filter, "12.345" / "12,345"."""
    import re

    from flask import render_template_string
    from flask_babel import force_locale

    from app.reports.yearly import YearRow

    row = YearRow(2026, "C2026", "Bồi dưỡng", [12345, 10000, 0, 2345, 9000, 0.0, 0])
    source = '{% from "reports/_asof.html" import year_table %}{{ year_table(rows) }}'
    for locale, cells in (
        ("vi", ["12.345", "81,0", "72,9", "–"]),
        ("en", ["12,345", "81.0", "72.9", "–"]),
    ):
        with app.test_request_context("/"), force_locale(locale):
            html = render_template_string(source, rows=[row])
        assert re.findall(r'<td class="num">([^<]*)</td>', html) == cells, locale
