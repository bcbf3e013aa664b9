"""Reports as of a day across the 2025 mergers: the tree of a day, attribution at
the time or rolled up (merge, split, dissolution), the scope through time and the
year-over-year figures (the world: tests/reports/history_world.py)."""

from datetime import date

import pytest

from app.accounts.asof import rolled_up_units
from app.accounts.models import Unit
from app.accounts.rollup import AT_TIME, ROLLED_UP, Structure
from app.errors import InvalidInput
from app.extensions import db
from app.reports import asof, yearly
from app.reports.annual import annual_report
from app.reports.counts import unit_counts
from app.reports.exports import as_of_query

from .history_world import MERGER, build

BEFORE, AFTER = date(2025, 6, 30), MERGER


@pytest.fixture
def world(ctx):
    return build()


def _children(result, unit_id=None):
    unit_id = result.root.id if unit_id is None else unit_id
    return {c.name: result.subtree[c.id][0] for c in result.children(unit_id)}


def test_the_tree_of_a_day_before_and_after_the_merger(world):
    before, after = Structure.on(BEFORE), Structure.on(AFTER)
    stttt = world["KG-STTTT"].id
    assert before.place(stttt).alive and before.place(stttt).ended is None
    assert not after.place(stttt).alive and after.place(stttt).ended == MERGER
    assert not before.place(world["AGM"].id).alive
    assert after.place(world["AGM"].id).alive
    assert before.place(world["KG-VTV"].id).ancestors == [
        world["KG"].id,
        world["KG-RG"].id,
    ]
    # names of the day: the rename of 1/3/2025
    assert Structure.on(date(2025, 2, 28)).place(world["CT-SNV"].id).name == "Sở Nội vụ"
    assert before.place(world["CT-SNV"].id).name == "Sở Nội vụ thành phố Cần Thơ"


def test_at_time_groups_in_the_tree_of_the_day(world):
    stated = asof.AsOf(date(2024, 12, 31), AT_TIME)
    result = asof.figures(world["C2024"], world["AGM"], stated)
    assert _children(result) == {
        "Ủy ban nhân dân tỉnh An Giang": 1,  # the former province
        "Ủy ban nhân dân tỉnh Kiên Giang": 3,
    }
    kg = _children(result, world["KG"].id)
    assert kg == {
        "Sở Thông tin và Truyền thông": 1,
        "Ủy ban nhân dân thành phố Rạch Giá": 2,
    }
    # a3 had not completed: its unit is its assignment's on the campaign's last day
    assert _children(result, world["KG-RG"].id) == {
        "Ủy ban nhân dân phường Vĩnh Thanh Vân": 1
    }
    assert result.own[world["KG-RG"].id][0] == 1  # a4, district staff
    assert asof.summary_row(result).total == 4


def test_rolled_up_sums_are_the_sums_of_the_predecessors(world):
    campaign, today = world["C2024"], asof.AsOf(date(2026, 12, 1), ROLLED_UP)
    at_time = unit_counts(campaign, date(2026, 12, 1))
    result = asof.figures(campaign, world["AGM"], today)
    rolled = _children(result)
    assert rolled == {
        "Sở Khoa học và Công nghệ": 2,
        "Ủy ban nhân dân phường Rạch Giá": 2,
    }
    skhcn = result.subtree[world["SKHCN"].id]
    predecessors = [at_time[world[c].id] for c in ("KG-STTTT", "AGO-SKHCN")]
    assert skhcn == [a + b for a, b in zip(*predecessors, strict=True)]
    rg = [at_time[world[c].id] for c in ("KG-VTV", "KG-RG")]
    assert result.subtree[world["RG"].id] == [a + b for a, b in zip(*rg, strict=True)]
    at = asof.figures(campaign, world["AGM"], asof.AsOf(today.day, AT_TIME))
    assert asof.summary_row(at) == asof.summary_row(result)  # same total either way


def test_a_split_rolls_up_to_its_primary_successor(world):
    structure = Structure.on(date(2026, 1, 1))
    assert structure.successor(world["KG-RG"].id) == world["RG"].id
    assert structure.successor(world["KG-VTV"].id) == world["RG"].id
    assert structure.successor(world["KG"].id) == world["AGM"].id
    # before the change nothing rolls anywhere
    assert Structure.on(BEFORE).successor(world["KG-RG"].id) == world["KG-RG"].id


def test_a_dissolved_unit_goes_where_its_parent_goes(world):
    structure = Structure.on(date(2026, 1, 1))
    assert structure.successor(world["KG-X"].id) == world["AGM"].id
    assert world["KG-X"].id in structure.scope(world["AGM"].path)


def test_reports_and_reward_candidates_follow_one_successor_rule(world):
    """The reports' roll-up (Structure.successor) and the reward candidates'
    (accounts.asof.rolled_up_units) are the one rule of accounts.succession: they
    agree on every unit, before and after the merger, for a dissolved unit too."""
    for day in (date(2024, 12, 31), MERGER, date(2026, 1, 1)):
        structure = Structure.on(day)
        rolled = rolled_up_units(day)
        for unit in world.values():
            if isinstance(unit, Unit):
                assert rolled.get(unit.id, unit.id) == structure.successor(unit.id)
    assert rolled_up_units(date(2026, 1, 1))[world["KG-X"].id] == world["AGM"].id
    assert world["KG-X"].id not in rolled_up_units(date(2024, 12, 31))


def test_the_past_scope_follows_the_same_successor_rule(world):
    """The scope of an officer through time (accounts.asof: the units whose
    records roll up into the subtree today) is the reports' Structure.scope, for a
    dissolved unit too; any successor (a split's secondary one) reaches further."""
    from sqlalchemy import select

    from app.accounts.asof import later_units, predecessors_of
    from app.accounts.days import vn_today
    from app.extensions import db

    for code in ("AGM", "SKHCN", "RG", "CT"):
        root = world[code]
        inside = set(
            db.session.scalars(select(Unit.id).where(Unit.in_subtree(root.path)))
        )
        owned = inside | predecessors_of(inside, primary_only=True)
        assert owned == Structure.on(vn_today()).scope(root.path), code
        assert owned <= inside | predecessors_of(inside), code
    assert world["KG-X"].id in predecessors_of({world["AGM"].id}, primary_only=True)
    # KG-RG split: its primary part went to RG, a secondary part to SKHCN
    assert {world["RG"].id, world["SKHCN"].id} <= later_units()[world["KG-RG"].id]


def test_rolled_up_as_of_a_day_before_the_merger_changes_nothing(world):
    stated = asof.AsOf(date(2024, 12, 31), ROLLED_UP)
    result = asof.figures(world["C2024"], world["AGM"], stated)
    assert set(_children(result)) == {
        "Ủy ban nhân dân tỉnh An Giang",
        "Ủy ban nhân dân tỉnh Kiên Giang",
    }


def test_scope_through_time(world):
    structure = Structure.on(date(2024, 12, 31))
    agm = structure.scope(world["AGM"].path)
    assert {world[c].id for c in ("KG", "KG-STTTT", "KG-VTV", "AGO", "SKHCN")} <= agm
    assert world["CT-SNV"].id not in agm
    skhcn = structure.scope(world["SKHCN"].path)
    assert skhcn == {world[c].id for c in ("SKHCN", "KG-STTTT", "AGO-SKHCN")}
    ct = structure.scope(world["CT"].path)
    assert ct == {world["CT"].id, world["CT-SNV"].id}
    stated = asof.AsOf(date(2024, 12, 31), AT_TIME)
    ct_result = asof.figures(world["C2024"], world["CT"], stated)
    assert asof.summary_row(ct_result).total == 1
    assert _children(ct_result) == {"Sở Nội vụ": 1}  # its name that day


def test_year_over_year_for_the_rolled_up_unit(world):
    structure = Structure.on(date(2026, 12, 1))
    campaigns = [world["C2024"], world["C2026"]]
    rows = yearly.year_over_year(campaigns, world["C2026"], world["SKHCN"], structure)
    assert [(r.year, r.total, r.completed) for r in rows] == [
        (2024, 2, 2),
        (2026, 2, 1),
    ]
    assert rows[0].completion_percent == 100.0 and rows[0].pass_percent == 100.0
    assert rows[0].mean_score == 85.0 and rows[1].mean_score == 100.0
    assert rows[1].completion_percent == 50.0
    chart = yearly.year_chart(rows)
    assert len(chart.chart.marks) == 6 and [t.label for t in chart.chart.x_ticks] == [
        "2024",
        "2026",
    ]
    # a 2024 report compares only what came before it
    old = yearly.year_over_year(campaigns, world["C2024"], world["AGM"], structure)
    assert [(r.year, r.total) for r in old] == [(2024, 4)]


def test_the_annual_report_prints_the_names_of_its_day(app, world):
    stated = asof.AsOf(date(2024, 12, 31), AT_TIME)
    report = annual_report(world["C2024"], world["CT"], as_of=stated)
    assert [r.name for r in report.rows] == ["Sở Nội vụ"]
    assert report.heading.issuing_body == "ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ"
    assert report.place_dated.startswith("Cần Thơ, ngày 31 tháng 12 năm 2024")
    assert report.statement == (
        "Số liệu tại ngày 31/12/2024; ghi nhận theo đơn vị tại thời điểm hoàn thành. "
        "Tình trạng hoàn thành và kết quả của từng người tính đến lúc lập báo cáo; "
        "người chưa có quá trình công tác ghi nhận tại ngày đó được tính theo đơn "
        "vị hiện nay."
    )
    today = annual_report(
        world["C2026"], world["CT"], as_of=asof.AsOf(date(2026, 6, 1))
    )
    assert [r.name for r in today.rows] == ["Sở Nội vụ thành phố Cần Thơ"]
    rolled = annual_report(
        world["C2024"],
        world["AGM"],
        as_of=asof.AsOf(date(2026, 6, 1), ROLLED_UP),
        campaigns=[world["C2024"], world["C2026"]],
    )
    assert rolled.total.total == 4 and [r.year for r in rolled.years] == [2024]
    assert rolled.statement.endswith(
        "cộng dồn vào đơn vị kế thừa tại ngày đó. Tình trạng hoàn thành và kết quả "
        "của từng người tính đến lúc lập báo cáo; người chưa có quá trình công tác "
        "ghi nhận tại ngày đó được tính theo đơn vị hiện nay."
    )


@pytest.mark.parametrize(
    "value, attribution",
    [
        ("2024-02-30", None),
        ("31/12/2024", None),
        ("1945-09-01", None),
        ("2999-01-01", None),
        ("2024-12-31", "both"),
        (None, "ROLLED_UP"),
    ],
)
def test_bad_as_of_values_are_refused_with_a_message(ctx, value, attribution):
    with pytest.raises(InvalidInput) as error:
        asof.parse_as_of(value, attribution)
    message = error.value.message
    assert "không hợp lệ" in message or "ngoài khoảng cho phép" in message


def test_defaults_are_today_at_the_time(ctx):
    stated = asof.parse_as_of(None, None)
    assert stated.is_today and stated.attribution == AT_TIME
    assert asof.parse_as_of("", "rolled_up").attribution == ROLLED_UP


def test_a_year_compares_the_campaign_that_has_records_here(world):
    """Another province's campaign of 2024, created later, is not the one 2024
    compares for this unit: the latest with records in the unit's scope is."""
    from app.extensions import db
    from tests.reports.history_world import _campaign

    other = _campaign("CT2024", 2024, date(2024, 3, 1), date(2024, 12, 31), [])
    db.session.commit()
    structure = Structure.on(date(2026, 12, 1))
    campaigns = [world["C2024"], other, world["C2026"]]
    rows = yearly.year_over_year(campaigns, world["C2026"], world["SKHCN"], structure)
    assert [(r.year, r.code, r.total) for r in rows] == [
        (2024, "C2024", 2),
        (2026, "C2026", 2),
    ]


def test_a_cadre_with_two_assignments_on_the_day_counts_once(world):
    """Imported data may leave two assignments valid on one day: the record of a
    cadre not completed counts once, for the latest begun (as at_time_unit)."""
    from app.accounts.models import Assignment
    from app.extensions import db

    campaign, day = world["C2024"], date(2024, 12, 31)
    before = unit_counts(campaign, day)
    # a3 (in progress in 2024, in KG-VTV then) also said to be in KG-STTTT from
    # 1/6/2024, closed at the merger like the other
    db.session.add(
        Assignment(
            user_id=world["a3"].id,
            unit_id=world["KG-STTTT"].id,
            valid_from=date(2024, 6, 1),
            valid_to=MERGER,
        )
    )
    db.session.flush()
    after = unit_counts(campaign, day)
    assert sum(c[0] for c in after.values()) == sum(c[0] for c in before.values())
    assert all(count >= 0 for counts in after.values() for count in counts[:5])
    vtv, sttt = world["KG-VTV"].id, world["KG-STTTT"].id
    assert after.get(vtv, [0])[0] == before.get(vtv, [0])[0] - 1
    assert after[sttt][0] == before.get(sttt, [0])[0] + 1


def test_a_report_of_a_unit_that_has_since_ended_counts_its_own_tree(app, world):
    """Former Kiên Giang's 2024 report as of 31/12/2024 (an administrator's, or
    `flask reports annual --unit KG`): its units then, not the nothing that rolls
    up into it today (its records went to An Giang on 1/7/2025)."""
    stated = asof.AsOf(date(2024, 12, 31), AT_TIME)
    result = asof.figures(world["C2024"], world["KG"], stated)
    assert asof.summary_row(result).total == 3  # a1, a3, a4
    assert _children(result) == {
        "Sở Thông tin và Truyền thông": 1,
        "Ủy ban nhân dân thành phố Rạch Giá": 2,
    }
    district = asof.figures(world["C2024"], world["KG-RG"], stated)
    assert asof.summary_row(district).total == 2  # a3 (Vĩnh Thanh Vân), a4
    with app.test_request_context():
        report = annual_report(world["C2024"], world["KG"], as_of=stated)
    assert report.total.total == 3
    exported = db.session.execute(as_of_query(world["C2024"], world["KG"], stated))
    assert len(exported.all()) == 3  # the export lists what the report counts
    # rolled up to today: the same records, at the units that took them over
    today = asof.AsOf(date(2026, 12, 1), ROLLED_UP)
    rolled = asof.figures(world["C2024"], world["KG"], today)
    assert _children(rolled) == {
        "Sở Khoa học và Công nghệ": 1,
        "Ủy ban nhân dân phường Rạch Giá": 2,
    }


def test_a_move_dated_ahead_counts_from_its_day(world):
    """a4 (in progress in C2026, in RG now) is moved to SKHCN from a day ahead,
    before the campaign closes: a report as of the campaign's close counts its
    record in SKHCN (its unit on the campaign's last day), one of today in RG —
    the dashboard's counts, the export and the reward candidates alike."""
    from datetime import timedelta

    from app.accounts import history
    from app.accounts.rollup import today
    from app.timeutil import vn_day_end

    campaign, ahead = world["C2026"], today() + timedelta(days=5)
    campaign.closes_at = vn_day_end(today() + timedelta(days=30))
    history.assign(world["a4"], ahead, unit=world["SKHCN"])
    db.session.commit()
    assert world["a4"].unit_id == world["RG"].id  # not applied before its day
    rg, skhcn = world["RG"].id, world["SKHCN"].id
    now = unit_counts(campaign, today())
    later = unit_counts(campaign, today() + timedelta(days=40))
    assert later[skhcn][0] == now[skhcn][0] + 1 and later[skhcn][2] == 1
    assert later[rg][0] == now[rg][0] - 1
    stated = asof.AsOf(today() + timedelta(days=40), AT_TIME)
    rows = db.session.execute(as_of_query(campaign, world["SKHCN"], stated)).all()
    assert len(rows) == later[skhcn][0]
    before_move = asof.AsOf(today() + timedelta(days=2), AT_TIME)
    assert unit_counts(campaign, before_move.day)[rg][0] == now[rg][0]
