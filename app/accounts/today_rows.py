"""Today's rows from the history: `Unit` and `User.unit_id/position/category` made
equal to the versions and assignments valid today (see app.accounts.history)."""

from datetime import date
from typing import NamedTuple

from sqlalchemy import exists, func, literal, or_, select, update

from app.extensions import db

from .days import vn_today
from .models import Assignment, Unit, UnitSuccession, UnitVersion, User

# Today's rows --------------------------------------------------------------


def sync_units(unit_ids: list[int] | None = None, day: date | None = None) -> list:
    """Make today's Unit rows (those of `unit_ids`, or all) equal the versions valid
    on `day` (today): paths with their subtrees, names, kinds, parents; a unit whose
    last version has ended becomes inactive, pointing at its primary successor.
    Returns the units whose path changed."""
    day = day or vn_today()
    V = UnitVersion
    base = select(Unit, V).join(V, (V.unit_id == Unit.id) & V.valid_on(day))
    if unit_ids is not None:
        base = base.where(Unit.id.in_(unit_ids))
    moved = _sync_paths(base)
    _sync_fields(base)
    _end_units(unit_ids, day)
    db.session.flush()
    return moved


def _sync_paths(base) -> list[Unit]:
    """Give each unit of `base` (units with their version of the day) its version's
    path, with its subtree, shallowest first. Returns the units moved."""
    V = UnitVersion
    moved = []
    for _ in range(10_000):
        row = db.session.execute(
            base.where(Unit.path != V.path).order_by(V.depth, Unit.id).limit(1)
        ).first()
        if row is None:
            break
        unit, version = row
        old, delta = unit.path, version.depth - unit.depth
        db.session.execute(
            update(Unit)
            .where(Unit.in_subtree(old))
            .values(
                path=literal(version.path) + func.substr(Unit.path, len(old) + 1),
                depth=Unit.depth + delta,
            )
            .execution_options(synchronize_session=False)
        )
        db.session.expire_all()
        moved.append(unit)
    return moved


def _sync_fields(base) -> None:
    """Give each unit of `base` that differs its version's name, kind and parent;
    active again, with no successor."""
    V = UnitVersion
    differs = or_(
        Unit.name != V.name,
        Unit.kind != V.kind,
        Unit.parent_id.is_distinct_from(V.parent_id),
        Unit.active.is_(False),
        Unit.successor_id.is_not(None),
    )
    for unit, version in db.session.execute(base.where(differs)):
        unit.name, unit.kind = version.name, version.kind
        unit.parent_id = version.parent_id
        unit.active, unit.successor_id = True, None


def _end_units(unit_ids: list[int] | None, day: date) -> None:
    """Make inactive each active unit (of `unit_ids`, or all) whose last version
    has ended by `day`, pointing at its primary successor."""
    V = UnitVersion
    ended = select(Unit).where(
        Unit.active,
        ~exists().where(V.unit_id == Unit.id, V.valid_on(day)),
        exists().where(V.unit_id == Unit.id, V.valid_from <= day),
    )
    if unit_ids is not None:
        ended = ended.where(Unit.id.in_(unit_ids))
    for unit in db.session.scalars(ended).all():
        unit.active = False
        unit.successor_id = db.session.scalar(
            select(UnitSuccession.successor_id)
            .where(UnitSuccession.predecessor_id == unit.id)
            .order_by(UnitSuccession.primary.desc(), UnitSuccession.id)
            .limit(1)
        )


class Synced(NamedTuple):
    moved: list[tuple[User, int]]  # (user, old unit id): the cadres that changed unit
    recategorised: list[User]  # the cadres whose category changed


def sync_users(user_ids: list[int] | None = None, day: date | None = None) -> Synced:
    """Make today's User rows (those of `user_ids`, or all) equal their assignment
    valid on `day` (today). Returns the cadres that changed unit, and those whose
    category changed (either may bring them into a campaign's scope)."""
    day = day or vn_today()
    A = Assignment
    query = (
        select(User, A)
        .join(A, (A.user_id == User.id) & A.valid_on(day))
        .where(
            or_(
                User.unit_id != A.unit_id,
                User.position != A.position,
                User.category != A.category,
            )
        )
    )
    moved, recategorised = [], []
    chunks = [None]
    if user_ids is not None:
        chunks = [user_ids[i : i + 900] for i in range(0, len(user_ids), 900)]
    for chunk in chunks:
        run = query if chunk is None else query.where(User.id.in_(chunk))
        for user, assignment in db.session.execute(run).all():
            if user.unit_id != assignment.unit_id:
                moved.append((user, user.unit_id))
            if user.category != assignment.category:
                recategorised.append(user)
            user.unit_id = assignment.unit_id
            user.position, user.category = assignment.position, assignment.category
    db.session.flush()
    return Synced(moved, recategorised)
