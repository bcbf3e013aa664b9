"""Dated mergers, splits and dissolutions of units (app.accounts.history's rules).

A merge or a split ends a unit on a day and sends its cadres and its child units to
its successors: each to the successor a mapping names, else to the primary one (the
first). A UnitSuccession row per successor (kind merge or split) says where the
records roll up. A dissolution ends a unit with no successor, and is refused while
cadres or child units are still in it on that day. Operations flush, never commit.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from app.audit import services as audit
from app.errors import InvalidInput
from app.errors import lazy_gettext as _l
from app.errors import lazy_ngettext as _nl
from app.extensions import db
from app.numbers import lazy_number
from app.signals import cadres_changed
from app.vntext import clean_text

from . import history, scope
from .models import Assignment, Unit, UnitEvent, UnitSuccession, UnitVersion, User


@dataclass
class Restructure:
    """What ending `source` on `day` does: its cadres that day (user ids) and its
    child units that day, each with the successor it goes to."""

    source: Unit
    day: date
    kind: str  # merge | split | dissolve
    successors: list[Unit]
    cadres: dict[int, Unit] = field(default_factory=dict)
    children: dict[int, Unit] = field(default_factory=dict)

    @property
    def primary(self) -> Unit | None:
        return self.successors[0] if self.successors else None

    def cadre_counts(self) -> dict[int, int]:
        counts = {u.id: 0 for u in self.successors}
        for unit in self.cadres.values():
            counts[unit.id] += 1
        return counts


def cadre_ids_on(unit: Unit, day: date) -> list[int]:
    """Cadres assigned directly to `unit` on `day`."""
    return list(
        db.session.scalars(
            select(Assignment.user_id).where(
                Assignment.unit_id == unit.id, Assignment.valid_on(day)
            )
        )
    )


def child_ids_on(unit: Unit, day: date) -> list[int]:
    """Units directly below `unit` on `day`."""
    return list(
        db.session.scalars(
            select(UnitVersion.unit_id).where(
                UnitVersion.parent_id == unit.id, UnitVersion.valid_on(day)
            )
        )
    )


def plan(
    source: Unit,
    successors: list[Unit],
    day: date,
    kind: str = "merge",
    cadre_map: dict[int, Unit] | None = None,
    child_map: dict[int, Unit] | None = None,
) -> Restructure:
    """Check and describe a merge, split or dissolution; changes nothing. Raises
    InvalidInput on a successor that is the unit, below it, absent that day, or
    repeated; on a mapping to a unit that is not a successor; on a dissolution of a
    unit that still has cadres or child units."""
    current = history.require_version(source, day)
    if kind in ("merge", "split") and not successors:
        raise InvalidInput(_l("Nhập ít nhất một đơn vị tiếp nhận."))
    if kind == "split" and len(successors) < 2:
        raise InvalidInput(_l("Chia tách cần ít nhất hai đơn vị tiếp nhận."))
    seen = set()
    for successor in successors:
        version = history.require_version(successor, day)
        if successor.id == source.id or scope.in_subtree(version.path, current.path):
            raise InvalidInput(
                _l(
                    "Không thể sáp nhập một đơn vị vào chính nó hoặc đơn vị cấp dưới "
                    "của nó."
                )
            )
        if successor.id in seen:
            raise InvalidInput(
                _l("Đơn vị “%(code)s” được nhập hai lần.", code=successor.code)
            )
        seen.add(successor.id)
    result = Restructure(source, day, kind, list(successors))
    cadres, children = cadre_ids_on(source, day), child_ids_on(source, day)
    if kind == "dissolve":
        if cadres or children:
            raise InvalidInput(_still_holds(source, len(cadres), len(children), day))
        return result
    for mapping in (cadre_map or {}, child_map or {}):
        for target in mapping.values():
            if target.id not in seen:
                raise InvalidInput(
                    _l(
                        "“%(code)s” không phải đơn vị tiếp nhận.",
                        code=target.code,
                    )
                )
    result.cadres = {i: (cadre_map or {}).get(i, result.primary) for i in cadres}
    result.children = {i: (child_map or {}).get(i, result.primary) for i in children}
    return result


def _still_holds(source: Unit, cadres: int, children: int, day: date):
    """Why `source` cannot be dissolved on `day` (a lazy message)."""
    return _l(
        "Đơn vị “%(code)s” còn %(cadres)s và %(units)s vào ngày %(day)s; hãy "
        "chuyển đi trước khi giải thể.",
        code=source.code,
        cadres=_nl("%(n)s cán bộ", "%(n)s cán bộ", cadres, n=lazy_number(cadres)),
        units=_nl(
            "%(n)s đơn vị cấp dưới",
            "%(n)s đơn vị cấp dưới",
            children,
            n=lazy_number(children),
        ),
        day=history.format_day(day),
    )


def apply(change: Restructure, decision: str = "", actor: User | None = None) -> int:
    """Write `change` (from `plan`): child units move, cadres are assigned to their
    successor from the day, the source's version ends, successions are recorded; if
    the day has come, today's rows follow at once. Returns the cadres moved."""
    day, source = change.day, change.source
    decision = clean_text(decision or "")[:255]
    history.refuse_later_assignments(list(change.cadres), day)
    for child_id, target in change.children.items():
        history.move_subtree(db.session.get(Unit, child_id), target, day, decision)
    for user_id, target in change.cadres.items():
        history.assign(db.session.get(User, user_id), day, unit=target, actor=actor)
    history.end_unit(source, day)
    for successor in change.successors:
        db.session.add(
            UnitSuccession(
                predecessor_id=source.id,
                successor_id=successor.id,
                valid_from=day,
                kind=change.kind,
                primary=successor is change.primary,
                decision=decision,
            )
        )
    db.session.flush()
    _record(change, decision, actor)
    if day <= history.vn_today():
        history.sync_units([source.id])
        history.sync_users(list(change.cadres))
        for successor in change.successors:
            cadres_changed.send(successor, actor=actor)
    db.session.flush()
    return len(change.cadres)


def _record(change: Restructure, decision: str, actor: User | None) -> None:
    """Add the source unit's event and the audit entry of `change`."""
    source = change.source
    action = {"merge": "merged", "split": "divided", "dissolve": "dissolved"}[
        change.kind
    ]
    new = ", ".join(s.code for s in change.successors) or None
    db.session.add(
        UnitEvent(
            unit=source,
            action=action,
            old_value=source.code,
            new_value=new,
            actor_id=getattr(actor, "id", None),
        )
    )
    audit.record(
        f"unit.{action}",
        actor=actor,
        target=source,
        old=source.code,
        new=new,
        effective=change.day.isoformat(),
        decision=decision,
        cadres=len(change.cadres),
        units=len(change.children),
    )


def parse_cadre_map(text: str, targets: list[Unit]) -> dict[int, Unit]:
    """Lines "employee code or username ; unit code" (a comma or a tab also
    separates) as {user id: successor}; InvalidInput naming the first bad line."""
    by_code = {u.code: u for u in targets}
    mapping: dict[int, Unit] = {}
    for number, line in enumerate((text or "").splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        parts = line.replace("\t", ";").replace(",", ";").split(";")
        parts = [p.strip() for p in parts]
        if len(parts) != 2 or not all(parts):
            raise InvalidInput(
                _l(
                    "Dòng %(n)d: cần “mã cán bộ; mã đơn vị tiếp nhận”.",
                    n=number,
                )
            )
        user_code, unit_code = parts
        user_id = db.session.scalar(
            select(User.id).where(
                (User.employee_code == user_code) | (User.username == user_code)
            )
        )
        if user_id is None:
            raise InvalidInput(
                _l("Dòng %(n)d: không có cán bộ “%(code)s”.", n=number, code=user_code)
            )
        if unit_code not in by_code:
            raise InvalidInput(
                _l(
                    "Dòng %(n)d: “%(code)s” không phải đơn vị tiếp nhận.",
                    n=number,
                    code=unit_code,
                )
            )
        mapping[user_id] = by_code[unit_code]
    return mapping
