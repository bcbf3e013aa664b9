"""A closed campaign's records are its history: this year's reading of the same
course, a cadre's move, or a change of the course's modules leaves last year's
records as they closed (its annual report does not change afterwards)."""

from datetime import timedelta

import pytest

from app.accounts import services as accounts
from app.courses import services as courses
from app.errors import InvalidInput
from app.extensions import db
from app.records import services as records
from app.timeutil import utcnow
from tests.certificates.helpers import user
from tests.records.helpers import make_campaign, read_all


def _last_and_this_year(tmp_path):
    """C2026 closed 300 days ago, in1 having read one module of T before it
    closed; C2027 on the same course and quiz, open now."""
    now = utcnow()
    old, tree = make_campaign(
        tmp_path, opens=now - timedelta(days=400), closes=now - timedelta(days=300)
    )
    first = courses.active_modules(courses.get_course("T"))[0]
    then = now - timedelta(days=350)
    courses.open_module(user("in1"), first, now=then - timedelta(minutes=10))
    courses.complete_module(user("in1"), first, 0.5, now=then)
    new = records.create_campaign(
        "C2027", "Bồi dưỡng năm 2027", 2027, "T", "Q",
        now - timedelta(days=1), now + timedelta(days=30), [tree["D"]],
    )  # fmt: skip
    db.session.commit()
    return old, new, tree


def _row(campaign):
    found = records.record_for(user("in1"), campaign)
    return (found.status, found.modules_read, found.unit_id)


def test_reading_this_year_leaves_last_years_record(ctx, tmp_path):
    old, new, _tree = _last_and_this_year(tmp_path)
    before = _row(old)
    assert before[:2] == ("in_progress", 1)
    read_all(user("in1"), utcnow())
    db.session.commit()
    assert _row(old) == before
    assert _row(new)[:2] == ("in_progress", 3)  # this year's follows the reading


def test_a_move_leaves_last_years_record_in_its_unit(ctx, tmp_path):
    old, new, tree = _last_and_this_year(tmp_path)
    accounts.move_user(user("in1"), tree["D1"])
    db.session.commit()
    assert _row(old)[2] == tree["D1A"].id
    assert _row(new)[2] == tree["D1"].id


def test_a_closed_campaigns_required_modules_are_not_changed(
    app, client, auth, tmp_path
):
    from tests.factories import make_user

    with app.app_context():
        old, _new, tree = _last_and_this_year(tmp_path)
        old.required_modules = old.required_modules[:1]
        make_user("adm", tree["P"], roles=[("admin", None)])
        db.session.commit()
        with pytest.raises(InvalidInput, match="đã chốt"):
            records.require_current_modules(old)
        db.session.rollback()
        assert len(records.get_campaign("C2026").required_modules) == 1
    auth.login("adm")
    page = client.get("/admin/campaigns/C2026").get_data(as_text=True)
    assert "Đợt đã đóng: kết quả của đợt đã chốt" in page
    assert "Cập nhật học phần bắt buộc" not in page
    token = auth.token("/admin/campaigns/C2026")
    answer = client.post(
        "/admin/campaigns/C2026/modules", data={"csrf_token": token, "confirm": "y"}
    )
    assert "đã chốt" in answer.get_data(as_text=True)
    with app.app_context():
        assert len(records.get_campaign("C2026").required_modules) == 1
