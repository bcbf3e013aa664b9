"""The unit tree and the cadres as they were on a day: read-only queries on
UnitVersion.valid_on / Assignment.valid_on (the one as-of rule) and the subtree rule
of app.accounts.scope, applied to the paths of that day.

API for other packages (all cheap, no writes):

- `units_on(day)` → {unit id: UnitOn(name, path, parent_id)} for the whole tree of
  that day, one query;
- `unit_as_of(unit_id, day)` → the UnitVersion valid that day (name, admin_code,
  kind, parent_id, path, depth) or None;
- `last_day_of(unit_id)` → the last day of a unit that has ended, or None;
  `on_last_day(unit)` → that day with its children and cadres then;
- `tree_as_of(day, root=None)` → the versions of that day, depth-first;
- `cadres_as_of(unit, day, roots=None)` → a Select of (User, Assignment, UnitVersion)
  for the cadres in the unit's subtree of that day;
- `place_name_on(unit, day)` → the name to print on a paper of that day;
- `units_on_days(pairs)` → each (cadre, day)'s unit by its assignment that day;
- `past_scope_ids(roots)` / `past_scope_condition(...)` → the scope rule for a
  day in the past (see there);
- `rolled_up_units(day)` → {ended unit id: the unit its records roll up to}
  (the units whose records count in a scope: app.accounts.rollup's
  Structure.scope_of).
"""

from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import load_only

from app.extensions import db
from app.vntext import text_sort_key

from . import scope
from .days import last_day, vn_today
from .models import Assignment, Unit, UnitVersion, User
from .succession import Successions


class UnitOn(NamedTuple):
    name: str
    path: str
    parent_id: int | None


def units_on(day: date) -> dict[int, UnitOn]:
    """Every unit that existed on `day`, with its name, path and parent that day."""
    V = UnitVersion
    rows = db.session.execute(
        select(V.unit_id, V.name, V.path, V.parent_id).where(V.valid_on(day))
    )
    return {unit_id: UnitOn(name, path, parent) for unit_id, name, path, parent in rows}


def units_on_days(pairs: Iterable[tuple[int, date]]) -> dict[tuple[int, date], int]:
    """{(cadre id, day): the unit of its Assignment valid that day (the latest
    begun, by Assignment.valid_on)}; a pair with none is left out. One query per
    900 cadres (each pair has its own day, so the rule is applied to the rows)."""
    pairs = set(pairs)
    user_ids = sorted({user_id for user_id, _day in pairs})
    spans: dict[int, list[Assignment]] = {}
    A = Assignment
    columns = load_only(A.user_id, A.valid_from, A.valid_to, A.unit_id)
    for start in range(0, len(user_ids), 900):
        for row in db.session.scalars(
            select(A)
            .options(columns)
            .where(A.user_id.in_(user_ids[start : start + 900]))
            .order_by(A.user_id, A.valid_from)
        ):
            spans.setdefault(row.user_id, []).append(row)
    found = {}
    for user_id, day in pairs:
        for row in spans.get(user_id, []):
            if row.valid_on(day):
                found[(user_id, day)] = row.unit_id  # the latest begun wins
    return found


def unit_as_of(unit_id: int, day: date) -> UnitVersion | None:
    """The version of the unit valid on `day`; None when it did not exist then."""
    return db.session.scalar(
        select(UnitVersion)
        .where(UnitVersion.unit_id == unit_id, UnitVersion.valid_on(day))
        .order_by(UnitVersion.valid_from.desc())
        .limit(1)
    )


def last_day_of(unit_id: int) -> date | None:
    """The last day of a unit that has ended by today (days.last_day of its last
    version's valid_to: ended on 1/7/2025, there until 30/6/2025); None while it
    is there or when it has no version."""
    ended = db.session.scalar(
        select(UnitVersion.valid_to)
        .where(UnitVersion.unit_id == unit_id)
        .order_by(UnitVersion.valid_from.desc())
        .limit(1)
    )
    return last_day(ended, vn_today())


class LastDay(NamedTuple):
    """An ended unit on its last day: the day, its units directly below and the
    cadres of its subtree then, and the units above it then, outermost first
    (what its admin page shows and links to)."""

    day: date
    children: int
    cadres: int
    ancestors: list[UnitVersion]


def on_last_day(unit: Unit) -> LastDay | None:
    """`unit` on its last day (last_day_of); None while it is there."""
    day = last_day_of(unit.id)
    if day is None:
        return None
    version = unit_as_of(unit.id, day)
    cadres = cadre_counts_as_of([version], day)[unit.id] if version else 0
    above = scope.path_ids(version.path)[:-1] if version else []
    ancestors = db.session.scalars(
        select(UnitVersion).where(
            UnitVersion.unit_id.in_(above), UnitVersion.valid_on(day)
        )
    )
    return LastDay(
        day,
        len(children_as_of(unit, day)),
        cadres,
        sorted(ancestors, key=lambda v: v.depth),
    )


def tree_as_of(day: date, root: Unit | None = None) -> list[UnitVersion]:
    """The units of `day` (under `root`'s path of that day, itself included, when
    given; [] when `root` did not exist then), depth-first, siblings in Vietnamese
    order."""
    query = select(UnitVersion).where(UnitVersion.valid_on(day))
    if root is not None:
        top = unit_as_of(root.id, day)
        if top is None:
            return []
        query = query.where(scope.subtree_condition(UnitVersion.path, top.path))
    return tree_order(db.session.scalars(query))


def tree_order(versions) -> list[UnitVersion]:
    """Versions depth-first, each before the units below it, siblings by name."""
    versions = list(versions)
    ids = {v.unit_id for v in versions}
    children: dict[int | None, list[UnitVersion]] = {}
    for version in versions:
        above = version.parent_id if version.parent_id in ids else None
        children.setdefault(above, []).append(version)

    def ordered(items):
        return sorted(items, key=lambda v: (text_sort_key(v.name), v.unit_id))

    result: list[UnitVersion] = []
    stack = list(reversed(ordered(children.get(None, []))))
    while stack:
        version = stack.pop()
        result.append(version)
        stack.extend(reversed(ordered(children.get(version.unit_id, []))))
    return result


def children_as_of(parent: Unit | None, day: date) -> list[UnitVersion]:
    """Units directly below `parent` (roots when None) on `day`, by name."""
    query = select(UnitVersion).where(UnitVersion.valid_on(day))
    if parent is None:
        query = query.where(UnitVersion.parent_id.is_(None))
    else:
        query = query.where(UnitVersion.parent_id == parent.id)
    return sorted(
        db.session.scalars(query), key=lambda v: (text_sort_key(v.name), v.unit_id)
    )


def cadres_as_of(
    unit: Unit | None, day: date, roots: list[str] | None = None
) -> Select:
    """Select of (User, Assignment, UnitVersion): each cadre assigned on `day` to a
    unit in the subtree of `unit` as it was that day (every unit when None), with
    that assignment and that unit's version; limited to `past_scope_ids(roots)`
    (None: no limit). Empty when `unit` did not exist that day."""
    A, V = Assignment, UnitVersion
    query = (
        select(User, A, V)
        .join(A, (A.user_id == User.id) & A.valid_on(day))
        .join(V, (V.unit_id == A.unit_id) & V.valid_on(day))
    )
    if unit is not None:
        top = unit_as_of(unit.id, day)
        query = query.where(
            scope.subtree_condition(V.path, top.path) if top is not None else false()
        )
    if roots is not None:
        query = query.where(past_scope_condition(A.unit_id, roots, A.user_id))
    return query


def cadre_counts_as_of(units: list[UnitVersion], day: date) -> dict[int, int]:
    """{unit id: cadres in its subtree on `day`} for versions of that day, one
    grouped query."""
    if not units:
        return {}
    head = (
        select(UnitVersion).where(UnitVersion.id.in_([v.id for v in units])).subquery()
    )
    member = UnitVersion
    rows = db.session.execute(
        select(head.c.unit_id, func.count(Assignment.id))
        .join(
            member,
            member.valid_on(day) & scope.subtree_condition(member.path, head.c.path),
        )
        .join(
            Assignment,
            (Assignment.unit_id == member.unit_id) & Assignment.valid_on(day),
        )
        .group_by(head.c.unit_id)
    )
    counts = dict.fromkeys((v.unit_id for v in units), 0)
    counts.update({unit_id: count for unit_id, count in rows})
    return counts


def place_name_on(unit: Unit, day: date) -> str:
    """The unit's official name valid on `day` (a certificate's, a report's date);
    before its first version, the first name; after its end, the last one."""
    return place_names_on([(unit, day)])[unit.id, day]


def place_names_on(pairs: Iterable[tuple[Unit, date]]) -> dict[tuple[int, date], str]:
    """{(unit id, day): place_name_on(unit, day)} for many pairs: one query for
    the versions of all their units."""
    pairs = list(pairs)
    V = UnitVersion
    versions: dict[int, list[tuple[date, str]]] = {}
    for unit_id, valid_from, name in db.session.execute(
        select(V.unit_id, V.valid_from, V.name)
        .where(V.unit_id.in_({unit.id for unit, _day in pairs}))
        .order_by(V.unit_id, V.valid_from)
    ):
        versions.setdefault(unit_id, []).append((valid_from, name))
    names = {}
    for unit, day in pairs:
        dated = versions.get(unit.id, [])
        begun = [name for valid_from, name in dated if valid_from <= day]
        name = begun[-1] if begun else dated[0][1] if dated else None
        names[unit.id, day] = name or unit.name
    return names


def past_scope_ids(roots: list[str] | None) -> set[int] | None:
    """The units whose past an HR officer or trainer whose scope today is the
    subtrees `roots` sees as of any day: the units that lie in those subtrees today
    (their Unit rows, ended units included: an ended unit keeps its last place) and
    every unit whose successor — following successions to today, any of several —
    is among them. Of a unit reached only through a secondary successor (the part
    of a split that did not take the unit's records), only the cadres who have been
    in the scope are seen: past_scope_condition. None: no limit (an
    administrator)."""
    if roots is None:
        return None
    inside = set(db.session.scalars(select(Unit.id).where(Unit.in_subtrees(roots))))
    return inside | predecessors_of(inside)


def later_units() -> dict[int, set[int]]:
    """{unit id: every unit it went into by today, directly or through later
    successions, following every successor of a merge or split}: where an ended
    unit's campaigns may be seen from (app.records.visibility). The one successor
    rule's data (accounts.succession), read whole."""
    lines, today = Successions.read(), vn_today()
    found = {unit_id: lines.reached(unit_id, today) for unit_id in lines.options}
    return {unit_id: later for unit_id, later in found.items() if later}


def predecessors_of(
    unit_ids: set[int], primary_only: bool = False, lines: Successions | None = None
) -> set[int]:
    """Every unit outside `unit_ids` whose records roll up into one of them today
    (the one successor rule's line, as the reports' roll-up: accounts.succession);
    unless `primary_only`, also those that went into one of them through any
    successor (later_units: a split's secondary part). `lines`: the successions
    when the caller has read them."""
    lines, today = lines or Successions.read(), vn_today()
    ended = set(lines.options) | set(lines.ends)
    owned = {
        unit_id
        for unit_id in ended - unit_ids
        if lines.follow(unit_id, today) in unit_ids
    }
    if primary_only:
        return owned
    return owned | {
        unit_id
        for unit_id in set(lines.options) - unit_ids
        if lines.reached(unit_id, today) & unit_ids
    }


def past_scope_condition(unit_column, roots: list[str], user_column=None):
    """SQL condition, on the unit id and the cadre id columns of an assignment or a
    record, for the scope of a past day (past_scope_ids): a unit of the subtrees
    today, or an ended unit whose primary line leads into them (its whole roster:
    the scope holds its records); of an ended unit reached only through a secondary
    successor of a split, the cadres who have been assigned in the scope at some
    time (those who went with the part the scope received), never the rest of its
    people. Without `user_column`, such units are left out."""
    inside_query = select(Unit.id).where(Unit.in_subtrees(roots))
    inside = set(db.session.scalars(inside_query))
    lines = Successions.read()  # once for both
    owned = predecessors_of(inside, primary_only=True, lines=lines)
    shared = predecessors_of(inside, lines=lines) - owned
    condition = unit_column.in_(inside_query)
    if owned:
        condition = or_(condition, unit_column.in_(sorted(owned)))
    if shared and user_column is not None:
        been_inside = select(Assignment.user_id).where(
            Assignment.unit_id.in_(inside_query)
        )
        condition = or_(
            condition,
            unit_column.in_(sorted(shared)) & user_column.in_(been_inside),
        )
    return condition


def rolled_up_units(day: date) -> dict[int, int]:
    """{unit id: the unit its records roll up to on `day`} for each unit that had
    ended by then and goes elsewhere, by the one successor rule
    (app.accounts.succession, as the reports' roll-up). Units not in it roll up
    to themselves."""
    return Successions.read().rolled_up(day)
