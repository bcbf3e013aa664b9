"""Nominations going up the tree: who makes, sees and withdraws them; audit."""

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.errors import Conflict, NotAllowed, NotFound
from app.extensions import db
from app.rewards import services
from app.rewards.models import COLLECTIVE, INDIVIDUAL
from tests.factories import make_tree, make_user

from .helpers import cadres, make_campaign, perfect, record


@pytest.fixture
def world(ctx):
    """Campaign C2026 over P; perfect cadres d0, d1 (D1) and c0 (C1); a cadre who
    failed (d2); HR officers of P, D and C, and an administrator."""
    tree = make_tree()
    campaign = make_campaign(2026, tree["P"])
    d0, d1, d2 = cadres("d", tree["D1"], 3)
    [c0] = cadres("c", tree["C1"], 1)
    for user in (d0, d1, c0):
        perfect(campaign, user)
    record(campaign, d2, done=False)
    db.session.commit()
    people = {
        "hrp": make_user("hrp", tree["P"], roles=[("hr", tree["P"])]),
        "hrd": make_user("hrd", tree["D"], roles=[("hr", tree["D"])]),
        "hrc": make_user("hrc", tree["C"], roles=[("hr", tree["C"])]),
        "adm": make_user("adm", tree["P"], roles=[("admin", None)]),
    }
    return {
        "tree": tree,
        "campaign": campaign,
        "d0": d0,
        "d1": d1,
        "d2": d2,
        "c0": c0,
        **people,
    }


def _person(world, actor, who, note="Gương mẫu"):
    user = world[who]
    return services.nominate(
        world[actor],
        world["campaign"],
        INDIVIDUAL,
        user.unit,
        user,
        "Thành tích",
        note,
    )


def test_a_department_nominates_and_the_province_sees_it(world):
    nomination = _person(world, "hrd", "d0")
    db.session.commit()
    assert nomination.nominated_by_id == world["hrd"].id
    assert nomination.nominating_unit.code == "D"
    assert nomination.note == "Gương mẫu"
    campaign = world["campaign"]

    def seen(who):
        return [n.id for n in services.visible_nominations(world[who], campaign)]

    assert seen("hrd") == [nomination.id]
    assert seen("hrp") == [nomination.id]
    assert seen("adm") == [nomination.id]
    assert seen("hrc") == []  # a sibling sees nothing of it
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "reward.nominated")
    )
    assert event.actor_id == world["hrd"].id and event.detail["user"] == "d0"


def test_the_province_adds_its_own_above_the_department(world):
    mine = _person(world, "hrd", "d0")
    theirs = _person(world, "hrp", "d1")
    unit = services.nominate(
        world["hrp"], world["campaign"], COLLECTIVE, world["tree"]["C1"]
    )
    db.session.commit()
    assert theirs.nominating_unit.code == "P"
    assert [
        n.id for n in services.visible_nominations(world["hrd"], world["campaign"])
    ] == [mine.id]
    listed = services.visible_nominations(world["hrp"], world["campaign"])
    assert [n.id for n in listed][0] == unit.id  # collectives first
    assert {n.id for n in listed} == {mine.id, theirs.id, unit.id}


def test_no_one_nominates_outside_its_scope_or_a_non_candidate(world):
    with pytest.raises(NotFound):
        _person(world, "hrd", "c0")  # beside its scope
    with pytest.raises(NotAllowed):
        _person(world, "hrd", "d2")  # did not meet the rule
    with pytest.raises(NotAllowed):  # D1 is 2/3: not a collective candidate
        services.nominate(
            world["hrd"], world["campaign"], COLLECTIVE, world["tree"]["D1"]
        )
    _person(world, "hrd", "d0")
    with pytest.raises(Conflict):
        _person(world, "hrp", "d0")  # already on the list, from below


def test_withdraw_keeps_the_reason_and_respects_the_tree(world):
    below = _person(world, "hrd", "d0")
    above = _person(world, "hrp", "d1")
    db.session.commit()
    with pytest.raises(NotFound):
        services.withdraw(world["hrd"], above, "Không phải của tôi")  # above
    with pytest.raises(NotFound):
        services.withdraw(world["hrc"], below, "Bên cạnh")  # beside
    with pytest.raises(NotAllowed):
        services.withdraw(world["hrd"], below, "   ")
    services.withdraw(world["hrp"], below, "Chưa đủ hồ sơ")  # from above: allowed
    db.session.commit()
    assert below.withdrawn_by_id == world["hrp"].id
    assert below.withdraw_reason == "Chưa đủ hồ sơ"
    with pytest.raises(Conflict):
        services.withdraw(world["hrp"], below, "Lần nữa")
    assert services.visible_nominations(world["hrd"], world["campaign"]) == []
    withdrawn = services.visible_nominations(
        world["hrd"], world["campaign"], include_withdrawn=True
    )
    assert [n.id for n in withdrawn] == [below.id]
    again = _person(world, "hrd", "d0")  # may be nominated anew
    assert again.id != below.id
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"reward.nominated", "reward.withdrawn"} <= actions


def test_rules_are_the_provinces(world):
    assert services.can_set_rules(world["hrp"]) and services.can_set_rules(world["adm"])
    assert not services.can_set_rules(world["hrd"])
    with pytest.raises(NotAllowed):
        services.set_rule(world["campaign"], world["hrd"], unit_pass_percent=50)
    services.set_rule(world["campaign"], world["hrp"], unit_pass_percent=50)
    db.session.commit()
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "reward.rule_set")
    )
    assert event.detail == {
        "old": {"unit_pass_percent": 90},
        "new": {"unit_pass_percent": 50},
    }


def test_the_database_keeps_one_active_nomination_per_subject(world):
    """Two officers nominating at once: the unique key settles it, even past the
    service's own check."""
    from sqlalchemy.exc import IntegrityError

    from app.rewards.models import Nomination

    first = _person(world, "hrd", "d0")
    db.session.commit()
    twin = Nomination(
        campaign_id=first.campaign_id,
        kind=INDIVIDUAL,
        unit_id=first.unit_id,
        user_id=first.user_id,
        nominated_by_id=world["hrp"].id,
        nominating_unit_id=world["tree"]["P"].id,
        active_key=first.active_key,
    )
    db.session.add(twin)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    services.withdraw(world["hrd"], db.session.get(Nomination, first.id), "Sửa lại")
    db.session.commit()
    assert db.session.get(Nomination, first.id).active_key is None
    assert (
        _person(world, "hrp", "d0").active_key
        == f"c{first.campaign_id}:person:{first.user_id}"
    )


def test_nominations_made_before_a_merger_are_the_successors(ctx):
    """A 2024 nomination made by commune C, merged into department D since, is
    seen and withdrawn by D's HR officer (as the reports roll C's records up into
    D); a unit nominated before it merged counts as nominated under the unit it
    went into, which cannot be nominated a second time."""
    from flask import g

    from app.accounts import units

    tree = make_tree()
    campaign = make_campaign(2024, tree["P"])
    people = cadres("k", tree["C1"], 2)
    for user in people:
        perfect(campaign, user)
    hrc = make_user("hrc", tree["C"], roles=[("hr", tree["C"])])
    hrd = make_user("hrd", tree["D"], roles=[("hr", tree["D"])])
    db.session.commit()
    person = services.nominate(hrc, campaign, INDIVIDUAL, tree["C1"], people[0])
    services.nominate(hrc, campaign, COLLECTIVE, tree["C1"])
    db.session.commit()
    units.merge_unit(tree["C"], tree["D"])  # C ends; C1 goes under D
    units.merge_unit(tree["C1"], tree["D1"])  # and then into D1
    db.session.commit()
    # read once per request
    for memo in ("vhcv_rolled_up", "vhcv_reward_scope", "vhcv_reward_structures"):
        g.pop(memo, None)
    seen = services.visible_nominations(hrd, campaign)
    assert {(n.kind, n.unit.code) for n in seen} == {
        (INDIVIDUAL, "C1"),
        (COLLECTIVE, "C1"),
    }
    assert services.get_visible_nomination(hrd, person.id) == person
    nominated_units, nominated_users = services.nominated_subjects(campaign)
    assert tree["D1"].id in nominated_units and people[0].id in nominated_users
    with pytest.raises(Conflict):
        services.nominate(hrd, campaign, COLLECTIVE, tree["D1"])
    with pytest.raises(Conflict):
        services.nominate(hrd, campaign, INDIVIDUAL, tree["D1"], people[0])
    services.withdraw(hrd, person, "Trùng với đề nghị của đơn vị mới")
    db.session.commit()
    assert not person.is_active
