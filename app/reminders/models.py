"""A reminder (to whom a campaign is recalled, by whom, when) and one delivery per
cadre reminded: what the home page shows and dismisses, and how its email went.

A delivery is unique per (reminder, cadre): that constraint, not care in the code,
is what keeps a cadre from being reminded twice by the same reminder, whatever the
retries. Its email is sent only from the state PENDING, which a sender first claims
(SENDING, committed) before it speaks to the SMTP server: a run that dies midway
leaves SENDING, never PENDING, so no retry sends that email again.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Unit, User
from app.extensions import db
from app.records.models import Campaign
from app.timeutil import UTCDateTime, utcnow

MANUAL = "manual"
SCHEDULED_7D = "scheduled-7d"
SCHEDULED_2D = "scheduled-2d"
KINDS = (MANUAL, SCHEDULED_7D, SCHEDULED_2D)
# The platform's own reminders: (kind, days before the window closes), widest first.
SCHEDULE = ((SCHEDULED_7D, 7), (SCHEDULED_2D, 2))

# A delivery's email.
NO_ADDRESS = "no_address"  # the cadre has no email address
MAIL_OFF = "mail_off"  # no SMTP server configured (MAIL_SERVER): in-app only
PENDING = "pending"  # to be sent by the job reminders.send
SENDING = "sending"  # claimed by a sender; never sent again from here
SENT = "sent"
FAILED = "failed"
# The cadre completed the campaign before its email left: not sent (a reminder
# queued at 8:00 does not ask someone who finished at 9:00 to finish).
DONE = "completed"
# The cadre's window had closed before its email could leave (the mail server was
# down until then): not sent, since it would ask for what can no longer be done.
CLOSED = "closed"
EMAIL_STATES = (NO_ADDRESS, MAIL_OFF, PENDING, SENDING, SENT, FAILED, DONE, CLOSED)


class Reminder(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default=MANUAL)
    # Root of the subtree reminded; None: the campaign's whole scope (scheduled).
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    # A scheduled reminder's window: 0 the campaign's own, else the id of the unit
    # whose own quiz window it is for (records.campaigns.unit_windows).
    window_key: Mapped[int] = mapped_column(default=0, server_default="0")
    # ... and the close it was made for: a window moved since to another last day
    # is reminded again of its new close (None: a manual reminder)
    window_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    message: Mapped[str] = mapped_column(Text, default="")  # the officer's words
    # Whether email was to be sent (an SMTP server was configured at creation).
    with_email: Mapped[bool] = mapped_column(default=False)

    campaign: Mapped[Campaign] = relationship()
    unit: Mapped[Unit | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    __table_args__ = (
        # The platform's reminders are made once per campaign, window and close,
        # whatever the races.
        Index(
            "uq_reminder_scheduled",
            "campaign_id",
            "window_key",
            "kind",
            "window_closes_at",
            unique=True,
            sqlite_where=db.text("kind <> 'manual'"),
            postgresql_where=db.text("kind <> 'manual'"),
        ),
    )

    @property
    def is_scheduled(self) -> bool:
        return self.kind != MANUAL


class ReminderDelivery(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    reminder_id: Mapped[int] = mapped_column(ForeignKey("reminder.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    # In-app: first shown on the home page, dismissed by the cadre.
    shown_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Email: the address at creation, its state (EMAIL_STATES), when and how.
    email: Mapped[str | None] = mapped_column(String(200))
    email_state: Mapped[str] = mapped_column(String(12), default=MAIL_OFF)
    email_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_error: Mapped[str | None] = mapped_column(Text)

    reminder: Mapped[Reminder] = relationship()
    user: Mapped[User] = relationship()

    __table_args__ = (
        UniqueConstraint("reminder_id", "user_id", name="uq_delivery_reminder_user"),
        Index("ix_delivery_reminder_state", "reminder_id", "email_state"),
    )
