"""Sending a reminder's emails through Flask-Mailman's SMTP connection, in batches.

Each email is first claimed (PENDING → SENDING, committed), then sent, then
marked SENT or FAILED (committed): so an email leaves at most once, whatever dies
when, and a run that dies leaves at most the one email it was sending uncertain
(SENDING: never re-sent, and shown failed, "interrupted", to the next run once it
is old); a retry sends every other one still pending. When the SMTP server cannot
be reached, the batch's unsent claims go back to PENDING and the run stops with a
DomainError: a retry sends what is left, never what was sent. Before each batch, a
cadre who has completed the campaign since the reminder was made, or failed its quiz
with no attempt left, is not written to (PENDING → DONE; each reason counted apart),
nor one whose window has closed meanwhile (→ CLOSED: the email would ask for what
can no longer be done).

These functions commit (unlike the rest of the services): an email sent is a fact
outside the database, which the database must learn at once. No transaction is
open while the mail server answers: on SQLite a CLI or job transaction holds the
one write lock, and every save of the platform would wait for (or fail on) it.
"""

import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_mailman import EmailMessage
from sqlalchemy import func, select, update

from app.accounts.models import User
from app.config import public_url
from app.deadlines import days_left_text
from app.errors import DomainError
from app.errors import lazy_gettext as _l
from app.extensions import db, mail
from app.records.models import COMPLETED, TrainingRecord
from app.records.services import window_of
from app.timeutil import days_left, format_vn_date, to_vn, utcnow

from .audience import out_of_attempts
from .models import (
    CLOSED,
    DONE,
    FAILED,
    PENDING,
    SENDING,
    SENT,
    Reminder,
    ReminderDelivery,
)

BATCH = 50
# A claim older than this belongs to a run that died: its email may have left.
STALE_CLAIM = timedelta(minutes=30)
INTERRUPTED = "Bị gián đoạn khi đang gửi; không gửi lại để tránh gửi hai lần."
# Stored on the job as a catalogue sentence with no value in it, so that its page
# shows it in the reader's language (jobs.messages.shown); the server's error and
# the count sent so far go to the log (the reminder's page counts what was sent).
UNREACHABLE = _l(
    "Không kết nối được máy chủ thư. Những thư chưa gửi sẽ được gửi khi bấm “Thử "
    "lại” (thư đã gửi không gửi lại)."
)
DEFERRED = _l(
    "Máy chủ thư tạm thời chưa nhận thư (máy chủ bận hoặc giới hạn số thư). Những thư "
    "chưa gửi sẽ được gửi khi bấm “Thử lại” (thư đã gửi không gửi lại)."
)
NOT_CONFIGURED = _l("Chưa cấu hình máy chủ thư (MAIL_SERVER): không gửi được thư.")


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    done: int = 0  # not sent: the cadre completed the campaign meanwhile
    # not sent: the cadre failed the quiz meanwhile, with no attempt left
    out_of_attempts: int = 0
    closed: int = 0  # not sent: the cadre's window closed meanwhile

    @property
    def handled(self) -> int:
        """The deliveries this run dealt with, whatever became of them."""
        return self.sent + self.failed + self.done + self.out_of_attempts + self.closed


def course_url(code: str) -> str:
    """The course's page on the public site (a job has no request to build it
    from): VHCV_PUBLIC_URL + the courses blueprint's path."""
    return f"{public_url(current_app.config)}/courses/{code}"


def sender() -> str:
    return current_app.config.get("MAIL_DEFAULT_SENDER") or "no-reply@localhost"


def compose(
    reminder: Reminder, person: User, now: datetime, closes: datetime | None = None
) -> tuple[str, str]:
    """The subject and plain-text body of `reminder`'s email to `person`, in the
    platform's language (not that of the officer whose request may run the job).
    `closes`: when the cadre's window closes, if the caller knows it already."""
    if closes is None:
        closes = closing_of(reminder, person)
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return _compose(reminder, person, now, closes)


def closing_of(reminder: Reminder, person: User) -> datetime:
    """When `person`'s window of the reminder's campaign closes (its unit's own)."""
    campaign = reminder.campaign
    return window_of(person, campaign).closes_at or campaign.closes_at


def _compose(
    reminder: Reminder, person: User, now: datetime, closes: datetime
) -> tuple[str, str]:
    campaign = reminder.campaign
    # "hạn cuối" (the last day itself allowed), not "trước ngày" (read as the
    # day before); the days left in calendar days, "hôm nay là ngày cuối" on it.
    subject = _(
        "Nhắc nhở: hoàn thành “%(title)s”, hạn cuối %(date)s",
        title=campaign.title,
        date=format_vn_date(closes),
    )
    lines = [
        _("Kính gửi %(name)s,", name=person.full_name),
        "",
        _(
            "Đồng chí chưa hoàn thành đợt bồi dưỡng “%(title)s”. Đợt bồi dưỡng "
            "kết thúc lúc %(hour)s ngày %(date)s (%(left)s).",
            title=campaign.title,
            hour=to_vn(closes).strftime("%H:%M"),
            date=format_vn_date(closes),
            left=days_left_text(days_left(closes, now)),
        ),
    ]
    if reminder.message:
        lines += ["", reminder.message]
    lines += [
        "",
        _("Vào học tại: %(url)s", url=course_url(campaign.course_code)),
        "",
        _("Thư này được gửi tự động; vui lòng không trả lời."),
        current_app.config["ORG_NAME"],
    ]
    return subject, "\n".join(lines)


def send_pending(
    reminder: Reminder,
    step: Callable[[int, int], None] | None = None,
    now: Callable[[], datetime] = utcnow,
) -> SendResult:
    """Send `reminder`'s pending emails; `step(done, total)` after each batch.
    Commits. Raises DomainError when MAIL_SERVER is unset or the server cannot be
    reached (what was sent stays sent)."""
    if not current_app.config.get("MAIL_SERVER"):
        raise DomainError(NOT_CONFIGURED)
    _fail_stale_claims(reminder, now())
    total = _count(reminder, PENDING)
    result = SendResult()
    connection = mail.get_connection()
    try:
        while ids := _next_batch(reminder, result):
            _send_batch(reminder, ids, connection, result, now)
            if step is not None:
                step(result.handled, total)
    finally:
        _close(connection)
    return result


def _count(reminder: Reminder, state: str) -> int:
    return db.session.scalar(
        select(func.count(ReminderDelivery.id)).where(
            ReminderDelivery.reminder_id == reminder.id,
            ReminderDelivery.email_state == state,
        )
    )


def _fail_stale_claims(reminder: Reminder, moment: datetime) -> None:
    db.session.execute(
        update(ReminderDelivery)
        .where(
            ReminderDelivery.reminder_id == reminder.id,
            ReminderDelivery.email_state == SENDING,
            ReminderDelivery.email_claimed_at < moment - STALE_CLAIM,
        )
        .values(email_state=FAILED, email_error=INTERRUPTED)
    )
    db.session.commit()


def _next_batch(reminder: Reminder, result: SendResult) -> list[int]:
    """The ids of up to BATCH pending deliveries, to be claimed one by one as
    each is sent (_claim). First, those of cadres who have completed the campaign
    meanwhile, or failed it with no attempt left (audience.out_of_attempts: no
    longer reminded), are set DONE (committed), each counted under its own
    reason."""
    completed = select(TrainingRecord.user_id).where(
        TrainingRecord.campaign_id == reminder.campaign_id,
        TrainingRecord.status == COMPLETED,
    )
    result.done += _set_done(reminder, completed)
    # (apart from the completed: out_of_attempts reads records not completed)
    result.out_of_attempts += _set_done(reminder, out_of_attempts(reminder.campaign))
    db.session.commit()
    return db.session.scalars(
        select(ReminderDelivery.id)
        .where(
            ReminderDelivery.reminder_id == reminder.id,
            ReminderDelivery.email_state == PENDING,
        )
        .order_by(ReminderDelivery.id)
        .limit(BATCH)
    ).all()


def _claim(delivery_id: int, moment: datetime) -> bool:
    """Claim one pending delivery for this run (a conditional UPDATE whose row
    count says whether this run got it: another run may have), committed."""
    claimed = db.session.execute(
        update(ReminderDelivery)
        .where(
            ReminderDelivery.id == delivery_id,
            ReminderDelivery.email_state == PENDING,
        )
        .values(email_state=SENDING, email_claimed_at=moment)
    ).rowcount
    db.session.commit()
    return claimed == 1


def _set_done(reminder: Reminder, user_ids) -> int:
    """Set DONE the pending deliveries of `user_ids` (a query or a set); how many."""
    return db.session.execute(
        update(ReminderDelivery)
        .where(
            ReminderDelivery.reminder_id == reminder.id,
            ReminderDelivery.email_state == PENDING,
            ReminderDelivery.user_id.in_(user_ids),
        )
        .values(email_state=DONE)
    ).rowcount


def _send_batch(reminder, ids, connection, result: SendResult, now) -> None:
    rows = db.session.execute(
        select(ReminderDelivery, User)
        .join(User, User.id == ReminderDelivery.user_id)
        .where(ReminderDelivery.id.in_(ids))
        .order_by(ReminderDelivery.id)
    ).all()
    closes_by_unit: dict[int, datetime] = {}  # cadres of one unit share a window
    for delivery, person in rows:
        if not _claim(delivery.id, now()):  # taken by another run meanwhile
            continue
        if person.unit_id not in closes_by_unit:
            closes_by_unit[person.unit_id] = closing_of(reminder, person)
        closes = closes_by_unit[person.unit_id]
        if closes <= now():
            delivery.email_state = CLOSED
            result.closed += 1
            db.session.commit()
            continue
        subject, body = compose(reminder, person, now(), closes)
        message = EmailMessage(
            subject,
            body,
            from_email=sender(),
            to=[delivery.email],
            connection=connection,
            headers={"Auto-Submitted": "auto-generated"},
        )
        db.session.commit()  # none open while the server answers (SQLite's lock)
        if connection.connection is None:
            try:
                connection.open()
            except OSError as error:
                _stop(reminder, delivery, result, error, UNREACHABLE)
        try:
            connection.send_messages([message])
        except OSError as error:  # smtplib.SMTPException is an OSError
            if _temporary(error):  # not taken: this one and the rest wait for a retry
                _stop(reminder, delivery, result, error, DEFERRED)
            delivery.email_state, delivery.email_error = FAILED, _short(error)
            result.failed += 1
            if not isinstance(error, _RECIPIENT_ERRORS):
                _close(connection)  # the connection may be broken: a new one next
        else:
            delivery.email_state, delivery.email_sent_at = SENT, now()
            result.sent += 1
        db.session.commit()  # each email's fact as soon as it is known


# Refusals of one message: the connection is still good for the next.
_RECIPIENT_ERRORS = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
)


def _stop(reminder, delivery, result: SendResult, error: OSError, why) -> None:
    """End the run: the claim of `delivery`, the one email this run was sending
    (never handed to the server), given back for a retry — only this run's: the
    later rows are unclaimed, or another run's, sending them now — the server's
    error and the count sent so far to the log, `why` to the job."""
    _release([delivery.id])
    current_app.logger.warning(
        "reminder %s: the mail server stopped the run (%s) after %s sent",
        reminder.id,
        _short(error),
        result.sent,
    )
    raise DomainError(why) from None


def _temporary(error: OSError) -> bool:
    """The server's reply is a 4xx (RFC 5321: try again later): the message was
    not taken, so sending it again later sends it once."""
    codes = [getattr(error, "smtp_code", None)]
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in error.recipients.values()]
    return bool(codes) and all(isinstance(c, int) and 400 <= c < 500 for c in codes)


def _release(ids: list[int]) -> None:
    """Give back claims whose email was never handed to the server."""
    db.session.rollback()
    db.session.execute(
        update(ReminderDelivery)
        .where(ReminderDelivery.id.in_(ids), ReminderDelivery.email_state == SENDING)
        .values(email_state=PENDING, email_claimed_at=None)
    )
    db.session.commit()


def _close(connection) -> None:
    try:
        connection.close()
    except OSError:
        connection.connection = None


def _short(error: Exception) -> str:
    return (str(error) or type(error).__name__)[:500]
