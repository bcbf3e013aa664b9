"""Candidate rules of a campaign: the collective rule at its boundaries, the
first-attempt rule, the unit a record was earned in, and the scope."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts import units
from app.accounts.rollup import ROLLED_UP, today
from app.extensions import db
from app.quizzes.models import Quiz
from app.records import campaigns
from app.records.asof import AsOf
from app.records.models import IN_PROGRESS
from app.rewards import candidates, services
from app.rewards.candidates import RuleInfo
from app.rewards.models import INDIVIDUAL
from app.rewards.reading import Reading
from tests.factories import make_tree, make_user

from .helpers import attempt, cadres, make_campaign, perfect, record


@pytest.fixture
def tree(ctx):
    return make_tree()


def _units(rows):
    return {row.unit.code for row in rows}


def _users(rows):
    return {row.user.username for row in rows}


@pytest.mark.parametrize(("done", "meets"), [(19, True), (18, False)])
def test_collective_completion_boundary_is_inclusive(tree, done, meets):
    campaign = make_campaign(2026, tree["P"])
    people = cadres("d", tree["D1"], 20)
    for index, user in enumerate(people):
        record(campaign, user, done=index < done, passed=True)
    db.session.commit()
    rows = candidates.collective_candidates(campaign, None)
    assert ("D1" in _units(rows)) is meets  # 19/20 = exactly 95 %
    if meets:
        [d1] = [r for r in rows if r.unit.code == "D1"]
        assert (d1.total, d1.completed, d1.completion_percent) == (20, 19, 95.0)


@pytest.mark.parametrize(("passed", "meets"), [(18, True), (17, False)])
def test_collective_pass_boundary_is_inclusive(tree, passed, meets):
    campaign = make_campaign(2026, tree["P"])
    for index, user in enumerate(cadres("d", tree["D1"], 20)):
        record(campaign, user, done=index < passed)
    db.session.commit()
    rule = RuleInfo(completion_percent=0, pass_percent=90)
    rows = candidates.collective_candidates(campaign, None, rule)
    assert ("D1" in _units(rows)) is meets  # 18/20 = exactly 90 %


def test_minimum_cadres_and_roll_up_over_the_subtree(tree):
    campaign = make_campaign(2026, tree["P"])
    for user in cadres("a", tree["D1A"], 3) + cadres("b", tree["D1"], 2):
        record(campaign, user)
    record(campaign, cadres("c", tree["C1"], 1)[0], done=False)
    db.session.commit()
    rows = candidates.collective_candidates(campaign, None)
    assert _units(rows) == {"D", "D1", "D1A"}  # P holds C1's miss: 5/6
    d = next(r for r in rows if r.unit.code == "D")
    assert (d.total, d.completed, d.passed) == (5, 5, 5)
    strict = RuleInfo(min_cadres=4)
    assert _units(candidates.collective_candidates(campaign, None, strict)) == {
        "D",
        "D1",
    }


def test_first_attempt_perfect_counts_a_perfect_second_does_not(tree):
    campaign = make_campaign(2026, tree["P"])
    first, second, preview, open_first = cadres("x", tree["D1"], 4)
    perfect(campaign, first)
    record(campaign, second)
    attempt(campaign, second, 1, 80.0)
    attempt(campaign, second, 2, 100.0)
    record(campaign, preview)  # a trainer's preview is not a first attempt
    attempt(campaign, preview, 1, 40.0, preview=True)
    attempt(campaign, preview, 2, 100.0)
    record(campaign, open_first)  # the first finished one counts
    attempt(campaign, open_first, 1, 0.0, state="open")
    attempt(campaign, open_first, 2, 100.0)
    db.session.commit()
    rows = candidates.individual_candidates(campaign, None)
    assert _users(rows) == {"x0", "x2", "x3"}
    row = next(r for r in rows if r.user.username == "x0")
    assert row.score == 100.0 and row.unit.code == "D1"
    lenient = RuleInfo(first_percent=80)
    assert "x1" in _users(candidates.individual_candidates(campaign, None, lenient))


def test_individual_needs_every_module_a_completion_inside_the_window(tree):
    campaign = make_campaign(2026, tree["P"])
    ok, unread, late, earlier, unfinished = cadres("y", tree["D1"], 5)
    perfect(campaign, ok)
    perfect(campaign, unread, read=2)
    perfect(campaign, late, at=campaign.closes_at + timedelta(seconds=1))
    record(campaign, earlier)  # an attempt before the window is not this campaign's
    attempt(campaign, earlier, 1, 100.0, started=campaign.opens_at - timedelta(days=1))
    record(campaign, unfinished, done=False).status = IN_PROGRESS
    attempt(campaign, unfinished, 1, 100.0)
    db.session.commit()
    assert _users(candidates.individual_candidates(campaign, None)) == {"y0"}


def test_records_count_for_the_unit_they_were_earned_in(tree):
    campaign = make_campaign(2026, tree["P"])
    [mover] = cadres("m", tree["D1"], 1)
    perfect(campaign, mover)
    db.session.commit()
    mover.unit_id = tree["C1"].id  # moved on after completing
    db.session.commit()
    d_scope, c_scope = [tree["D"].path], [tree["C"].path]
    assert _users(candidates.individual_candidates(campaign, d_scope)) == {"m0"}
    assert candidates.individual_candidates(campaign, c_scope) == []
    assert _units(candidates.collective_candidates(campaign, d_scope)) == {"D", "D1"}
    assert candidates.collective_candidates(campaign, c_scope) == []


def test_scope_keeps_other_departments_out(tree):
    campaign = make_campaign(2026, tree["P"])
    for user in cadres("d", tree["D1"], 2):
        perfect(campaign, user)
    for user in cadres("c", tree["C1"], 2):
        perfect(campaign, user)
    db.session.commit()
    d_scope = [tree["D"].path]
    assert _users(candidates.individual_candidates(campaign, d_scope)) == {"d0", "d1"}
    assert _units(candidates.collective_candidates(campaign, d_scope)) == {"D", "D1"}
    assert candidates.collective_candidates(campaign, []) == []
    assert len(candidates.individual_candidates(campaign, None)) == 4


def test_a_merged_away_unit_counts_in_the_unit_it_went_into(tree):
    """A 2024 campaign's records earned in a unit merged since count, rolled up,
    for the unit it went into: listed and nominated there, and no longer in the old
    scope; at the time (the default), for the unit they were earned in, in the new
    scope too."""
    campaign = make_campaign(2024, tree["P"])
    people = cadres("k", tree["C1"], 2)
    for user in people:
        perfect(campaign, user)
    db.session.commit()
    units.merge_unit(tree["C1"], tree["D1"])  # C1's cadres and records go to D1
    db.session.commit()
    d_scope, c_scope = [tree["D"].path], [tree["C"].path]
    rolled = Reading.of(AsOf(today(), ROLLED_UP))
    found = candidates.individual_candidates(campaign, d_scope, reading=rolled)
    assert _users(found) == {"k0", "k1"} and _units(found) == {"D1"}
    found = candidates.collective_candidates(campaign, d_scope, reading=rolled)
    assert _units(found) == {"D", "D1"}
    found = candidates.individual_candidates(campaign, d_scope)
    assert _users(found) == {"k0", "k1"} and _units(found) == {"C1"}
    assert _units(candidates.collective_candidates(campaign, d_scope)) == {"C1"}
    assert candidates.participants(campaign, d_scope) == {u.id for u in people}
    assert candidates.individual_candidates(campaign, c_scope) == []
    assert candidates.collective_candidates(campaign, c_scope) == []
    assert candidates.participants(campaign, c_scope) == set()
    hr = make_user("hr-d", tree["D"], roles=[("hr", tree["D"])])
    nomination = services.nominate(hr, campaign, INDIVIDUAL, tree["D1"], people[0])
    assert nomination.unit_id == tree["D1"].id


def test_a_unit_with_its_own_window_is_judged_by_it(tree):
    """A commune that opened a week later and closed a week later: its cadre who
    completed after the campaign's close counts; one whose attempt came before its
    window does not; a department's cadre late by the campaign's window does not."""
    campaign = make_campaign(2026, tree["P"])
    quiz = db.session.scalar(select(Quiz).where(Quiz.code == campaign.quiz_code))
    quiz.opens_at, quiz.closes_at = campaign.opens_at, campaign.closes_at
    week = timedelta(days=7)
    opens, closes = campaign.opens_at + week, campaign.closes_at + week
    campaigns.set_unit_window(campaign, tree["C"], opens, closes)
    late_ok, early = cadres("w", tree["C1"], 2)
    [late_d] = cadres("d", tree["D1"], 1)
    after_close = campaign.closes_at + timedelta(days=3)
    record(campaign, late_ok, at=after_close)
    attempt(campaign, late_ok, 1, 100.0, started=after_close - timedelta(hours=1))
    perfect(campaign, early, at=campaign.opens_at + timedelta(days=2))
    record(campaign, late_d, at=after_close)
    attempt(campaign, late_d, 1, 100.0, started=after_close - timedelta(hours=1))
    db.session.commit()
    assert _users(candidates.individual_candidates(campaign, None)) == {"w0"}


def test_candidates_in_tree_order_then_names_in_vietnamese_order(tree):
    """D2 "Ấp Một", made after D1 "Phòng Công chức" (a higher id, a later path),
    comes first as the annual report lists them; its cadres Ánh, Bình, Đức in
    dictionary order. The same in a period's lists."""
    from app.rewards import periods
    from app.rewards.models import SO_KET
    from tests.factories import make_unit

    d2 = make_unit("D2", "Ấp Một", tree["D"])
    campaign = make_campaign(2026, tree["P"])
    people = [
        make_user(f"x{i}", d2, full_name=name, password=None)
        for i, name in enumerate(["Lê Văn Đức", "Lê Văn Bình", "Lê Văn Ánh"])
    ]
    people.append(make_user("y", tree["D1"], full_name="Trần Văn An", password=None))
    for user in people:
        perfect(campaign, user)
    db.session.commit()
    expected = [
        ("D2", "Lê Văn Ánh"),
        ("D2", "Lê Văn Bình"),
        ("D2", "Lê Văn Đức"),
        ("D1", "Trần Văn An"),
    ]
    rows = candidates.individual_candidates(campaign, None)
    assert [(r.unit.code, r.user.full_name) for r in rows] == expected
    period = periods.save_period("SK", "Sơ kết", SO_KET, [campaign], 1)
    db.session.commit()
    rows = periods.individual_candidates(period, None)
    assert [(r.unit.code, r.user.full_name) for r in rows] == expected
    rows = periods.collective_candidates(period, None)
    assert [r.unit.code for r in rows] == ["P", "D", "D2", "D1"]
