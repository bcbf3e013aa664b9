"""A dated change of a unit is refused when a later recorded change would not
carry it along (app.accounts.history): the later versions that stand in its way."""

from datetime import date

from sqlalchemy import select

from app.errors import Conflict
from app.errors import lazy_gettext as _l
from app.extensions import db

from .days import format_day
from .models import Unit, UnitVersion


def ends_after(unit_ids: list[int], day: date) -> dict[int, date]:
    """{unit id: the day it ends} for those of `unit_ids` whose last version
    (past any later rename or move of their own: they are no end) ends after
    `day` — merged, split or dissolved, recorded ahead. One query."""
    rows = db.session.execute(
        select(UnitVersion.unit_id, UnitVersion.valid_to)
        .where(UnitVersion.unit_id.in_(sorted(set(unit_ids))))
        .order_by(UnitVersion.unit_id, UnitVersion.valid_from)
    ).all()
    last = dict(rows)  # earliest first: the last version wins
    return {u: end for u, end in last.items() if end is not None and end > day}


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
        raise _conflict(later.code, later.valid_from, day)


def refuse_later_places(unit_ids: list[int], day: date) -> None:
    """Conflict when one of `unit_ids` (the units above a unit placed there on
    `day`) has a later version in another place (a move, or its parent's merger or
    split): the unit placed below would not follow it. A later rename, code or
    kind leaves the tree as it is, and so does not stand in the way. (An end of
    the new parent itself is the caller's: units._ends.)"""
    rows = db.session.execute(
        select(
            UnitVersion.unit_id,
            UnitVersion.valid_from,
            UnitVersion.path,
            Unit.code,
        )
        .join(Unit, Unit.id == UnitVersion.unit_id)
        .where(
            UnitVersion.unit_id.in_(unit_ids),
            UnitVersion.valid_on(day) | (UnitVersion.valid_from > day),
        )
    ).all()
    # the version of `day` of each (from `day` or before), then the later ones
    paths = {row.unit_id: row.path for row in rows if row.valid_from <= day}
    moved = [
        row
        for row in rows
        if row.valid_from > day and row.path != paths.get(row.unit_id, row.path)
    ]
    if moved:
        last = max(moved, key=lambda row: row.valid_from)
        raise _conflict(last.code, last.valid_from, day)


def _conflict(code: str, later: date, day: date) -> Conflict:
    return Conflict(
        _l(
            "Đơn vị “%(code)s” đã có thay đổi từ ngày %(later)s; không ghi được "
            "thay đổi có hiệu lực từ %(day)s (trước thay đổi đó). Hãy chọn ngày từ "
            "%(later)s trở đi.",
            code=code,
            later=format_day(later),
            day=format_day(day),
        )
    )
