"""CSV exports with ";" (Excel under Vietnamese regional settings), chosen on the
dashboard, remembered in a cookie, applied to exports run as jobs too; exports name
a unit with its parent where names repeat, beside a unit code column."""

import csv
import io

import pytest

from app.reports import exports
from tests.factories import make_unit
from tests.reports.test_exports import make_records


@pytest.fixture
def data(app, tmp_path):
    with app.app_context():
        return make_records(tmp_path)


def _rows(body: bytes, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=delimiter))


def test_separator_choice():
    assert exports.separator(";") == ";"
    assert exports.separator(None, ";") == ";"
    assert exports.separator(",", ";") == ","
    assert exports.separator("|", "\t") == ","  # only "," and ";"
    text = "".join(exports.csv_chunks([], ";"))
    assert text.startswith("\ufeffMã cán bộ;Họ và tên;Mã đơn vị;Đơn vị;")


def test_semicolon_is_chosen_then_remembered(app, client, auth, data):
    auth.login("hrd")
    query = f"?campaign=C2026&unit={data['D']}"
    dashboard = client.get(f"/reports/{query}").get_data(as_text=True)
    assert 'name="sep"' in dashboard and '<option value=";"' in dashboard
    response = client.get(f"/reports/export.csv{query}&sep=;")
    body = response.get_data()
    header, *rows = _rows(body, ";")
    assert header == list(exports.HEADER) and len(rows) == 3
    assert response.headers["Set-Cookie"].startswith("vhcv_csv_sep=")
    again = client.get(f"/reports/export.csv{query}").get_data()  # no sep: the cookie
    assert again.decode("utf-8-sig").splitlines()[0] == ";".join(exports.HEADER)
    page = client.get(f"/reports/{query}").get_data(as_text=True)
    assert '<option value=";" selected>' in page
    comma = client.get(f"/reports/export.csv{query}&sep=,").get_data()
    assert comma.decode("utf-8-sig").splitlines()[0] == ",".join(exports.HEADER)


def test_a_csv_job_uses_the_chosen_separator(app, client, auth, data):
    app.config["EXPORT_JOB_ROWS"] = 0  # every export is a job (run inline in tests)
    auth.login("hrd")
    response = client.get(f"/reports/export.csv?campaign=C2026&unit={data['D']}&sep=;")
    assert response.status_code == 302 and "/jobs/" in response.location
    job_id = response.location.rstrip("/").rsplit("/", 1)[1]
    body = client.get(f"/jobs/{job_id}/download").get_data()
    header, *rows = _rows(body, ";")
    assert header == list(exports.HEADER) and len(rows) == 3


def test_exports_name_a_repeated_unit_with_its_parent(app, client, auth, data):
    with app.app_context():
        make_unit("X", "Tổ Đào tạo")  # same name as D1A, elsewhere
    auth.login("hrd")
    body = client.get(f"/reports/export.csv?campaign=C2026&unit={data['D']}").get_data()
    header, *rows = _rows(body, ",")
    unit = {row[1]: (row[2], row[3]) for row in rows}
    assert unit["Nguyễn Văn An"] == ("D1A", "Tổ Đào tạo — Phòng Công chức")
    assert unit["Lê Thị Bình"] == ("D1", "Phòng Công chức")


def test_the_choice_made_on_the_dashboard_holds_for_every_csv(app, client, auth, data):
    """ ";" chosen once on the dashboard's export: the audit log's CSV and a quiz's
    statistics CSV use it too, and their pages offer it selected."""
    auth.login("adm")
    query = f"?campaign=C2026&unit={data['D']}"
    client.get(f"/reports/export.csv{query}&sep=;").get_data()
    audit = client.get("/admin/audit.csv").get_data(as_text=True)
    assert audit.lstrip("\ufeff").startswith("Thời gian;Người thực hiện;")
    assert '<option value=";" selected>' in client.get("/admin/audit").get_data(
        as_text=True
    )
    stats = client.get("/authoring/quizzes/Q/statistics.csv")
    assert stats.status_code == 200
    assert stats.get_data(as_text=True).lstrip("\ufeff").startswith("Mã câu;Loại;")
    page = client.get("/authoring/quizzes/Q/statistics").get_data(as_text=True)
    assert '<option value=";" selected>' in page


def test_a_score_has_a_decimal_comma_under_semicolons(app, client, auth, data):
    """Excel under Vietnamese settings reads "46,7" as a number, not "46.7": the
    score column follows the separator, in a download and in a job's file."""
    from sqlalchemy import update

    from app.extensions import db
    from app.records.models import TrainingRecord

    with app.app_context():
        db.session.execute(
            update(TrainingRecord)
            .where(TrainingRecord.best_percent == 60)
            .values(best_percent=46.666)
        )
        db.session.commit()
    assert exports.format_score(46.666, ";") == "46,7"
    assert exports.format_score(46.666) == "46.7" and exports.format_score(90.0) == "90"
    auth.login("hrd")
    url = f"/reports/export.csv?campaign=C2026&unit={data['D']}"
    for sep, shown in ((";", "46,7"), (",", "46.7")):
        rows = _rows(client.get(f"{url}&sep={sep}").get_data(), sep)[1:]
        assert {row[1]: row[6] for row in rows}["Lê Thị Bình"] == shown, sep
    app.config["EXPORT_JOB_ROWS"] = 0  # the same file made by a job
    job = client.get(f"{url}&sep=;").location.rstrip("/").rsplit("/", 1)[1]
    rows = _rows(client.get(f"/jobs/{job}/download").get_data(), ";")[1:]
    assert {row[1]: row[6] for row in rows}["Lê Thị Bình"] == "46,7"
