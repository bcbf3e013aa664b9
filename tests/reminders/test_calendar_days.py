"""Reminders and days left count Vietnam's calendar days, not 24-hour blocks: with
the timer at 07:30 (deploy/vhcv-reminders.timer) and a campaign closing at 23:59
on 31/12, the 7-day reminder goes on 24/12 and the 2-day one on 29/12, once each;
the last day says so instead of "còn 0 ngày"."""

from datetime import date, datetime, time

from flask_babel import force_locale
from sqlalchemy import func, select

from app.deadlines import days_left_text
from app.extensions import db
from app.records.learner import campaigns_for
from app.reminders import mailing, services
from app.reminders.models import SCHEDULED_2D, SCHEDULED_7D, Reminder
from app.timeutil import VN_TZ, days_left, last_day, vn_day_end, vn_day_start
from tests.records.helpers import make_campaign

from .helpers import user

CLOSES = vn_day_end(date(2026, 12, 31))


def at(day: int, hour: int, minute: int) -> datetime:
    """`day`/12/2026 at hour:minute in Vietnam."""
    return datetime.combine(date(2026, 12, day), time(hour, minute), VN_TZ)


def morning(day: int) -> datetime:
    """07:30 in Vietnam on `day`/12/2026, when the timer fires."""
    return at(day, 7, 30)


def december_campaign(tmp_path):
    return make_campaign(tmp_path, vn_day_start(date(2026, 12, 1)), CLOSES)


def test_the_timer_at_0730_sends_7d_on_the_24th_and_2d_on_the_29th(ctx, tmp_path):
    december_campaign(tmp_path)
    sent = {}
    for day in range(23, 32):
        made = services.due_scheduled(morning(day))
        db.session.commit()
        if made:
            sent[day] = [r.kind for r in made]
    assert sent == {24: [SCHEDULED_7D], 29: [SCHEDULED_2D]}
    # once per window: late in the day, and the next run, make none
    assert services.due_scheduled(at(31, 23, 0)) == []
    assert db.session.scalar(select(func.count(Reminder.id))) == 2


def test_days_left_counts_calendar_days_up_to_the_last_one(ctx):
    assert days_left(CLOSES, morning(24)) == 7
    assert days_left(CLOSES, at(24, 23, 59)) == 7
    assert days_left(CLOSES, morning(29)) == 2
    assert days_left(CLOSES, morning(30)) == 1
    assert days_left(CLOSES, morning(31)) == 0
    # 00:30 on the 31st in Vietnam is still the 30th in UTC: Vietnam's date counts
    assert days_left(CLOSES, at(31, 0, 30)) == 0


def test_a_window_closing_at_midnight_ends_the_day_before(ctx):
    """Closing at 00:00 on 1/1 is closing at the end of 31/12: that is its last
    day (said so on it), not 1/1, when it is already closed."""
    midnight = vn_day_start(date(2027, 1, 1))
    assert last_day(midnight) == date(2026, 12, 31) == last_day(CLOSES)
    assert last_day(at(31, 8, 0)) == date(2026, 12, 31)
    for day in (24, 29, 30, 31):
        assert days_left(midnight, morning(day)) == days_left(CLOSES, morning(day))


def test_days_left_in_words(app):
    with app.test_request_context():
        assert days_left_text(7) == "còn 7 ngày"
        assert days_left_text(1) == "còn 1 ngày"
        assert days_left_text(0) == "hôm nay là ngày cuối"
        with force_locale("en"):
            assert days_left_text(1) == "1 day left"
            assert days_left_text(3) == "3 days left"
            assert days_left_text(0) == "today is the last day"


def test_the_email_says_the_last_day_and_the_days_left(ctx, tmp_path):
    campaign, _tree = december_campaign(tmp_path)
    reminder = services.due_scheduled(morning(24))[0]
    texts = {
        day: mailing.compose(reminder, user("in1"), morning(day))
        for day in (24, 30, 31)
    }
    for subject, _body in texts.values():
        assert subject == (
            "Nhắc nhở: hoàn thành “Bồi dưỡng năm 2026”, hạn cuối 31/12/2026"
        )
    assert "kết thúc lúc 23:59 ngày 31/12/2026 (còn 7 ngày)." in texts[24][1]
    assert "(còn 1 ngày)." in texts[30][1]
    assert "(hôm nay là ngày cuối)." in texts[31][1]
    assert "0 ngày" not in texts[31][1]


def test_the_home_page_counts_and_the_campaign_agree(ctx, tmp_path):
    campaign, _tree = december_campaign(tmp_path)
    for day, left in ((24, 7), (29, 2), (30, 1), (31, 0)):
        [info] = campaigns_for(user("in1"), morning(day))
        assert info.days_left == days_left(campaign.closes_at, morning(day)) == left


def test_on_its_last_day_the_home_page_says_so(app, client, auth, tmp_path):
    from app.timeutil import to_vn, utcnow

    with app.app_context():
        today = to_vn(utcnow()).date()
        campaign, tree = make_campaign(tmp_path, vn_day_start(today), vn_day_end(today))
        services.send_manual(campaign, tree["D"], None)
        db.session.commit()
    auth.login("in1")
    page = client.get("/").get_data(as_text=True)
    assert page.count("hôm nay là ngày cuối") == 2  # the notice and the campaign
    assert "còn 0 ngày" not in page
