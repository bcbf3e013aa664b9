"""Nominations of an HR officer (not only an administrator) from today's list at
the time of a campaign before the 1/7/2025 mergers (tests.reports.history_world):
a cadre's row names the former unit the record was earned in, and is nominated;
a former unit's collective row offers no nomination (its records are its
successor's, nominated from the rolled-up list) and the service refuses one."""

import re

import pytest

from app.accounts.models import Unit, User
from app.errors import NotAllowed, NotFound
from app.extensions import db
from app.records.models import Campaign
from app.rewards import services
from app.rewards.models import COLLECTIVE, INDIVIDUAL, Nomination
from tests.factories import make_user

from .test_asof import world  # noqa: F401  (the fixture)

FORM_RE = re.compile(
    r'<form method="post" action="([^"]*/nominate[^"]*)">(.*?)</form>', re.S
)


@pytest.fixture
def officers(app, world):  # noqa: F811
    """HR officers of the new An Giang and of Cần Thơ."""
    with app.app_context():
        units = {code: db.session.get(Unit, world[code]) for code in ("AGM", "CT")}
        make_user("hra", units["AGM"], roles=[("hr", units["AGM"])])
        make_user("hrc", units["CT"], roles=[("hr", units["CT"])])
        db.session.commit()
    return world


def _get(ids, cls, key):
    return db.session.get(cls, ids[key])


def test_hr_nominates_a_cadre_of_a_former_unit_not_the_former_unit(app, officers):
    with app.app_context():
        campaign = _get(officers, Campaign, "C2024")
        hra, hrc = (
            db.session.scalar(db.select(User).filter_by(username=name))
            for name in ("hra", "hrc")
        )
        former, a1 = _get(officers, Unit, "KG-STTTT"), _get(officers, User, "a1")
        with pytest.raises(NotFound):  # Cần Thơ: not its scope
            services.nominate(hrc, campaign, INDIVIDUAL, former, a1)
        person = services.nominate(hra, campaign, INDIVIDUAL, former, a1)
        assert person.nominating_unit.code == "AGM"  # not former Kiên Giang
        with pytest.raises(NotAllowed, match="đơn vị kế thừa"):
            services.nominate(hra, campaign, COLLECTIVE, former)
        successor = _get(officers, Unit, "SKHCN")
        services.nominate(hra, campaign, COLLECTIVE, successor)
        db.session.commit()
        assert {
            (n.kind, n.unit.code) for n in services.visible_nominations(hra, campaign)
        } == {(INDIVIDUAL, "KG-STTTT"), (COLLECTIVE, "SKHCN")}


@pytest.mark.parametrize("attribution", ["at_time", "rolled_up"])
def test_every_form_offered_to_hr_is_accepted(app, client, auth, officers, attribution):
    auth.login("hra")
    url = f"/rewards/campaigns/C2024?attribution={attribution}"
    text = client.get(url).get_data(as_text=True)
    forms = FORM_RE.findall(text)
    offered = {
        dict(re.findall(r'name="(\w+)" value="([^"]*)"', f)).get("kind")
        for _, f in forms
    }
    assert offered >= {"person"}
    if attribution == "at_time":  # every collective row is a former unit here
        assert "unit" not in offered
        assert "hãy đề nghị đơn vị kế thừa" in text
        assert "attribution=rolled_up" in text
    else:
        assert "unit" in offered
    for action, body in forms:
        data = dict(re.findall(r'name="(\w+)" value="([^"]*)"', body))
        response = client.post(action, data=data | {"achievement": "x"})
        assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Nomination.id))) == len(forms)
