"""Who is reminded, one delivery per cadre per reminder, the scheduled reminders
made once, and what the HR page counts — without an SMTP server (in-app only)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.errors import DomainError
from app.extensions import db
from app.reminders import services
from app.reminders.models import (
    MAIL_OFF,
    MANUAL,
    NO_ADDRESS,
    SCHEDULED_2D,
    SCHEDULED_7D,
    Reminder,
    ReminderDelivery,
)
from app.timeutil import utcnow

from .helpers import complete, setup, user


def reminded(reminder) -> set[str]:
    return {
        d.user.username
        for d in db.session.scalars(
            select(ReminderDelivery).where(ReminderDelivery.reminder_id == reminder.id)
        )
    }


def test_completed_and_inactive_cadres_and_other_subtrees_are_not_reminded(
    ctx, tmp_path
):
    campaign, tree = setup(tmp_path)
    assert services.preview(campaign, tree["D"]).total == 2
    complete("in1")
    reminder = services.send_manual(campaign, tree["D"], user("hr"))
    db.session.commit()
    assert reminded(reminder) == {"in2"}  # in1 completed; out is in C, not in D

    user("in2").active = False
    db.session.commit()
    with pytest.raises(DomainError, match="Không có cán bộ nào cần nhắc"):
        services.send_manual(campaign, tree["D"], user("hr"))


def test_a_reminder_reaches_only_the_chosen_subtree(ctx, tmp_path):
    campaign, tree = setup(tmp_path)
    reminder = services.send_manual(campaign, tree["D1A"], user("hr"), "Nhanh lên")
    db.session.commit()
    assert reminded(reminder) == {"in1"}
    assert reminder.message == "Nhanh lên" and reminder.kind == MANUAL


def test_without_mail_server_deliveries_are_in_app_only(ctx, tmp_path):
    campaign, tree = setup(tmp_path)
    user("in2").email = None
    db.session.commit()
    info = services.preview(campaign, tree["D"])
    assert (info.total, info.with_address, info.mail_on, info.emails) == (
        2,
        1,
        False,
        0,
    )
    reminder = services.send_manual(campaign, tree["D"], user("hr"))
    db.session.commit()
    states = {d.user.username: d.email_state for d in reminder_deliveries(reminder)}
    assert states == {"in1": MAIL_OFF, "in2": NO_ADDRESS}
    assert reminder.with_email is False


def reminder_deliveries(reminder):
    return db.session.scalars(
        select(ReminderDelivery).where(ReminderDelivery.reminder_id == reminder.id)
    ).all()


def test_the_database_refuses_a_second_delivery_to_a_cadre(ctx, tmp_path):
    campaign, tree = setup(tmp_path)
    reminder = services.send_manual(campaign, tree["D"], user("hr"))
    db.session.commit()
    db.session.add(ReminderDelivery(reminder_id=reminder.id, user_id=user("in1").id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert len(reminder_deliveries(reminder)) == 2


def test_a_closed_campaign_and_a_long_message_are_refused(ctx, tmp_path):
    campaign, tree = setup(tmp_path)
    with pytest.raises(DomainError, match="dài quá"):
        services.send_manual(campaign, tree["D"], user("hr"), "x" * 1001)
    later = campaign.closes_at + timedelta(seconds=1)
    with pytest.raises(DomainError, match="chưa mở hoặc đã kết thúc"):
        services.send_manual(campaign, tree["D"], user("hr"), now=later)


def count_reminders(**where) -> int:
    return db.session.scalar(select(func.count(Reminder.id)).filter_by(**where))


def test_scheduled_reminders_are_made_once_each(ctx, tmp_path):
    campaign, _tree = setup(tmp_path)
    closes = campaign.closes_at
    assert services.due_scheduled(closes - timedelta(days=8)) == []

    made = services.due_scheduled(closes - timedelta(days=6, hours=23))
    db.session.commit()
    assert [r.kind for r in made] == [SCHEDULED_7D]
    assert reminded(made[0]) == {"in1", "in2"}  # the campaign's whole scope
    assert services.due_scheduled(closes - timedelta(days=6)) == []

    made = services.due_scheduled(closes - timedelta(days=1))
    db.session.commit()
    assert [r.kind for r in made] == [SCHEDULED_2D]
    assert services.due_scheduled(closes - timedelta(hours=2)) == []
    assert services.due_scheduled(closes + timedelta(hours=1)) == []
    assert count_reminders(kind=SCHEDULED_7D) == count_reminders(kind=SCHEDULED_2D) == 1


def test_a_campaign_first_seen_two_days_before_it_closes_gets_one_reminder(
    ctx, tmp_path
):
    campaign, _tree = setup(tmp_path)
    made = services.due_scheduled(campaign.closes_at - timedelta(days=1))
    db.session.commit()
    assert [r.kind for r in made] == [SCHEDULED_2D]
    assert count_reminders() == 1


def test_the_database_refuses_a_second_scheduled_reminder(ctx, tmp_path):
    campaign, _tree = setup(tmp_path)
    services.due_scheduled(campaign.closes_at - timedelta(days=3))
    db.session.commit()
    closes = campaign.closes_at
    db.session.add(
        Reminder(
            campaign_id=campaign.id,
            kind=SCHEDULED_7D,
            message="",
            window_closes_at=closes,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    for _ in range(2):  # manual reminders are not limited
        db.session.add(Reminder(campaign_id=campaign.id, kind=MANUAL, message=""))
    db.session.commit()


def test_a_window_moved_to_another_day_is_reminded_of_its_new_close(ctx, tmp_path):
    """The 2-day reminder went out; the campaign is then extended by a week: its
    new close gets its own 7- and 2-day reminders. Moved by hours within its last
    day, it is the same deadline: no reminder again."""
    campaign, _tree = setup(tmp_path)
    first = campaign.closes_at
    assert [r.kind for r in services.due_scheduled(first - timedelta(days=1))] == [
        SCHEDULED_2D
    ]
    db.session.commit()
    campaign.closes_at = first - timedelta(hours=3)  # same last day
    db.session.commit()
    assert services.due_scheduled(first - timedelta(hours=20)) == []
    later = first + timedelta(days=7)
    campaign.closes_at = later
    db.session.commit()
    made = services.due_scheduled(later - timedelta(days=6, hours=23))
    db.session.commit()
    assert [(r.kind, r.window_closes_at) for r in made] == [(SCHEDULED_7D, later)]
    assert reminded(made[0]) == {"in1", "in2"}
    made = services.due_scheduled(later - timedelta(days=1))
    db.session.commit()
    assert [r.kind for r in made] == [SCHEDULED_2D]
    assert services.due_scheduled(later - timedelta(hours=2)) == []
    assert count_reminders(kind=SCHEDULED_2D) == 2


def test_the_list_counts_only_the_viewers_subtree(ctx, tmp_path):
    campaign, tree = setup(tmp_path)
    services.due_scheduled(campaign.closes_at - timedelta(days=5))
    services.send_manual(campaign, tree["D1A"], user("hr"), now=utcnow())
    db.session.commit()
    everywhere = services.reminder_rows(campaign, None)
    # newest first: the scheduled one is dated 5 days before the campaign closes
    assert [(r.reminder.kind, r.total, r.no_email) for r in everywhere] == [
        (SCHEDULED_7D, 2, 2),
        (MANUAL, 1, 1),
    ]
    d1a_only = services.reminder_rows(campaign, [tree["D1A"].path])
    assert [(r.reminder.kind, r.total) for r in d1a_only] == [
        (SCHEDULED_7D, 1),
        (MANUAL, 1),
    ]
    assert services.reminder_rows(campaign, [tree["C"].path]) == []


def test_scheduled_reminders_follow_a_units_own_window_close(ctx, tmp_path):
    from app.records import campaigns as running
    from tests.factories import make_user

    campaign, tree = setup(tmp_path)  # the campaign closes in 30 days
    make_user("d0", tree["D"])  # in the campaign, outside D1
    now = utcnow()
    running.set_unit_window(
        campaign, tree["D1"], now - timedelta(days=1), now + timedelta(days=1)
    )
    db.session.commit()
    # D1's cadres' quiz closes tomorrow: they are due their 2-day reminder now
    (made,) = services.due_scheduled(now)
    assert (made.kind, made.unit_id, made.window_key) == (
        "scheduled-2d",
        tree["D1"].id,
        tree["D1"].id,
    )
    reminded = _reminded(made)
    d1 = {
        u.id
        for u in db.session.scalars(select(User))
        if u.unit.in_subtree(tree["D1"].path)
    }
    assert reminded and reminded <= d1
    assert services.due_scheduled(now) == []  # once
    # 25 days on, the campaign's own window is due: D1's cadres are not in it
    later = now + timedelta(days=25)
    running.set_unit_window(
        campaign, tree["D1"], now - timedelta(days=1), now + timedelta(days=40)
    )
    (own,) = services.due_scheduled(later)
    assert own.window_key == 0 and own.unit_id is None
    others = _reminded(own)
    assert others == {user("d0").id}


def _reminded(reminder) -> set[int]:
    return set(
        db.session.scalars(
            select(ReminderDelivery.user_id).where(
                ReminderDelivery.reminder_id == reminder.id
            )
        )
    )


def test_an_officers_reminder_reaches_only_cadres_whose_own_window_is_open(
    ctx, tmp_path
):
    """in1 is in D1A, inside D1, where in2 is; the campaign's window is open."""
    from app.records import campaigns as running

    campaign, tree = setup(tmp_path)
    now = utcnow()
    # D1A's quiz opens next week: its cadre is not told to finish now
    running.set_unit_window(
        campaign, tree["D1A"], now + timedelta(days=7), now + timedelta(days=20)
    )
    db.session.commit()
    assert services.preview(campaign, tree["D"]).total == 1
    assert reminded(services.send_manual(campaign, tree["D"], user("hr"))) == {"in2"}
    with pytest.raises(DomainError, match="chưa mở hay đã đóng"):
        services.send_manual(campaign, tree["D1A"], user("hr"))
    # D1's window closed yesterday; D1A's, inside it, is open: only in1
    running.set_unit_window(
        campaign, tree["D1"], now - timedelta(days=9), now - timedelta(days=1)
    )
    running.set_unit_window(
        campaign, tree["D1A"], now - timedelta(days=1), now + timedelta(days=5)
    )
    db.session.commit()
    assert reminded(services.send_manual(campaign, tree["D"], user("hr"))) == {"in1"}
    assert reminded(services.send_manual(campaign, tree["D1A"], user("hr"))) == {"in1"}
    # D1's own cadre (in2) is past its window; D1A's, inside D1, is not
    assert reminded(services.send_manual(campaign, tree["D1"], None)) == {"in1"}
