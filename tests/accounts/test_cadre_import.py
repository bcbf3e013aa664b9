"""Cadre import: files in, preview, all or nothing, legacy encodings, scope."""

import io
import re
import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import uploads
from app.accounts import cadre_import
from app.accounts.cadre_import import apply_import, parse_cadre_file, plan_import
from app.accounts.cadre_import.planning import UNUSABLE_CODE
from app.accounts.cadre_import.reading import make_row
from app.accounts.models import Unit, User
from app.audit.models import AuditEvent
from app.errors import ImportRejected, NotAllowed
from app.extensions import db
from app.legacy_text import Conversion
from app.records.models import TrainingRecord
from app.tabular import TableError, TableRow
from tests.conftest import csrf_token
from tests.factories import make_tree, make_user
from tests.records.helpers import make_campaign
from tests.test_tabular import with_text, xlsx

DATA = Path(__file__).resolve().parent.parent / "data" / "cadres"


def load(name: str):
    return parse_cadre_file((DATA / name).read_bytes(), name)


def user(code: str) -> User | None:
    return db.session.scalar(select(User).where(User.employee_code == code))


def cadre_count() -> int:
    return db.session.scalar(select(func.count(User.id)))


def run(name: str, root: Unit, viewer=None) -> dict:
    counts = apply_import(plan_import(load(name), root, viewer), viewer)
    db.session.commit()
    return counts


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def plan_of(data: bytes, root: Unit, viewer=None, name="list.csv"):
    return plan_import(parse_cadre_file(data, name), root, viewer)


def messages(plan) -> list[str]:
    return plan.problems(warnings=True)


# --- files that import --------------------------------------------------------------


def test_semicolon_csv_with_bom_creates_cadres_and_reimport_changes_nothing(ctx):
    tree = make_tree()
    plan = plan_import(load("semicolon_bom.csv"), tree["D"], None)
    assert plan.counts | {} == {
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "errors": 0,
        "warnings": 0,
        "converted": 0,
    }
    assert cadre_count() == 0  # planning writes nothing
    assert apply_import(plan, None)["created"] == 3
    db.session.commit()
    first = user("CB001")
    assert (first.username, first.full_name, first.unit.code) == (
        "cb001",
        "Trần Văn Chuyện",
        "D1",
    )
    assert first.category == "cong_chuc" and first.email == "chuyen@example.vn"
    assert first.password_hash is None and first.role_names == {"learner"}
    assert first.must_change_password and first.created_at is not None
    assert first.name_search == "tran van chuyen" and first.given_name == "Chuyện"
    assert user("CB002").category == "can_bo"
    assert user("CB003").position == "Tổ trưởng; kiêm nhiệm"
    assert user("CB003").category == "vien_chuc" and user("CB003").unit.code == "D1A"

    again = plan_import(load("semicolon_bom.csv"), tree["D"], None)
    assert (again.counts["unchanged"], again.counts["created"]) == (3, 0)
    assert run("semicolon_bom.csv", tree["D"]) == {
        "created": 0,
        "updated": 0,
        "unchanged": 3,
        "moved": 0,
    }
    assert cadre_count() == 3


def test_english_headers_given_name_override_default_unit_and_inactive(ctx):
    tree = make_tree()
    run("english.csv", tree["D"])
    khmer, dao = user("E100"), user("E101")
    assert khmer.given_name == "Sô Phol" and khmer.unit.code == "D1"
    assert dao.unit.code == "D" and dao.active is False
    assert dao.category == "nguoi_lao_dong" and dao.email == "dao@example.vn"
    assert plan_import(load("english.csv"), tree["D"], None).counts["unchanged"] == 2


def test_decomposed_names_are_accepted_and_stored_nfc(ctx):
    tree = make_tree()
    raw = (DATA / "nfd.csv").read_text()
    assert not unicodedata.is_normalized("NFC", raw)
    run("nfd.csv", tree["D"])
    stored = user("N001")
    assert stored.full_name == "Nguyễn Thị Ánh Tuyết" and stored.given_name == "Tuyết"
    assert unicodedata.is_normalized("NFC", stored.full_name)
    assert plan_import(load("nfd.csv"), tree["D"], None).counts["unchanged"] == 1


def test_xlsx_with_vietnamese_headers_keeps_line_numbers_and_skips_blank_rows(ctx):
    tree = make_tree()
    rows = load("vietnamese_headers.xlsx")
    assert [r.line for r in rows] == [2, 3, 5]
    assert rows.ignored == ["stt"]
    run("vietnamese_headers.xlsx", tree["D"])
    assert user("2001").full_name == "Hồ Thị Bích"  # a number cell, read as text
    assert user("2001").category == "vien_chuc"
    assert user("X002").given_name == "Danh Sơn" and user("X002").unit.code == "D1A"
    assert user("X003").unit.code == "D"


def test_excel_ansi_csv_is_read_as_windows_1258(ctx):
    tree = make_tree()
    rows = load("excel_ansi.csv")
    assert rows.encoding == "cp1258"
    assert [r.text["full_name"] for r in rows] == ["Nguyễn Văn Đức", "Lê Thị Hồng"]
    assert not any(r.fixes for r in rows)
    run("excel_ansi.csv", tree["D"])
    assert user("W1").full_name == "Nguyễn Văn Đức"


@pytest.mark.parametrize(
    ("name", "encoding"), [("tcvn3.csv", "tcvn3"), ("vni.csv", "vni")]
)
def test_legacy_csv_names_are_converted_and_the_original_kept(ctx, name, encoding):
    tree = make_tree()
    rows = load(name)
    assert rows.encoding == "cp1252"
    expected = ["Nguyễn Văn An", "Trần Thị Mai", "Đặng Thị Đào", "Phạm Thị Thu Hương"]
    assert [r.text["full_name"] for r in rows] == expected
    fix = rows[0].fixes[0]
    assert (fix.field, fix.encoding, fix.confident) == ("full_name", encoding, True)
    assert fix.original != fix.text == "Nguyễn Văn An"
    run(name, tree["D"])
    assert user(rows[2].employee_code).full_name == "Đặng Thị Đào"
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "cadres.imported")
    ).one()
    assert event.detail["conversions"][0]["original"] == fix.original
    assert event.detail["created"] == 4 and event.detail["encoding"] == "cp1252"


def test_legacy_fonts_in_xlsx_are_read_from_the_cell_font(ctx):
    rows = load("legacy_fonts.xlsx")
    names = [r.text["full_name"] for r in rows]
    assert names == ["Bảo Thắng", "NGUYỄN VĂN LÂM", "Huỳnh Thị Ngọc Hân", "Lê Thị Hà"]
    assert [f.encoding for r in rows for f in r.fixes] == ["tcvn3", "tcvn3", "vni"]


def test_make_row_keeps_conversions_doubts_and_empty_fields():
    conversions = {
        "full_name": Conversion("Ph¹m  V¨n An", "Phạm  Văn An", "tcvn3", False),
        "position": Conversion("Lê Hà", "Lê Hà", None, False),
    }
    row = make_row(TableRow(7, {"employee_code": " A1 "}, conversions))
    assert row.line == 7 and row.employee_code == "A1"
    assert row.text == {
        "full_name": "Phạm Văn An",
        "given_name": "",
        "position": "Lê Hà",
    }
    [fix] = row.fixes
    assert (fix.field, fix.original, fix.text) == (
        "full_name",
        "Ph¹m  V¨n An",
        "Phạm Văn An",
    )
    assert (fix.encoding, fix.confident) == ("tcvn3", False)
    assert row.doubtful == ["position"]
    empty = make_row(TableRow(2, {}, {}))
    assert empty.text == dict.fromkeys(cadre_import.TEXT_FIELDS, "")
    assert empty.employee_code == "" and not empty.fixes and not empty.doubtful


# --- bad input: a clear message and nothing written ---------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.csv", "tệp rỗng"),
        ("garbage.csv", "không phải tệp CSV hoặc XLSX"),
        ("renamed_pdf.csv", "không phải tệp CSV hoặc XLSX (đây là tệp PDF)"),
        ("not_a_workbook.xlsx", "không phải tệp CSV hoặc XLSX"),
        ("missing_header.csv", "thiếu cột mã cán bộ (employee_code), họ và tên"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(ctx, name, message):
    with pytest.raises(TableError, match=re.escape(message)):
        load(name)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"\xef\xbb\xbf\r\n", "list.csv", "tệp rỗng"),
        (b"ma can bo;ho va ten\r\n", "list.csv", "không có dòng cán bộ nào"),
        (b"%PDF-1.7\n1 0 obj\n", "list.pdf", "không phải tệp CSV hoặc XLSX"),
        (b"ma can bo,ho va ten\nA,B\n", "list.xlsx", "không phải tệp CSV hoặc XLSX"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old.csv", ".xls"),
        ("ma can bo\tho ten\n".encode("utf-16"), "list.txt", "UTF-16"),
        (
            b"ma can bo,ho ten,full name\nA,B,C\n",
            "list.csv",
            "họ và tên (full_name) xuất hiện hơn một lần",
        ),
    ],
)
def test_more_bad_files(ctx, data, name, message):
    with pytest.raises(TableError, match=re.escape(message)):
        parse_cadre_file(data, name)


def test_duplicate_codes_in_the_file_are_errors_and_nothing_is_written(ctx):
    tree = make_tree()
    plan = plan_import(load("duplicates.csv"), tree["D"], None)
    assert plan.has_errors and plan.counts["errors"] == 1
    assert messages(plan) == [
        "duplicates.csv:4: mã cán bộ “d01” trùng với dòng 2",
    ]
    with pytest.raises(ImportRejected):
        apply_import(plan, None)
    db.session.rollback()
    assert cadre_count() == 0


def test_unknown_and_out_of_subtree_units_are_row_errors(ctx):
    tree = make_tree()
    plan = plan_of(
        csv_bytes(
            "mã cán bộ,họ và tên,mã đơn vị",
            "A1,Lê Văn Một,NOPE",
            "A2,Lê Văn Hai,C1",
            "A3,Lê Văn Ba,D1A",
        ),
        tree["D"],
    )
    assert messages(plan) == [
        "list.csv:2: không có đơn vị mã “NOPE”",
        "list.csv:3: đơn vị “C1” nằm ngoài phạm vi nhập (D – Sở Nội vụ)",
    ]
    assert [r.action for r in plan.rows] == ["error", "error", "create"]


def test_bad_values_are_row_errors_naming_the_field(ctx):
    tree = make_tree()
    plan = plan_of(
        csv_bytes(
            "ma can bo;ho va ten;loai;email;dang lam viec",
            ";Lê Văn Một;;;",
            "B2;;;;",
            "B3;Lê Văn Ba;giám đốc;;",
            "B4;Lê Văn Bốn;;not-an-email;",
            "B5;Lê Văn Năm;;;có lẽ",
        ),
        tree["D"],
    )
    found = messages(plan)
    assert found[0] == "list.csv:2: thiếu mã cán bộ"
    assert found[1] == "list.csv:3: thiếu họ và tên"
    assert found[2].startswith("list.csv:4: loại “giám đốc” không hợp lệ; dùng: can_bo")
    assert found[3] == "list.csv:5: email “not-an-email” không hợp lệ"
    assert found[4].startswith("list.csv:6: “đang làm việc” phải là có/không")


def test_values_echoed_by_row_errors_and_warnings_are_cut_short(ctx):
    tree = make_tree()
    odd = "".join(chr(0x2600 + i) for i in range(300))  # 300 characters, all odd
    header = "ma can bo,ho va ten,ten,ma don vi,chuc vu,loai,email,dang lam viec"
    long = ["X" * 300, "b" * 5000, "g" * 5000, "U" * 5000, odd]
    row = ",".join([*long, "d" * 5000, "e" * 5000, "f" * 5000])
    found = messages(plan_of(csv_bytes(header, row), tree["D"]))
    assert len(found) == 9 and max(map(len, found)) < 700
    assert f"list.csv:2: không có đơn vị mã “{'U' * 200}…”" in found
    assert f"list.csv:2: email “{'e' * 200}…” không hợp lệ" in found
    assert not any(re.search(r"(.)\1{200}", m) for m in found)


def test_category_labels_are_matched_without_case_or_diacritics(ctx):
    tree = make_tree()
    plan = plan_of(
        csv_bytes(
            "ma cb,ho ten,loai",
            "K1,Lê Văn Một,CÔNG CHỨC",
            "K2,Lê Văn Hai,luc luong vu trang",
            "K3,Lê Văn Ba,vien_chuc",
        ),
        tree["D"],
    )
    assert [r.values["category"] for r in plan.rows] == [
        "cong_chuc",
        "luc_luong_vu_trang",
        "vien_chuc",
    ]


def test_a_cadre_outside_the_officers_subtree_is_an_error_never_moved(ctx):
    tree = make_tree()
    hr = make_user("hr", tree["D"], roles=[("hr", tree["D"])])
    make_user("c1", tree["C1"], employee_code="OUT1", password=None)
    plan = plan_of(
        csv_bytes("ma can bo,ho va ten,ma don vi", "OUT1,Ai Đó,D1"), tree["D"], hr
    )
    # the same words as for a taken username: nothing says the code is a cadre's
    # of another unit
    assert messages(plan) == [f"list.csv:2: {UNUSABLE_CODE}"]
    assert "C1" not in UNUSABLE_CODE and "đơn vị khác ngoài" not in UNUSABLE_CODE
    assert user("OUT1").unit.code == "C1"


def test_an_officer_cannot_plan_an_import_into_another_subtree(ctx):
    tree = make_tree()
    hr = make_user("hr", tree["D"], roles=[("hr", tree["D"])])
    with pytest.raises(NotAllowed):
        plan_import(load("english.csv"), tree["C"], hr)


def test_a_username_taken_by_another_account_is_an_error(ctx):
    tree = make_tree()
    make_user("z1", tree["D"])  # an account without an employee code
    plan = plan_of(csv_bytes("ma can bo,ho va ten", "Z1,Lê Văn Một"), tree["D"])
    assert messages(plan) == [f"list.csv:2: {UNUSABLE_CODE}"]


def test_updates_are_listed_field_by_field_and_a_move_inside_scope_is_shown(ctx):
    tree = make_tree()
    hr = make_user("hr", tree["D"], roles=[("hr", tree["D"])])
    make_user(
        "u1", tree["D1"], employee_code="U1", full_name="Lê Văn Một", password=None
    )
    plan = plan_of(
        csv_bytes(
            "ma can bo,ho va ten,ma don vi,chuc vu,dang lam viec",
            "U1,Lê Văn Mốt,D1A,Chuyên viên,không",
        ),
        tree["D1"],
        hr,
    )
    assert plan.rows[0].changes == {
        "Họ và tên": ("Lê Văn Một", "Lê Văn Mốt"),
        "Tên": ("Một", "Mốt"),
        "Đơn vị": ("D1", "D1A"),
        "Chức vụ": ("", "Chuyên viên"),
        "Đang làm việc": ("có", "không"),
    }
    counts = apply_import(plan, hr)
    db.session.commit()
    assert counts == {"created": 0, "updated": 1, "unchanged": 0, "moved": 1}
    moved = user("U1")
    assert (moved.unit.code, moved.active, moved.given_name) == ("D1A", False, "Mốt")


def test_empty_unit_cell_keeps_a_cadre_already_inside_the_root(ctx):
    tree = make_tree()
    make_user("u1", tree["D1A"], employee_code="U1", full_name="Lê Văn Một")
    plan = plan_of(csv_bytes("ma can bo,ho va ten", "U1,Lê Văn Một"), tree["D"])
    assert plan.rows[0].action == "unchanged"


def test_odd_characters_and_uncertain_conversions_are_warnings(ctx):
    tree = make_tree()
    plan = plan_of(
        csv_bytes("ma can bo,ho va ten,ten", "Q1,Nguyễn Văn ¶¾,Bình"), tree["D"]
    )
    assert not plan.has_errors and plan.has_warnings
    found = " | ".join(messages(plan))
    assert "có ký tự lạ “¶¾”" in found
    assert "không chắc đây là Unicode hay bảng mã cũ" in found
    assert "tên “Bình” không phải phần cuối của “Nguyễn Văn ¶¾”" in found


def test_imported_cadres_get_records_in_running_campaigns(ctx, tmp_path):
    _, tree = make_campaign(tmp_path)
    run("english.csv", tree["D"])
    users = {r.user.employee_code for r in db.session.scalars(select(TrainingRecord))}
    assert "E100" in users  # E101 is not working (inactive): no new record
    assert "E101" not in users


# --- command line -------------------------------------------------------------------


def test_cli_import_then_again_changes_nothing(app, runner):
    with app.app_context():
        make_tree()
    path = str(DATA / "semicolon_bom.csv")
    result = runner.invoke(args=["cadres", "import", path, "--unit", "D"])
    assert result.exit_code == 0, result.output
    assert "3 tạo mới" in result.output
    result = runner.invoke(args=["cadres", "import", path, "--unit", "D"])
    assert result.exit_code == 0 and "0 tạo mới, 0 cập nhật" in result.output
    assert "3 không đổi" in result.output


def test_cli_prints_every_legacy_conversion(app, runner):
    with app.app_context():
        make_tree()
    result = runner.invoke(
        args=["cadres", "import", str(DATA / "tcvn3.csv"), "--unit", "D"]
    )
    assert result.exit_code == 0, result.output
    assert "tcvn3.csv:2: “NguyÔn V¨n An” → “Nguyễn Văn An” (TCVN3)" in result.output


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.csv", "tệp rỗng"),
        ("garbage.csv", "không phải tệp CSV hoặc XLSX"),
        ("renamed_pdf.csv", "không phải tệp CSV hoặc XLSX"),
        ("missing_header.csv", "thiếu cột"),
        ("duplicates.csv", "trùng với dòng 2"),
    ],
)
def test_cli_bad_files_fail_and_write_nothing(app, runner, name, message):
    with app.app_context():
        make_tree()
    result = runner.invoke(args=["cadres", "import", str(DATA / name), "--unit", "D"])
    assert result.exit_code == 1 and message in result.output
    with app.app_context():
        assert cadre_count() == 0


def test_cli_unknown_unit_fails_clearly(app, runner):
    result = runner.invoke(
        args=["cadres", "import", str(DATA / "english.csv"), "--unit", "NOPE"]
    )
    assert result.exit_code == 1 and "Không có đơn vị mã “NOPE”" in result.output


def test_cli_refuses_a_50_mb_file_before_reading_it(app, runner, tmp_path, monkeypatch):
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:
        handle.truncate(50_000_000)  # sparse: no 50 MB written to disk

    def no_reading(*args, **kwargs):
        raise AssertionError("the file was read")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    result = runner.invoke(args=["cadres", "import", str(big), "--unit", "D"])
    assert result.exit_code == 1
    assert "Tệp quá lớn (50,0 MB); giới hạn là 10 MB" in result.output


def test_cli_warnings_need_accept_and_dry_run_writes_nothing(app, runner, tmp_path):
    with app.app_context():
        make_tree()
    path = tmp_path / "odd.csv"
    path.write_bytes(csv_bytes("ma can bo,ho va ten", "Q1,Nguyễn Văn ¶¾"))
    args = ["cadres", "import", str(path), "--unit", "D"]
    result = runner.invoke(args=args)
    assert result.exit_code == 1 and "--accept-warnings" in result.output
    assert runner.invoke(args=[*args, "--dry-run"]).exit_code == 0
    with app.app_context():
        assert cadre_count() == 0
    assert runner.invoke(args=[*args, "--accept-warnings"]).exit_code == 0
    with app.app_context():
        assert cadre_count() == 1


# --- browser ------------------------------------------------------------------------


@pytest.fixture
def hr_tree(app):
    """Tree P/D/…/C; "hr" is the HR officer of D, "hr2" another one of D."""
    with app.app_context():
        tree = make_tree()
        for name in ("hr", "hr2"):
            make_user(name, tree["D"], roles=[("hr", tree["D"]), ("learner", None)])
        make_user("learner", tree["D1"])
        return {code: unit.id for code, unit in tree.items()}


def upload(client, name: str, unit_id: int, data: bytes | None = None):
    token = csrf_token(client, "/cadres/import")
    payload = data if data is not None else (DATA / name).read_bytes()
    return client.post(
        "/cadres/import",
        data={
            "csrf_token": token,
            "unit": str(unit_id),
            "file": (io.BytesIO(payload), name),
        },
        content_type="multipart/form-data",
    )


def confirm_url(page: str) -> str:
    match = re.search(r'action="(/cadres/import/[^"]+/confirm)"', page)
    assert match, "no confirm form"
    return match.group(1)


def upload_folder(app) -> Path:
    return Path(app.config["CADRE_IMPORT_DIR"])


def test_form_lists_only_units_in_the_officers_scope(client, auth, hr_tree):
    auth.login("hr")
    page = client.get("/cadres/import").get_data(as_text=True)
    options = re.findall(r'<option[^>]*value="(\d+)"', page)
    assert sorted(map(int, options)) == sorted(hr_tree[c] for c in ("D", "D1", "D1A"))
    assert "Mã cán bộ" in page and "employee_code" in page


def test_upload_preview_then_confirm_imports_once(app, client, auth, hr_tree):
    auth.login("hr")
    response = upload(client, "semicolon_bom.csv", hr_tree["D"])
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Xác nhận nhập" in page and "Trần Văn Chuyện" in page
    with app.app_context():
        assert cadre_count() == 3  # the two officers and the learner: nothing yet
    url = confirm_url(page)
    assert len(list(upload_folder(app).iterdir())) == 2
    response = client.post(url, data={"csrf_token": csrf_token(client, "/password")})
    # The write is a background job (run in the request by the tests' runner).
    assert response.status_code == 302 and "/jobs/" in response.location
    with app.app_context():
        assert cadre_count() == 6
        assert user("CB003").unit.code == "D1A"
    assert list(upload_folder(app).iterdir()) == []
    follow = client.get(response.location).get_data(as_text=True)
    assert "Đã xong" in follow and "3 cán bộ mới" in follow
    assert "Nhập cán bộ từ semicolon_bom.csv" in follow
    again = client.post(url, data={"csrf_token": csrf_token(client, "/password")})
    assert again.status_code == 302  # the preview is gone: back to the form
    response = upload(client, "semicolon_bom.csv", hr_tree["D"])
    assert "Tệp không có thay đổi nào" in response.get_data(as_text=True)


def test_preview_shows_legacy_names_converted(client, auth, hr_tree):
    auth.login("hr")
    page = upload(client, "tcvn3.csv", hr_tree["D"]).get_data(as_text=True)
    assert "NguyÔn V¨n An" in page and "Nguyễn Văn An" in page
    assert "TCVN3" in page and "không phải UTF-8" in page
    page = upload(client, "vni.csv", hr_tree["D"]).get_data(as_text=True)
    assert "Nguyeãn Vaên An" in page and "VNI" in page
    page = upload(client, "legacy_fonts.xlsx", hr_tree["D"]).get_data(as_text=True)
    assert "B¶o Th¾ng" in page and "Bảo Thắng" in page


def test_preview_with_errors_offers_no_confirmation(app, client, auth, hr_tree):
    auth.login("hr")
    response = upload(client, "duplicates.csv", hr_tree["D"])
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "trùng với dòng 2" in page and "/confirm" not in page
    assert not upload_folder(app).exists() or not list(upload_folder(app).iterdir())


def test_an_over_long_xlsx_cell_is_refused_and_not_echoed(client, auth, hr_tree):
    auth.login("hr")
    book = xlsx([["Mã cán bộ", "Họ và tên"], ["A1", "LONG"], ["A2", "Lê Văn Hai"]])
    data = with_text(book, "a" * 1_000_000, shared=True)
    response = upload(client, "list.xlsx", hr_tree["D"], data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "list.xlsx:2: một ô dài quá 131.072 ký tự" in page
    assert "a" * 201 not in page and len(page) < 50_000


def test_the_preview_cuts_short_the_values_it_echoes(client, auth, hr_tree):
    auth.login("hr")
    data = csv_bytes("ma can bo,ho va ten,ma don vi", f"A1,{'a' * 5000},{'U' * 5000}")
    response = upload(client, "list.csv", hr_tree["D"], data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "họ và tên dài quá 200 ký tự" in page
    assert "a" * 150 in page and "a" * 201 not in page
    assert f"không có đơn vị mã “{'U' * 200}…”" in page and "U" * 201 not in page


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("garbage.csv", "không phải tệp CSV hoặc XLSX"),
        ("renamed_pdf.csv", "đây là tệp PDF"),
        ("empty.csv", "tệp rỗng"),
        ("missing_header.csv", "thiếu cột"),
    ],
)
def test_bad_uploads_get_the_form_back_with_the_message(
    app, client, auth, hr_tree, name, message
):
    auth.login("hr")
    response = upload(client, name, hr_tree["D"])
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_hr_of_d_cannot_import_into_c(app, client, auth, hr_tree):
    auth.login("hr")
    response = upload(client, "english.csv", hr_tree["C"])
    assert "/confirm" not in response.get_data(as_text=True)
    data = csv_bytes("ma can bo,ho va ten,ma don vi", "Y1,Lê Văn Một,C1")
    page = upload(client, "c.csv", hr_tree["D"], data).get_data(as_text=True)
    assert "đơn vị “C1” nằm ngoài phạm vi nhập" in page
    with app.app_context():
        assert cadre_count() == 3


def test_a_confirm_token_of_another_user_is_not_found(app, client, auth, hr_tree):
    auth.login("hr")
    url = confirm_url(upload(client, "english.csv", hr_tree["D"]).get_data(True))
    auth.logout()
    auth.login("hr2")
    response = client.post(url, data={"csrf_token": csrf_token(client, "/password")})
    assert response.status_code == 404
    with app.app_context():
        assert cadre_count() == 3
    assert len(list(upload_folder(app).iterdir())) == 2


def test_an_unknown_token_sends_back_to_the_form(client, auth, hr_tree):
    auth.login("hr")
    token = csrf_token(client, "/password")
    response = client.post(
        "/cadres/import/not-a-token/confirm", data={"csrf_token": token}
    )
    assert response.status_code == 302
    assert response.location.endswith("/cadres/import")


def test_warnings_must_be_accepted_before_confirming(app, client, auth, hr_tree):
    auth.login("hr")
    data = csv_bytes("ma can bo,ho va ten", "Q1,Nguyễn Văn ¶¾")
    page = upload(client, "odd.csv", hr_tree["D"], data).get_data(as_text=True)
    url = confirm_url(page)
    token = csrf_token(client, "/password")
    response = client.post(url, data={"csrf_token": token})
    assert response.status_code == 400
    with app.app_context():
        assert cadre_count() == 3
    response = client.post(url, data={"csrf_token": token, "accept_warnings": "y"})
    assert response.status_code == 302 and "/jobs/" in response.location
    with app.app_context():
        assert cadre_count() == 4


def test_an_upload_without_the_csrf_token_is_not_processed(app, client, auth, hr_tree):
    auth.login("hr")
    response = client.post(
        "/cadres/import",
        data={
            "unit": str(hr_tree["D"]),
            "file": (io.BytesIO((DATA / "english.csv").read_bytes()), "english.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and "/confirm" not in response.get_data(True)
    assert "Biểu mẫu đã hết hạn" in response.get_data(True)  # not a blank form
    assert not upload_folder(app).exists()


def test_learners_cannot_import(client, auth, hr_tree):
    auth.login("learner")
    assert client.get("/cadres/import").status_code == 403


class ExplodingStream(io.RawIOBase):
    """A 50 MB request body that fails the test if anything reads it."""

    size, position = 50_000_000, 0

    def seekable(self):
        return True

    def seek(self, offset, whence=0):
        self.position = self.size if whence == 2 else offset
        return self.position

    def tell(self):
        return self.position

    def readinto(self, buffer):
        raise AssertionError("the body was read")


def test_a_50_mb_upload_is_refused_before_the_body_is_read(app, client, auth, hr_tree):
    auth.login("hr")
    response = client.post(
        "/cadres/import",
        input_stream=ExplodingStream(),
        content_type="multipart/form-data; boundary=x",
    )
    assert response.status_code == 413
    assert "Tệp quá lớn (50,0 MB)" in response.get_data(as_text=True)


def test_a_file_over_the_limit_is_cut_while_streaming(app, client, auth, hr_tree):
    app.config["UPLOAD_MAX_BYTES"] = 1000
    auth.login("hr")
    data = csv_bytes("ma can bo,ho va ten", *(f"S{i},Lê Văn Một" for i in range(99)))
    assert 1000 < len(data) < 1000 + 64 * 1024
    response = upload(client, "big.csv", hr_tree["D"], data)
    assert response.status_code == 413
    assert "giới hạn là 1 kB" in response.get_data(as_text=True)


def test_an_expired_preview_cannot_be_confirmed(app, client, auth, hr_tree):
    app.config["CADRE_IMPORT_TTL_SECONDS"] = -1
    auth.login("hr")
    url = confirm_url(upload(client, "english.csv", hr_tree["D"]).get_data(True))
    response = client.post(url, data={"csrf_token": csrf_token(client, "/password")})
    assert response.status_code == 302
    with app.app_context():
        assert cadre_count() == 3
    assert list(upload_folder(app).iterdir()) == []


# --- Many rows (the 20,000-row timing is `make bench-import`, not a test) ----------


def big_file(count: int) -> bytes:
    """A semicolon CSV with a BOM of `count` cadres spread over units D, D1, D1A."""
    lines = ["Mã cán bộ;Họ và tên;Mã đơn vị;Chức vụ;Loại"]
    units = ["D", "D1", "D1A"]
    family = "Nguyễn Trần Lê Phạm Huỳnh Hoàng Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý".split()
    middle = "Văn Thị Minh Ngọc Thanh Hữu Đức Thu Quốc Hồng Kim Xuân".split()
    given = (
        "An Bình Chuyện Dũng Hương Phụng Thắng Đức Hà Lan Hùng Mai Nam Oanh Phúc "
        "Quân Sơn Tâm Uyên Vy Yến Khánh Linh Long Nga Nhân Phong Tú Tuấn Vân"
    ).split()
    for i in range(count):
        name = f"{family[i % 14]} {middle[i // 14 % 12]} {given[i // 168 % 30]}"
        lines.append(f"CB{i:05d};{name};{units[i % 3]};Chuyên viên;Công chức")
    return ("\ufeff" + "\r\n".join(lines)).encode()


def test_many_rows_import_whole_and_again_change_nothing(ctx):
    tree = make_tree()
    data = big_file(2_000)
    counts = apply_import(
        plan_import(parse_cadre_file(data, "big.csv"), tree["D"], None), None
    )
    db.session.commit()
    assert counts["created"] == 2_000 and cadre_count() == 2_000
    again = plan_import(parse_cadre_file(data, "big.csv"), tree["D"], None)
    assert again.counts["unchanged"] == 2_000
    assert uploads.DEFAULT_MAX_BYTES == 10_000_000


def test_confirm_plans_again_and_refuses_when_the_data_changed(
    app, client, auth, hr_tree
):
    auth.login("hr")
    url = confirm_url(upload(client, "english.csv", hr_tree["D"]).get_data(True))
    with app.app_context():  # meanwhile E100 is created in another subtree
        c1 = db.session.get(Unit, hr_tree["C1"])
        make_user("e100", c1, employee_code="E100", password=None)
    response = client.post(url, data={"csrf_token": csrf_token(client, "/password")})
    job_page = client.get(response.location).get_data(True)
    assert "Lỗi" in job_page and "Dữ liệu đã thay đổi từ lúc xem trước" in job_page
    assert UNUSABLE_CODE in job_page
    with app.app_context():
        assert cadre_count() == 4
    assert list(upload_folder(app).iterdir()) == []
    # its upload is gone: no "Thử lại", which could only fail the same way
    assert "Thử lại" not in job_page and "/retry" not in job_page
    assert "/retry" not in client.get("/jobs/").get_data(True)
    retry = client.post(
        response.location + "/retry", data={"csrf_token": csrf_token(client, "/")}
    )
    assert retry.status_code == 302
    assert "Lỗi" in client.get(response.location).get_data(True)
    # the rows' errors are read in the reader's language, as the message is
    client.set_cookie("vhcv_language", "en")
    english = client.get(response.location).get_data(True)
    assert "The data has changed since the preview" in english
    assert "row 2: " in english and "dòng" not in english
    assert UNUSABLE_CODE not in english


def test_the_changes_of_an_update_are_shown_in_english_too(ctx):
    """The preview's change labels and the yes/no of "Đang làm việc" go through
    Flask-Babel: an English page reads "Active: yes → no"."""
    from flask_babel import force_locale, gettext

    tree = make_tree()
    hr = make_user("hr", tree["D"], roles=[("hr", tree["D"])])
    make_user("u1", tree["D1"], employee_code="U1", full_name="Lê Văn Một")
    source = csv_bytes("ma can bo,ho va ten,dang lam viec", "U1,Lê Văn Một,không")
    with ctx.test_request_context(), force_locale("en"):
        plan = plan_of(source, tree["D1"], hr)
        [(label, change)] = plan.rows[0].changes.items()
        # the preview shows {{ _(label) }}: {{ before }} → {{ after }}
        assert (gettext(label), change) == ("Active", ("yes", "no"))


def test_a_file_read_but_refused_is_not_said_unreadable(client, auth, hr_tree):
    auth.login("hr")
    response = client.post(
        "/cadres/import",
        data={
            "csrf_token": csrf_token(client, "/cadres/import"),
            "unit": str(hr_tree["D"]),
            "effective": "2099-01-01",
            "file": (io.BytesIO((DATA / "semicolon_bom.csv").read_bytes()), "a.csv"),
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Không nhập được tệp này." in page
    assert "Không đọc được tệp." not in page and "01/01/2099" in page
