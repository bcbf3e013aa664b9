"""A unit's own quiz window may open before the campaign's own does (a department
starting early): its cadres' reminders are shown, fall due and are emailed by that
window, not by the campaign's opening."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.quizzes.models import QuizWindow
from app.records import campaigns as running
from app.reminders import notices, services
from app.reminders.models import PENDING, ReminderDelivery
from app.timeutil import utcnow

from .helpers import setup, user
from .test_views import signed_in


@pytest.fixture
def config_overrides(smtp):
    return smtp.config()


def early_d1(tmp_path):
    """C2026 (subtree D) opens in 3 days; D1's own window (in2 in D1, in1 in D1A)
    opened an hour ago and closes tomorrow (committed)."""
    campaign, tree = setup(tmp_path)
    now = utcnow()
    running.edit_campaign(
        campaign,
        campaign.title,
        now + timedelta(days=3),
        campaign.closes_at,
        [tree["D"]],
    )
    running.set_unit_window(
        campaign, tree["D1"], now - timedelta(hours=1), now + timedelta(days=1)
    )
    db.session.commit()
    return campaign, tree


def test_the_notice_shows_while_the_units_own_window_is_open(app, client, tmp_path):
    with app.app_context():
        campaign, tree = early_d1(tmp_path)
        services.send_manual(campaign, tree["D1"], user("hr"), "Làm sớm nhé!")
        db.session.commit()
        closes = db.session.scalar(select(QuizWindow.closes_at))
        (notice,) = notices.active_notices(user("in1"))
        assert notice.campaign.id == campaign.id and notice.closes_at == closes
    signed_in(client, "in1")
    page = client.get("/").get_data(as_text=True)
    assert "Nhắc nhở: Bồi dưỡng năm 2026" in page and "Làm sớm nhé!" in page


def test_the_units_pending_emails_are_found(ctx, tmp_path):
    campaign, tree = early_d1(tmp_path)
    reminder = services.send_manual(campaign, tree["D1"], user("hr"))
    db.session.commit()
    states = db.session.scalars(
        select(ReminderDelivery.email_state).where(
            ReminderDelivery.reminder_id == reminder.id
        )
    ).all()
    assert states == [PENDING, PENDING]
    assert services.with_pending_email() == [reminder]


def test_due_reminds_and_emails_by_the_units_own_window(app, runner, smtp, tmp_path):
    with app.app_context():
        early_d1(tmp_path)
    result = runner.invoke(args=["reminders", "due"])
    assert result.exit_code == 0, result.output
    assert "Đợt C2026, đơn vị D1: nhắc 2 ngày trước khi đóng, 2 cán bộ." in (
        result.output
    )
    assert "Đã gửi 2 thư nhắc nhở." in result.output
    assert smtp.handler.recipients() == ["in1@example.org", "in2@example.org"]
    result = runner.invoke(args=["reminders", "due"])
    assert "Không có lời nhắc định kỳ nào đến hạn." in result.output
    assert len(smtp.handler.messages) == 2
