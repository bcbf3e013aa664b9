"""What the home page shows each role; read-only."""

from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.accounts.models import Unit, User
from app.accounts.permissions import scope_paths
from app.contests.learner import open_rounds_for
from app.courses.services import CourseProgressInfo, course_progress, list_courses
from app.extensions import db
from app.records.learner import campaigns_for
from app.reminders.notices import active_notices
from app.timeutil import utcnow


@dataclass
class ScopeInfo:
    role: str
    units: list[Unit]
    unit_count: int
    cadre_count: int


@dataclass
class HomeSummary:
    scopes: list[ScopeInfo] = field(default_factory=list)
    courses: list[CourseProgressInfo] = field(default_factory=list)
    campaigns: list = field(default_factory=list)
    reminders: list = field(default_factory=list)  # reminders.notices.NoticeInfo
    contest_rounds: list = field(default_factory=list)  # contests.learner.OpenRound


def home_summary(user: User) -> HomeSummary:
    """Counts of units and cadres within each scoped role the user holds."""
    summary = HomeSummary()
    if user.has_role("learner"):
        summary.campaigns = campaigns_for(user)
        summary.reminders = active_notices(user)
        summary.contest_rounds = open_rounds_for(user, utcnow())
        if not summary.campaigns:
            summary.courses = [course_progress(user, c) for c in list_courses()]
    for role in ("admin", "hr", "trainer"):
        if not user.has_role(role):
            continue
        paths = None if role == "admin" else scope_paths(user, role)
        condition = Unit.in_subtrees(paths)
        units = user.role_units(role)
        summary.scopes.append(
            ScopeInfo(
                role=role,
                units=units,
                unit_count=db.session.scalar(
                    select(func.count(Unit.id)).where(condition)
                ),
                cadre_count=db.session.scalar(
                    select(func.count(User.id)).join(User.unit).where(condition)
                ),
            )
        )
    return summary
