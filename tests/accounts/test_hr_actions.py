from sqlalchemy import select

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.extensions import db
from app.records.models import TrainingRecord
from tests.factories import make_user
from tests.records.helpers import make_campaign


def _setup(app, tmp_path):
    with app.app_context():
        campaign, tree = make_campaign(tmp_path)
        make_user("hr", tree["D"], roles=[("hr", tree["D"])], full_name="Lê Thị Hạnh")
        make_user("adm", tree["P"], roles=[("admin", None)])
        ids = {u.username: u.id for u in db.session.scalars(select(User))}
        return ids, {k: v.id for k, v in tree.items()}


def test_hr_moves_a_cadre_within_its_subtree_and_the_record_follows(
    app, client, auth, tmp_path
):
    ids, units = _setup(app, tmp_path)
    auth.login("hr")
    token = auth.token(f"/cadres/{ids['in1']}")
    response = client.post(
        f"/cadres/{ids['in1']}/move",
        data={"csrf_token": token, "unit_code": "D1"},
        follow_redirects=True,
    )
    assert "Đã chuyển sang" in response.get_data(as_text=True)
    outside = client.post(
        f"/cadres/{ids['in1']}/move",
        data={"csrf_token": token, "unit_code": "C1"},
        follow_redirects=True,
    )
    assert "trong phạm vi của bạn" in outside.get_data(as_text=True)
    with app.app_context():
        person = db.session.get(User, ids["in1"])
        record = db.session.scalar(
            select(TrainingRecord).where(TrainingRecord.user_id == person.id)
        )
        assert person.unit_id == units["D1"] and record.unit_id == units["D1"]
        assert (
            db.session.scalar(
                select(AuditEvent).where(AuditEvent.action == "user.moved")
            )
            is not None
        )


def test_hr_deactivates_a_cadre_who_then_cannot_sign_in(app, client, auth, tmp_path):
    ids, _ = _setup(app, tmp_path)
    auth.login("hr")
    token = auth.token(f"/cadres/{ids['in2']}")
    client.post(
        f"/cadres/{ids['in2']}/active", data={"csrf_token": token, "active": "0"}
    )
    auth.logout()
    page = auth.login("in2").get_data(as_text=True)
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in page


def test_a_lock_button_without_its_value_changes_nothing(app, client, auth, tmp_path):
    """The buttons send active=0 or 1; a post without it (or with another value)
    locked the account."""
    ids, _ = _setup(app, tmp_path)
    auth.login("hr")
    token = auth.token(f"/cadres/{ids['in2']}")
    for data in ({}, {"active": ""}, {"active": "yes"}):
        response = client.post(
            f"/cadres/{ids['in2']}/active",
            data={"csrf_token": token, **data},
            follow_redirects=True,
        )
        page = response.get_data(as_text=True)
        assert "Yêu cầu không hợp lệ." in page and "Đã khóa" not in page, data
    with app.app_context():
        assert db.session.get(User, ids["in2"]).active


def test_hr_cannot_act_on_anyone_outside_its_subtree(app, client, auth, tmp_path):
    ids, _ = _setup(app, tmp_path)
    auth.login("hr")
    token = auth.token("/cadres")
    out = ids["out"]
    assert client.get(f"/cadres/{out}").status_code == 404
    for action, data in [
        ("active", {"active": "0"}),
        ("move", {"unit_code": "D1"}),
        ("reset-password", {"confirm": "1"}),
    ]:
        response = client.post(
            f"/cadres/{out}/{action}", data={"csrf_token": token, **data}
        )
        assert response.status_code == 404, action
    assert "Trần Văn Cường" not in client.get("/cadres?q=cuong").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, out).active is True


def test_admin_browses_and_filters_the_audit_log(app, client, auth, tmp_path):
    ids, _ = _setup(app, tmp_path)
    auth.login("hr")
    token = auth.token(f"/cadres/{ids['in1']}")
    client.post(
        f"/cadres/{ids['in1']}/reset-password",
        data={"csrf_token": token, "confirm": "1"},
    )
    auth.logout()
    auth.login("adm")
    page = client.get("/admin/audit?action=user.password_reset").get_data(as_text=True)
    rows = "<code>{}</code>"  # actions as listed in the table (the filter lists all)
    assert rows.format("user.password_reset") in page
    assert rows.format("campaign.created") not in page
    by_actor = client.get("/admin/audit?actor=hr").get_data(as_text=True)
    assert rows.format("user.password_reset") in by_actor
    assert rows.format("campaign.created") not in by_actor
    bad_dates = client.get("/admin/audit?since=not-a-date")
    assert bad_dates.status_code == 200
