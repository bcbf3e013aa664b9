"""The HR page (preview, confirm, bad inputs, scope) and the notice on the home
page (shown, dismissed, gone once completed)."""

import re
from datetime import timedelta

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.reminders.models import Reminder, ReminderDelivery
from tests.conftest import AuthActions

from .helpers import complete, setup, user

PAGE = "/reports/reminders"


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def signed_in(client, username: str) -> AuthActions:
    auth = AuthActions(client)
    auth.login(username)
    return auth


def test_hr_previews_confirms_and_sees_the_reminder_listed(app, client, tmp_path):
    with app.app_context():
        _campaign, tree = setup(tmp_path)
        d1 = tree["D1"].id
    auth = signed_in(client, "hr")
    page = client.get(f"{PAGE}?campaign=C2026&unit={d1}").get_data(as_text=True)
    assert "2 cán bộ chưa hoàn thành sẽ nhận được lời nhắc" in page
    assert "Chưa cấu hình máy chủ thư (MAIL_SERVER)" in page
    response = client.post(
        PAGE,
        data={
            "campaign": "C2026",
            "unit": d1,
            "message": "Hạn chót sắp đến.",
            "csrf_token": auth.token(PAGE),
        },
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Đã nhắc 2 cán bộ trên trang chủ của họ." in page
    assert "không gửi thư điện tử" in page
    assert re.search(r"Người nhận.*?<td class=\"num\">2</td>", page, re.S)
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "reminder.created")
        )
        assert event.actor_id == user("hr").id
        assert event.detail["cadres"] == 2 and event.detail["campaign"] == "C2026"


def test_bad_inputs_write_nothing(app, client, tmp_path):
    with app.app_context():
        campaign, tree = setup(tmp_path)
        d1, c1 = tree["D1"].id, tree["C1"].id
    auth = signed_in(client, "hr")
    token = auth.token(PAGE)

    def post(**data):
        return client.post(PAGE, data={"csrf_token": token, **data})

    assert post(campaign="NOPE", unit=d1).status_code == 404  # unknown campaign
    assert post(campaign="C2026", unit=c1).status_code == 404  # outside the scope
    assert post(campaign="C2026", unit=2**40).status_code == 302  # not an id
    said = client.get(PAGE).get_data(as_text=True)  # the flashed message, once
    assert said.count("Chưa gửi: chọn lại đợt và đơn vị") == 1
    assert "Vui lòng điền trường này" not in said
    assert post(campaign="C2026", unit="abc").status_code == 302
    assert post(campaign="", unit=d1).status_code == 302
    long = post(campaign="C2026", unit=d1, message="Kính gửi " + "x" * 1000)
    assert long.status_code == 400  # the page again, with the text to shorten
    html = long.get_data(as_text=True)
    assert "Kính gửi " + "x" * 1000 in html and 'maxlength="1000"' in html
    assert "1.000" in html.split('id="message-error"')[1][:200]
    no_csrf = client.post(PAGE, data={"campaign": "C2026", "unit": d1})
    assert no_csrf.status_code == 400
    assert client.get(f"{PAGE}?campaign=C2026&unit={c1}").status_code == 404
    assert client.get(f"{PAGE}?campaign=NOPE").status_code == 404
    with app.app_context():
        assert count(Reminder) == count(ReminderDelivery) == 0


def test_nobody_left_to_remind_is_said_and_nothing_written(app, client, tmp_path):
    with app.app_context():
        _campaign, tree = setup(tmp_path)
        d1a = tree["D1A"].id
        complete("in1")
    auth = signed_in(client, "hr")
    page = client.get(f"{PAGE}?campaign=C2026&unit={d1a}").get_data(as_text=True)
    assert "Không có cán bộ nào cần nhắc" in page
    response = client.post(
        PAGE,
        data={"campaign": "C2026", "unit": d1a, "csrf_token": auth.token(PAGE)},
        follow_redirects=True,
    )
    assert "Không có cán bộ nào cần nhắc" in response.get_data(as_text=True)
    with app.app_context():
        assert count(Reminder) == 0


def test_the_learner_sees_the_notice_and_dismisses_it(app, client, tmp_path):
    with app.app_context():
        _campaign, tree = setup(tmp_path)
        from app.reminders import services

        services.send_manual(_campaign, tree["D"], user("hr"), "Cố lên nhé!")
        db.session.commit()
        delivery_id = db.session.scalar(
            select(ReminderDelivery.id).where(
                ReminderDelivery.user_id == user("in1").id
            )
        )
        other_id = db.session.scalar(
            select(ReminderDelivery.id).where(
                ReminderDelivery.user_id == user("in2").id
            )
        )
    auth = signed_in(client, "in1")
    page = client.get("/").get_data(as_text=True)
    assert "Nhắc nhở: Bồi dưỡng năm 2026" in page
    assert "còn 29 ngày" in page or "còn 30 ngày" in page
    assert "Cố lên nhé!" in page and 'href="/courses/T"' in page
    with app.app_context():
        assert db.session.get(ReminderDelivery, delivery_id).shown_at is not None

    url = f"/reminders/{delivery_id}/dismiss"
    assert client.post(url).status_code == 400  # no CSRF token
    token = auth.token("/")
    assert (
        client.post(
            f"/reminders/{other_id}/dismiss", data={"csrf_token": token}
        ).status_code
        == 404
    )
    assert client.post(url, data={"csrf_token": token}).status_code == 302
    assert "Nhắc nhở: Bồi dưỡng năm 2026" not in client.get("/").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(ReminderDelivery, other_id).dismissed_at is None


def test_the_notice_goes_once_the_campaign_is_completed(app, client, tmp_path):
    with app.app_context():
        campaign, tree = setup(tmp_path)
        from app.reminders import services

        services.send_manual(campaign, tree["D"], user("hr"))
        db.session.commit()
    signed_in(client, "in1")
    assert "Nhắc nhở: Bồi dưỡng" in client.get("/").get_data(as_text=True)
    with app.app_context():
        complete("in1")
    assert "Nhắc nhở: Bồi dưỡng" not in client.get("/").get_data(as_text=True)


def test_the_notice_gives_the_cadres_own_window_close(app, client, tmp_path):
    """The campaign closes in 30 days; D1A's own window in 20: its cadre reads 20
    days and that window's date, not the campaign's."""
    from datetime import timedelta

    from app.records import campaigns as running
    from app.reminders import services
    from app.timeutil import format_vn_date, utcnow

    with app.app_context():
        campaign, tree = setup(tmp_path)
        now = utcnow()
        own_close = now + timedelta(days=20)  # 20 calendar days
        running.set_unit_window(
            campaign, tree["D1A"], now - timedelta(days=1), own_close
        )
        services.send_manual(campaign, tree["D"], user("hr"))
        db.session.commit()
        campaign_close = format_vn_date(campaign.closes_at)
    signed_in(client, "in1")  # in D1A
    page = client.get("/").get_data(as_text=True)
    assert f"Hạn cuối: {format_vn_date(own_close, with_time=True)}" in page
    assert f"Hạn cuối: {campaign_close}" not in page
    assert "còn 20 ngày" in page


def test_a_unit_whose_name_repeats_is_shown_with_its_parent(app, client, tmp_path):
    """D1 and a unit of C share the name "Văn phòng": the preview and the list of
    reminders sent name D1 with its parent, as "Văn phòng — Sở Nội vụ"."""
    from tests.factories import make_unit

    with app.app_context():
        _campaign, tree = setup(tmp_path)
        tree["D1"].name = "Văn phòng"
        make_unit("C9", "Văn phòng", tree["C"])
        d1 = tree["D1"].id
    auth = signed_in(client, "hr")
    page = client.get(f"{PAGE}?campaign=C2026&unit={d1}").get_data(as_text=True)
    assert "Bồi dưỡng năm 2026 · Văn phòng — Sở Nội vụ</p>" in page
    response = client.post(
        PAGE,
        data={"campaign": "C2026", "unit": d1, "csrf_token": auth.token(PAGE)},
        follow_redirects=True,
    )
    assert "<td>Văn phòng — Sở Nội vụ</td>" in response.get_data(as_text=True)


def test_the_unit_picker_lists_the_tree_in_vietnamese_order(app, client, tmp_path):
    """Siblings in Vietnamese order, as the annual report lists them — not in the
    order they were created (a unit's path is made of ids)."""
    from tests.factories import make_unit

    with app.app_context():
        _campaign, tree = setup(tmp_path)
        make_unit("D-AB", "Ấp Bắc", parent=tree["D1"])  # created first
        make_unit("D-AN", "An ninh", parent=tree["D1"])
    signed_in(client, "hr")
    page = client.get(f"{PAGE}?campaign=C2026").get_data(as_text=True)
    picker = page.split('id="pick-unit"')[1].split("</select>")[0]
    names = re.findall(r"<option[^>]*>(?:— )*([^<]+)</option>", picker)
    assert names.index("An ninh") < names.index("Ấp Bắc")
    assert names == sorted(names, key=names.index)  # each listed once


def test_the_same_reminder_sent_twice_reminds_once(app, client, tmp_path):
    """A second press (or the form sent again) within minutes: refused, nothing
    written; another message, or later, is a new reminder."""
    with app.app_context():
        _campaign, tree = setup(tmp_path)
        d1 = tree["D1"].id
    auth = signed_in(client, "hr")
    form = {"campaign": "C2026", "unit": d1, "message": "Hạn chót sắp đến."}
    for _ in range(2):
        page = client.post(
            PAGE, data={**form, "csrf_token": auth.token(PAGE)}, follow_redirects=True
        ).get_data(as_text=True)
    assert "Lời nhắc này vừa được gửi lúc" in page
    with app.app_context():
        assert count(Reminder) == 1 and count(ReminderDelivery) == 2
    other = {**form, "message": "Nhắc lại lần hai.", "csrf_token": auth.token(PAGE)}
    client.post(PAGE, data=other)
    with app.app_context():
        assert count(Reminder) == 2
        first = db.session.scalar(select(Reminder).order_by(Reminder.id))
        first.created_at -= timedelta(minutes=11)
        db.session.commit()
    client.post(PAGE, data={**form, "csrf_token": auth.token(PAGE)})
    with app.app_context():
        assert count(Reminder) == 3


def test_the_preview_gives_the_close_of_the_units_it_counts(app, client, tmp_path):
    """The campaign closes in 30 days, D1's own window in 45: the preview for D1
    says D1's date; over D, with D1A's own window closing in 20 days, the range."""
    from app.records import campaigns as running
    from app.reminders import services
    from app.timeutil import format_vn_date, utcnow

    with app.app_context():
        campaign, tree = setup(tmp_path)
        now, d1 = utcnow(), tree["D1"].id
        later, sooner = now + timedelta(days=45), now + timedelta(days=20)
        running.set_unit_window(campaign, tree["D1"], now - timedelta(days=1), later)
        db.session.commit()
        campaign_close = format_vn_date(campaign.closes_at)
        running.set_unit_window(campaign, tree["D1A"], now - timedelta(days=1), sooner)
        assert services.preview(campaign, tree["D"]).closes == [sooner, later]
        assert services.preview(campaign, tree["C"]).closes == []
        db.session.rollback()
    signed_in(client, "hr")
    page = client.get(f"{PAGE}?campaign=C2026&unit={d1}").get_data(as_text=True)
    assert f"Hạn hoàn thành: {format_vn_date(later, with_time=True)}." in page
    assert campaign_close not in page
