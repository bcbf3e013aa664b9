"""Dated changes of units (app.accounts.history, restructure): each kind of change,
past and future days, apply-due, conflicts, and the tree and cadres of a day."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.accounts import asof, days, history, restructure, services, today_rows, units
from app.accounts.models import Assignment, Unit, UnitSuccession, UnitVersion, User
from app.errors import Conflict, InvalidInput
from app.extensions import db

START = date(2019, 1, 1)
JULY = date(2025, 7, 1)


def set_today(monkeypatch, day: date) -> None:
    """Make every module see `day` as today's Vietnam day."""
    for module in (days, history, today_rows):
        monkeypatch.setattr(module, "vn_today", lambda: day)


def unit(code, name, parent=None, kind="office", day=START):
    made = units.create_unit(code, name, kind, parent, effective=day)
    db.session.commit()
    return made


def cadre(username, where, day=START, **fields):
    user = services.create_user(
        username, f"Nguyễn Văn {username}", where, effective=day, **fields
    )
    db.session.commit()
    return user


def old_tree():
    """Kiên Giang (KG → district H → commune X) and An Giang (AG → A1), from 2019."""
    kg = unit("KG", "Tỉnh Kiên Giang", kind="province")
    h = unit("H", "Huyện Hòn Đất", kg, "district")
    x = unit("X", "Xã Bình Sơn", h, "commune")
    ag = unit("AG", "Tỉnh An Giang", kind="province")
    a1 = unit("A1", "Sở Nội vụ An Giang", ag, "department")
    return {"KG": kg, "H": h, "X": x, "AG": ag, "A1": a1}


def versions(code):
    found = db.session.scalar(select(Unit).where(Unit.code == code))
    return db.session.scalars(
        select(UnitVersion)
        .where(UnitVersion.unit_id == found.id)
        .order_by(UnitVersion.valid_from)
    ).all()


def test_create_writes_a_version_from_the_effective_day(ctx):
    tree = old_tree()
    (version,) = versions("X")
    assert (version.valid_from, version.valid_to) == (START, None)
    assert version.path == tree["X"].path and version.parent_id == tree["H"].id
    assert version.change == "create"


def test_a_unit_cannot_be_created_under_a_parent_that_did_not_exist_then(ctx):
    tree = old_tree()
    with pytest.raises(InvalidInput, match="không tồn tại vào ngày 01/01/2018"):
        units.create_unit("Y", "Xã Y", "commune", tree["H"], effective=date(2018, 1, 1))


def test_past_rename_closes_the_version_and_updates_today(ctx):
    tree = old_tree()
    units.rename_unit(tree["A1"], "Sở Nội vụ tỉnh An Giang", effective=JULY)
    db.session.commit()
    old, new = versions("A1")
    assert (old.name, old.valid_to) == ("Sở Nội vụ An Giang", JULY)
    assert (new.name, new.valid_from, new.valid_to) == (
        "Sở Nội vụ tỉnh An Giang",
        JULY,
        None,
    )
    assert tree["A1"].name == "Sở Nội vụ tỉnh An Giang"
    assert asof.place_name_on(tree["A1"], date(2025, 6, 30)) == "Sở Nội vụ An Giang"
    assert asof.place_name_on(tree["A1"], JULY) == "Sở Nội vụ tỉnh An Giang"


def test_recode_is_an_attribute_with_its_own_period(ctx):
    tree = old_tree()
    units.recode_unit(tree["AG"], "89", effective=START + timedelta(days=10))
    units.recode_unit(tree["AG"], "91", effective=JULY, decision="NQ 202/2025/QH15")
    db.session.commit()
    assert asof.unit_as_of(tree["AG"].id, START).admin_code is None
    assert asof.unit_as_of(tree["AG"].id, date(2024, 1, 1)).admin_code == "89"
    later = asof.unit_as_of(tree["AG"].id, JULY)
    assert (later.admin_code, later.decision) == ("91", "NQ 202/2025/QH15")


def test_move_gives_the_unit_and_every_descendant_a_new_version(ctx):
    tree = old_tree()
    units.move_unit(tree["H"], tree["AG"], effective=JULY)
    db.session.commit()
    for code in ("H", "X"):
        old, new = versions(code)
        assert old.valid_to == JULY and new.valid_from == JULY
        assert old.path.startswith(tree["KG"].path)
        assert new.path.startswith(tree["AG"].path)
    assert tree["X"].path == f"{tree['AG'].path}{tree['H'].id}/{tree['X'].id}/"
    assert tree["X"].depth == 2 and tree["H"].parent_id == tree["AG"].id


def test_a_parent_changed_later_is_named_with_the_day_of_its_change(ctx):
    tree = old_tree()
    units.rename_unit(tree["AG"], "Tỉnh An Giang (mới)", effective=JULY)
    units.move_unit(tree["A1"], tree["KG"], effective=JULY)
    db.session.commit()
    # not "ended": a later move of the parent (A1: AG's tree, then KG's) is named
    with pytest.raises(Conflict, match="đã có thay đổi từ ngày 01/07/2025"):
        units.move_unit(tree["H"], tree["A1"], effective=date(2024, 1, 1))
    db.session.rollback()
    # a later rename of a unit above (AG) leaves the tree as it is: no obstacle
    units.move_unit(tree["H"], tree["AG"], effective=date(2024, 1, 1))
    assert versions("H")[-1].path.startswith(tree["AG"].path)
    db.session.rollback()
    units.move_unit(tree["H"], tree["A1"], effective=JULY)  # from that day, it can
    db.session.commit()
    assert versions("H")[-1].path.startswith(tree["KG"].path)


def test_a_parent_that_ends_later_takes_no_new_unit_before(ctx):
    tree = old_tree()
    units.merge_unit(tree["KG"], tree["AG"], effective=JULY)
    db.session.commit()
    with pytest.raises(InvalidInput, match="“KG” đã ngừng hoạt động"):
        units.move_unit(tree["A1"], tree["KG"], effective=date(2024, 1, 1))


def test_a_back_dated_change_before_later_history_is_refused(ctx):
    tree = old_tree()
    units.rename_unit(tree["X"], "Xã Bình Sơn mới", effective=JULY)
    db.session.commit()
    with pytest.raises(Conflict, match="đã có thay đổi từ ngày 01/07/2025"):
        units.rename_unit(tree["X"], "Xã khác", effective=date(2024, 1, 1))
    with pytest.raises(Conflict, match="01/07/2025"):  # X moves with H
        units.move_unit(tree["H"], tree["AG"], effective=date(2024, 1, 1))
    db.session.rollback()
    assert [v.name for v in versions("X")] == ["Xã Bình Sơn", "Xã Bình Sơn mới"]


def test_merge_into_one_moves_cadres_and_children_on_that_day(ctx):
    tree = old_tree()
    an = cadre("an", tree["H"])
    units.merge_unit(tree["KG"], tree["AG"], effective=JULY, decision="NQ 1")
    db.session.commit()
    kg = tree["KG"]
    assert not kg.active and kg.successor_id == tree["AG"].id
    (succession,) = db.session.scalars(select(UnitSuccession)).all()
    assert (succession.kind, succession.primary, succession.valid_from) == (
        "merge",
        True,
        JULY,
    )
    assert versions("KG")[-1].valid_to == JULY
    assert tree["H"].parent_id == tree["AG"].id  # the child moved on that day
    assert an.unit_id == tree["H"].id  # its cadres stay in H, which moved
    before = asof.tree_as_of(date(2025, 6, 30), tree["KG"])
    assert [v.name for v in before] == [
        "Tỉnh Kiên Giang",
        "Huyện Hòn Đất",
        "Xã Bình Sơn",
    ]
    assert asof.tree_as_of(JULY, tree["KG"]) == []
    after = [v.unit_id for v in asof.tree_as_of(JULY, tree["AG"])]
    assert tree["H"].id in after and tree["X"].id in after


def test_merge_into_several_sends_cadres_by_the_mapping_else_to_the_primary(ctx):
    tree = old_tree()
    a2 = unit("A2", "Sở Tài chính An Giang", tree["AG"], "department")
    an, binh = cadre("an", tree["X"]), cadre("binh", tree["X"])
    change = restructure.plan(
        tree["X"], [tree["A1"], a2], JULY, "merge", cadre_map={binh.id: a2}
    )
    assert change.cadre_counts() == {tree["A1"].id: 1, a2.id: 1}
    assert restructure.apply(change, "QĐ 5") == 2
    db.session.commit()
    assert (an.unit_id, binh.unit_id) == (tree["A1"].id, a2.id)
    rows = db.session.scalars(select(UnitSuccession).order_by(UnitSuccession.id))
    assert [(r.successor_id, r.primary) for r in rows] == [
        (tree["A1"].id, True),
        (a2.id, False),
    ]
    assert tree["X"].successor_id == tree["A1"].id


def test_split_needs_two_successors_and_records_split_successions(ctx):
    tree = old_tree()
    a2 = unit("A2", "Sở Tài chính An Giang", tree["AG"], "department")
    with pytest.raises(InvalidInput, match="ít nhất hai"):
        restructure.plan(tree["A1"], [a2], JULY, "split")
    with pytest.raises(InvalidInput, match="chính nó"):
        restructure.plan(tree["KG"], [tree["X"], a2], JULY, "split")
    restructure.apply(restructure.plan(tree["H"], [tree["A1"], a2], JULY, "split"))
    db.session.commit()
    kinds = {s.kind for s in db.session.scalars(select(UnitSuccession))}
    assert kinds == {"split"}


def test_dissolve_is_refused_while_cadres_or_children_remain(ctx):
    tree = old_tree()
    cadre("an", tree["X"])
    with pytest.raises(InvalidInput, match="còn 1 cán bộ và 0 đơn vị"):
        restructure.plan(tree["X"], [], JULY, "dissolve")
    with pytest.raises(InvalidInput, match="còn 0 cán bộ và 1 đơn vị"):
        restructure.plan(tree["H"], [], JULY, "dissolve")
    empty = unit("E", "Ban Quản lý dự án", tree["KG"])
    restructure.apply(restructure.plan(empty, [], JULY, "dissolve"))
    db.session.commit()
    assert not empty.active and empty.successor_id is None
    assert versions("E")[-1].valid_to == JULY


def test_a_future_change_waits_for_apply_due_which_is_idempotent(ctx, monkeypatch):
    tree = old_tree()
    an = cadre("an", tree["X"])
    today = history.vn_today()
    later = today + timedelta(days=30)
    units.rename_unit(tree["A1"], "Sở Nội vụ (mới)", effective=later)
    units.merge_unit(tree["KG"], tree["AG"], effective=later)
    services.move_user(an, tree["A1"], effective=later)
    db.session.commit()
    assert tree["A1"].name == "Sở Nội vụ An Giang" and tree["KG"].active
    assert an.unit_id == tree["X"].id
    assert history.apply_due() == {"units": 0, "cadres": 0, "followed": 0}
    set_today(monkeypatch, later)
    counts = history.apply_due()
    db.session.commit()
    assert counts["cadres"] == 1 and counts["units"] >= 1
    assert tree["A1"].name == "Sở Nội vụ (mới)"
    assert not tree["KG"].active and tree["KG"].successor_id == tree["AG"].id
    assert an.unit_id == tree["A1"].id
    assert tree["H"].path.startswith(tree["AG"].path)
    assert history.apply_due() == {"units": 0, "cadres": 0, "followed": 0}


def test_cadres_left_in_an_ended_unit_follow_its_primary_successor(ctx, monkeypatch):
    tree = old_tree()
    later = history.vn_today() + timedelta(days=10)
    units.merge_unit(tree["X"], tree["A1"], effective=later)
    db.session.commit()
    late = cadre("late", tree["X"], day=history.vn_today())  # added after the decision
    set_today(monkeypatch, later)
    assert history.apply_due()["followed"] == 1
    db.session.commit()
    assert late.unit_id == tree["A1"].id
    assert history.assignment_on(late.id, later).unit_id == tree["A1"].id


def test_cadres_as_of_follow_assignments_and_the_tree_of_that_day(ctx):
    tree = old_tree()
    an = cadre("an", tree["X"], position="Chủ tịch")
    binh = cadre("binh", tree["A1"])
    services.reassign(an, position="Bí thư", effective=date(2024, 1, 1))
    units.merge_unit(tree["KG"], tree["AG"], effective=JULY)
    services.move_user(binh, tree["X"], effective=date(2025, 8, 1))
    db.session.commit()

    def names(where, day):
        rows = db.session.execute(asof.cadres_as_of(where, day)).all()
        return sorted((u.username, a.position) for u, a, _v in rows)

    assert names(tree["KG"], date(2023, 6, 1)) == [("an", "Chủ tịch")]
    assert names(tree["KG"], date(2025, 6, 30)) == [("an", "Bí thư")]
    assert names(tree["KG"], JULY) == []
    assert names(tree["AG"], JULY) == [("an", "Bí thư"), ("binh", "")]
    assert names(tree["H"], date(2025, 7, 31)) == [("an", "Bí thư")]
    assert names(tree["H"], date(2025, 8, 1)) == [("an", "Bí thư"), ("binh", "")]
    counts = asof.cadre_counts_as_of(
        asof.tree_as_of(date(2025, 6, 30)), date(2025, 6, 30)
    )
    assert counts[tree["KG"].id] == 1 and counts[tree["AG"].id] == 1
    on = asof.units_on(date(2025, 6, 30))
    assert on[tree["H"].id].parent_id == tree["KG"].id
    assert asof.units_on(JULY)[tree["H"].id].parent_id == tree["AG"].id
    assert tree["KG"].id not in asof.units_on(JULY)


def test_past_scope_reaches_predecessors_of_units_in_scope(ctx):
    tree = old_tree()
    units.merge_unit(tree["KG"], tree["AG"], effective=JULY)
    db.session.commit()
    seen = asof.past_scope_ids([tree["AG"].path])
    assert tree["KG"].id in seen and tree["H"].id in seen  # H moved into AG
    assert asof.past_scope_ids([tree["A1"].path]) == {tree["A1"].id}
    assert asof.past_scope_ids(None) is None


def test_a_secondary_successor_of_a_split_sees_only_the_cadres_it_received(ctx):
    tree = old_tree()
    b1 = unit("B1", "Sở Văn hóa An Giang", tree["AG"], "department")
    cadre("an", tree["X"])
    binh = cadre("binh", tree["X"])
    change = restructure.plan(
        tree["X"], [tree["A1"], b1], JULY, "split", cadre_map={binh.id: b1}
    )
    restructure.apply(change)
    db.session.commit()
    before = date(2025, 6, 30)

    def roster(scope_unit):
        query = asof.cadres_as_of(None, before, [scope_unit.path])
        return sorted(u.username for u, _a, _v in db.session.execute(query))

    assert roster(tree["A1"]) == ["an", "binh"]  # the primary takes X's records
    assert roster(b1) == ["binh"]  # never the people who went elsewhere
    assert roster(tree["AG"]) == ["an", "binh"]
    assert tree["X"].id in asof.past_scope_ids([b1.path])


def test_assignment_history_keeps_every_change(ctx):
    tree = old_tree()
    an = cadre("an", tree["X"])
    services.reassign(an, category="vien_chuc", effective=date(2022, 1, 1))
    services.move_user(an, tree["A1"], effective=JULY)
    db.session.commit()
    rows = db.session.scalars(
        select(Assignment)
        .where(Assignment.user_id == an.id)
        .order_by(Assignment.valid_from)
    ).all()
    assert [(r.valid_from, r.valid_to, r.category) for r in rows] == [
        (START, date(2022, 1, 1), "cong_chuc"),
        (date(2022, 1, 1), JULY, "vien_chuc"),
        (JULY, None, "vien_chuc"),
    ]
    assert an.unit_id == tree["A1"].id and an.category == "vien_chuc"
    with pytest.raises(Conflict, match="01/07/2025"):
        services.move_user(an, tree["X"], effective=date(2023, 1, 1))


@pytest.mark.parametrize(
    "text, message",
    [
        ("2025-13-01", "không hợp lệ"),
        ("hôm qua", "không hợp lệ"),
        ("1900-01-01", "ngoài khoảng"),
        ("2999-01-01", "ngoài khoảng"),
    ],
)
def test_bad_days_are_refused(ctx, text, message):
    with pytest.raises(InvalidInput, match=message):
        history.parse_day(text)


def test_days_parse_both_ways(ctx):
    assert history.parse_day("2025-07-01") == JULY
    assert history.parse_day("01/07/2025") == JULY
    assert history.parse_day("  ") is None


def test_new_cadres_are_not_dated_in_the_future(ctx):
    tree = old_tree()
    with pytest.raises(InvalidInput, match="tương lai"):
        services.create_user(
            "x", "Lê Thị X", tree["X"], effective=history.vn_today() + timedelta(1)
        )
    assert db.session.scalar(select(User).where(User.username == "x")) is None


def test_the_names_of_many_places_on_their_days_are_read_at_once(ctx):
    """place_names_on gives what place_name_on gives for each (unit, day): the name
    of that day, the first before the unit began, the last after; in one query
    whatever the number of pairs (the history of a cadre's assignments)."""
    from sqlalchemy import event

    tree = old_tree()
    units.rename_unit(tree["X"], "Xã Bình Sơn mới", effective=JULY)
    db.session.commit()
    pairs = [
        (tree["X"], date(2018, 1, 1)),
        (tree["X"], date(2024, 1, 1)),
        (tree["X"], JULY),
        (tree["A1"], date(2030, 1, 1)),
    ]
    for found, _day in pairs:
        db.session.refresh(found)  # not expired by the commit: only the names count
    statements = []

    def listener(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        names = asof.place_names_on(pairs)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) == 1
    assert [names[u.id, day] for u, day in pairs] == [
        "Xã Bình Sơn",
        "Xã Bình Sơn",
        "Xã Bình Sơn mới",
        "Sở Nội vụ An Giang",
    ]
    assert [names[u.id, day] for u, day in pairs] == [
        asof.place_name_on(u, day) for u, day in pairs
    ]
