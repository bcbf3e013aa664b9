"""Campaigns and training records: the public door of the records domain.

Operations flush, never commit. Records are refreshed by the events that change them
(app.signals), inside the same transaction.
"""

from datetime import datetime

from sqlalchemy import and_, exists, insert, select, true, update

from app.accounts.models import CATEGORIES, RoleAssignment, Unit, User
from app.audit import services as audit
from app.courses import services as courses
from app.errors import Conflict, InvalidInput, NotFound
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.quizzes import services as quizzes
from app.signals import record_completed
from app.timeutil import UTCDateTime, utcnow

from .models import (
    COMPLETED,
    IN_PROGRESS,
    NOT_STARTED,
    Campaign,
    CampaignTarget,
    TrainingRecord,
)
from .quiz_holder import (
    HeldQuiz,
    holds_its_quiz,
    last_close,
    not_closed,
    refuse_running_holder,
    running_for_unit,
    running_for_unit_sql,
)


def get_campaign(code: str) -> Campaign:
    campaign = db.session.scalar(select(Campaign).where(Campaign.code == code))
    if campaign is None:
        raise NotFound(_l("Không có đợt bồi dưỡng “%(code)s”.", code=code))
    return campaign


def list_campaigns() -> list[Campaign]:
    query = select(Campaign).order_by(Campaign.year.desc(), Campaign.code)
    return list(db.session.scalars(query))


def check_scope_and_window(
    opens_at: datetime,
    closes_at: datetime,
    targets: list[Unit],
    categories: list[str] | None,
) -> None:
    """A campaign's window, target units and categories are sound, else
    InvalidInput with the reason (creating and editing alike)."""
    if closes_at <= opens_at:
        raise InvalidInput(_l("Thời điểm đóng phải sau thời điểm mở."))
    if not targets:
        raise InvalidInput(_l("Cần chọn ít nhất một đơn vị."))
    unknown = [c for c in categories or [] if c not in CATEGORIES]
    if unknown:
        raise InvalidInput(
            _l("Loại cán bộ không hợp lệ: %(value)s.", value=", ".join(unknown))
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
    scope a record. Raises InvalidInput/Conflict/NotFound with the reason (Conflict
    too when another campaign holding the quiz has not closed yet)."""
    code, title = code.strip(), title.strip()
    if not code or not title:
        raise InvalidInput(_l("Mã và tên đợt bồi dưỡng không được để trống."))
    if db.session.scalar(select(Campaign.id).where(Campaign.code == code)):
        raise Conflict(_l("Mã đợt bồi dưỡng “%(code)s” đã tồn tại.", code=code))
    check_scope_and_window(opens_at, closes_at, targets, categories)
    course = courses.get_course(course_code)
    quiz = quizzes.get_quiz(quiz_code)
    if quiz.sealed:  # a contest round: its window, results and rules are its own
        raise InvalidInput(
            _l(
                "Bài “%(code)s” là một đợt thi của cuộc thi, không dùng cho đợt bồi "
                "dưỡng.",
                code=quiz_code,
            )
        )
    refuse_running_holder(quiz_code)  # never takes the quiz of a running campaign
    campaign = Campaign(
        code=code,
        title=title,
        year=year,
        course_code=course_code,
        quiz_code=quiz_code,
        opens_at=opens_at,
        closes_at=closes_at,
        categories=list(categories or []),
        required_modules=[m.code for m in courses.active_modules(course)],
    )
    campaign.targets = [CampaignTarget(unit_id=u.id) for u in targets]
    db.session.add(campaign)
    db.session.flush()
    quizzes.set_window(quiz, opens_at, closes_at)
    quizzes.clear_unit_windows(quiz)  # an earlier campaign's unit windows end here
    quizzes.set_required_modules(quiz, campaign.required_modules)
    ensure_records(campaign)
    audit.record("campaign.created", actor=actor, target=campaign, code=code)
    return campaign


def _in_scope(campaign: Campaign):
    """SQL condition on User (joined to its Unit): the cadre is in the campaign —
    active, a learner (an account that only administers takes no training), in a
    target subtree, of a category the campaign is for."""
    paths = [t.unit.path for t in campaign.targets]
    learner = exists().where(
        RoleAssignment.user_id == User.id, RoleAssignment.role == "learner"
    )
    condition = and_(User.active.is_(True), learner, Unit.in_subtrees(paths))
    if campaign.categories:
        condition = and_(condition, User.category.in_(campaign.categories))
    return condition


def required_modules(campaign: Campaign) -> list[str]:
    """The codes of the modules a cadre must read for `campaign`: those it requires
    that its course still has (a module withdrawn since cannot be read)."""
    active = {
        m.code for m in courses.active_modules(courses.get_course(campaign.course_code))
    }
    return [code for code in campaign.required_modules if code in active]


def module_changes(campaign: Campaign) -> tuple[list[str], list[str], list[str]]:
    """(the codes of the course's active modules now, those of them the campaign
    does not require yet, those it requires that the course no longer has)."""
    course = courses.get_course(campaign.course_code)
    now = [m.code for m in courses.active_modules(course)]
    required = list(campaign.required_modules)
    added = [code for code in now if code not in required]
    return now, added, [code for code in required if code not in now]


def has_closed(
    campaign: Campaign, now: datetime | None = None, held: HeldQuiz | None = None
) -> bool:
    """Every window of `campaign` (its own, and each unit's while it holds its quiz)
    has closed: its records are its history, which no module read, required-module
    change or move of a cadre changes any more. `held`: as last_close."""
    return last_close(campaign, held) <= (now or utcnow())


def require_current_modules(campaign: Campaign, actor: User | None = None) -> list[str]:
    """Make the campaign require the modules its course has now (the explicit,
    audited change after a module is published); the codes added. Records already
    completed stay completed; the others are judged again. Refused once the
    campaign has closed (has_closed)."""
    if has_closed(campaign):
        raise InvalidInput(
            _l(
                "Đợt bồi dưỡng đã đóng: kết quả của đợt đã chốt, không đổi học phần "
                "bắt buộc được nữa."
            )
        )
    now, added, removed = module_changes(campaign)
    campaign.required_modules = now
    if holds_its_quiz(campaign):  # else a later campaign's quiz, with its own set
        quizzes.set_required_modules(quizzes.get_quiz(campaign.quiz_code), now)
    if not added and not removed:
        return []
    action = "campaign.modules_required"
    audit.record(action, actor=actor, target=campaign, added=added, removed=removed)
    db.session.flush()
    for record in db.session.scalars(
        select(TrainingRecord).where(TrainingRecord.campaign_id == campaign.id)
    ):
        refresh_record(record)
    return added


def ensure_records(campaign: Campaign, only_running: bool = False) -> int:
    """Give every cadre in scope a record (one INSERT … SELECT; `only_running`, the
    cadres changed, not the campaign: only those it runs for, running_for_unit_sql,
    as ensure_user_records) and move those cadres' records to their current unit
    (one UPDATE; one of a unit it has closed for stays). The records created."""
    stamp = utcnow()  # marks the records made now
    running = running_for_unit_sql(campaign, stamp)
    missing = (
        select(
            db.literal(campaign.id),
            User.id,
            User.unit_id,
            db.literal(NOT_STARTED),
            db.literal(0),
            db.literal(len(required_modules(campaign))),
            db.literal(0),
            db.literal(False),
            db.literal(stamp, UTCDateTime),
        )
        .join(User.unit)
        .where(_in_scope(campaign), running if only_running else true())
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
    ran_for = TrainingRecord.user_id.in_(select(User.id).join(User.unit).where(running))
    db.session.execute(
        update(TrainingRecord)
        .where(TrainingRecord.campaign_id == campaign.id, ran_for)
        .values(unit_id=current_unit.scalar_subquery())
        .execution_options(synchronize_session=False)
    )
    if created:
        _refresh_active(campaign, stamp)
    return created


def _refresh_active(campaign: Campaign, stamp) -> None:
    """Give the real status to the records made at `stamp` whose cadres already
    read or attempted (the others are right as made: not started)."""
    course = courses.get_course(campaign.course_code)
    quiz = quizzes.get_quiz(campaign.quiz_code)
    active = courses.readers_of(course) | quizzes.takers_of(quiz)
    if not active:
        return
    db.session.expire_all()
    for record in db.session.scalars(
        select(TrainingRecord).where(
            TrainingRecord.campaign_id == campaign.id,
            TrainingRecord.updated_at == stamp,
            TrainingRecord.user_id.in_(active),
        )
    ):
        refresh_record(record)


def record_for(user: User, campaign: Campaign) -> TrainingRecord | None:
    query = select(TrainingRecord).filter_by(campaign_id=campaign.id, user_id=user.id)
    return db.session.scalar(query)


def window_of(user: User, campaign: Campaign, quiz=None) -> quizzes.Window:
    """The window in which `user` takes `campaign`'s quiz: the cadre's (its unit's
    own, if any) while the quiz holds this campaign's window; an earlier campaign
    of the same quiz (last year's) keeps its own dates."""
    quiz = quiz or quizzes.get_quiz(campaign.quiz_code)
    if (quiz.opens_at, quiz.closes_at) == (campaign.opens_at, campaign.closes_at):
        return quizzes.window_for(user, quiz)
    return quizzes.Window(campaign.opens_at, campaign.closes_at)


def campaign_attempts(
    user: User, campaign: Campaign, quiz=None, window: quizzes.Window | None = None
) -> list:
    """`user`'s attempts at `campaign`'s quiz (`quiz`, when the caller has it), the
    newest first: those started in the cadre's window of the campaign (`window`,
    default window_of), not those of another year's campaign reusing the quiz."""
    quiz = quiz or quizzes.get_quiz(campaign.quiz_code)
    window = window or window_of(user, campaign, quiz)
    return [a for a in quizzes.history(user, quiz) if window.holds(a.started_at)]


def refresh_record(
    record: TrainingRecord, now: datetime | None = None
) -> TrainingRecord:
    """Recompute a record from the cadre's reading and attempts. Completion = every
    required module read + a passing attempt finished inside the cadre's window; it
    is dated when the last of the two happened, and keeps the unit of that moment. A
    completed record stays completed (its certificate with it), whatever is
    published or required later. Its row is locked and read again first, or two
    events at once (the last module read, the passing attempt) each judge it
    blind to the other and neither completes it (PostgreSQL)."""
    now = now or utcnow()
    if record.id is not None:  # else made in this transaction
        locked = select(TrainingRecord).where(TrainingRecord.id == record.id)
        locked = locked.with_for_update().execution_options(populate_existing=True)
        db.session.scalars(locked).one()
    campaign, user = record.campaign, record.user
    course = courses.get_course(campaign.course_code)
    required = set(required_modules(campaign))
    rows = [
        r
        for r in courses.course_progress(user, course).rows
        if r.module.code in required
    ]
    quiz = quizzes.get_quiz(campaign.quiz_code)
    window = window_of(user, campaign, quiz)  # the cadre's unit's own, if any
    ours = campaign_attempts(user, campaign, quiz, window)  # not another year's
    finished = [a for a in ours if a.state == "finished"]
    in_window = [a for a in finished if window.holds(a.finished_at)]
    passing = sorted((a for a in in_window if a.passed), key=lambda a: a.finished_at)
    read_count = sum(r.status == courses.READ for r in rows)
    if record.status != COMPLETED:  # a completed record keeps what it completed
        record.modules_total = len(rows)
        record.modules_read = read_count
    record.attempts = len(finished)
    record.best_percent = max((a.percent for a in in_window), default=None)
    record.passed = bool(passing)
    all_read = bool(rows) and read_count == len(rows)
    if record.status == COMPLETED:
        pass  # never back: the record keeps its completion and unit of that day
    elif all_read and passing:
        read_at = courses.last_read_at(user, course)
        record.completed_at = max(filter(None, [read_at, passing[0].finished_at]))
        record.completed_unit_id = user.unit_id
        record.status = COMPLETED
        db.session.flush()
        record_completed.send(record)
    elif read_count or finished or any(r.status != "not_started" for r in rows):
        record.status = IN_PROGRESS
    else:
        record.status = NOT_STARTED
    record.unit_id = user.unit_id
    record.updated_at = now
    db.session.flush()
    return record


def records_of(user: User, **where) -> list[TrainingRecord]:
    """The training records of `user`, in campaigns matching `where` (columns of
    Campaign); by id, the order their rows are locked in (refresh_record)."""
    query = select(TrainingRecord).join(Campaign).order_by(TrainingRecord.id)
    query = query.where(TrainingRecord.user_id == user.id)
    for column, value in where.items():
        query = query.where(getattr(Campaign, column) == value)
    return list(db.session.scalars(query))


def running_campaigns(now: datetime | None = None) -> list[Campaign]:
    """Campaigns not yet closed (not has_closed: a unit's own window still open
    keeps its campaign running): those a cadre who joins or moves now takes part in
    (a closed campaign's records are its history)."""
    return not_closed(list_campaigns(), now or utcnow())


def running_for(user: User, now: datetime | None = None) -> list[Campaign]:
    """The running campaigns `user` takes part in (quiz_holder.running_for_unit)."""
    now = now or utcnow()
    return running_for_unit(running_campaigns(now), user.unit, now)


def ensure_user_records(user: User) -> int:
    """Give `user` a record in every campaign running for it (running_for) whose
    scope it is in, in the caller's transaction; the records created."""
    created = 0
    for campaign in running_for(user):
        in_scope = db.session.scalar(
            select(User.id)
            .join(User.unit)
            .where(User.id == user.id, _in_scope(campaign))
        )
        if in_scope is None or record_for(user, campaign) is not None:
            continue
        record = TrainingRecord(
            campaign=campaign,
            user=user,
            unit_id=user.unit_id,
            status=NOT_STARTED,
            modules_total=len(required_modules(campaign)),
        )
        db.session.add(record)
        refresh_record(record)
        created += 1
    return created
