"""Reading courses: what a cadre sees, its progress, and the minimum reading time.

The public door of the courses domain. Operations flush, never commit.
"""

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select

from app.accounts.models import User
from app.errors import DomainError, NotFound
from app.extensions import db
from app.signals import course_quizzes_asked, module_read
from app.timeutil import utcnow

from .models import Course, Module, ModuleProgress, ModuleVersion

# Time between two page views or heartbeats that still counts as reading.
IDLE_SECONDS = 300


class ReadingTooShort(DomainError):
    """The cadre asks to mark a module read before its minimum reading time."""

    status = 400

    def __init__(self, remaining_seconds: int):
        minutes = max(1, math.ceil(remaining_seconds / 60))
        super().__init__(
            f"Bạn cần đọc thêm khoảng {minutes} phút nữa "
            "trước khi xác nhận đã đọc xong."
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
        return round(100 * self.read_count / self.total) if self.total else 0


def list_courses() -> list[Course]:
    return list(db.session.scalars(select(Course).order_by(Course.code)))


def get_course(code: str) -> Course:
    course = db.session.scalar(select(Course).where(Course.code == code))
    if course is None:
        raise NotFound(f"Không có khóa học “{code}”.")
    return course


def get_module(code: str) -> Module:
    """An active module with a published version; NotFound otherwise."""
    module = db.session.scalar(select(Module).where(Module.code == code))
    if module is None or not module.active or module.current_version is None:
        raise NotFound(f"Không có học phần “{code}”.")
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


def _status(progresses: list[ModuleProgress]) -> str:
    if any(p.is_completed for p in progresses):
        return READ
    return IN_PROGRESS if progresses else NOT_STARTED


def course_progress(user: User, course: Course) -> CourseProgressInfo:
    """Each module's status for `user` (read = any version completed) and where to
    resume: the last module opened and not finished, else the first unread."""
    modules = active_modules(course)
    grouped = _progress_by_module(user, modules)
    rows = []
    for module in modules:
        progresses = grouped.get(module.id, [])
        latest = max(progresses, key=lambda p: p.last_seen_at, default=None)
        rows.append(
            ModuleRow(module, module.current_version, _status(progresses), latest)
        )
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
    course_id = db.session.scalar(select(Course.id).where(Course.code == course_code))
    if course_id is None:
        return True
    # One query, no module text loaded: is any module asked for still unread?
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


def quizzes_following(course_code: str) -> list:
    """The active quizzes that follow the course (the quizzes domain answers
    course_quizzes_asked)."""
    answers = course_quizzes_asked.send(course_code)
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


def _progress(user: User, module: Module) -> ModuleProgress | None:
    return db.session.scalar(
        select(ModuleProgress).where(
            ModuleProgress.user_id == user.id,
            ModuleProgress.version_id == module.current_version_id,
        )
    )


def _count_time(progress: ModuleProgress, now: datetime) -> None:
    gap = (now - progress.last_seen_at).total_seconds()
    if 0 < gap <= IDLE_SECONDS:
        progress.seconds_spent += int(gap)
    progress.last_seen_at = now


def open_module(
    user: User, module: Module, now: datetime | None = None
) -> ModuleProgress:
    """Record that `user` reads the current version of `module`; return progress."""
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
        _count_time(progress, now)
    db.session.flush()
    return progress


def record_reading(user: User, module: Module, now: datetime | None = None) -> None:
    """A heartbeat from an open module page: add the time since the last one."""
    progress = _progress(user, module)
    if progress is not None and not progress.is_completed:
        _count_time(progress, now or utcnow())


def minimum_seconds(version: ModuleVersion, fraction: float) -> int:
    return math.ceil(version.minutes * 60 * fraction)


def seconds_until_completable(
    progress: ModuleProgress | None, fraction: float, now: datetime | None = None
) -> int:
    """Seconds left before the module may be marked read (0 when it may)."""
    if progress is None:
        return 0
    needed = minimum_seconds(progress.version, fraction)
    elapsed = ((now or utcnow()) - progress.first_opened_at).total_seconds()
    return max(0, math.ceil(needed - elapsed))


def complete_module(
    user: User, module: Module, fraction: float, now: datetime | None = None
) -> ModuleProgress:
    """Mark the current version read once the minimum reading time has passed since
    the cadre first opened it. Raises NotFound if it was never opened, ReadingTooShort
    before the time. Completing twice keeps the first completion."""
    now = now or utcnow()
    progress = _progress(user, module)
    if progress is None:
        raise NotFound("Bạn cần mở học phần để đọc trước khi xác nhận đã đọc xong.")
    if progress.is_completed:
        return progress
    remaining = seconds_until_completable(progress, fraction, now)
    if remaining > 0:
        raise ReadingTooShort(remaining)
    _count_time(progress, now)
    progress.completed_at = now
    db.session.flush()
    module_read.send(progress, user=user, module=module, now=now)
    return progress
