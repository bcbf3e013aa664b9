"""Record exports (CSV, XLSX), the annual report and `flask reports …`."""

import csv
import io
import unicodedata
from datetime import UTC, datetime

import openpyxl
import pytest
from sqlalchemy import select

from app.accounts.models import Unit, User
from app.accounts.units import rename_unit
from app.audit.models import AuditEvent
from app.extensions import db
from app.records import services as records
from app.records.models import COMPLETED, IN_PROGRESS, TrainingRecord
from app.records.rows import ExportRow, iter_rows
from app.reports import annual, exports
from app.reports.views.downloads import XLSX_MIME
from tests.factories import make_user
from tests.records.helpers import make_campaign

COMPLETED_AT = datetime(2026, 3, 5, 18, 30, tzinfo=UTC)  # 06/03/2026 in Vietnam
HOA = "Phạm Thị Hoa"


def _set(campaign, username: str, **values) -> None:
    user = db.session.scalar(select(User).where(User.username == username))
    record = records.record_for(user, campaign)
    for key, value in values.items():
        setattr(record, key, value)


def make_records(tmp_path) -> dict:
    """Campaign C2026 (subtree D): in1 (D1A) completed with 90 on 06/03/2026, in2
    (D1) in progress with 60, hoa (D, typed in NFD) not started; plus a record for
    `out` (C1) as if another campaign's scope had reached it. `hrd` (HR of D) and
    `adm` (admin)."""
    campaign, tree = make_campaign(tmp_path)
    make_user(
        "hoa",
        tree["D"],
        full_name=unicodedata.normalize("NFD", HOA),
        employee_code="H1",
    )
    # Both work in P, outside the campaign: only the four cadres have records.
    make_user("hrd", tree["P"], roles=[("hr", tree["D"])], full_name="Đỗ Văn Sự")
    make_user("adm", tree["P"], roles=[("admin", None)], full_name="Hồ Quản Trị")
    records.ensure_records(campaign)
    out = db.session.scalar(select(User).where(User.username == "out"))
    db.session.add(
        TrainingRecord(campaign_id=campaign.id, user_id=out.id, unit_id=out.unit_id)
    )
    _set(
        campaign,
        "in1",
        status=COMPLETED,
        best_percent=90.0,
        passed=True,
        completed_at=COMPLETED_AT,
    )
    _set(campaign, "in2", status=IN_PROGRESS, best_percent=60.0)
    db.session.commit()
    ids = {code: unit.id for code, unit in tree.items()}
    return {"campaign": campaign.code, **ids}


@pytest.fixture
def data(app, tmp_path):
    with app.app_context():
        return make_records(tmp_path)


def _csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _audits(app, kind: str) -> list[AuditEvent]:
    with app.app_context():
        return [
            e
            for e in db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == "report.exported")
            )
            if e.detail.get("kind") == kind
        ]


def test_csv_has_bom_vietnamese_header_vn_dates_and_only_the_subtree(
    app, client, auth, data
):
    auth.login("hrd")
    response = client.get(f"/reports/export.csv?campaign=C2026&unit={data['D']}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    header, *rows = _csv_rows(body)
    assert header == list(exports.HEADER)
    assert header[0] == "Mã cán bộ" and header[-1] == "Số giấy chứng nhận"
    by_name = {row[1]: row for row in rows}
    assert set(by_name) == {"Nguyễn Văn An", "Lê Thị Bình", HOA}  # never "out"
    assert all(unicodedata.is_normalized("NFC", name) for name in by_name)
    an = by_name["Nguyễn Văn An"]
    assert an[2:] == [
        "D1A",
        "Tổ Đào tạo",
        "Công chức",
        "Hoàn thành",
        "90",
        "Có",
        "06/03/2026",
        "",
    ]
    assert by_name["Lê Thị Bình"][4:9] == ["Viên chức", "Đang học", "60", "Không", ""]
    assert by_name[HOA][0] == "H1" and by_name[HOA][5] == "Chưa bắt đầu"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="ket-qua-c2026-so-noi-vu.csv"')
    assert "filename*=UTF-8''K%E1%BA%BFt%20qu%E1%BA%A3" in disposition
    [event] = _audits(app, "records.csv")
    assert event.detail["campaign"] == "C2026" and event.detail["unit"] == "D"


def test_csv_is_streamed_in_chunks_starting_with_the_bom(app, data, monkeypatch):
    monkeypatch.setattr(exports, "CSV_CHUNK_ROWS", 1)
    with app.app_context():
        unit = db.session.get(Unit, data["D"])
        campaign = records.get_campaign("C2026")
        chunks = list(exports.csv_chunks(iter_rows(campaign, unit)))
    assert len(chunks) >= 3
    assert chunks[0].startswith("\ufeffMã cán bộ,Họ và tên")


def test_xlsx_opens_with_openpyxl_and_has_the_same_rows(app, client, auth, data):
    auth.login("hrd")
    query = f"?campaign=C2026&unit={data['D']}"
    csv_rows = _csv_rows(client.get(f"/reports/export.csv{query}").get_data())
    response = client.get(f"/reports/export.xlsx{query}")
    assert response.status_code == 200
    assert response.mimetype == XLSX_MIME
    body = response.get_data()
    response.close()
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    cells = list(sheet.iter_rows(values_only=True))
    assert cells[0] == tuple(exports.HEADER)
    as_text = [
        [_text(value, column) for column, value in enumerate(row)] for row in cells
    ]
    assert as_text == csv_rows
    assert sheet["A1"].font.b
    assert sheet.cell(row=2, column=9).number_format == "dd/mm/yyyy"
    assert _audits(app, "records.xlsx")


def _text(value, column: int) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return exports.format_score(value)
    return str(value)


def test_annual_figures_roll_up_the_tree(app, data):
    with app.app_context():
        campaign = records.get_campaign("C2026")
        report = annual.annual_report(campaign, db.session.get(Unit, data["D"]))
        figures = [
            (
                r.name,
                r.depth,
                r.total,
                r.completed,
                r.completion_percent,
                r.passed,
                r.mean_score,
                r.in_progress,
                r.not_started,
            )
            for r in [*report.rows, report.total]
        ]
        assert figures == [
            ("Sở Nội vụ (cán bộ trực thuộc)", 1, 1, 0, 0.0, 0, None, 0, 1),
            ("Phòng Công chức", 1, 2, 1, 50.0, 1, 75.0, 1, 0),
            ("Tổ Đào tạo", 2, 1, 1, 100.0, 1, 90.0, 0, 0),
            ("Tổng cộng", 0, 3, 1, 33.3, 1, 75.0, 1, 1),
        ]
        province = annual.annual_report(campaign, db.session.get(Unit, data["P"]))
        assert [(r.unit.code, r.total, r.not_started) for r in province.rows] == [
            ("D", 3, 1),
            ("D1", 2, 0),
            ("D1A", 1, 0),
            ("C", 1, 1),
            ("C1", 1, 1),
        ]
        assert (province.total.total, province.total.not_started) == (4, 2)
        assert report.title == "BÁO CÁO KẾT QUẢ BỒI DƯỠNG VĂN HÓA CÔNG VỤ NĂM 2026"


def test_annual_page_is_printable_and_its_xlsx_has_the_figures(app, client, auth, data):
    auth.login("hrd")
    query = f"?campaign=C2026&unit={data['D']}"
    response = client.get(f"/reports/annual{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "BÁO CÁO KẾT QUẢ BỒI DƯỠNG VĂN HÓA CÔNG VỤ NĂM 2026" in page
    assert "NGƯỜI LẬP BIỂU" in page and "THỦ TRƯỞNG ĐƠN VỊ" in page
    assert "size: A4" in page and "@media print" in page
    assert "ngày " in page and " tháng " in page and " năm 2" in page
    assert "15/11/2026" in page and "33,3" in page
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1][:10]
    assert f'nonce="{nonce}' in page
    response = client.get(f"/reports/annual.xlsx{query}")
    assert response.status_code == 200
    assert "attachment;" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    cells = list(sheet.iter_rows(values_only=True))
    assert cells[4][0].startswith("BÁO CÁO KẾT QUẢ")
    assert cells[9][1] == "Sở Nội vụ (cán bộ trực thuộc)"
    assert cells[11][1] == "Tổ Đào tạo"
    assert cells[12][1:] == ("Tổng cộng", 3, 1, 33.3, 1, 75, 1, 1)
    assert _audits(app, "annual.xlsx")


def test_defaults_are_the_newest_campaign_and_the_officers_unit(client, auth, data):
    auth.login("hrd")
    rows = _csv_rows(client.get("/reports/export.csv").get_data())
    assert len(rows) == 4


ROUTES = ["export.csv", "export.xlsx", "annual", "annual.xlsx"]


def test_out_of_scope_units_and_unknown_campaigns_are_404(client, auth, data):
    auth.login("hrd")
    for route in ROUTES:
        for query in (
            f"campaign=C2026&unit={data['C']}",
            f"campaign=C2026&unit={data['P']}",
            f"campaign=NOPE&unit={data['D']}",
            "campaign=C2026&unit=99999",
        ):
            response = client.get(f"/reports/{route}?{query}")
            assert response.status_code == 404, (route, query)
        response = client.get(f"/reports/{route}?campaign=C2026&unit={data['D1']}")
        assert response.status_code == 200 and response.get_data(), route
        response.close()


def test_a_learner_gets_403_and_an_admin_gets_any_unit(client, auth, data):
    auth.login("in1")
    for route in ROUTES:
        response = client.get(f"/reports/{route}?campaign=C2026&unit={data['D']}")
        assert response.status_code == 403, route
    auth.logout()
    auth.login("adm")
    body = client.get(f"/reports/export.csv?campaign=C2026&unit={data['C']}")
    assert [row[1] for row in _csv_rows(body.get_data())[1:]] == ["Trần Văn Cường"]


def test_cli_export_and_annual_write_files(app, runner, data, tmp_path):
    out_csv, out_xlsx = tmp_path / "ra.csv", tmp_path / "ra.xlsx"
    base = ["reports", "export", "--campaign", "C2026", "--unit", "D"]
    result = runner.invoke(args=[*base, "--format", "csv", "-o", str(out_csv)])
    assert result.exit_code == 0, result.output
    assert out_csv.read_bytes().startswith(b"\xef\xbb\xbf")
    assert len(_csv_rows(out_csv.read_bytes())) == 4
    result = runner.invoke(args=[*base, "-o", str(out_xlsx)])
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(out_xlsx).active.max_row == 4
    annual_args = ["reports", "annual", "--campaign", "C2026", "--unit", "P"]
    html = tmp_path / "bc.html"
    result = runner.invoke(args=[*annual_args, "--format", "html", "-o", str(html)])
    assert result.exit_code == 0, result.output
    assert "THỦ TRƯỞNG ĐƠN VỊ" in html.read_text(encoding="utf-8")
    report = tmp_path / "bc.xlsx"
    assert runner.invoke(args=[*annual_args, "-o", str(report)]).exit_code == 0
    sheet = openpyxl.load_workbook(report).active
    assert sheet["B10"].value == "Sở Nội vụ" and sheet["B15"].value == "Tổng cộng"
    assert len(_audits(app, "records.csv")) == 1
    assert len(_audits(app, "annual.html")) == 1


def test_cli_fails_clearly_on_unknown_codes(runner, data, tmp_path):
    target = tmp_path / "x.csv"
    for args, message in [
        (["export", "--campaign", "NOPE", "--unit", "D"], "NOPE"),
        (["export", "--campaign", "C2026", "--unit", "ZZ"], "ZZ"),
        (["annual", "--campaign", "NOPE", "--unit", "D"], "NOPE"),
        (["annual", "--campaign", "C2026", "--unit", "ZZ"], "ZZ"),
    ]:
        result = runner.invoke(args=["reports", *args, "-o", str(target)])
        assert result.exit_code != 0 and message in result.output, args
    result = runner.invoke(
        args=["reports", "export", "--campaign", "C2026", "--unit", "D", "-o", "x.pdf"]
    )
    assert result.exit_code != 0 and "--format" in result.output
    assert not target.exists()


def test_csv_cells_that_excel_would_run_as_formulas_are_quoted():
    row = ExportRow(
        "=1+2", "@Lê Văn A", "T1", "Tổ 1", "cong_chuc", "completed", 85.25, True, None
    )
    assert exports.csv_values(row)[:4] == ("'=1+2", "'@Lê Văn A", "T1", "Tổ 1")
    assert exports.csv_values(row)[6:] == ("85.2", "Có", "", "")


HOSTILE = ('=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(1,2)")


def _no_formula_cells(body: bytes) -> list[str]:
    """Every cell's text; fails when a cell holds a formula."""
    book = openpyxl.load_workbook(io.BytesIO(body))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (cell.coordinate, cell.value)
                texts.append(str(cell.value))
    return texts


def test_no_export_turns_a_hostile_name_or_title_into_a_formula(
    app, client, runner, auth, data, tmp_path
):
    """Names, units and titles typed as formulas come out as text in every XLSX: the
    records export (page and CLI) and the annual report (page and CLI)."""
    with app.app_context():
        campaign = records.get_campaign("C2026")
        campaign.title = HOSTILE[0]
        rename_unit(
            db.session.scalar(select(Unit).where(Unit.code == "D1")), HOSTILE[1]
        )
        db.session.scalar(
            select(User).where(User.username == "in1")
        ).full_name = HOSTILE[2]
        db.session.scalar(
            select(User).where(User.username == "in2")
        ).employee_code = HOSTILE[3]
        db.session.commit()
    auth.login("hrd")
    query = f"?campaign=C2026&unit={data['D']}"
    bodies = []
    for route in ("export.xlsx", "annual.xlsx"):
        response = client.get(f"/reports/{route}{query}")
        assert response.status_code == 200
        bodies.append(response.get_data())
        response.close()
    base = ["--campaign", "C2026", "--unit", "D", "--format", "xlsx", "-o"]
    for command in ("export", "annual"):
        out = tmp_path / f"{command}.xlsx"
        result = runner.invoke(args=["reports", command, *base, str(out)])
        assert result.exit_code == 0, result.output
        bodies.append(out.read_bytes())
    records_texts = _no_formula_cells(bodies[0]) + _no_formula_cells(bodies[2])
    annual_texts = _no_formula_cells(bodies[1]) + _no_formula_cells(bodies[3])
    for hostile in (HOSTILE[1], HOSTILE[2], HOSTILE[3]):
        assert records_texts.count(hostile) == 2, hostile
    assert any(HOSTILE[0] in text for text in annual_texts)
    assert annual_texts.count(HOSTILE[1]) == 2


def test_another_sites_page_cannot_start_an_export(client, auth, data):
    """Exports and the certificates' ZIP are links (GET): one another site's page
    makes the browser open (Sec-Fetch-Site: cross-site) is refused; VHCV's own
    links, typed addresses and bookmarks are not."""
    auth.login("hrd")
    query = f"?campaign=C2026&unit={data['D']}"
    for path in ("export.csv", "export.xlsx", "annual.xlsx", "certificates.zip"):
        url = f"/reports/{path}{query}"
        refused = client.get(url, headers={"Sec-Fetch-Site": "cross-site"})
        assert refused.status_code == 403, path
        for site in ("same-origin", "none"):
            ok = client.get(url, headers={"Sec-Fetch-Site": site})
            assert ok.status_code in (200, 302), (path, site)
            ok.close()
