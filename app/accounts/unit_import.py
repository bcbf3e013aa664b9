"""Checking the rows of a units table before importing them (units.import_units)."""

from dataclasses import dataclass

from sqlalchemy import select

from app.errors import excerpt, lazy_join
from app.errors import lazy_gettext as _l
from app.extensions import db

from .models import UNIT_KINDS, Unit


@dataclass
class UnitRow:
    line: int
    code: str
    name: str
    parent_code: str
    kind: str


def _at(source: str, line: int, message):
    """`source:line: message`, the message read in the reader's language."""
    return lazy_join([f"{source}:{line}:", message])


def validate_unit_rows(rows: list[UnitRow], source: str) -> list:
    """Problems with `rows` as `source:line: message` (lazy: str() reads them in
    the reader's language); empty when all can be imported."""
    problems: list[str] = []
    existing = {u.code: u for u in db.session.scalars(select(Unit))}
    seen: dict[str, UnitRow] = {}
    for row in rows:
        if not row.code:
            problems.append(_at(source, row.line, _l("thiếu mã đơn vị (code)")))
            continue
        if not row.name:
            message = _l(
                "thiếu tên đơn vị (name) của “%(code)s”", code=excerpt(row.code)
            )
            problems.append(_at(source, row.line, message))
        if row.kind not in UNIT_KINDS:
            message = _l(
                "loại đơn vị (kind) “%(kind)s” không hợp lệ", kind=excerpt(row.kind)
            )
            problems.append(_at(source, row.line, message))
        if row.code in seen:
            message = _l(
                "mã “%(code)s” trùng với dòng %(line)s",
                code=excerpt(row.code),
                line=seen[row.code].line,
            )
            problems.append(_at(source, row.line, message))
        seen[row.code] = row
    for row in rows:
        if (
            row.parent_code
            and row.parent_code not in seen
            and row.parent_code not in existing
        ):
            message = _l(
                "đơn vị cha (parent) “%(code)s” không tồn tại",
                code=excerpt(row.parent_code),
            )
            problems.append(_at(source, row.line, message))
    problems.extend(_cycles(seen, existing, source))
    return problems


def _parent_of(code: str, seen: dict, existing: dict) -> str | None:
    if code in seen:
        return seen[code].parent_code or None
    unit = existing.get(code)
    return unit.parent.code if unit is not None and unit.parent is not None else None


def _cycles(seen: dict[str, UnitRow], existing: dict[str, Unit], source: str) -> list:
    problems = []
    for code, row in seen.items():
        chain, current = {code}, _parent_of(code, seen, existing)
        while current is not None:
            if current in chain:
                message = _l(
                    "vòng lặp cây đơn vị qua “%(code)s” và “%(other)s”",
                    code=excerpt(code),
                    other=excerpt(current),
                )
                problems.append(_at(source, row.line, message))
                break
            chain.add(current)
            current = _parent_of(current, seen, existing)
    return problems
