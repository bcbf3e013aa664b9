"""Unit tree operations. They flush, never commit: the caller commits once."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.audit import services as audit
from app.errors import Conflict, ImportRejected, InvalidInput, NotFound
from app.errors import lazy_gettext as _l
from app.errors import lazy_ngettext as _nl
from app.extensions import db
from app.signals import cadres_changed
from app.vntext import clean_text

from . import history, later, restructure
from .models import UNIT_KINDS, Unit, UnitEvent, User
from .scope import path_ids
from .unit_import import UnitRow, validate_unit_rows


def get_unit_by_code(code: str) -> Unit:
    """The unit with `code`; raises NotFound naming the code."""
    unit = db.session.scalar(select(Unit).where(Unit.code == code.strip()))
    if unit is None:
        raise NotFound(_l("Không có đơn vị mã “%(code)s”.", code=code))
    return unit


def subtree_query(unit: Unit):
    """Select of `unit` and all its descendants (one indexed prefix scan)."""
    return select(Unit).where(Unit.in_subtree(unit.path))


def children_of(unit: Unit | None) -> list[Unit]:
    if unit is None:
        query = select(Unit).where(Unit.parent_id.is_(None))
    else:
        query = select(Unit).where(Unit.parent_id == unit.id)
    query = query.options(selectinload(Unit.successor))  # shown for merged units
    units = db.session.scalars(query).all()
    return sorted(units, key=lambda u: (not u.active, u.sort_key))


def sort_units(units) -> list[Unit]:
    """`units` in Vietnamese dictionary order of their names (Unit.sort_key): the
    lists are bounded by the unit tree, so they are sorted in Python, where the one
    collation key lives, rather than by the database's collation."""
    return sorted(units, key=lambda u: u.sort_key)


def tree_order(units) -> list[Unit]:
    """`units` depth-first, each before its descendants, siblings in Vietnamese
    order (as the annual report lists them). Units whose parent is not among
    `units` are the tops, themselves in that order."""
    units = list(units)
    ids = {u.id for u in units}
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        above = unit.parent_id if unit.parent_id in ids else None
        children.setdefault(above, []).append(unit)
    ordered: list[Unit] = []
    stack = list(reversed(sort_units(children.get(None, []))))
    while stack:
        unit = stack.pop()
        ordered.append(unit)
        stack.extend(reversed(sort_units(children.get(unit.id, []))))
    return ordered


def ancestors_of(unit: Unit) -> list[Unit]:
    """Units from the root down to `unit`'s parent, in order (one query)."""
    ids = path_ids(unit.path)[:-1]
    if not ids:
        return []
    found = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(ids)))}
    return [found[i] for i in ids]


def _check_kind(kind: str) -> str:
    if kind not in UNIT_KINDS:
        raise InvalidInput(
            _l(
                "Loại đơn vị “%(kind)s” không hợp lệ; dùng: %(value)s.",
                kind=kind,
                value=", ".join(UNIT_KINDS),
            )
        )
    return kind


def _log(
    unit: Unit,
    action: str,
    old: str | None,
    new: str | None,
    actor: User | None,
    day=None,
    decision: str = "",
):
    """A UnitEvent (when the change was recorded) and an audit event with the day
    it takes effect and its decision."""
    db.session.add(
        UnitEvent(
            unit=unit,
            action=action,
            old_value=old,
            new_value=new,
            actor_id=getattr(actor, "id", None),
        )
    )
    extra = {"effective": day.isoformat()} if day else {}
    if decision:
        extra["decision"] = decision
    audit.record(f"unit.{action}", actor=actor, target=unit, old=old, new=new, **extra)


def create_unit(
    code: str,
    name: str,
    kind: str = "agency",
    parent: Unit | None = None,
    actor: User | None = None,
    effective=None,
    decision: str = "",
    admin_code: str | None = None,
) -> Unit:
    """Add a unit under `parent` (or as a root), existing from `effective` (today by
    default; a future day makes it inactive until then). Raises Conflict on a taken
    code."""
    day = history.effective(effective)
    code, name = code.strip(), clean_text(name)
    decision = clean_text(decision or "")
    if not code or not name:
        raise InvalidInput(_l("Mã và tên đơn vị không được để trống."))
    if db.session.scalar(select(Unit.id).where(Unit.code == code)):
        raise Conflict(_l("Mã đơn vị “%(code)s” đã tồn tại.", code=code))
    if parent is not None and not parent.active and day <= history.vn_today():
        raise InvalidInput(
            _l("Đơn vị cha “%(code)s” đã ngừng hoạt động.", code=parent.code)
        )
    unit = Unit(code=code, name=name, kind=_check_kind(kind), parent=parent)
    db.session.add(unit)
    db.session.flush()
    version = history.start_unit(unit, day, decision, clean_text(admin_code or ""))
    if version.parent_id is not None and _ends(version.parent_id, day):
        raise InvalidInput(
            _l("Đơn vị cha “%(code)s” đã ngừng hoạt động.", code=parent.code)
        )
    _log(unit, "created", None, name, actor, day, decision)
    return unit


def _ends(unit_id: int, day) -> bool:
    """True when the unit valid on `day` ends later (later.ends_after): nothing
    new goes under it."""
    return unit_id in later.ends_after([unit_id], day)


def rename_unit(
    unit: Unit,
    name: str,
    actor: User | None = None,
    effective=None,
    decision: str = "",
) -> Unit:
    """Give `unit` a new name from `effective` (today by default); the old one stays
    in its history."""
    day = history.effective(effective)
    name = clean_text(name)
    if not name:
        raise InvalidInput(_l("Tên đơn vị không được để trống."))
    current = history.require_version(unit, day)
    if name != current.name:
        old = current.name
        history.change_unit(unit, day, "rename", clean_text(decision or ""), name=name)
        _log(unit, "renamed", old, name, actor, day, decision)
    return unit


def recode_unit(
    unit: Unit,
    admin_code: str,
    actor: User | None = None,
    effective=None,
    decision: str = "",
) -> Unit:
    """Give `unit` an administrative code (mã đơn vị hành chính) from `effective`;
    an empty code removes it."""
    day = history.effective(effective)
    admin_code = clean_text(admin_code or "") or None
    if admin_code and len(admin_code) > 20:
        raise InvalidInput(_l("Mã hành chính dài tối đa 20 ký tự."))
    current = history.require_version(unit, day)
    if admin_code != current.admin_code:
        old = current.admin_code
        history.change_unit(
            unit, day, "recode", clean_text(decision or ""), admin_code=admin_code
        )
        _log(unit, "recoded", old, admin_code, actor, day, decision)
    return unit


def set_kind(unit: Unit, kind: str, actor: User | None = None, effective=None) -> Unit:
    """Change `unit`'s kind from `effective` (today by default)."""
    day = history.effective(effective)
    current = history.require_version(unit, day)
    if _check_kind(kind) != current.kind:
        history.change_unit(unit, day, "kind", kind=kind)
        _log(unit, "kind", current.kind, kind, actor, day)
    return unit


def move_unit(
    unit: Unit,
    new_parent: Unit | None,
    actor: User | None = None,
    effective=None,
    decision: str = "",
) -> Unit:
    """Re-parent `unit` with its whole subtree from `effective` (today by default):
    a new version for each, and, once the day has come, today's rows in one UPDATE.

    Raises InvalidInput when `new_parent` is the unit itself or one of its descendants.
    """
    day = history.effective(effective)
    if new_parent is not None and new_parent.in_subtree(unit.path):
        raise InvalidInput(
            _l(
                "Không thể chuyển “%(name)s” vào chính nó hoặc đơn vị cấp dưới của nó "
                "(“%(name2)s”).",
                name=unit.name,
                name2=new_parent.name,
            )
        )
    if new_parent is not None and (
        (not new_parent.active and day <= history.vn_today())
        or _ends(new_parent.id, day)
    ):
        raise InvalidInput(
            _l("Đơn vị cha “%(code)s” đã ngừng hoạt động.", code=new_parent.code)
        )
    old_parent = unit.parent
    db.session.flush()
    history.move_subtree(unit, new_parent, day, clean_text(decision or ""))
    unit = db.session.get(Unit, unit.id)
    _log(
        unit,
        "moved",
        old_parent.code if old_parent else None,
        new_parent.code if new_parent else None,
        actor,
        day,
        decision,
    )
    if day <= history.vn_today():
        cadres_changed.send(unit, actor=actor)  # its cadres may now be in a campaign
    return unit


def _check_merge(source: Unit, target: Unit, day: date) -> None:
    """The checks of today's rows; a merge dated ahead is checked on its day by
    restructure.plan (a unit created ahead is not active yet)."""
    if source.id == target.id or target.in_subtree(source.path):
        raise InvalidInput(
            _l(
                "Không thể sáp nhập một đơn vị vào chính nó hoặc đơn vị cấp dưới của "
                "nó."
            )
        )
    if day > history.vn_today():
        return
    if not source.active:
        raise InvalidInput(
            _l("Đơn vị “%(code)s” đã ngừng hoạt động.", code=source.code)
        )
    if not target.active:
        raise InvalidInput(
            _l("Đơn vị nhận “%(code)s” đã ngừng hoạt động.", code=target.code)
        )


@dataclass
class MergePreview:
    """What merge_unit(source, target) would do: the cadres directly in `source`
    (sorted, at most `shown`) and the child units that move with their subtrees."""

    source: Unit
    target: Unit
    cadre_count: int
    cadres: list[User]
    children: list[Unit]


def merge_preview(
    source: Unit, target: Unit, shown: int = 100, effective=None
) -> MergePreview:
    """The effect of merging `source` into `target` on `effective` (today by
    default), changing nothing. Raises InvalidInput as merge_unit would."""
    day = history.effective(effective)
    _check_merge(source, target, day)
    change = restructure.plan(source, [target], day)
    ids = list(change.cadres)
    members = select(User).where(User.id.in_(ids)) if ids else None
    cadres = (
        db.session.scalars(members.order_by(User.name_sort, User.id).limit(shown))
        if members is not None
        else []
    )
    children = sort_units(db.session.get(Unit, i) for i in change.children)
    return MergePreview(source, target, len(ids), list(cadres), children)


def merge_unit(
    source: Unit,
    target: Unit,
    actor: User | None = None,
    effective=None,
    decision: str = "",
) -> int:
    """Merge `source` into `target` from `effective` (today by default): its cadres
    and child units go to `target`, `source` ends (inactive, pointing at `target`,
    once the day has come). Returns the cadres moved."""
    day = history.effective(effective)
    _check_merge(source, target, day)
    change = restructure.plan(source, [target], day)
    return restructure.apply(change, decision, actor)


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
            _nl(
                "%(source)s: %(count)s lỗi, không nhập gì.",
                "%(source)s: %(count)s lỗi, không nhập gì.",
                len(problems),
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


__all__ = ["UnitRow", "validate_unit_rows"]  # importable from here as before
