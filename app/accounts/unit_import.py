"""Checking the rows of a units table before importing them (units.import_units)."""

from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db

from .models import UNIT_KINDS, Unit


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
