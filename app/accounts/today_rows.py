"""Today's rows from the history: `Unit` and `User.unit_id/position/category` made
equal to the versions and assignments valid today (see app.accounts.history)."""

from datetime import date

from sqlalchemy import exists, func, literal, or_, select, update

from app.audit import services as audit
from app.extensions import db
from app.signals import cadres_changed, user_moved

from . import history
from .models import Assignment, Unit, UnitSuccession, UnitVersion, User

# Today's rows --------------------------------------------------------------


def sync_units(unit_ids: list[int] | None = None, day: date | None = None) -> list:
    """Make today's Unit rows (those of `unit_ids`, or all) equal the versions valid
    on `day` (today): paths with their subtrees, names, kinds, parents; a unit whose
    last version has ended becomes inactive, pointing at its primary successor.
    Returns the units whose path changed."""
    day = day or history.vn_today()
    V = UnitVersion
    base = select(Unit, V).join(V, (V.unit_id == Unit.id) & V.valid_on(day))
    if unit_ids is not None:
        base = base.where(Unit.id.in_(unit_ids))
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
    db.session.flush()
    return moved


def sync_users(
    user_ids: list[int] | None = None, day: date | None = None
) -> list[tuple[User, int]]:
    """Make today's User rows (those of `user_ids`, or all) equal their assignment
    valid on `day` (today). Returns (user, old unit id) for each cadre that changed
    unit."""
    day = day or history.vn_today()
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
    moved = []
    chunks = [None]
    if user_ids is not None:
        chunks = [user_ids[i : i + 900] for i in range(0, len(user_ids), 900)]
    for chunk in chunks:
        run = query if chunk is None else query.where(User.id.in_(chunk))
        for user, assignment in db.session.execute(run).all():
            if user.unit_id != assignment.unit_id:
                moved.append((user, user.unit_id))
            user.unit_id = assignment.unit_id
            user.position, user.category = assignment.position, assignment.category
    db.session.flush()
    return moved


def apply_due(day: date | None = None, actor: User | None = None) -> dict[str, int]:
    """Apply to today's rows every change whose day has come (idempotent: a second
    run changes nothing). Cadres still assigned to a unit that has ended follow its
    primary successor from that day. Sends user_moved for each cadre moved and
    cadres_changed for each unit moved or receiving cadres."""
    day = day or history.vn_today()
    orphans = _follow_successions(day, actor)
    moved_units = sync_units(day=day)
    moved_users = sync_users(day=day)
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
        history.assign(user, start, unit=successor, actor=actor)
    db.session.flush()
    return len(rows)
