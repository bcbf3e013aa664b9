"""Emails through a real SMTP server (aiosmtpd on a free local port): Vietnamese
subject and body intact, each email sent once whatever the reruns and retries, a
refused address failed alone, an unreachable server leaving the rest to a retry."""

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select, update

from app.errors import DomainError
from app.extensions import db
from app.jobs import services as jobs
from app.jobs.messages import outcome, shown
from app.jobs.models import FAILED as JOB_FAILED
from app.jobs.models import FINISHED, Job
from app.reminders import mailing, services
from app.reminders.jobs import KIND
from app.reminders.models import (
    CLOSED,
    DONE,
    FAILED,
    PENDING,
    SENDING,
    SENT,
    ReminderDelivery,
)
from app.timeutil import format_vn_date, utcnow

from .helpers import complete, setup, user


@pytest.fixture
def config_overrides(smtp):
    return smtp.config()


def states(reminder) -> dict[str, str]:
    rows = db.session.scalars(
        select(ReminderDelivery).where(ReminderDelivery.reminder_id == reminder.id)
    )
    return {d.user.username: d.email_state for d in rows}


def test_the_email_arrives_with_its_vietnamese_intact(ctx, smtp, tmp_path):
    campaign, tree = setup(tmp_path)
    reminder = services.send_manual(
        campaign, tree["D1A"], user("hr"), "Đề nghị đồng chí hoàn thành sớm."
    )
    db.session.commit()
    result = mailing.send_pending(reminder)
    assert (result.sent, result.failed) == (1, 0)
    [(recipients, message)] = smtp.handler.messages
    assert recipients == ["in1@example.org"]
    # Encoded words (RFC 2047), folded from the first line: the parser keeps the
    # folding's space, which mail clients drop.
    assert message["Subject"].strip() == (
        "Nhắc nhở: hoàn thành “Bồi dưỡng năm 2026”, hạn cuối "
        + format_vn_date(campaign.closes_at)
    )
    assert "Sở Nội vụ" in message["From"]
    body = message.get_content()
    assert "Kính gửi Nguyễn Văn An," in body
    assert "Đề nghị đồng chí hoàn thành sớm." in body
    assert "http://127.0.0.1:5000/courses/T" in body
    assert states(reminder) == {"in1": SENT}


def test_sending_twice_sends_once(ctx, smtp, tmp_path):
    campaign, tree = setup(tmp_path)
    reminder = services.send_manual(campaign, tree["D"], user("hr"))
    db.session.commit()
    assert mailing.send_pending(reminder).sent == 2
    assert mailing.send_pending(reminder).sent == 0
    assert smtp.handler.recipients() == ["in1@example.org", "in2@example.org"]


def test_a_rerun_skips_what_was_sent_and_what_a_dead_run_was_sending(
    ctx, smtp, tmp_path
):
    """As after a run that died: in1's email sent, in2's claimed (it may have
    left): a new run sends neither, and reports in2's as interrupted once old."""
    campaign, tree = setup(tmp_path)
    reminder = services.send_manual(campaign, tree["D"], user("hr"))
    db.session.commit()
    db.session.execute(
        update(ReminderDelivery)
        .where(ReminderDelivery.user_id == user("in1").id)
        .values(email_state=SENT, email_sent_at=utcnow())
    )
    db.session.execute(
        update(ReminderDelivery)
        .where(ReminderDelivery.user_id == user("in2").id)
        .values(email_state=SENDING, email_claimed_at=utcnow())
    )
    db.session.commit()
    assert mailing.send_pending(reminder).sent == 0
    assert smtp.handler.messages == []
    assert states(reminder) == {"in1": SENT, "in2": SENDING}
    later = utcnow() + mailing.STALE_CLAIM * 2
    assert mailing.send_pending(reminder, now=lambda: later).sent == 0
    assert states(reminder) == {"in1": SENT, "in2": FAILED}
    assert smtp.handler.messages == []


def test_a_run_that_dies_leaves_only_the_email_it_was_sending_uncertain(
    ctx, smtp, tmp_path, monkeypatch
):
    """Each email is claimed as it is sent, not its batch before any is: a run
    killed while writing the first email leaves that one claimed (never re-sent)
    and every other still pending, which the retry sends."""
    campaign, tree = setup(tmp_path)
    reminder = services.send_manual(campaign, tree["D"], user("hr"))
    db.session.commit()
    compose = mailing.compose

    def killed(*args, **kwargs):  # nothing after it runs, as with kill -9
        raise SystemExit("killed")

    monkeypatch.setattr(mailing, "compose", killed)
    with pytest.raises(SystemExit):
        mailing.send_pending(reminder)
    db.session.rollback()
    after = states(reminder)
    assert sorted(after.values()) == [PENDING, SENDING]
    [(left, _)] = [item for item in after.items() if item[1] == PENDING]
    monkeypatch.setattr(mailing, "compose", compose)
    assert mailing.send_pending(reminder).sent == 1
    assert smtp.handler.recipients() == [f"{left}@example.org"]
    assert states(reminder)[left] == SENT


def test_a_stopped_run_gives_back_only_its_own_claim(ctx, smtp, tmp_path, monkeypatch):
    """The server defers this run's email: the run stops and gives that claim
    back, not the claim another run took meanwhile of a later delivery (given
    back, a third run would send that email a second time)."""
    campaign, tree = setup(tmp_path)
    reminder = services.send_manual(campaign, tree["D"], user("hr"))
    db.session.commit()
    compose = mailing.compose

    def meanwhile(reminder_, person, *args, **kwargs):  # another run claims the rest
        db.session.execute(
            update(ReminderDelivery)
            .where(
                ReminderDelivery.reminder_id == reminder_.id,
                ReminderDelivery.user_id != person.id,
            )
            .values(email_state=SENDING, email_claimed_at=utcnow())
        )
        db.session.commit()
        return compose(reminder_, person, *args, **kwargs)

    monkeypatch.setattr(mailing, "compose", meanwhile)
    smtp.handler.defer_after = 0
    with pytest.raises(DomainError):
        mailing.send_pending(reminder)
    assert sorted(states(reminder).values()) == [PENDING, SENDING]


def test_a_refused_address_fails_alone(ctx, smtp, tmp_path):
    campaign, tree = setup(tmp_path)
    smtp.handler.refuse.add("in1@example.org")
    reminder = services.send_manual(campaign, tree["D"], user("hr"))
    db.session.commit()
    result = mailing.send_pending(reminder)
    assert (result.sent, result.failed) == (1, 1)
    assert smtp.handler.recipients() == ["in2@example.org"]
    assert states(reminder) == {"in1": FAILED, "in2": SENT}
    failed = db.session.scalar(
        select(ReminderDelivery).where(ReminderDelivery.email_state == FAILED)
    )
    assert "550" in failed.email_error


def test_the_job_sends_and_its_retry_sends_only_what_is_left(app, smtp, tmp_path):
    """The server is down: the job fails, nothing sent, everything still pending;
    once it is up, the retry sends each email once."""
    with app.app_context():
        campaign, tree = setup(tmp_path)
        reminder = services.send_manual(campaign, tree["D"], user("hr"))
        db.session.commit()
        smtp.stop()
        job = jobs.submit(KIND, "Gửi thư", None, {"reminder": reminder.id})
        job_id = job.id
        db.session.expire_all()
        assert job.state == JOB_FAILED
        assert "Không kết nối được máy chủ thư" in job.message
        with force_locale("en"):  # the job's page, read in English
            assert shown(job.message).startswith("Could not connect to the mail server")
        assert set(states(reminder).values()) == {PENDING}

        smtp.start()
        jobs.retry(job)
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        assert job.state == FINISHED, job.message
        assert job.message == "Đã gửi 2 thư nhắc nhở."
        assert smtp.handler.recipients() == ["in1@example.org", "in2@example.org"]

        again = jobs.submit(KIND, "Gửi thư", None, {"reminder": reminder.id})
        assert again.state == FINISHED and again.message == "Đã gửi 0 thư nhắc nhở."
        assert len(smtp.handler.messages) == 2


def test_a_server_deferring_leaves_the_rest_for_a_retry(app, smtp, tmp_path):
    """A 4xx reply (try again later) is no refusal: that email and the rest stay
    pending, the job fails with a retry, and the retry sends each email once."""
    with app.app_context():
        campaign, tree = setup(tmp_path)
        reminder = services.send_manual(campaign, tree["D"], user("hr"))
        db.session.commit()
        smtp.handler.defer_after = 1
        job = jobs.submit(KIND, "Gửi thư", None, {"reminder": reminder.id})
        job_id = job.id
        db.session.expire_all()
        assert job.state == JOB_FAILED and "tạm thời chưa nhận thư" in job.message
        with force_locale("en"):
            assert shown(job.message).startswith("The mail server is not taking")
        assert sorted(states(reminder).values()) == [PENDING, SENT]
        smtp.handler.defer_after = None
        jobs.retry(job)
        db.session.expire_all()
        assert db.session.get(Job, job_id).state == FINISHED
        assert smtp.handler.recipients() == ["in1@example.org", "in2@example.org"]
        assert set(states(reminder).values()) == {SENT}


def test_a_cadre_who_completed_since_the_reminder_gets_no_email(app, smtp, tmp_path):
    """Made at 8:00, sent at 9:00: in2 finished in between, and is not asked to."""
    with app.app_context():
        campaign, tree = setup(tmp_path)
        reminder = services.send_manual(campaign, tree["D"], user("hr"))
        db.session.commit()
        assert set(states(reminder).values()) == {PENDING}
        complete("in2")
        job = jobs.submit(KIND, "Gửi thư", None, {"reminder": reminder.id})
        assert job.state == FINISHED, job.message
        assert job.message == (
            "Đã gửi 1 thư nhắc nhở. 1 người đã hoàn thành trước khi thư được gửi:"
            " không gửi."
        )
        assert smtp.handler.recipients() == ["in1@example.org"]
        assert states(reminder) == {"in1": SENT, "in2": DONE}
        [row] = services.reminder_rows(campaign, None)
        assert (row.total, row.sent, row.waiting, row.no_email) == (2, 1, 0, 1)
        # sent again: nothing more, and in2 still not written to
        assert mailing.send_pending(reminder).sent == 0
        assert smtp.handler.recipients() == ["in1@example.org"]


def test_no_email_leaves_once_the_cadres_window_has_closed(app, smtp, tmp_path):
    """The mail server was down until after the window closed: the retry sends
    nothing (the email would ask for what can no longer be done) and says so."""
    with app.app_context():
        campaign, tree = setup(tmp_path)
        reminder = services.send_manual(campaign, tree["D"], user("hr"))
        db.session.commit()
        after = campaign.closes_at + timedelta(hours=1)
        result = mailing.send_pending(reminder, now=lambda: after)
        assert (result.sent, result.closed) == (0, 2)
        assert smtp.handler.messages == []
        assert states(reminder) == {"in1": CLOSED, "in2": CLOSED}
        [row] = services.reminder_rows(campaign, None)
        assert (row.total, row.sent, row.waiting, row.no_email) == (2, 0, 0, 2)
        assert mailing.send_pending(reminder).sent == 0  # and never later
        assert smtp.handler.messages == []


def test_the_hr_page_sends_the_emails_as_a_job(app, client, smtp, tmp_path):
    from tests.conftest import AuthActions

    with app.app_context():
        _campaign, tree = setup(tmp_path)
        d1 = tree["D1"].id
    auth = AuthActions(client)
    auth.login("hr")
    page = client.get(f"/reports/reminders?campaign=C2026&unit={d1}")
    assert "2 người trong số đó có địa chỉ email" in page.get_data(as_text=True)
    response = client.post(
        "/reports/reminders",
        data={"campaign": "C2026", "unit": d1, "csrf_token": auth.token("/")},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Đã gửi 2 thư nhắc nhở." in page  # the job's page, run inline
    assert smtp.handler.recipients() == ["in1@example.org", "in2@example.org"]
    listing = client.get(f"/reports/reminders?campaign=C2026&unit={d1}")
    assert "Thư đã gửi" in listing.get_data(as_text=True)


def test_due_makes_the_scheduled_reminder_once_and_sends_it(
    app, runner, smtp, tmp_path
):
    from tests.reminders.test_cli import closes_in_a_day

    with app.app_context():
        campaign, _tree = setup(tmp_path)
        closes_in_a_day(campaign, days=6)  # the 7-day reminder is due
    result = runner.invoke(args=["reminders", "due"])
    assert result.exit_code == 0, result.output
    assert "Đợt C2026: nhắc 7 ngày trước khi đóng, 2 cán bộ." in result.output
    assert "Đã gửi 2 thư nhắc nhở." in result.output
    result = runner.invoke(args=["reminders", "due"])
    assert result.exit_code == 0, result.output
    assert "Không có lời nhắc định kỳ nào đến hạn." in result.output
    assert len(smtp.handler.messages) == 2


def test_send_command_sends_the_emails(app, runner, smtp, tmp_path):
    with app.app_context():
        setup(tmp_path)
    result = runner.invoke(
        args=["reminders", "send", "--campaign", "C2026", "--unit", "D1A"]
    )
    assert result.exit_code == 0, result.output
    assert "Đã nhắc 1 cán bộ trên trang chủ." in result.output
    assert "Đã gửi 1 thư nhắc nhở." in result.output
    assert smtp.handler.recipients() == ["in1@example.org"]


def test_a_cadre_out_of_attempts_since_the_reminder_gets_no_email(ctx, smtp, tmp_path):
    """Reminded with its last attempt left, in2 fails it before the email leaves:
    it is no longer reminded (audience.out_of_attempts), so not written to."""
    from app.quizzes import attempts
    from app.timeutil import utcnow

    campaign, tree = setup(tmp_path)  # quiz Q: 2 attempts
    now = utcnow()
    attempt = attempts.start_attempt(user("in2"), attempts.get_quiz("Q"), now)
    attempts.finalise(attempt, now)  # failed: one attempt left
    db.session.commit()
    reminder = services.send_manual(campaign, tree["D"], user("hr"))
    db.session.commit()
    attempt = attempts.start_attempt(user("in2"), attempts.get_quiz("Q"), now)
    attempts.finalise(attempt, now)  # nothing answered: failed, none left
    db.session.commit()
    mailing.send_pending(reminder)
    assert smtp.handler.recipients() == ["in1@example.org"]
    assert states(reminder) == {"in1": SENT, "in2": DONE}


def test_the_job_counts_each_reason_an_email_was_not_sent_apart(app, smtp, tmp_path):
    """Between the reminder and its emails in1 completed the campaign and in2
    failed its quiz with no attempt left: the job's outcome says each reason with
    its own count (not both as "completed"), in the reader's language."""
    from app.quizzes import attempts

    with app.app_context():
        campaign, tree = setup(tmp_path)  # quiz Q: 2 attempts
        reminder = services.send_manual(campaign, tree["D"], user("hr"))
        db.session.commit()
        complete("in1")
        now = utcnow()
        for _ in range(2):  # nothing answered: failed, then none left
            attempt = attempts.start_attempt(user("in2"), attempts.get_quiz("Q"), now)
            attempts.finalise(attempt, now)
            db.session.commit()
        job = jobs.submit(KIND, "Gửi thư", None, {"reminder": reminder.id})
        assert job.state == FINISHED, job.message
        assert job.message == (
            "Đã gửi 0 thư nhắc nhở. 1 người đã hoàn thành trước khi thư được gửi:"
            " không gửi. 1 người đã hết lượt làm bài (chưa đạt) trước khi thư được"
            " gửi: không gửi."
        )
        with force_locale("en"):
            said = outcome(job)
        assert said == (
            "Sent 0 reminder emails. 1 had completed before the email left: not"
            " sent. 1 had used up their attempts without passing before the email"
            " left: not sent."
        )
        assert smtp.handler.messages == []
        assert states(reminder) == {"in1": DONE, "in2": DONE}
