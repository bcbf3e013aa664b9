"""Reading courses: what a cadre sees, its progress, and the minimum reading time.

The public door of the courses domain. Operations flush, never commit.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import load_only

from app.accounts.models import User
from app.errors import DomainError, NotFound
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.signals import course_quizzes_asked, module_read
from app.timeutil import utcnow

from .models import Course, Module, ModuleProgress, ModuleVersion

# How often the module page reports the time it was visible (its script is told).
REPORT_EVERY_SECONDS = 20
# The most one report may add: a report every REPORT_EVERY_SECONDS, with slack for a
# late timer and for a report held back while the network was down.
MAX_REPORT_SECONDS = REPORT_EVERY_SECONDS + 10


class ReadingTooShort(DomainError):
    """The cadre asks to mark a module read before its minimum reading time."""

    status = 400

    def __init__(self, remaining_seconds: int):
        minutes = max(1, math.ceil(remaining_seconds / 60))
        super().__init__(
            _l(
                "Bạn cần đọc thêm khoảng %(minutes)d phút nữa trước khi xác nhận "
                "đã đọc xong.",
                minutes=minutes,
            )
        )
        self.remaining_seconds = remaining_seconds


NOT_STARTED, IN_PROGRESS, READ = "not_started", "in_progress", "read"


@dataclass
class ModuleRow:
    module: Module
    version: ModuleVersion
    status: str
    progress: ModuleProgress | None


@dataclass
class CourseProgressInfo:
    course: Course
    rows: list[ModuleRow]
    read_count: int
    total: int
    resume: ModuleRow | None

    @property
    def percent(self) -> int:
        return reading_percent(self.read_count, self.total)


def reading_percent(read: int, total: int) -> int:
    """Modules read of `total`, in whole percent (0 of none)."""
    return round(100 * read / total) if total else 0


def list_courses() -> list[Course]:
    return list(db.session.scalars(select(Course).order_by(Course.code)))


def get_course(code: str) -> Course:
    course = db.session.scalar(select(Course).where(Course.code == code))
    if course is None:
        raise NotFound(_l("Không có khóa học “%(code)s”.", code=code))
    return course


def get_module(code: str) -> Module:
    """An active module with a published version; NotFound otherwise."""
    module = db.session.scalar(select(Module).where(Module.code == code))
    if module is None or not module.active or module.current_version is None:
        raise NotFound(_l("Không có học phần “%(code)s”.", code=code))
    return module


def active_modules(course: Course) -> list[Module]:
    return [m for m in course.modules if m.active and m.current_version_id is not None]


def _progress_by_module(user: User, modules: list[Module]) -> dict[int, list]:
    rows = db.session.scalars(
        select(ModuleProgress).where(
            ModuleProgress.user_id == user.id,
            ModuleProgress.module_id.in_([m.id for m in modules]),
        )
    )
    grouped: dict[int, list[ModuleProgress]] = {}
    for row in rows:
        grouped.setdefault(row.module_id, []).append(row)
    return grouped


def _listed_versions(modules: list[Module]) -> dict[int, ModuleVersion]:
    """The modules' current versions by id, in one statement and without their text
    (body_md, html, toc: a list of modules shows titles and minutes; a version read
    here and shown later loads its text then)."""
    ids = [m.current_version_id for m in modules]
    if not ids:
        return {}
    listed = load_only(
        ModuleVersion.module_id,
        ModuleVersion.number,
        ModuleVersion.title,
        ModuleVersion.minutes,
    )
    query = select(ModuleVersion).where(ModuleVersion.id.in_(ids)).options(listed)
    return {v.id: v for v in db.session.scalars(query)}


def _status(progresses: list[ModuleProgress]) -> str:
    if any(p.is_completed for p in progresses):
        return READ
    return IN_PROGRESS if progresses else NOT_STARTED


def course_progress(user: User, course: Course) -> CourseProgressInfo:
    """Each module's status for `user` (read = any version completed) and where to
    resume: the last module opened and not finished, else the first unread."""
    modules = active_modules(course)
    grouped = _progress_by_module(user, modules)
    versions = _listed_versions(modules)
    rows = []
    for module in modules:
        progresses = grouped.get(module.id, [])
        latest = max(progresses, key=lambda p: p.last_seen_at, default=None)
        version = versions[module.current_version_id]
        rows.append(ModuleRow(module, version, _status(progresses), latest))
    unfinished = [r for r in rows if r.status == IN_PROGRESS]
    resume = max(unfinished, key=lambda r: r.progress.last_seen_at, default=None)
    if resume is None:
        resume = next((r for r in rows if r.status != READ), None)
    read = sum(r.status == READ for r in rows)
    return CourseProgressInfo(course, rows, read, len(rows), resume)


def has_read(user: User, course_code: str, codes: list[str] | None = None) -> bool:
    """True when `user` has read the modules `codes` of the course `course_code`
    (every active module when None; a code no longer active is not asked for), or
    when there is no such course."""
    # One query, no module text loaded: is any module asked for still unread?
    # (No such course: no module, nothing unread.)
    course_id = select(Course.id).where(Course.code == course_code).scalar_subquery()
    unread = select(Module.id).where(
        Module.course_id == course_id,
        Module.active.is_(True),
        Module.current_version_id.is_not(None),
        ~exists().where(
            ModuleProgress.module_id == Module.id,
            ModuleProgress.user_id == user.id,
            ModuleProgress.completed_at.is_not(None),
        ),
    )
    if codes is not None:
        unread = unread.where(Module.code.in_(codes))
    return not db.session.scalar(select(unread.exists()))


def quizzes_following(course_code: str, user: User | None = None) -> list:
    """The active quizzes that follow the course (the quizzes domain answers
    course_quizzes_asked); with `user`, only those it may take by their targets."""
    answers = course_quizzes_asked.send(course_code, user=user)
    return [quiz for _, quizzes in answers for quiz in quizzes]


def last_read_at(user: User, course: Course) -> datetime | None:
    """When `user` finished the last module of `course` it read (None if none)."""
    from sqlalchemy import func

    return db.session.scalar(
        select(func.max(ModuleProgress.completed_at)).where(
            ModuleProgress.user_id == user.id,
            ModuleProgress.module_id.in_([m.id for m in active_modules(course)]),
        )
    )


def readers_of(course: Course) -> set[int]:
    """Ids of the users who have opened any module of `course`."""
    ids = [m.id for m in course.modules]
    return set(
        db.session.scalars(
            select(ModuleProgress.user_id)
            .where(ModuleProgress.module_id.in_(ids))
            .distinct()
        )
    )


def neighbours(module: Module) -> tuple[Module | None, Module | None]:
    modules = active_modules(module.course)
    index = modules.index(module)
    previous = modules[index - 1] if index > 0 else None
    following = modules[index + 1] if index + 1 < len(modules) else None
    return previous, following


def _progress(user: User, module: Module, lock: bool = False) -> ModuleProgress | None:
    """`user`'s progress on the current version; `lock`: the row is locked until
    the commit (PostgreSQL), so that two reports at once both count."""
    query = select(ModuleProgress).where(
        ModuleProgress.user_id == user.id,
        ModuleProgress.version_id == module.current_version_id,
    )
    if lock:
        query = query.with_for_update()
    return db.session.scalar(query)


def _credit(progress: ModuleProgress, seconds: int, cap: int, now: datetime) -> int:
    """Add to `progress` the reading time one report claims: at most `seconds`, at
    most `cap`, and never more than the whole seconds since `last_seen_at` (the last
    page view or report). So no request, forged or repeated, or several tabs at
    once, adds more than the time that has passed. Returns the seconds added."""
    gap = (now - progress.last_seen_at).total_seconds()
    wall = max(0, math.floor(gap))
    credit = max(0, min(seconds, cap, wall))
    progress.seconds_spent += credit
    if credit == wall:
        # Bounded by the clock: keep the fraction of a second for the next report.
        progress.last_seen_at += timedelta(seconds=credit)
    else:
        # The page counted less than the clock (it was hidden, or the report is
        # late): the rest of the gap is not reading and is never counted later.
        progress.last_seen_at = now
    return credit


def open_module(
    user: User, module: Module, now: datetime | None = None
) -> ModuleProgress:
    """Record that `user` opens the current version of `module`; return progress.
    Opening counts no time: the page's reports of visible time do."""
    now = now or utcnow()
    progress = _progress(user, module)
    if progress is None:
        progress = ModuleProgress(
            user_id=user.id,
            module_id=module.id,
            version_id=module.current_version_id,
            first_opened_at=now,
            last_seen_at=now,
        )
        db.session.add(progress)
    else:
        progress.last_seen_at = now
    db.session.flush()
    return progress


def record_reading(
    user: User, module: Module, seconds: int, now: datetime | None = None
) -> ModuleProgress:
    """A report from an open module page: `seconds` it was visible since its last
    report, added within the bounds of `_credit` (at most MAX_REPORT_SECONDS).
    Nothing is added once the module is read. Raises NotFound if `user` never
    opened the current version."""
    progress = _progress(user, module, lock=True)
    if progress is None:
        raise NotFound(_l("Bạn cần mở học phần để đọc trước khi xác nhận đã đọc xong."))
    if not progress.is_completed:
        _credit(progress, seconds, MAX_REPORT_SECONDS, now or utcnow())
        db.session.flush()
    return progress


def minimum_seconds(version: ModuleVersion, fraction: float) -> int:
    return math.ceil(version.minutes * 60 * fraction)


def seconds_until_completable(progress: ModuleProgress | None, fraction: float) -> int:
    """Seconds of reading left before the module may be marked read (0 when it
    may): the minimum less the visible time counted so far."""
    if progress is None:
        return 0
    needed = minimum_seconds(progress.version, fraction)
    return max(0, needed - progress.seconds_spent)


def complete_module(
    user: User,
    module: Module,
    fraction: float,
    now: datetime | None = None,
    seconds: int | None = None,
) -> ModuleProgress:
    """Mark the current version read once the cadre has read it for the minimum
    time. `seconds`: visible time the page counted since its last report (added as
    a report is); None when the page ran no script: then the time since the page
    was served counts, at most the minimum itself. Raises NotFound if it was never
    opened, ReadingTooShort (after counting the time) before the minimum.
    Completing twice keeps the first completion."""
    now = now or utcnow()
    progress = _progress(user, module, lock=True)
    if progress is None:
        raise NotFound(_l("Bạn cần mở học phần để đọc trước khi xác nhận đã đọc xong."))
    if progress.is_completed:
        return progress
    needed = minimum_seconds(progress.version, fraction)
    if seconds is None:
        _credit(progress, needed, needed, now)
    else:
        _credit(progress, seconds, MAX_REPORT_SECONDS, now)
    db.session.flush()
    remaining = seconds_until_completable(progress, fraction)
    if remaining > 0:
        raise ReadingTooShort(remaining)
    progress.completed_at = now
    db.session.flush()
    module_read.send(progress, user=user, module=module, now=now)
    return progress
