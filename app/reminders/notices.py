"""The reminders a cadre sees on the home page: one per campaign (the newest not
dismissed), while the campaign is open and the cadre's record not completed."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select, update

from app.accounts.models import User
from app.accounts.scope import path_ids
from app.errors import NotFound
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.quizzes import services as quizzes
from app.records.models import COMPLETED, Campaign, TrainingRecord
from app.records.services import window_of
from app.timeutil import days_left, utcnow

from .audience import some_window_open_sql
from .models import Reminder, ReminderDelivery

NO_SUCH_NOTICE = _l("Không tìm thấy lời nhắc này.")


@dataclass
class NoticeInfo:
    delivery_id: int
    campaign: Campaign
    message: str
    days_left: int
    course_code: str
    shown: bool
    closes_at: datetime  # the cadre's own window's close (its unit's, if any)


def active_notices(user: User, now: datetime | None = None) -> list[NoticeInfo]:
    """The notices `user` sees at `now`: of the campaigns whose window for the
    cadre (its unit's own, if any: window_of) is open, which may open before the
    campaign's own does."""
    now = now or utcnow()
    branch = path_ids(user.unit.path) if user.unit is not None else []
    rows = db.session.execute(
        select(ReminderDelivery, Reminder, Campaign, TrainingRecord)
        .join(Reminder, Reminder.id == ReminderDelivery.reminder_id)
        .join(Campaign, Campaign.id == Reminder.campaign_id)
        .join(
            TrainingRecord,
            and_(
                TrainingRecord.campaign_id == Campaign.id,
                TrainingRecord.user_id == ReminderDelivery.user_id,
            ),
        )
        .where(
            ReminderDelivery.user_id == user.id,
            ReminderDelivery.dismissed_at.is_(None),
            some_window_open_sql(now, branch),
            TrainingRecord.status != COMPLETED,
        )
        .order_by(Reminder.created_at.desc(), Reminder.id.desc())
    ).all()
    notices, seen = [], set()
    for delivery, reminder, campaign, record in rows:
        if campaign.id in seen:
            continue
        seen.add(campaign.id)
        window = window_of(user, campaign)  # the cadre's: its unit's own, if any
        if not window.is_open(now) or _nothing_left(campaign, record):
            continue
        notices.append(
            NoticeInfo(
                delivery.id,
                campaign,
                reminder.message,
                days_left(window.closes_at, now),
                campaign.course_code,
                delivery.shown_at is not None,
                window.closes_at,
            )
        )
    return notices


def mark_shown(notices: list[NoticeInfo], now: datetime | None = None) -> int:
    """Note when each notice was first shown (flushes); how many were new."""
    ids = [n.delivery_id for n in notices if not n.shown]
    if not ids:
        return 0
    return db.session.execute(
        update(ReminderDelivery)
        .where(ReminderDelivery.id.in_(ids), ReminderDelivery.shown_at.is_(None))
        .values(shown_at=now or utcnow())
    ).rowcount


def dismiss(user: User, delivery_id: int, now: datetime | None = None) -> int:
    """Dismiss the notice `delivery_id` of `user`, with every earlier reminder of
    the same campaign (flushes); NotFound when it is not the user's."""
    delivery = db.session.get(ReminderDelivery, delivery_id)
    if delivery is None or delivery.user_id != user.id:
        raise NotFound(NO_SUCH_NOTICE)
    same_campaign = select(Reminder.id).where(
        Reminder.campaign_id == delivery.reminder.campaign_id
    )
    return db.session.execute(
        update(ReminderDelivery)
        .where(
            ReminderDelivery.user_id == user.id,
            ReminderDelivery.reminder_id.in_(same_campaign),
            ReminderDelivery.dismissed_at.is_(None),
        )
        .values(dismissed_at=now or utcnow())
    ).rowcount


def _nothing_left(campaign: Campaign, record: TrainingRecord) -> bool:
    """The cadre failed the quiz with no attempt left and none open (the rule of
    audience.out_of_attempts, who is reminded): a notice given before its last
    attempt no longer tells it to finish."""
    if record.passed or not record.attempts:
        return False
    quiz = quizzes.any_quiz(campaign.quiz_code)
    return record.user_id in quizzes.out_of_attempts(quiz, [record.user_id])
