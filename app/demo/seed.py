"""`seed_demo`: create what is missing of the demo province (app.demo.data): its
units, ~300 cadres with Vietnamese names, the demo accounts and — once `flask
content sync` has loaded the content — the 2026 campaign, the closed ones of 2024
and 2025 (app.demo.past) and the contest. Safe to run again.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from app.accounts import services, units
from app.accounts.models import Unit, User
from app.content.ownership import adopt_unowned
from app.courses import services as courses
from app.courses.models import Course, ModuleProgress
from app.errors import NotFound
from app.extensions import db
from app.quizzes.models import Quiz
from app.records import services as records
from app.timeutil import utcnow, vn_day_end, vn_day_start

from . import history, past
from .contests import seed_contests
from .data import (
    ACCOUNT_PROFILES,
    CADRES,
    CAMPAIGN,
    DEMO_ACCOUNTS,
    FAMILY,
    GIVEN_F,
    GIVEN_M,
    MIDDLE_F,
    MIDDLE_M,
    POSITIONS,
    PROVINCE,
    TREE,
)
from .history import MERGER_DAY, PROVINCES_DECISION


@dataclass
class SeedResult:
    units_created: int = 0
    cadres_created: int = 0
    accounts_created: int = 0


def seed_demo() -> SeedResult:
    """Create what is missing of the demo province; existing rows are left alone.

    Flushes, never commits.
    """
    result = SeedResult()
    root = _ensure_unit(result, *PROVINCE, None, PROVINCES_DECISION)
    for code, name, kind, offices in TREE:
        dept = _ensure_unit(result, code, name, kind, root)
        for o_code, o_name, o_kind, teams in offices:
            office = _ensure_unit(result, o_code, o_name, o_kind, dept)
            for t_code, t_name, t_kind in teams:
                _ensure_unit(result, t_code, t_name, t_kind, office)
    # the structure before 1/7/2025: old units, some cadres' first assignments
    result.units_created += history.seed_old_units()
    _ensure_cadres(result, root)
    _ensure_accounts(result)
    history.end_old_units()  # the mergers of 1/7/2025
    _mark_modules_read("learner2")
    _ensure_campaign()
    _adopt_content(root)
    past.seed_past()  # the closed 2024 and 2025 campaigns, and their period
    if _content_loaded():  # its rounds draw from the synced question banks
        seed_contests()  # the contest files, a closed round taken and ranked
    return result


def _content_loaded() -> bool:
    """`flask content sync` has loaded the campaign's quiz (and its banks)."""
    return (
        db.session.scalar(select(Quiz.id).where(Quiz.code == CAMPAIGN[4])) is not None
    )


def _adopt_content(root) -> None:
    """The demo trainer (scoped at the province) may author the loaded content."""
    adopt_unowned(root)


def _ensure_campaign() -> None:
    """The 2026 campaign for the whole demo province (after `flask content sync`)."""
    code, title, year, course, quiz = CAMPAIGN
    content_loaded = db.session.scalar(select(Course.id).where(Course.code == course))
    quiz_loaded = db.session.scalar(select(Quiz.id).where(Quiz.code == quiz))
    if not content_loaded or not quiz_loaded:
        return
    try:
        campaign = records.get_campaign(code)
    except NotFound:
        records.create_campaign(
            code,
            title,
            year,
            course,
            quiz,
            vn_day_start(date(2026, 3, 1)),
            vn_day_end(date(2026, 12, 31)),
            [_find(PROVINCE[0])],
        )
        return
    records.ensure_records(campaign)


def _mark_modules_read(username: str) -> None:
    """learner2 has read every module already, so the final quiz can be tried at once.
    Does nothing before `flask content sync` has loaded the course."""
    user = db.session.scalar(select(User).where(User.username == username))
    for course in courses.list_courses():
        for module in courses.active_modules(course):
            done = db.session.scalar(
                select(ModuleProgress.id).where(
                    ModuleProgress.user_id == user.id,
                    ModuleProgress.version_id == module.current_version_id,
                )
            )
            if done is None:
                opened = utcnow() - timedelta(minutes=module.current_version.minutes)
                db.session.add(
                    ModuleProgress(
                        user_id=user.id,
                        module_id=module.id,
                        version_id=module.current_version_id,
                        first_opened_at=opened,
                        last_seen_at=utcnow(),
                        seconds_spent=module.current_version.minutes * 60,
                        completed_at=utcnow(),
                    )
                )


def _find(code: str) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.code == code))


def _ensure_unit(result, code, name, kind, parent, decision="") -> Unit:
    """Today's units of the demo province exist since the mergers of 1/7/2025."""
    unit = _find(code)
    if unit is None:
        unit = units.create_unit(
            code, name, kind, parent, effective=MERGER_DAY, decision=decision
        )
        result.units_created += 1
    return unit


def _leaf_units(root: Unit) -> list[Unit]:
    return list(
        db.session.scalars(
            select(Unit)
            .where(Unit.in_subtree(root.path), Unit.active.is_(True), Unit.depth >= 1)
            .order_by(Unit.code)
        )
    )


def demo_email(name: str) -> str:
    """A demo cadre's address, at a domain reserved for examples (RFC 2606):
    the demo's reminders are addressed to no real mailbox."""
    return f"{name.lower()}@example.org"


def _ensure_cadres(result, root) -> None:
    rng = random.Random(2026)
    targets = _leaf_units(root)
    weights = [p[2] for p in POSITIONS]
    existing = set(db.session.scalars(select(User.employee_code)))
    for number in range(1, CADRES + 1):
        code = f"AG{number:05d}"
        female = rng.random() < 0.52
        middle = rng.choice(MIDDLE_F if female else MIDDLE_M)
        given = rng.choice(GIVEN_F if female else GIVEN_M)
        full_name = f"{rng.choice(FAMILY)} {middle} {given}"
        position, category, _ = rng.choices(POSITIONS, weights)[0]
        unit = targets[number % len(targets)]
        if code in existing:
            continue
        history.create_cadre(
            number,
            unit,
            username=code.lower(),
            full_name=full_name,
            employee_code=code,
            position=position,
            category=category,
            email=demo_email(code),
        )
        result.cadres_created += 1


def _ensure_accounts(result) -> None:
    province = _find(PROVINCE[0])
    for number, (username, password, _role) in enumerate(DEMO_ACCOUNTS, start=1):
        if db.session.scalar(select(User.id).where(User.username == username)):
            continue
        full_name, unit_code, position, roles = ACCOUNT_PROFILES[username]
        history.create_cadre(
            CADRES + number,
            _find(unit_code),
            username=username,
            full_name=full_name,
            password=password,
            roles=[
                services.RoleSpec(role, province if scoped else None)
                for role, scoped in roles
            ],
            employee_code=f"AG9{number:04d}",
            email=demo_email(username),
            position=position,
            must_change_password=False,
        )
        result.accounts_created += 1
