"""A change recorded ahead for a unit higher up stands in the way of a structure
change below it dated before only when it changes the tree (a move, or a merger
or split that moves it): a later rename leaves every unit where it is, so a unit
created, moved or merged below today is carried along and stays in place on the
day of the rename. A parent renamed, then ended, later still takes nothing new."""

from datetime import timedelta

import pytest

from app.accounts import asof, history, restructure, services, units
from app.errors import Conflict, InvalidInput
from app.extensions import db

from .test_history import cadre, old_tree, set_today, unit


def test_a_later_rename_above_does_not_freeze_the_tree_below(ctx, monkeypatch):
    tree = old_tree()  # KG → H → X; AG → A1
    later = history.vn_today() + timedelta(days=30)
    units.rename_unit(tree["KG"], "Tỉnh Kiên Giang (mới)", effective=later)
    db.session.commit()
    new = unit("Y", "Tổ mới", tree["X"], day=history.vn_today())
    units.move_unit(tree["A1"], tree["H"])
    units.merge_unit(tree["X"], tree["H"])  # Y goes under H
    db.session.commit()
    set_today(monkeypatch, later)
    history.apply_due()
    db.session.commit()
    assert tree["KG"].name == "Tỉnh Kiên Giang (mới)"
    day = {v.unit_id: v for v in asof.tree_as_of(later)}
    for moved in (new, tree["A1"]):
        assert day[moved.id].parent_id == tree["H"].id
        assert day[moved.id].path == f"{tree['H'].path}{moved.id}/"


def test_a_later_move_above_still_does(ctx):
    tree = old_tree()
    later = history.vn_today() + timedelta(days=30)
    units.move_unit(tree["H"], tree["AG"], effective=later)
    db.session.commit()
    with pytest.raises(Conflict, match="“H” đã có thay đổi từ ngày"):
        units.create_unit("Y", "Tổ mới", "team", tree["X"])
    db.session.rollback()
    with pytest.raises(Conflict, match="“H” đã có thay đổi từ ngày"):
        units.move_unit(tree["A1"], tree["X"])
    db.session.rollback()


def test_a_parent_renamed_then_ended_later_takes_nothing_new(ctx):
    tree = old_tree()
    renamed = history.vn_today() + timedelta(days=10)
    units.rename_unit(tree["A1"], "Sở Nội vụ (mới)", effective=renamed)
    units.merge_unit(tree["A1"], tree["H"], effective=renamed + timedelta(days=10))
    gone = unit("Z", "Tổ giải thể", tree["AG"])
    units.rename_unit(gone, "Tổ sắp giải thể", effective=renamed)
    db.session.commit()
    restructure.apply(
        restructure.plan(gone, [], renamed + timedelta(days=5), "dissolve")
    )
    db.session.commit()
    with pytest.raises(InvalidInput, match="“A1” đã ngừng hoạt động"):
        units.create_unit("Y", "Tổ mới", "team", tree["A1"])
    db.session.rollback()
    with pytest.raises(InvalidInput, match="“A1” đã ngừng hoạt động"):
        units.move_unit(tree["X"], tree["A1"])
    db.session.rollback()
    with pytest.raises(InvalidInput, match="“Z” giải thể từ ngày"):
        services.move_user(cadre("an", tree["X"]), gone)
