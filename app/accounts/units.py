"""Unit tree operations. They flush, never commit: the caller commits once."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, literal, select, update
from sqlalchemy.orm import selectinload

from app.audit import services as audit
from app.errors import Conflict, ImportRejected, InvalidInput, NotFound
from app.extensions import db
from app.signals import cadres_changed
from app.vntext import clean_text

from .models import UNIT_KINDS, Unit, UnitEvent, User


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
    query = select(Unit).where(Unit.parent_id == (unit.id if unit else None))
    if unit is None:
        query = select(Unit).where(Unit.parent_id.is_(None))
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
    ids = [int(p) for p in unit.path.strip("/").split("/")[:-1] if p]
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


def _log(unit: Unit, action: str, old: str | None, new: str | None, actor: User | None):
    db.session.add(
        UnitEvent(
            unit=unit,
            action=action,
            old_value=old,
            new_value=new,
            actor_id=getattr(actor, "id", None),
        )
    )
    audit.record(f"unit.{action}", actor=actor, target=unit, old=old, new=new)


def create_unit(
    code: str,
    name: str,
    kind: str = "agency",
    parent: Unit | None = None,
    actor: User | None = None,
) -> Unit:
    """Add a unit under `parent` (or as a root). Raises Conflict on a taken code."""
    code, name = code.strip(), clean_text(name)
    if not code or not name:
        raise InvalidInput(_l("Mã và tên đơn vị không được để trống."))
    if db.session.scalar(select(Unit.id).where(Unit.code == code)):
        raise Conflict(_l("Mã đơn vị “%(code)s” đã tồn tại.", code=code))
    if parent is not None and not parent.active:
        raise InvalidInput(
            _l("Đơn vị cha “%(code)s” đã ngừng hoạt động.", code=parent.code)
        )
    unit = Unit(code=code, name=name, kind=_check_kind(kind), parent=parent)
    db.session.add(unit)
    db.session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    unit.depth = parent.depth + 1 if parent else 0
    _log(unit, "created", None, name, actor)
    return unit


def rename_unit(unit: Unit, name: str, actor: User | None = None) -> Unit:
    """Give `unit` a new name; the old one stays in its history."""
    name = clean_text(name)
    if not name:
        raise InvalidInput(_l("Tên đơn vị không được để trống."))
    if name != unit.name:
        _log(unit, "renamed", unit.name, name, actor)
        unit.name = name
    return unit


def move_unit(unit: Unit, new_parent: Unit | None, actor: User | None = None) -> Unit:
    """Re-parent `unit` with its whole subtree in one UPDATE.

    Raises InvalidInput when `new_parent` is the unit itself or one of its descendants.
    """
    if new_parent is not None and new_parent.in_subtree(unit.path):
        raise InvalidInput(
            _l(
                "Không thể chuyển “%(name)s” vào chính nó hoặc đơn vị cấp dưới của nó "
                "(“%(name2)s”).",
                name=unit.name,
                name2=new_parent.name,
            )
        )
    if new_parent is not None and not new_parent.active:
        raise InvalidInput(
            _l("Đơn vị cha “%(code)s” đã ngừng hoạt động.", code=new_parent.code)
        )
    old_parent = unit.parent
    old_prefix = unit.path
    new_prefix = f"{new_parent.path if new_parent else '/'}{unit.id}/"
    delta = (new_parent.depth + 1 if new_parent else 0) - unit.depth
    db.session.flush()
    db.session.execute(
        update(Unit)
        .where(Unit.in_subtree(old_prefix))
        .values(
            path=literal(new_prefix) + func.substr(Unit.path, len(old_prefix) + 1),
            depth=Unit.depth + delta,
        )
        .execution_options(synchronize_session=False)
    )
    unit.parent = new_parent
    db.session.flush()
    db.session.expire_all()
    _log(
        unit,
        "moved",
        old_parent.code if old_parent else None,
        new_parent.code if new_parent else None,
        actor,
    )
    cadres_changed.send(unit, actor=actor)  # its cadres may now be in a campaign
    return unit


def _check_merge(source: Unit, target: Unit) -> None:
    if source.id == target.id or target.in_subtree(source.path):
        raise InvalidInput(
            _l(
                "Không thể sáp nhập một đơn vị vào chính nó hoặc đơn vị cấp dưới của "
                "nó."
            )
        )
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


def merge_preview(source: Unit, target: Unit, shown: int = 100) -> MergePreview:
    """The effect of merging `source` into `target`, changing nothing. Raises
    InvalidInput as merge_unit would."""
    _check_merge(source, target)
    members = select(User).where(User.unit_id == source.id)
    count = db.session.scalar(
        select(func.count()).select_from(members.order_by(None).subquery())
    )
    cadres = db.session.scalars(members.order_by(User.name_sort, User.id).limit(shown))
    return MergePreview(source, target, count, list(cadres), children_of(source))


def merge_unit(source: Unit, target: Unit, actor: User | None = None) -> int:
    """Merge `source` into `target`: its cadres and child units move to `target`,
    `source` becomes inactive and points at `target`. Returns the cadres moved.
    """
    _check_merge(source, target)
    moved = db.session.execute(
        update(User)
        .where(User.unit_id == source.id)
        .values(unit_id=target.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    for child in children_of(source):
        move_unit(child, target, actor)
    source = db.session.get(Unit, source.id)
    source.active = False
    source.successor_id = target.id
    _log(source, "merged", source.code, target.code, actor)
    db.session.flush()
    cadres_changed.send(target, actor=actor)
    return moved


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


def import_units(rows: list[UnitRow], source: str, actor: User | None = None) -> dict:
    """Create or update units from `rows`, all or nothing.

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
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    pending = list(rows)
    while pending:
        ready = [r for r in pending if not r.parent_code or _exists(r.parent_code)]
        if not ready:  # validation rules out cycles; this guards against a silent loop
            raise ImportRejected(
                _l("%(source)s: không xác định được đơn vị cha.", source=source), []
            )
        for row in ready:
            counts[_apply_row(row, actor)] += 1
        pending = [r for r in pending if r not in ready]
    return counts


def _exists(code: str) -> bool:
    return db.session.scalar(select(Unit.id).where(Unit.code == code)) is not None


def _apply_row(row: UnitRow, actor: User | None) -> str:
    parent = get_unit_by_code(row.parent_code) if row.parent_code else None
    unit = db.session.scalar(select(Unit).where(Unit.code == row.code))
    if unit is None:
        create_unit(row.code, row.name, row.kind, parent, actor)
        return "created"
    changed = False
    if clean_text(row.name) != unit.name:
        rename_unit(unit, row.name, actor)
        changed = True
    if unit.kind != row.kind:
        unit.kind = row.kind
        changed = True
    if (unit.parent_id or None) != (parent.id if parent else None):
        move_unit(unit, parent, actor)
        changed = True
    return "updated" if changed else "unchanged"
