"""Campaigns and training records: the public door of the records domain.

Operations flush, never commit. Records are refreshed by the events that change them
(app.signals), inside the same transaction.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, insert, select, update

from app.accounts.models import CATEGORIES, Unit, User
from app.audit import services as audit
from app.courses import services as courses
from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import db
from app.quizzes import services as quizzes
from app.signals import (
    attempt_finished,
    cadres_imported,
    module_read,
    record_completed,
    user_moved,
)
from app.timeutil import utcnow

from .models import (
    COMPLETED,
    IN_PROGRESS,
    NOT_STARTED,
    Campaign,
    CampaignTarget,
    TrainingRecord,
)


def get_campaign(code: str) -> Campaign:
    campaign = db.session.scalar(select(Campaign).where(Campaign.code == code))
    if campaign is None:
        raise NotFound(f"Không có đợt bồi dưỡng “{code}”.")
    return campaign


def list_campaigns() -> list[Campaign]:
    return list(
        db.session.scalars(
            select(Campaign).order_by(Campaign.year.desc(), Campaign.code)
        )
    )


def create_campaign(
    code: str,
    title: str,
    year: int,
    course_code: str,
    quiz_code: str,
    opens_at: datetime,
    closes_at: datetime,
    targets: list[Unit],
    categories: list[str] | None = None,
    actor: User | None = None,
) -> Campaign:
    """Create a campaign, open its quiz in the same window and give every cadre in
    scope a record. Raises InvalidInput/Conflict/NotFound with the reason."""
    code, title = code.strip(), title.strip()
    if not code or not title:
        raise InvalidInput("Mã và tên đợt bồi dưỡng không được để trống.")
    if db.session.scalar(select(Campaign.id).where(Campaign.code == code)):
        raise Conflict(f"Mã đợt bồi dưỡng “{code}” đã tồn tại.")
    if closes_at <= opens_at:
        raise InvalidInput("Ngày kết thúc phải sau ngày bắt đầu.")
    if not targets:
        raise InvalidInput("Cần chọn ít nhất một đơn vị.")
    unknown = [c for c in categories or [] if c not in CATEGORIES]
    if unknown:
        raise InvalidInput(f"Loại cán bộ không hợp lệ: {', '.join(unknown)}.")
    courses.get_course(course_code)
    quiz = quizzes.get_quiz(quiz_code)
    campaign = Campaign(
        code=code,
        title=title,
        year=year,
        course_code=course_code,
        quiz_code=quiz_code,
        opens_at=opens_at,
        closes_at=closes_at,
        categories=list(categories or []),
    )
    campaign.targets = [CampaignTarget(unit_id=u.id) for u in targets]
    db.session.add(campaign)
    db.session.flush()
    quizzes.set_window(quiz, opens_at, closes_at)
    ensure_records(campaign)
    audit.record("campaign.created", actor=actor, target=campaign, code=code)
    return campaign


def _in_scope(campaign: Campaign):
    """SQL condition on User (joined to its Unit): the cadre is in the campaign."""
    paths = [t.unit.path for t in campaign.targets]
    condition = and_(
        User.active.is_(True),
        Unit.in_subtrees(paths),
    )
    if campaign.categories:
        condition = and_(condition, User.category.in_(campaign.categories))
    return condition


def ensure_records(campaign: Campaign) -> int:
    """Give every cadre in scope a record (one INSERT … SELECT) and move existing
    records to their cadre's current unit. Returns the records created."""
    total = len(courses.active_modules(courses.get_course(campaign.course_code)))
    missing = (
        select(
            db.literal(campaign.id),
            User.id,
            User.unit_id,
            db.literal(NOT_STARTED),
            db.literal(0),
            db.literal(total),
            db.literal(0),
            db.literal(False),
            db.literal(utcnow()),
        )
        .join(User.unit)
        .where(_in_scope(campaign))
        .where(
            ~exists().where(
                TrainingRecord.campaign_id == campaign.id,
                TrainingRecord.user_id == User.id,
            )
        )
    )
    created = db.session.execute(
        insert(TrainingRecord).from_select(
            [
                "campaign_id",
                "user_id",
                "unit_id",
                "status",
                "modules_read",
                "modules_total",
                "attempts",
                "passed",
                "updated_at",
            ],
            missing,
        )
    ).rowcount
    current_unit = select(User.unit_id).where(User.id == TrainingRecord.user_id)
    db.session.execute(
        update(TrainingRecord)
        .where(TrainingRecord.campaign_id == campaign.id)
        .values(unit_id=current_unit.scalar_subquery())
        .execution_options(synchronize_session=False)
    )
    _refresh_active(campaign)
    return created


def _refresh_active(campaign: Campaign) -> None:
    """Give the real status to records of cadres who already read or attempted."""
    course = courses.get_course(campaign.course_code)
    active = courses.readers_of(course) | quizzes.takers_of(
        quizzes.get_quiz(campaign.quiz_code)
    )
    if not active:
        return
    db.session.expire_all()
    for record in db.session.scalars(
        select(TrainingRecord).where(
            TrainingRecord.campaign_id == campaign.id,
            TrainingRecord.user_id.in_(active),
        )
    ):
        refresh_record(record)


def record_for(user: User, campaign: Campaign) -> TrainingRecord | None:
    return db.session.scalar(
        select(TrainingRecord).where(
            TrainingRecord.campaign_id == campaign.id, TrainingRecord.user_id == user.id
        )
    )


def refresh_record(
    record: TrainingRecord, now: datetime | None = None
) -> TrainingRecord:
    """Recompute a record from the cadre's reading and attempts. Completion = every
    module read + a passing attempt finished inside the window; it is dated when the
    last of the two happened, and keeps the unit of that moment."""
    now = now or utcnow()
    campaign, user = record.campaign, record.user
    course = courses.get_course(campaign.course_code)
    reading = courses.course_progress(user, course)
    quiz = quizzes.get_quiz(campaign.quiz_code)
    finished = [a for a in quizzes.history(user, quiz) if a.state == "finished"]
    in_window = [
        a for a in finished if campaign.opens_at <= a.finished_at <= campaign.closes_at
    ]
    passing = sorted((a for a in in_window if a.passed), key=lambda a: a.finished_at)
    record.modules_total = reading.total
    record.modules_read = reading.read_count
    record.attempts = len(finished)
    record.best_percent = max((a.percent for a in in_window), default=None)
    record.passed = bool(passing)
    all_read = reading.total > 0 and reading.read_count == reading.total
    if all_read and passing:
        newly = record.status != COMPLETED
        if newly:
            read_at = courses.last_read_at(user, course)
            record.completed_at = max(filter(None, [read_at, passing[0].finished_at]))
            record.completed_unit_id = user.unit_id
        record.status = COMPLETED
        if newly:
            db.session.flush()
            record_completed.send(record)
    elif (
        reading.read_count
        or finished
        or any(r.status != "not_started" for r in reading.rows)
    ):
        record.status = IN_PROGRESS
    else:
        record.status = NOT_STARTED
    record.unit_id = user.unit_id
    record.updated_at = now
    db.session.flush()
    return record


def _records_of(user: User, **where) -> list[TrainingRecord]:
    query = (
        select(TrainingRecord).join(Campaign).where(TrainingRecord.user_id == user.id)
    )
    for column, value in where.items():
        query = query.where(getattr(Campaign, column) == value)
    return list(db.session.scalars(query))


@module_read.connect
def _on_module_read(progress, user, module, **_):
    for record in _records_of(user, course_code=module.course.code):
        refresh_record(record)


@user_moved.connect
def _on_user_moved(user, **_):
    db.session.execute(
        update(TrainingRecord)
        .where(TrainingRecord.user_id == user.id)
        .values(unit_id=user.unit_id)
        .execution_options(synchronize_session=False)
    )


@cadres_imported.connect
def _on_cadres_imported(root, **_):
    """New cadres, and cadres moved or reactivated, may now be in a campaign."""
    for campaign in list_campaigns():
        ensure_records(campaign)


@attempt_finished.connect
def _on_attempt_finished(attempt, **_):
    if attempt.preview:
        return
    user = db.session.get(User, attempt.user_id)
    for record in _records_of(user, quiz_code=attempt.quiz.code):
        refresh_record(record)


QUIZ_NOT_STARTED, QUIZ_IN_PROGRESS, QUIZ_PASSED, QUIZ_FAILED = (
    "not_started",
    "in_progress",
    "passed",
    "failed",
)


@dataclass
class CampaignProgressInfo:
    campaign: Campaign
    record: TrainingRecord
    reading: courses.CourseProgressInfo
    quiz_code: str
    quiz_state: str
    open_attempt_id: int | None
    days_left: int
    is_open: bool


def _quiz_state(record: TrainingRecord, open_attempt, attempts_left: bool) -> str:
    if open_attempt is not None:
        return QUIZ_IN_PROGRESS
    if record.passed:
        return QUIZ_PASSED
    if record.attempts:
        return QUIZ_FAILED if not attempts_left else QUIZ_IN_PROGRESS
    return QUIZ_NOT_STARTED


def campaigns_for(
    user: User, now: datetime | None = None
) -> list[CampaignProgressInfo]:
    """The campaigns `user` is in, newest first, with what to do next."""
    now = now or utcnow()
    infos = []
    for record in sorted(_records_of(user), key=lambda r: -r.campaign.year):
        campaign = record.campaign
        quiz = quizzes.get_quiz(campaign.quiz_code)
        current = quizzes.open_attempt(user, quiz)
        left = quizzes.attempts_used(user, quiz) < quiz.attempts_allowed
        infos.append(
            CampaignProgressInfo(
                campaign=campaign,
                record=record,
                reading=courses.course_progress(
                    user, courses.get_course(campaign.course_code)
                ),
                quiz_code=quiz.code,
                quiz_state=_quiz_state(record, current, left),
                open_attempt_id=current.id if current else None,
                days_left=campaign.days_left(now),
                is_open=campaign.is_open(now),
            )
        )
    return infos


def transcript(user: User) -> list[TrainingRecord]:
    """Every campaign record of `user`, newest year first."""
    return sorted(_records_of(user), key=lambda r: (-r.campaign.year, r.campaign.code))
