"""What the HR page of reminders lists: each reminder of a campaign with its
deliveries counted within the officer's subtrees, and whether an officer may act
on a reminder."""

from dataclasses import dataclass

from sqlalchemy import case, func, select

from app.accounts.models import Unit, User
from app.extensions import db
from app.records.models import Campaign

from .models import (
    CLOSED,
    DONE,
    FAILED,
    MAIL_OFF,
    NO_ADDRESS,
    PENDING,
    SENDING,
    SENT,
    Reminder,
    ReminderDelivery,
)


@dataclass
class ReminderRow:
    reminder: Reminder
    total: int  # cadres reminded (in the viewer's scope)
    sent: int
    failed: int
    waiting: int  # pending or being sent
    no_email: int  # no address, no SMTP server, or completed before it was sent
    seen: int  # shown on their home page

    @property
    def is_scheduled(self) -> bool:
        return self.reminder.is_scheduled


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def reminder_rows(
    campaign: Campaign, paths: list[str] | None, limit: int = 50
) -> list[ReminderRow]:
    """The reminders of `campaign` that reached cadres now in the subtrees `paths`
    (None: everywhere), newest first, counted within those subtrees only."""
    state = ReminderDelivery.email_state
    query = (
        select(
            Reminder,
            func.count(ReminderDelivery.id),
            _count(state == SENT),
            _count(state == FAILED),
            _count(state.in_((PENDING, SENDING))),
            _count(state.in_((NO_ADDRESS, MAIL_OFF, DONE, CLOSED))),
            func.count(ReminderDelivery.shown_at),
        )
        .join(ReminderDelivery, ReminderDelivery.reminder_id == Reminder.id)
        .join(User, User.id == ReminderDelivery.user_id)
        .join(Unit, Unit.id == User.unit_id)
        .where(Reminder.campaign_id == campaign.id, Unit.in_subtrees(paths))
        .group_by(Reminder.id)
        .order_by(Reminder.created_at.desc(), Reminder.id.desc())
        .limit(limit)
    )
    return [
        ReminderRow(r, *map(int, counts)) for r, *counts in db.session.execute(query)
    ]


def in_scope(reminder: Reminder, paths: list[str] | None) -> bool:
    """Whether an officer with the subtrees `paths` may act on `reminder`: its unit
    lies in them (a reminder of the whole campaign: administrators only)."""
    if paths is None:
        return True
    unit = reminder.unit
    return unit is not None and unit.in_subtrees(paths)
