"""A cadre is not put (moved, created, imported) in a unit dissolved, by a
decision recorded ahead, after the day it would go there: it would be left in a
unit that has ended, and drop out of every roster of a later day. A unit renamed
or merged later still takes cadres (those of a merged unit follow its successor:
history.apply_due)."""

from datetime import timedelta

import pytest

from app.accounts import history, restructure, services, units
from app.accounts.cadre_import import parse_cadre_file, plan_import
from app.errors import InvalidInput
from app.extensions import db

from .test_history_io import START, _setup, _unit, _user


@pytest.fixture
def later(app):
    """T (dissolved in ten days), R (renamed then) and M (merged into A1 then),
    all under AG since 2019."""
    _setup(app)
    day = history.vn_today() + timedelta(days=10)
    with app.app_context():
        ag = _unit("AG")
        made = {
            code: units.create_unit(code, f"Tổ {code}", "team", ag, effective=START)
            for code in ("T", "R", "M")
        }
        restructure.apply(restructure.plan(made["T"], [], day, "dissolve"))
        units.rename_unit(made["R"], "Tổ mới", effective=day)
        units.merge_unit(made["M"], _unit("A1"), effective=day)
        db.session.commit()
    return day


def test_a_cadre_is_not_moved_or_created_in_a_unit_dissolved_later(app, later):
    message = f"giải thể từ ngày {later:%d/%m/%Y}"
    with app.app_context():
        dissolving, an = _unit("T"), _user("an")
        with pytest.raises(InvalidInput, match=message):
            services.move_user(an, dissolving)
        with pytest.raises(InvalidInput, match=message):
            services.move_user(an, dissolving, effective=later - timedelta(days=1))
        with pytest.raises(InvalidInput, match=message):
            services.create_user("moi", "Lê Thị Mới", dissolving)
        db.session.rollback()
        for code in ("R", "M"):
            services.move_user(_user("an"), _unit(code))
            db.session.commit()
            assert _user("an").unit_id == _unit(code).id


def test_the_import_and_the_command_line_refuse_it_too(app, runner, later):
    with app.app_context():
        rows = parse_cadre_file(
            "Mã cán bộ,Họ và tên,Mã đơn vị\nAN,Nguyễn Văn an,T\nMOI,Lê Thị Mới,T\n"
            "BINH,Nguyễn Văn binh,R\n".encode(),
            "list.csv",
        )
        plan = plan_import(rows, _unit("AG"), None)
        problems = plan.problems()
        assert len([p for p in problems if "giải thể từ ngày" in p]) == 2, problems
        assert len(problems) == 2
    result = runner.invoke(args=["users", "move", "an", "--unit", "T"])
    assert result.exit_code != 0 and "giải thể từ ngày" in result.output
    with app.app_context():
        assert _user("an").unit_id == _unit("X").id
