"""Who is reminded, making reminders (with one delivery per cadre), the platform's
scheduled reminders (what the HR page lists: .listing). Write operations flush, never
commit: the view or command that calls them commits once.

A cadre is reminded of a campaign while its record there is not completed (not
started or in progress), it has not failed the quiz with no attempt left, and its
account is active; an officer's reminder reaches
the records whose unit (the cadre's unit now) lies in the chosen subtree.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, case, func, insert, literal, select, union_all
from sqlalchemy.exc import IntegrityError

from app.accounts.models import Unit, User
from app.audit import services as audit
from app.errors import DomainError
from app.errors import lazy_gettext as _l
from app.errors import lazy_ngettext as _nl
from app.extensions import db
from app.numbers import lazy_number
from app.records.models import Campaign
from app.timeutil import days_left, format_vn_date, last_day, utcnow

from .audience import (
    CampaignWindow,
    campaign_windows,
    inner_paths,
    open_parts,
    reachable,
    some_window_open_sql,
    targets,
)
from .listing import ReminderRow, in_scope, reminder_rows  # noqa: F401  (public door)
from .models import (
    MAIL_OFF,
    MANUAL,
    NO_ADDRESS,
    PENDING,
    SCHEDULE,
    Reminder,
    ReminderDelivery,
)

MESSAGE_MAX = 1000
# The same officer's reminder (campaign, unit, words) is not made twice within it.
REPEAT_WINDOW = timedelta(minutes=10)
NOBODY = _l(
    "Không có cán bộ nào cần nhắc: mọi người trong phạm vi đã hoàn thành hoặc đã hết"
    " lượt làm bài, hoặc bài kiểm tra của đơn vị họ chưa mở hay đã đóng."
)
TOO_LONG = _l("Lời nhắn dài quá %(count)s ký tự.", count=lazy_number(MESSAGE_MAX))


def mail_configured() -> bool:
    """Whether an SMTP server is configured (MAIL_SERVER): else reminders are
    shown in the app only, and no email is sent."""
    return bool(current_app.config.get("MAIL_SERVER"))


def _has_address(column):
    return and_(column.is_not(None), column != "")


@dataclass
class PreviewInfo:
    """How many cadres a reminder would reach, how many of them by email, and when
    their windows close (`closes`: each distinct close, earliest first; [] when it
    reaches nobody)."""

    total: int
    with_address: int
    mail_on: bool
    closes: list[datetime] = field(default_factory=list)

    @property
    def emails(self) -> int:
        return self.with_address if self.mail_on else 0


def preview(
    campaign: Campaign, unit: Unit | None, now: datetime | None = None
) -> PreviewInfo:
    """What a reminder of `campaign` to `unit`'s subtree would reach at `now`:
    counted per open window (open_parts), in one query."""
    parts = open_parts(campaign, unit, now or utcnow())
    if not parts:
        return PreviewInfo(0, 0, mail_configured())
    tagged = [q.add_columns(literal(i).label("part")) for i, (_, q) in enumerate(parts)]
    sub = (tagged[0] if len(tagged) == 1 else union_all(*tagged)).subquery()
    addressed = func.sum(case((_has_address(sub.c.email), 1), else_=0))
    rows = db.session.execute(
        select(sub.c.part, func.count(), addressed).group_by(sub.c.part)
    ).all()
    return PreviewInfo(
        sum(count for _part, count, _addressed in rows),
        sum(int(addressed or 0) for _part, _count, addressed in rows),
        mail_configured(),
        sorted({parts[part][0].closes_at for part, _count, _addressed in rows}),
    )


def create_reminder(
    campaign: Campaign,
    kind: str = MANUAL,
    unit: Unit | None = None,
    actor: User | None = None,
    message: str = "",
    now: datetime | None = None,
    window_key: int = 0,
    exclude: list[str] | None = None,
    window_closes_at: datetime | None = None,
) -> Reminder:
    """Add a reminder and one delivery per cadre targeted (one INSERT … SELECT),
    each pending for email when MAIL_SERVER is set and the cadre has an address.
    Raises DomainError when no window of the campaign is open or the message is
    too long."""
    now = now or utcnow()
    message = (message or "").strip()
    check_manual(campaign, message, now)
    mail_on = mail_configured()
    reminder = Reminder(
        campaign_id=campaign.id,
        kind=kind,
        unit_id=unit.id if unit is not None else None,
        created_by_id=actor.id if actor is not None else None,
        created_at=now,
        message=message,
        with_email=mail_on,
        window_key=window_key,
        window_closes_at=window_closes_at,
    )
    db.session.add(reminder)
    db.session.flush()
    if kind == MANUAL:
        sub = reachable(campaign, unit, now).subquery()
    else:  # a scheduled reminder is made for one open window, `exclude` its inner ones
        sub = targets(campaign, unit, exclude).subquery()
    state = case(
        (~_has_address(sub.c.email), literal(NO_ADDRESS)),
        else_=literal(PENDING if mail_on else MAIL_OFF),
    )
    db.session.execute(
        insert(ReminderDelivery).from_select(
            ["reminder_id", "user_id", "email", "email_state"],
            select(literal(reminder.id), sub.c.id, sub.c.email, state),
        )
    )
    return reminder


def check_manual(campaign: Campaign, message: str, now: datetime | None = None) -> None:
    """What a reminder is refused for before anyone is counted: a message too long,
    no window of the campaign open (DomainError); the one check of create_reminder
    and send_manual, and of a dry run, so that it says it as the reminder would."""
    if len((message or "").strip()) > MESSAGE_MAX:
        raise DomainError(TOO_LONG)
    _check_open(campaign, now or utcnow())


def _check_open(campaign: Campaign, now: datetime) -> None:
    if not any(w.is_open(now) for w in campaign_windows(campaign)):
        raise DomainError(
            _l(
                "Đợt bồi dưỡng “%(code)s” chưa mở hoặc đã kết thúc: không nhắc được.",
                code=campaign.code,
            )
        )


def send_manual(
    campaign: Campaign,
    unit: Unit | None,
    actor: User | None,
    message: str = "",
    now: datetime | None = None,
    channel: str = "web",
) -> Reminder:
    """An officer's reminder (the caller checked the campaign and unit are in the
    officer's scope), audited. Raises DomainError when nobody is to be reminded."""
    now = now or utcnow()
    check_manual(campaign, message, now)
    if preview(campaign, unit, now).total == 0:
        raise DomainError(NOBODY)
    _refuse_repeat(campaign, unit, (message or "").strip(), now)
    reminder = create_reminder(campaign, MANUAL, unit, actor, message, now)
    audit.record(
        "reminder.created",
        actor=actor,
        target=reminder,
        campaign=campaign.code,
        unit=unit.code if unit is not None else None,
        cadres=count_deliveries(reminder),
        email=reminder.with_email,
        channel=channel,
    )
    return reminder


def _refuse_repeat(campaign, unit, message: str, now: datetime) -> None:
    """The same reminder (campaign, unit, words) made again within REPEAT_WINDOW
    for the same cadres or fewer: a second press or a form sent again, which would
    remind everyone twice. (Windows changed since, with cadres now reached who were
    not then: a new reminder.)"""
    same = select(Reminder.id, Reminder.created_at).where(
        Reminder.campaign_id == campaign.id,
        Reminder.kind == MANUAL,
        Reminder.unit_id == unit.id if unit is not None else Reminder.unit_id.is_(None),
        Reminder.message == message,
        Reminder.created_at > now - REPEAT_WINDOW,
    )
    last = db.session.execute(
        same.order_by(Reminder.created_at.desc()).limit(1)
    ).first()
    if last is None:
        return
    sub = reachable(campaign, unit, now).subquery()
    reached = select(ReminderDelivery.user_id).where(
        ReminderDelivery.reminder_id == last.id
    )
    if db.session.scalar(select(sub.c.id).where(sub.c.id.not_in(reached)).limit(1)):
        return  # someone it did not reach then
    minutes = REPEAT_WINDOW.seconds // 60
    raise DomainError(
        _nl(
            "Lời nhắc này vừa được gửi lúc %(t)s; không gửi lại để cán bộ không bị "
            "nhắc hai lần. Muốn nhắc thêm, hãy chờ %(num)d phút hoặc ghi lời nhắn "
            "khác.",
            "Lời nhắc này vừa được gửi lúc %(t)s; không gửi lại để cán bộ không bị "
            "nhắc hai lần. Muốn nhắc thêm, hãy chờ %(num)d phút hoặc ghi lời nhắn "
            "khác.",
            minutes,
            t=format_vn_date(last.created_at, with_time=True),
        )
    )


def count_deliveries(reminder: Reminder, *states: str) -> int:
    query = select(func.count(ReminderDelivery.id)).where(
        ReminderDelivery.reminder_id == reminder.id
    )
    if states:
        query = query.where(ReminderDelivery.email_state.in_(states))
    return db.session.scalar(query)


def get_reminder(reminder_id: int) -> Reminder:
    reminder = db.session.get(Reminder, reminder_id)
    if reminder is None:
        raise DomainError(_l("Không tìm thấy lời nhắc này."))
    return reminder


# --- The platform's reminders ------------------------------------------------------


def due_kind(window: CampaignWindow, now: datetime) -> str | None:
    """The scheduled reminder `window` is due for at `now`: the narrowest span (7
    or 2 days before it closes, in Vietnam's calendar days: timeutil.days_left)
    `now` lies in, while the window is open. Closing on the 31st: the 7-day one
    from the 24th, the 2-day one from the 29th."""
    if not window.is_open(now):
        return None
    left = days_left(window.closes_at, now)
    due = None
    for kind, days in SCHEDULE:  # widest first: the last match is the narrowest
        if left <= days:
            due = kind
    return due


def due_scheduled(now: datetime | None = None) -> list[Reminder]:
    """Make the scheduled reminders due at `now`, each once per campaign, window
    (the campaign's own, and each unit's own: a commune whose quiz closes a week
    later is reminded a week later) and last day of its close (a window moved to
    another day is reminded of its new close). A second call, or a concurrent one, makes
    none: the partial unique index decides. A window found already inside its last
    2 days gets only the 2-day reminder."""
    now = now or utcnow()
    campaigns = db.session.scalars(
        select(Campaign).where(some_window_open_sql(now)).order_by(Campaign.id)
    )
    made = []
    for campaign in campaigns:
        windows = campaign_windows(campaign)
        for window in windows:
            kind = due_kind(window, now)
            if kind is None or _scheduled_exists(campaign, window, kind):
                continue
            try:
                with db.session.begin_nested():
                    made.append(
                        create_reminder(
                            campaign,
                            kind,
                            window.unit,
                            now=now,
                            window_key=window.key,
                            exclude=inner_paths(window, windows),
                            window_closes_at=window.closes_at,
                        )
                    )
            except IntegrityError:  # made meanwhile by another run
                continue
    return made


def _scheduled_exists(campaign: Campaign, window: CampaignWindow, kind: str) -> bool:
    """Has `window` had its reminder `kind` for its close: one made for a close on
    the same last day (timeutil.last_day: a close moved by hours is the same
    deadline), or for a close not known (made before closes were kept)."""
    made_for = db.session.scalars(
        select(Reminder.window_closes_at).where(
            Reminder.campaign_id == campaign.id,
            Reminder.window_key == window.key,
            Reminder.kind == kind,
        )
    )
    day = last_day(window.closes_at)
    return any(closes is None or last_day(closes) == day for closes in made_for)


def with_pending_email(now: datetime | None = None) -> list[Reminder]:
    """Reminders that still have emails to send, of campaigns with a window (their
    own or a unit's, which may open before the campaign's own) open now; each
    campaign's windows read once."""
    now = now or utcnow()
    found = list(
        db.session.scalars(
            select(Reminder)
            .join(Campaign, Campaign.id == Reminder.campaign_id)
            .where(
                some_window_open_sql(now),
                select(ReminderDelivery.id)
                .where(
                    ReminderDelivery.reminder_id == Reminder.id,
                    ReminderDelivery.email_state == PENDING,
                )
                .exists(),
            )
            .order_by(Reminder.id)
        )
    )
    open_now: dict[int, bool] = {}
    for reminder in found:
        if reminder.campaign_id not in open_now:
            windows = campaign_windows(reminder.campaign)
            open_now[reminder.campaign_id] = any(w.is_open(now) for w in windows)
    return [r for r in found if open_now[r.campaign_id]]
