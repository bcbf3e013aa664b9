"""`flask reminders send` (dry run, in-app only, with email) and `flask reminders
due` (scheduled reminders once each, then their emails)."""

from datetime import timedelta

from sqlalchemy import func, select, update

from app.audit.models import AuditEvent
from app.extensions import db
from app.records.models import Campaign
from app.reminders.models import Reminder, ReminderDelivery
from app.timeutil import utcnow

from .helpers import setup


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_dry_run_counts_and_writes_nothing(app, runner, tmp_path):
    with app.app_context():
        setup(tmp_path)
    result = runner.invoke(
        args=["reminders", "send", "--campaign", "C2026", "--unit", "D1", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert "Sẽ nhắc 2 cán bộ (2 có địa chỉ email)" in result.output
    assert "chưa ghi gì" in result.output
    with app.app_context():
        assert count(Reminder) == count(ReminderDelivery) == 0
        assert not db.session.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.action == "reminder.created"
            )
        )


def test_send_without_mail_server_reminds_in_app_and_says_so(app, runner, tmp_path):
    with app.app_context():
        setup(tmp_path)
    result = runner.invoke(args=["reminders", "send", "--campaign", "C2026"])
    assert result.exit_code == 0, result.output
    assert "Đã nhắc 2 cán bộ trên trang chủ." in result.output
    assert "không gửi thư điện tử" in result.output
    with app.app_context():
        assert count(ReminderDelivery) == 2


def test_send_refuses_unknown_codes(app, runner, tmp_path):
    with app.app_context():
        setup(tmp_path)
    result = runner.invoke(args=["reminders", "send", "--campaign", "NOPE"])
    assert result.exit_code != 0 and "NOPE" in result.output
    result = runner.invoke(
        args=["reminders", "send", "--campaign", "C2026", "--unit", "XX"]
    )
    assert result.exit_code != 0 and "XX" in result.output
    with app.app_context():
        assert count(Reminder) == 0


def test_due_without_mail_server_makes_the_reminder_once(app, runner, tmp_path):
    with app.app_context():
        campaign, _tree = setup(tmp_path)
        closes_in_a_day(campaign)
    result = runner.invoke(args=["reminders", "due"])
    assert result.exit_code == 0, result.output
    assert "Đợt C2026: nhắc 2 ngày trước khi đóng, 2 cán bộ." in result.output
    assert "không gửi thư điện tử" in result.output
    result = runner.invoke(args=["reminders", "due"])
    assert "Không có lời nhắc định kỳ nào đến hạn." in result.output
    with app.app_context():
        assert count(Reminder) == 1


def closes_in_a_day(campaign, days: float = 1) -> None:
    db.session.execute(
        update(Campaign)
        .where(Campaign.id == campaign.id)
        .values(closes_at=utcnow() + timedelta(days=days))
    )
    db.session.commit()


def test_dry_run_refuses_what_the_send_would(app, runner, tmp_path):
    """A message too long, a campaign closed: the dry run says so, as the send
    would, instead of counting cadres."""
    with app.app_context():
        setup(tmp_path)
    base = ["reminders", "send", "--campaign", "C2026", "--dry-run"]
    result = runner.invoke(args=[*base, "--message", "x" * 1001])
    assert result.exit_code != 0 and "Lời nhắn dài quá 1.000 ký tự." in result.output
    assert "Sẽ nhắc" not in result.output
    with app.app_context():
        db.session.execute(
            update(Campaign).values(closes_at=utcnow() - timedelta(days=1))
        )
        db.session.commit()
    result = runner.invoke(args=base)
    assert result.exit_code != 0 and "đã kết thúc" in result.output
    with app.app_context():
        assert count(Reminder) == 0
