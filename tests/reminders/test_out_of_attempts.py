"""A cadre who failed the quiz with no attempt left is not reminded (nor counted in
the preview): there is nothing it can finish. One with an attempt left — its
accommodation's extra one included — or one still open, is."""

from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.quizzes import accommodations, attempts
from app.reminders import services
from app.reminders.models import ReminderDelivery
from app.timeutil import utcnow
from tests.records.helpers import read_all

from .helpers import setup, user


def fail_once(person: User, now) -> None:
    attempt = attempts.start_attempt(person, attempts.get_quiz("Q"), now)
    attempts.finalise(attempt, now)  # nothing answered: failed
    db.session.commit()


def reminded_now(campaign, unit) -> set[str]:
    reminder = services.send_manual(campaign, unit, None)
    db.session.commit()
    rows = db.session.scalars(
        select(ReminderDelivery).where(ReminderDelivery.reminder_id == reminder.id)
    )
    return {d.user.username for d in rows}


def test_a_cadre_failed_with_no_attempt_left_is_not_reminded(ctx, tmp_path):
    campaign, tree = setup(tmp_path)  # quiz Q: 2 attempts
    now = utcnow()
    in1 = user("in1")
    read_all(in1, now)
    fail_once(in1, now)
    assert services.preview(campaign, tree["D"]).total == 2  # one attempt left
    fail_once(in1, now)
    assert services.preview(campaign, tree["D"]).total == 1
    assert reminded_now(campaign, tree["D"]) == {"in2"}

    accommodations.grant(in1, attempts.get_quiz("Q"), "Khuyết tật", extra_attempts=1)
    db.session.commit()
    assert services.preview(campaign, tree["D"]).total == 2  # the extra attempt
    attempts.start_attempt(in1, attempts.get_quiz("Q"), now)  # left open
    db.session.commit()
    assert services.preview(campaign, tree["D"]).total == 2  # it can still finish


def test_a_notice_given_before_the_last_attempt_no_longer_shows(ctx, tmp_path):
    """Reminded with an attempt left, the cadre then fails it: its home page no
    longer tells it to finish (the notice follows who is reminded)."""
    from app.reminders import notices

    campaign, tree = setup(tmp_path)  # quiz Q: 2 attempts
    now = utcnow()
    in1 = user("in1")
    read_all(in1, now)
    fail_once(in1, now)
    assert "in1" in reminded_now(campaign, tree["D"])
    assert [n.campaign.id for n in notices.active_notices(in1)] == [campaign.id]
    fail_once(in1, now)
    assert notices.active_notices(in1) == []
    assert [n.campaign.id for n in notices.active_notices(user("in2"))] == [campaign.id]
