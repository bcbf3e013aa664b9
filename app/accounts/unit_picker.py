"""The unit picker of the forms: a text input with the units as suggestions (an HTML
datalist, so the browser filters by name as one types, with or without JavaScript),
each suggestion "Name — Parent (CODE)"; what is typed back is read by its code, else
by an exact name that only one unit in scope has."""

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.errors import InvalidInput
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.vntext import text_sort_key

from .models import Unit

_CODE = re.compile(r"\(([^()]+)\)\s*$")


@dataclass(frozen=True)
class UnitOption:
    id: int
    code: str
    label: str


def label(name: str, parent_name: str | None, code: str) -> str:
    return f"{name} — {parent_name} ({code})" if parent_name else f"{name} ({code})"


def options(roots: list[str] | None) -> list[UnitOption]:
    """The active units in the subtrees `roots` (None: all), as picker suggestions,
    in the one Vietnamese collation (vntext.text_sort_key) of their labels."""
    parent = aliased(Unit)
    rows = db.session.execute(
        select(Unit.id, Unit.code, Unit.name, parent.name)
        .outerjoin(parent, parent.id == Unit.parent_id)
        .where(Unit.active.is_(True), Unit.in_subtrees(roots))
    )
    found = [UnitOption(i, code, label(name, up, code)) for i, code, name, up in rows]
    return sorted(found, key=lambda o: text_sort_key(o.label))


def resolve(text: str, roots: list[str] | None) -> Unit:
    """The unit the picker's `text` names, within `roots`; InvalidInput otherwise."""
    text = (text or "").strip()
    match = _CODE.search(text)
    scoped = select(Unit).where(Unit.active.is_(True), Unit.in_subtrees(roots))
    if match:
        unit = db.session.scalar(scoped.where(Unit.code == match.group(1).strip()))
    else:
        found = list(db.session.scalars(scoped.where(Unit.name == text).limit(2)))
        unit = found[0] if len(found) == 1 else None
        if len(found) > 1:
            raise InvalidInput(
                _l(
                    "Có nhiều đơn vị tên “%(text)s”; hãy chọn trong danh sách gợi ý.",
                    text=text,
                )
            )
    if unit is None:
        unit = db.session.scalar(scoped.where(Unit.code == text)) if text else None
    if unit is None:
        raise InvalidInput(
            _l(
                "Không tìm thấy đơn vị “%(text)s”; hãy chọn trong danh sách gợi ý.",
                text=text,
            )
        )
    return unit
