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

from datetime import date

from sqlalchemy import exists, or_, select

from app.audit import services as audit
from app.errors import Conflict, InvalidInput
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.signals import cadres_changed, user_moved, user_recategorised

from . import scope
from .asof import cadres_as_of, place_name_on, tree_as_of, unit_as_of, units_on
from .days import (  # noqa: F401  (part of this module's API)
    DAYS_AHEAD,
    FIRST_DAY,
    check_day,
    effective,
    format_day,
    parse_day,
    vn_today,
)
from .later import refuse_later_places, refuse_later_units
from .models import Assignment, Unit, UnitSuccession, UnitVersion, User
from .today_rows import sync_units, sync_users

# Also from here: the as-of queries (app.accounts.asof) and today's rows.
__all__ = [
    "apply_due",
    "cadres_as_of",
    "place_name_on",
    "sync_units",
    "sync_users",
    "tree_as_of",
    "unit_as_of",
    "units_on",
]

# Units ---------------------------------------------------------------------


def require_version(unit: Unit, day: date) -> UnitVersion:
    """The version of `unit` valid on `day`; InvalidInput when it did not exist."""
    version = unit_as_of(unit.id, day)
    if version is None:
        raise InvalidInput(
            _l(
                "Đơn vị “%(code)s” không tồn tại vào ngày %(day)s.",
                code=unit.code,
                day=format_day(day),
            )
        )
    return version


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
        refuse_later_places(scope.path_ids(parent_version.path), day)
    unit.path = scope.child_path(parent_version and parent_version.path, unit.id)
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
    # a later version of the units moved, or a later move of the new parent or
    # its ancestors (as for a new unit), would not carry the moved units along
    if parent_version is not None:
        refuse_later_places(scope.path_ids(parent_version.path), day)
    refuse_later_units(
        or_(
            UnitVersion.unit_id.in_(ids),
            scope.subtree_condition(UnitVersion.path, old),
        ),
        day,
    )
    prefix = scope.child_path(parent_version and parent_version.path, unit.id)
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


def apply_due(day: date | None = None, actor: User | None = None) -> dict[str, int]:
    """Apply to today's rows every change whose day has come (idempotent: a second
    run changes nothing). Cadres still assigned to a unit that has ended follow its
    primary successor from that day. Sends user_moved for each cadre moved,
    user_recategorised for each whose category changed, and cadres_changed for each
    unit moved or receiving cadres."""
    day = day or vn_today()
    orphans = _follow_successions(day, actor)
    moved_units = sync_units(day=day)
    synced = sync_users(day=day)
    moved_users = synced.moved
    for user in synced.recategorised:
        user_recategorised.send(user)
    for user, old in moved_users:
        audit.record(
            "user.moved", actor=actor, target=user, old_unit=old, new_unit=user.unit_id
        )
        user_moved.send(user, old_unit_id=old)
    receivers = {u.id for u in moved_units} | {u.unit_id for u, _ in moved_users}
    for unit_id in sorted(receivers):
        cadres_changed.send(db.session.get(Unit, unit_id), actor=actor)
    counts = {
        "units": len(moved_units),
        "cadres": len(moved_users),
        "followed": orphans,
    }
    if any(counts.values()):
        audit.record("units.applied_due", actor=actor, day=day.isoformat(), **counts)
    db.session.flush()
    return counts


def _follow_successions(day: date, actor: User | None) -> int:
    """Cadres assigned on `day` to a unit that no longer exists then, which has a
    primary successor: assigned to it from the day of the succession."""
    A, V, S = Assignment, UnitVersion, UnitSuccession
    rows = db.session.execute(
        select(A, S)
        .join(S, (S.predecessor_id == A.unit_id) & S.primary)
        .where(
            A.valid_on(day),
            S.valid_from <= day,
            ~exists().where(V.unit_id == A.unit_id, V.valid_on(day)),
        )
    ).all()
    for assignment, succession in rows:
        start = max(succession.valid_from, assignment.valid_from)
        user = db.session.get(User, assignment.user_id)
        successor = db.session.get(Unit, succession.successor_id)
        assign(user, start, unit=successor, actor=actor)
    db.session.flush()
    return len(rows)


def successions_of(unit: Unit) -> list[tuple[UnitSuccession, Unit, Unit]]:
    """Successions from or into `unit`: (succession, predecessor, successor)."""
    rows = db.session.scalars(
        select(UnitSuccession)
        .where(
            (UnitSuccession.predecessor_id == unit.id)
            | (UnitSuccession.successor_id == unit.id)
        )
        .order_by(UnitSuccession.valid_from.desc(), UnitSuccession.id)
    ).all()
    return [
        (
            s,
            db.session.get(Unit, s.predecessor_id),
            db.session.get(Unit, s.successor_id),
        )
        for s in rows
    ]
