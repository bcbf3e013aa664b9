"""Periods (sơ kết, tổng kết) over several campaigns."""

import pytest

from app.errors import InvalidInput
from app.extensions import db
from app.rewards import periods
from app.rewards.models import SO_KET
from tests.factories import make_tree

from .helpers import attempt, cadres, make_campaign, perfect, record


@pytest.fixture
def years(ctx):
    """Campaigns 2019–2021 over P. D1A (2 cadres) meets the collective rule every
    year; D1 (1 cadre of its own) misses it in 2021. Cadres: a0 perfect every year,
    a1 perfect in 2019 and 2020 but 80 % first in 2021, b0 perfect in 2021 only
    (recruited then)."""
    tree = make_tree()
    campaigns = [make_campaign(year, tree["P"]) for year in (2019, 2020, 2021)]
    a0, a1 = cadres("a", tree["D1A"], 2)
    [b0] = cadres("b", tree["D1"], 1)
    for campaign in campaigns:
        perfect(campaign, a0)
        record(campaign, a1)
        attempt(campaign, a1, 1, 80.0 if campaign.year == 2021 else 100.0)
        if campaign.year == 2021:
            perfect(campaign, b0)
        else:
            record(campaign, cadres(f"z{campaign.year}", tree["D1"], 1)[0])
    # 2021: one cadre of D1 never started, so D1 (and D, P) fall to 3/4.
    record(campaigns[2], cadres("n", tree["D1"], 1)[0], done=False)
    db.session.commit()
    return tree, campaigns


def _period(campaigns, minimum=1):
    period = periods.save_period(
        "SK2021", "Sơ kết 2019–2021", SO_KET, campaigns, minimum
    )
    db.session.commit()
    return period


def test_a_unit_meeting_the_rule_every_year(years):
    tree, campaigns = years
    rows = periods.collective_candidates(_period(campaigns), None)
    assert {r.unit.code: r.years for r in rows} == {"D1A": [2019, 2020, 2021]}
    early = periods.collective_candidates(_period(campaigns[:2]), None)
    assert {r.unit.code for r in early} == {"P", "D", "D1", "D1A"}


def test_a_cadre_meeting_the_rule_in_every_campaign_it_was_in(years):
    tree, campaigns = years
    rows = periods.individual_candidates(_period(campaigns), None)
    assert {r.user.username: r.years for r in rows} == {
        "a0": [2019, 2020, 2021],
        "b0": [2021],
    }
    assert rows[0].mean_score == 100.0
    strict = periods.individual_candidates(_period(campaigns, minimum=2), None)
    assert [r.user.username for r in strict] == ["a0"]  # b0 was in one only
    scoped = periods.individual_candidates(_period(campaigns), [tree["C"].path])
    assert scoped == []


def test_save_period_checks_and_replaces(years):
    _tree, campaigns = years
    with pytest.raises(InvalidInput):
        periods.save_period("X", "X", "yearly", campaigns, 1)
    with pytest.raises(InvalidInput):
        periods.save_period("X", "X", SO_KET, [], 1)
    with pytest.raises(InvalidInput):
        periods.save_period("X", "X", SO_KET, campaigns[:2], 3)
    period = _period(campaigns)
    again = periods.save_period("SK2021", "Sơ kết", SO_KET, campaigns[1:] * 2, 2)
    db.session.commit()
    assert again.id == period.id
    assert [c.year for c in again.campaigns] == [2020, 2021]
    assert again.min_campaigns == 2


def test_nominations_and_the_paper_of_a_period(years, app):
    from app.rewards import exports, services
    from app.rewards.models import COLLECTIVE, INDIVIDUAL
    from tests.factories import make_user

    tree, campaigns = years
    period = _period(campaigns)
    hr = make_user("hrd", tree["D"], roles=[("hr", tree["D"])])
    rows = periods.individual_candidates(period, None)
    a0 = next(r.user for r in rows if r.user.username == "a0")
    services.nominate(hr, period, INDIVIDUAL, tree["D1A"], a0, "Ba năm liền")
    services.nominate(hr, period, COLLECTIVE, tree["D1A"])
    db.session.commit()
    with pytest.raises(Exception, match="tiêu chí"):
        services.nominate(hr, period, COLLECTIVE, tree["D1"])  # missed 2021
    rows = services.visible_nominations(hr, period)
    assert [n.kind for n in rows] == [COLLECTIVE, INDIVIDUAL]
    assert all(n.period_id == period.id and n.campaign_id is None for n in rows)
    paper = exports.paper(period, tree["D"], rows, app.config)
    assert [n.unit.code for n in paper.collectives] == ["D1A"]
    # the period's kind and years are said once: its title holds both already
    assert paper.subtitle.endswith("văn hóa công sở — Sơ kết 2019–2021")
    period.title = "phong trào ba năm"
    assert exports.target_label(period) == "Sơ kết phong trào ba năm (2019–2021)"
