"""Dated changes of units and of cadres' assignments, and applying them to today's rows.

The history tables (app.accounts.models: UnitVersion, UnitSuccession, Assignment) say
what was when; `Unit` and `User.unit_id/position/category` are today's structure,
which every scope check reads. The rules kept here:

- A change takes effect on a Vietnam calendar day (`vn_today()` by default; past,
  today or future, within `check_day`'s bounds). It closes the version valid that
  day (`valid_to = day`) and opens another from that day; a second change dated the
  same day as the version it changes amends that version (a version of zero days is
  never written); the audit log keeps both.
- A change dated before a later change of the same unit (or of a unit it moves, or
  of a cadre it moves) is refused with a Conflict naming that later day: history is
  inserted in order, never rewritten.
- A change dated today or earlier is applied to today's rows at once
  (`sync_units` / `sync_users`); one dated in the future is stored and applied on
  its day by `apply_due` (`flask units apply-due`, daily timer). After either, today's
  rows equal the versions valid today.

Operations flush, never commit: the caller commits once.
"""

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from app.errors import Conflict, InvalidInput
from app.extensions import db
from app.timeutil import to_vn, utcnow

from . import scope
from .models import Assignment, Unit, UnitVersion, User
from .today_rows import apply_due, sync_units, sync_users

__all__ = ["apply_due", "sync_units", "sync_users"]  # and every function below

FIRST_DAY = date(1945, 9, 2)  # no unit of this state is older
DAYS_AHEAD = 2 * 366  # a decision is not dated further ahead than this


def vn_today() -> date:
    """Today's calendar day in Vietnam."""
    return to_vn(utcnow()).date()


def format_day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def check_day(day: date) -> date:
    """`day` when it is a plausible effective day (from 2/9/1945 to two years
    ahead); InvalidInput otherwise."""
    last = vn_today() + timedelta(days=DAYS_AHEAD)
    if day < FIRST_DAY or day > last:
        raise InvalidInput(
            _l(
                "Ngày %(day)s nằm ngoài khoảng cho phép (từ %(first)s đến %(last)s).",
                day=format_day(day),
                first=format_day(FIRST_DAY),
                last=format_day(last),
            )
        )
    return day


def parse_day(text: str | None) -> date | None:
    """The day written as YYYY-MM-DD (or dd/mm/yyyy), checked by `check_day`; None
    for an empty text; InvalidInput for anything else."""
    text = (text or "").strip()
    if not text:
        return None
    day = None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        parts = text.split("/")
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            try:
                day = date(int(parts[2]), int(parts[1]), int(parts[0]))
            except ValueError:
                day = None
    if day is None:
        raise InvalidInput(
            _l(
                "Ngày “%(text)s” không hợp lệ; hãy nhập theo dạng YYYY-MM-DD "
                "(ví dụ 2025-07-01).",
                text=text[:40],
            )
        )
    return check_day(day)


def effective(day: date | None) -> date:
    """The effective day of a change: `day` checked, or today."""
    return vn_today() if day is None else check_day(day)


# Units ---------------------------------------------------------------------


def version_on(unit_id: int, day: date) -> UnitVersion | None:
    """The version of the unit valid on `day`, if it existed then."""
    return db.session.scalar(
        select(UnitVersion)
        .where(UnitVersion.unit_id == unit_id, UnitVersion.valid_on(day))
        .order_by(UnitVersion.valid_from.desc())
        .limit(1)
    )


def require_version(unit: Unit, day: date) -> UnitVersion:
    """The version of `unit` valid on `day`; InvalidInput when it did not exist."""
    version = version_on(unit.id, day)
    if version is None:
        raise InvalidInput(
            _l(
                "Đơn vị “%(code)s” không tồn tại vào ngày %(day)s.",
                code=unit.code,
                day=format_day(day),
            )
        )
    return version


def refuse_later_units(condition, day: date) -> None:
    """Conflict when a version matching `condition` starts after `day`."""
    later = db.session.execute(
        select(UnitVersion.valid_from, Unit.code)
        .join(Unit, Unit.id == UnitVersion.unit_id)
        .where(condition, UnitVersion.valid_from > day)
        .order_by(UnitVersion.valid_from.desc())
        .limit(1)
    ).first()
    if later is not None:
        raise Conflict(
            _l(
                "Đơn vị “%(code)s” đã có thay đổi từ ngày %(later)s; không ghi được "
                "thay đổi có hiệu lực từ %(day)s (trước thay đổi đó). Hãy chọn ngày từ "
                "%(later)s trở đi.",
                code=later.code,
                later=format_day(later.valid_from),
                day=format_day(day),
            )
        )


def open_version(
    current: UnitVersion, day: date, change: str, decision: str = "", **attrs
) -> UnitVersion:
    """Close `current` on `day` and open a copy from `day` with `attrs` changed (or
    amend `current` when it starts that very day)."""
    if current.valid_from == day:
        for key, value in attrs.items():
            setattr(current, key, value)
        if decision:
            current.decision = decision
        return current
    version = UnitVersion(
        unit_id=current.unit_id,
        valid_from=day,
        valid_to=current.valid_to,
        name=current.name,
        admin_code=current.admin_code,
        kind=current.kind,
        parent_id=current.parent_id,
        path=current.path,
        depth=current.depth,
        change=change,
        decision=decision or "",
    )
    for key, value in attrs.items():
        setattr(version, key, value)
    current.valid_to = day
    db.session.add(version)
    return version


def start_unit(
    unit: Unit,
    day: date,
    decision: str = "",
    admin_code: str | None = None,
    change: str = "create",
) -> UnitVersion:
    """The first version of the flushed new `unit`, from `day`, under its parent as
    the parent was that day; sets the row's path and depth from it."""
    parent_version = None
    if unit.parent_id is not None:
        parent_version = require_version(unit.parent, day)
        ancestors = [int(p) for p in parent_version.path.strip("/").split("/")]
        refuse_later_units(UnitVersion.unit_id.in_(ancestors), day)
    unit.path = f"{parent_version.path if parent_version else '/'}{unit.id}/"
    unit.depth = parent_version.depth + 1 if parent_version else 0
    unit.active = day <= vn_today()
    version = UnitVersion(
        unit_id=unit.id,
        valid_from=day,
        name=unit.name,
        admin_code=admin_code or None,
        kind=unit.kind,
        parent_id=unit.parent_id,
        path=unit.path,
        depth=unit.depth,
        change=change,
        decision=decision or "",
    )
    db.session.add(version)
    return version


def change_unit(
    unit: Unit, day: date, change: str, decision: str = "", **attrs
) -> UnitVersion:
    """A dated change of `unit`'s own attributes (name, admin_code, kind)."""
    current = require_version(unit, day)
    refuse_later_units(UnitVersion.unit_id == unit.id, day)
    version = open_version(current, day, change, decision, **attrs)
    db.session.flush()
    if day <= vn_today():
        sync_units([unit.id])
    return version


def move_subtree(
    unit: Unit, new_parent: Unit | None, day: date, decision: str = ""
) -> list[int]:
    """A dated move of `unit` under `new_parent`: a new version for the unit and for
    every unit below it that day (their paths change). Returns their ids."""
    current = require_version(unit, day)
    parent_version = require_version(new_parent, day) if new_parent else None
    old = current.path
    if parent_version is not None and scope.in_subtree(parent_version.path, old):
        raise InvalidInput(
            _l(
                "Không thể chuyển “%(name)s” vào chính nó hoặc đơn vị cấp dưới của nó "
                "(“%(name2)s”).",
                name=current.name,
                name2=parent_version.name,
            )
        )
    subtree = db.session.scalars(
        select(UnitVersion).where(
            UnitVersion.valid_on(day), scope.subtree_condition(UnitVersion.path, old)
        )
    ).all()
    ids = [v.unit_id for v in subtree]
    refuse_later_units(
        or_(
            UnitVersion.unit_id.in_(ids),
            scope.subtree_condition(UnitVersion.path, old),
        ),
        day,
    )
    prefix = f"{parent_version.path if parent_version else '/'}{unit.id}/"
    delta = (parent_version.depth + 1 if parent_version else 0) - current.depth
    for version in subtree:
        attrs = {
            "path": prefix + version.path[len(old) :],
            "depth": version.depth + delta,
        }
        if version.unit_id == unit.id:
            attrs["parent_id"] = new_parent.id if new_parent else None
        open_version(version, day, "move", decision, **attrs)
    db.session.flush()
    if day <= vn_today():
        sync_units(ids)
    return ids


def end_unit(unit: Unit, day: date) -> UnitVersion:
    """Close `unit`'s version on `day` (a merge, split or dissolution)."""
    current = require_version(unit, day)
    refuse_later_units(UnitVersion.unit_id == unit.id, day)
    current.valid_to = day
    return current


# Assignments ---------------------------------------------------------------


def assignment_on(user_id: int, day: date) -> Assignment | None:
    return db.session.scalar(
        select(Assignment)
        .where(Assignment.user_id == user_id, Assignment.valid_on(day))
        .order_by(Assignment.valid_from.desc())
        .limit(1)
    )


def refuse_later_assignments(user_ids: list[int], day: date) -> None:
    later = db.session.execute(
        select(Assignment.valid_from, User.username, User.full_name)
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.user_id.in_(user_ids), Assignment.valid_from > day)
        .order_by(Assignment.valid_from.desc())
        .limit(1)
    ).first()
    if later is not None:
        raise Conflict(
            _l(
                "Cán bộ %(name)s (%(username)s) đã có thay đổi công tác từ ngày "
                "%(later)s; không ghi được thay đổi có hiệu lực từ %(day)s. Hãy chọn "
                "ngày từ %(later)s trở đi.",
                name=later.full_name,
                username=later.username,
                later=format_day(later.valid_from),
                day=format_day(day),
            )
        )


def assign(
    user: User,
    day: date,
    unit: Unit | None = None,
    position: str | None = None,
    category: str | None = None,
    actor: User | None = None,
) -> Assignment | None:
    """Record that from `day` the cadre has `unit`, `position` and `category` (None:
    unchanged). Returns the assignment, or None when nothing changes. Does not touch
    the User row: see `sync_users`."""
    refuse_later_assignments([user.id], day)
    current = assignment_on(user.id, day)
    if unit is not None:
        require_version(unit, day)
    base = current or user
    values = {
        "unit_id": unit.id if unit is not None else base.unit_id,
        "position": base.position if position is None else position,
        "category": base.category if category is None else category,
    }
    if current is not None and all(getattr(current, k) == v for k, v in values.items()):
        return None
    if current is not None and current.valid_from == day:
        for key, value in values.items():
            setattr(current, key, value)
        current.actor_id = getattr(actor, "id", None)
        return current
    assignment = Assignment(
        user_id=user.id,
        valid_from=day,
        valid_to=current.valid_to if current else None,
        actor_id=getattr(actor, "id", None),
        **values,
    )
    if current is not None:
        current.valid_to = day
    db.session.add(assignment)
    return assignment
