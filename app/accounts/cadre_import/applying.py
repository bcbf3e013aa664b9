"""Applying a cadre import plan: all or nothing, in the caller's transaction."""

from sqlalchemy import insert, select

from app.audit import services as audit
from app.errors import ImportRejected
from app.errors import lazy_ngettext as _nl
from app.extensions import db
from app.signals import cadres_changed
from app.timeutil import utcnow

from .. import history, services
from ..models import Assignment, RoleAssignment, User
from .checking import CREATE, UNCHANGED, UPDATE, PlannedRow
from .planning import ImportPlan, fetch

AUDITED_CONVERSIONS = 2000  # legacy-encoding conversions kept in the audit event


def apply_import(plan: ImportPlan, actor: User | None) -> dict[str, int]:
    """Write `plan` in the current transaction (flushes; the caller commits): create
    the new cadres (username = employee code lower-cased, no password: HR gives one by
    a reset), update the changed ones, then send `cadres_changed` (the records
    domain gives everyone in a campaign's scope a record).

    Raises ImportRejected, writing nothing, when any row has an error.
    """
    if plan.has_errors:
        problems = plan.problems()
        raise ImportRejected(
            _nl(
                "%(source)s: %(count)s lỗi, không nhập gì.",
                "%(source)s: %(count)s lỗi, không nhập gì.",
                len(problems),
                source=plan.source,
                count=len(problems),
            ),
            problems,
        )
    day = plan.effective or history.vn_today()
    created = _create_all([r for r in plan.rows if r.action == CREATE], day, actor)
    updates = [r for r in plan.rows if r.action == UPDATE]
    users = fetch(select(User), User.id, [r.user_id for r in updates])
    by_id = {u.id: u for u in users}
    moved = sum(_update(by_id[r.user_id], r, actor, day) for r in updates)
    db.session.flush()
    cadres_changed.send(plan.root, actor=actor)
    counts = {
        "created": created,
        "updated": plan.count(UPDATE),
        "unchanged": plan.count(UNCHANGED),
        "moved": moved,
    }
    _audit(plan, counts, actor)
    db.session.flush()
    return counts


def _audit(plan: ImportPlan, counts: dict[str, int], actor: User | None) -> None:
    """One audit event for the import: the file, its counts and its conversions (the
    first AUDITED_CONVERSIONS of them)."""
    conversions = [
        {
            "line": r.line,
            "code": r.row.employee_code,
            "field": f.field,
            "original": f.original,
            "text": f.text,
            "encoding": f.encoding,
        }
        for r in plan.rows
        for f in r.row.fixes
    ]
    audit.record(
        "cadres.imported",
        actor=actor,
        target=plan.root,
        file=plan.source,
        sha256=plan.file.sha256,
        encoding=plan.file.encoding,
        rows=len(plan.rows),
        **counts,
        conversions=conversions[:AUDITED_CONVERSIONS],
        conversions_total=len(conversions),
    )


def _create_all(rows: list[PlannedRow], day, actor: User | None) -> int:
    """Insert the new cadres, their learner role and their assignment from `day`
    in three bulk INSERTs."""
    if not rows:
        return 0
    named = User()  # transient: set_name computes the name columns on it
    values = []
    for planned in rows:
        row = planned.values
        services.set_name(named, row["full_name"], row["given_name"])
        values.append(
            {
                "username": planned.row.employee_code.lower(),
                "employee_code": planned.row.employee_code,
                "full_name": named.full_name,
                "given_name": named.given_name,
                "name_sort": named.name_sort,
                "name_search": named.name_search,
                "unit_id": row["unit"].id,
                "position": row["position"] or "",
                "category": row["category"] or "cong_chuc",
                "email": row["email"],
                "active": True if row["active"] is None else row["active"],
                "must_change_password": True,
            }
        )
    db.session.execute(insert(User.__table__), values)  # one executemany
    codes = [v["employee_code"] for v in values]
    found = dict(fetch(select(User.employee_code, User.id), User.employee_code, codes))
    ids = [found[c] for c in codes]
    roles = [{"user_id": i, "role": "learner", "unit_id": None} for i in ids]
    db.session.execute(insert(RoleAssignment.__table__), roles)
    now = utcnow()
    assignments = [
        {
            "user_id": user_id,
            "unit_id": v["unit_id"],
            "position": v["position"],
            "category": v["category"],
            "valid_from": day,
            "valid_to": None,
            "created_at": now,
            "actor_id": getattr(actor, "id", None),
        }
        for user_id, v in zip(ids, values, strict=True)
    ]
    db.session.execute(insert(Assignment), assignments)
    return len(ids)


def _update(user: User, planned: PlannedRow, actor: User | None, day) -> bool:
    """Apply one row's changes to `user`: its unit, position and category from `day`
    (a new assignment), the rest at once; True when the cadre moved to another unit
    today."""
    values, changes = planned.values, planned.changes
    if "Họ và tên" in changes or "Tên" in changes:
        services.set_name(user, values["full_name"], values["given_name"])
    if values["email"] is not None:
        user.email = values["email"]
    if "Đang làm việc" in changes:
        services.set_active(user, values["active"], actor=actor)
    if {"Đơn vị", "Chức vụ", "Loại"} & set(changes):
        return services.reassign(
            user,
            unit=values["unit"] if "Đơn vị" in changes else None,
            position=values["position"],
            category=values["category"],
            actor=actor,
            effective=day,
        )
    return False
