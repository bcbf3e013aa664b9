import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.accounts import units
from app.accounts.importing import read_unit_rows
from app.accounts.models import Unit, UnitEvent, User
from app.errors import ImportRejected, InvalidInput
from app.extensions import db
from app.tabular import TableError
from tests.factories import make_tree, make_user


def codes(query) -> set[str]:
    return {u.code for u in db.session.scalars(query)}


def test_subtree_is_a_prefix_query(ctx):
    tree = make_tree()
    assert codes(units.subtree_query(tree["D"])) == {"D", "D1", "D1A"}
    assert codes(units.subtree_query(tree["P"])) == {"P", "D", "D1", "D1A", "C", "C1"}
    assert [u.code for u in units.ancestors_of(tree["D1A"])] == ["P", "D", "D1"]


def test_subtree_prefix_does_not_match_sibling_with_longer_id(ctx):
    tree = make_tree()
    parent = tree["P"]
    for i in range(12):  # ids beyond 10 share a textual prefix with single-digit ids
        units.create_unit(f"X{i}", f"Đơn vị {i}", "office", parent)
    db.session.commit()
    first = db.session.scalar(select(Unit).where(Unit.code == "D"))
    assert codes(units.subtree_query(first)) == {"D", "D1", "D1A"}


def test_move_updates_the_whole_subtree_and_keeps_history(ctx):
    tree = make_tree()
    units.move_unit(tree["D1"], tree["C"])
    db.session.commit()
    d1a = db.session.scalar(select(Unit).where(Unit.code == "D1A"))
    c = tree["C"]
    assert d1a.path.startswith(c.path) and d1a.depth == 3
    assert codes(units.subtree_query(c)) == {"C", "C1", "D1", "D1A"}
    events = db.session.scalars(
        select(UnitEvent).where(UnitEvent.unit_id == tree["D1"].id)
    )
    assert [(e.action, e.old_value, e.new_value) for e in events][-1] == (
        "moved",
        "D",
        "C",
    )


def test_moving_under_own_descendant_is_refused_and_changes_nothing(ctx):
    tree = make_tree()
    before = {u.code: u.path for u in db.session.scalars(select(Unit))}
    with pytest.raises(InvalidInput, match="cấp dưới"):
        units.move_unit(tree["D"], tree["D1A"])
    with pytest.raises(InvalidInput):
        units.move_unit(tree["D"], tree["D"])
    db.session.rollback()
    assert {u.code: u.path for u in db.session.scalars(select(Unit))} == before


def test_rename_keeps_the_old_name_in_history(ctx):
    tree = make_tree()
    units.rename_unit(tree["C"], "UBND phường Hòa An")
    db.session.commit()
    event = db.session.scalars(
        select(UnitEvent).where(
            UnitEvent.unit_id == tree["C"].id, UnitEvent.action == "renamed"
        )
    ).one()
    assert (event.old_value, event.new_value) == (
        "UBND xã Hòa An",
        "UBND phường Hòa An",
    )


def test_merge_moves_cadres_and_children_and_points_at_successor(ctx):
    tree = make_tree()
    person = make_user("a1", tree["D"])
    moved = units.merge_unit(tree["D"], tree["C"])
    db.session.commit()
    d = db.session.get(Unit, tree["D"].id)
    assert moved == 1
    assert not d.active and d.successor_id == tree["C"].id
    assert db.session.get(User, person.id).unit_id == tree["C"].id
    assert codes(units.subtree_query(tree["C"])) == {"C", "C1", "D1", "D1A"}
    with pytest.raises(InvalidInput):
        units.merge_unit(tree["C"], tree["C1"])


def _csv(text: str) -> bytes:
    return text.encode("utf-8")


def test_import_csv_semicolon_with_bom_creates_then_is_idempotent(ctx):
    data = (
        "\ufeffcode;name;parent code;kind\n"
        "T;Tỉnh Mới;;province\nT1;Sở Y tế;T;department\n"
    )
    rows = read_unit_rows(data.encode("utf-8"), "units.csv")
    assert units.import_units(rows, "units.csv") == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
    }
    db.session.commit()
    assert units.import_units(rows, "units.csv") == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
    }


def test_import_xlsx_with_vietnamese_headers(ctx):
    book = Workbook()
    sheet = book.active
    sheet.append(["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên", "Loại"])
    sheet.append(["T", "Tỉnh Mới", None, "province"])
    sheet.append(["T1", "Phòng Tổ chức", "T", "office"])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = read_unit_rows(buffer.getvalue(), "units.xlsx")
    assert units.import_units(rows, "units.xlsx")["created"] == 2


@pytest.mark.parametrize(
    "content, message",
    [
        ("code,name,kind\nA,B,office\n", "thiếu cột parent code"),
        ("code,name,parent code,kind\nA,Một,B,office\nB,Hai,A,office\n", "vòng lặp"),
        ("code,name,parent code,kind\nA,Một,NOPE,office\n", "“NOPE” không tồn tại"),
        (
            "code,name,parent code,kind\nA,Một,,office\nA,Hai,,office\n",
            "trùng với dòng 2",
        ),
        ("code,name,parent code,kind\nA,,,office\n", "thiếu tên"),
        ("code,name,parent code,kind\nA,Một,,planet\n", "không hợp lệ"),
    ],
)
def test_bad_units_files_are_rejected_with_location_and_write_nothing(
    ctx, content, message
):
    before = db.session.scalar(select(func.count(Unit.id)))
    with pytest.raises((ImportRejected, TableError)) as excinfo:
        rows = read_unit_rows(_csv(content), "bad.csv")
        units.import_units(rows, "bad.csv")
    text = " ".join(getattr(excinfo.value, "problems", [])) + str(excinfo.value)
    assert message in text
    assert "bad.csv:" in text
    db.session.rollback()
    assert db.session.scalar(select(func.count(Unit.id))) == before


def test_non_utf8_csv_names_the_file(ctx):
    with pytest.raises(TableError, match="legacy.csv: không phải UTF-8"):
        read_unit_rows(b"code,name\nA,T\xeanh Kh\xe1nh\n", "legacy.csv")


def test_values_echoed_by_the_problems_of_a_units_file_are_cut_short(ctx):
    long = f"{'A' * 5000},,{'P' * 5000},{'k' * 5000}"
    rows = read_unit_rows(_csv(f"code,name,parent code,kind\n{long}\n"), "bad.csv")
    with pytest.raises(ImportRejected) as rejected:
        units.import_units(rows, "bad.csv")
    problems = [str(p) for p in rejected.value.problems]
    assert len(problems) == 3 and max(map(len, problems)) < 300
    assert f"bad.csv:2: đơn vị cha (parent) “{'P' * 200}…” không tồn tại" in problems
    db.session.rollback()
