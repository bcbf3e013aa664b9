"""The annual report as an official paper (NĐ 30/2020/NĐ-CP heading): place and
date, số and ký hiệu, "Kính gửi", the "Đang học" column, the total row last, and
the overdue warning after 15/11 of the campaign's year."""

import io
from datetime import UTC, datetime

import openpyxl
import pytest

from app.accounts.models import Unit
from app.accounts.units import rename_unit
from app.extensions import db
from app.records import services as records
from app.reports import annual
from tests.reports.test_exports import make_records


@pytest.fixture
def data(app, tmp_path):
    with app.app_context():
        return make_records(tmp_path)


def _report(app, data, unit="D", now=None):
    campaign = records.get_campaign("C2026")
    return annual.annual_report(campaign, db.session.get(Unit, data[unit]), now)


def test_heading_follows_the_decree(app, data):
    now = datetime(2026, 12, 5, 18, 0, tzinfo=UTC)  # 06/12/2026 in Vietnam
    with app.app_context():
        rename_unit(db.session.get(Unit, data["P"]), "Ủy ban nhân dân tỉnh An Giang")
        report = _report(app, data, now=now)
        head = report.heading
    assert head.parent_body == "ỦY BAN NHÂN DÂN TỈNH AN GIANG"
    assert head.issuing_body == "SỞ NỘI VỤ"
    assert report.place_dated == "An Giang, ngày 06 tháng 12 năm 2026"
    assert head.number_line == "Số: ……/BC-……"
    assert head.recipient == "Sở Nội vụ tỉnh An Giang"


def test_configuration_overrides_place_recipient_and_symbol(app, data):
    app.config.update(
        VHCV_REPORT_PLACE="Rạch Giá",
        VHCV_REPORT_RECIPIENT="Sở Nội vụ thành phố Cần Thơ",
        VHCV_REPORT_SYMBOL="SNV",
    )
    now = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    with app.app_context():
        report = _report(app, data, unit="P", now=now)
    assert report.place_dated == "Rạch Giá, ngày 01 tháng 3 năm 2026"
    assert report.heading.number_line == "Số: ……/BC-SNV"
    assert report.heading.recipient == "Sở Nội vụ thành phố Cần Thơ"
    assert report.heading.parent_body == ""  # the province has no superior body


def test_a_top_unit_without_a_province_name_falls_back_to_the_certificate_place(
    app, data
):
    app.config["VHCV_CERT_PLACE"] = "Kiên Giang"
    with app.app_context():
        rename_unit(db.session.get(Unit, data["P"]), "Ban Chỉ đạo")
        report = _report(app, data)
    assert report.place_dated.startswith("Kiên Giang, ngày ")
    assert report.heading.recipient == "Sở Nội vụ"


@pytest.mark.parametrize(
    ("moment", "overdue"),
    [
        (datetime(2026, 11, 15, 16, 59, tzinfo=UTC), False),  # 23:59 on 15/11 in VN
        (datetime(2026, 11, 15, 17, 0, tzinfo=UTC), True),  # 00:00 on 16/11 in VN
        (datetime(2026, 1, 2, tzinfo=UTC), False),
        (datetime(2027, 2, 1, tzinfo=UTC), True),
    ],
)
def test_overdue_after_the_fifteenth_of_november(app, data, moment, overdue):
    with app.app_context():
        assert _report(app, data, now=moment).is_overdue is overdue


def _page(client, data) -> str:
    response = client.get(f"/reports/annual?campaign=C2026&unit={data['D']}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_page_shows_the_paper_lines_the_column_and_the_total_last(
    app, client, auth, data
):
    auth.login("hrd")
    page = _page(client, data)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page
    assert "Độc lập - Tự do - Hạnh phúc" in page
    assert "Số: ……/BC-……" in page
    assert "Thử, ngày " in page  # the place, from the top unit "Tỉnh Thử"
    assert "Kính gửi: Sở Nội vụ tỉnh Thử" in page
    assert '<th scope="col">Đang học</th>' in page
    body, foot = page.split("<tfoot>")
    assert "Tổng cộng" not in body and "Tổng cộng" in foot
    assert body.rindex("Tổ Đào tạo") < page.index("Tổng cộng")


def _set_year(app, year: int) -> None:
    with app.app_context():
        records.get_campaign("C2026").year = year
        db.session.commit()


def test_page_warns_only_once_the_deadline_has_passed(app, client, auth, data):
    """The toolbar says the deadline once: in the warning when it has passed (it
    said it three times then), in the note before."""
    auth.login("hrd")
    _set_year(app, 2000)
    toolbar = _page(client, data).split('<main class="sheet">')[0]
    assert "Quá hạn báo cáo: báo cáo này phải gửi Sở Nội vụ trước ngày 15/11/2000" in (
        toolbar
    )
    assert toolbar.count("15/11/2000") == 1
    _set_year(app, 2999)
    toolbar = _page(client, data).split('<main class="sheet">')[0]
    assert "Quá hạn báo cáo" not in toolbar
    assert toolbar.count("15/11/2999") == 1


def test_workbook_has_the_heading_the_column_and_the_total_last(
    app, client, auth, data
):
    auth.login("hrd")
    response = client.get(f"/reports/annual.xlsx?campaign=C2026&unit={data['D']}")
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    cells = [row for row in sheet.iter_rows(values_only=True)]
    assert cells[0][0] == "TỈNH THỬ"  # the superior body
    assert cells[1][0] == "SỞ NỘI VỤ"
    assert cells[2][0] == "Số: ……/BC-……"
    assert cells[0][3] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert cells[1][3] == "Độc lập - Tự do - Hạnh phúc"
    assert cells[2][3].startswith("Thử, ngày ")
    assert cells[6][0] == "Kính gửi: Sở Nội vụ tỉnh Thử"
    assert cells[8][7] == "Đang học"
    units = [row for row in cells[9:] if row[1] and row[2] is not None]
    assert units[-1][1:] == ("Tổng cộng", 3, 1, 33.3, 1, 75, 1, 1)
    assert [row[0] for row in units] == [1, 2, 3, None]


def test_the_figures_are_written_the_vietnamese_way_in_any_language(app):
    """The report's figures (reports/_annual_figures.html) through vn_number: a dot
    between thousands and a decimal comma, even for an English reader."""
    import re

    from flask import render_template_string
    from flask_babel import force_locale

    row = annual.AnnualRow(
        unit=None,
        depth=0,
        total=12345,
        completed=10000,
        passed=9000,
        in_progress=2000,
        not_started=345,
        score_sum=10000 * 87.25,
        scored=10000,
        label="Tổng cộng",
    )
    source = (
        '{% from "reports/_annual_figures.html" import figures %}{{ figures(row) }}'
    )
    for locale in ("vi", "en"):
        with app.test_request_context("/"), force_locale(locale):
            html = render_template_string(source, row=row)
        cells = re.findall(r">([^<]*)</td>", html)
        assert cells == ["12.345", "10.000", "81,0", "9.000", "87,2", "2.000", "345"]
    row.scored = 0
    with app.test_request_context("/"):
        html = render_template_string(source, row=row)
    assert re.findall(r">([^<]*)</td>", html)[4] == "–"  # no score yet
