"""Importing the unit tree from a table: all or nothing, each change dated."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.errors import ImportRejected
from app.extensions import db
from app.vntext import clean_text

from . import history
from .models import UNIT_KINDS, Unit, User
from .units import create_unit, get_unit_by_code, move_unit, rename_unit, set_kind


@dataclass
class UnitRow:
    line: int
    code: str
    name: str
    parent_code: str
    kind: str


def validate_unit_rows(rows: list[UnitRow], source: str) -> list[str]:
    """Problems with `rows` as `source:line: message`; empty when all can be
    imported."""
    problems: list[str] = []
    existing = {u.code: u for u in db.session.scalars(select(Unit))}
    seen: dict[str, UnitRow] = {}
    for row in rows:
        where = f"{source}:{row.line}"
        if not row.code:
            problems.append(f"{where}: thiếu mã đơn vị (code)")
            continue
        if not row.name:
            problems.append(f"{where}: thiếu tên đơn vị (name) của “{row.code}”")
        if row.kind not in UNIT_KINDS:
            problems.append(f"{where}: loại đơn vị (kind) “{row.kind}” không hợp lệ")
        if row.code in seen:
            problems.append(
                f"{where}: mã “{row.code}” trùng với dòng {seen[row.code].line}"
            )
        seen[row.code] = row
    for row in rows:
        if (
            row.parent_code
            and row.parent_code not in seen
            and row.parent_code not in existing
        ):
            problems.append(
                f"{source}:{row.line}: đơn vị cha (parent) “{row.parent_code}” "
                "không tồn tại"
            )
    problems.extend(_cycles(seen, existing, source))
    return problems


def _parent_of(code: str, seen: dict, existing: dict) -> str | None:
    if code in seen:
        return seen[code].parent_code or None
    unit = existing.get(code)
    return unit.parent.code if unit is not None and unit.parent is not None else None


def _cycles(
    seen: dict[str, UnitRow], existing: dict[str, Unit], source: str
) -> list[str]:
    problems = []
    for code, row in seen.items():
        chain, current = {code}, _parent_of(code, seen, existing)
        while current is not None:
            if current in chain:
                problems.append(
                    f"{source}:{row.line}: vòng lặp cây đơn vị qua “{code}” "
                    f"và “{current}”"
                )
                break
            chain.add(current)
            current = _parent_of(current, seen, existing)
    return problems


def import_units(
    rows: list[UnitRow], source: str, actor: User | None = None, effective=None
) -> dict:
    """Create or update units from `rows`, all or nothing, each change taking effect
    on `effective` (today by default).

    Returns counts {"created", "updated", "unchanged"}; raises ImportRejected with
    every problem found, before anything is written.
    """
    problems = validate_unit_rows(rows, source)
    if problems:
        raise ImportRejected(
            _l(
                "%(source)s: %(count)s lỗi, không nhập gì.",
                source=source,
                count=len(problems),
            ),
            problems,
        )
    day = history.effective(effective)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    pending = list(rows)
    while pending:
        ready = [r for r in pending if not r.parent_code or _exists(r.parent_code)]
        if not ready:  # validation rules out cycles; this guards against a silent loop
            raise ImportRejected(
                _l("%(source)s: không xác định được đơn vị cha.", source=source), []
            )
        for row in ready:
            counts[_apply_row(row, actor, day)] += 1
        pending = [r for r in pending if r not in ready]
    return counts


def _exists(code: str) -> bool:
    return db.session.scalar(select(Unit.id).where(Unit.code == code)) is not None


def _apply_row(row: UnitRow, actor: User | None, day) -> str:
    parent = get_unit_by_code(row.parent_code) if row.parent_code else None
    unit = db.session.scalar(select(Unit).where(Unit.code == row.code))
    if unit is None:
        create_unit(row.code, row.name, row.kind, parent, actor, effective=day)
        return "created"
    current = history.require_version(unit, day)
    changed = False
    if clean_text(row.name) != current.name:
        rename_unit(unit, row.name, actor, effective=day)
        changed = True
    if current.kind != row.kind:
        set_kind(unit, row.kind, actor, effective=day)
        changed = True
    if (current.parent_id or None) != (parent.id if parent else None):
        move_unit(unit, parent, actor, effective=day)
        changed = True
    return "updated" if changed else "unchanged"
