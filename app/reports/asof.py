"""Reports as of a day: a campaign's figures for a unit's subtree laid out in the
tree of that day (rules: app.accounts.rollup). The choice of a day and attribution
(`?as_of=YYYY-MM-DD&attribution=at_time|rolled_up`, the CLI's --as-of/--attribution)
and its statement (`AsOf.statement`): app.records.asof, shared with the reward
candidates, re-exported here. A report of unit R covers the units, past or
present, that roll up into R's subtree today (so an HR officer's scope through
time is its subtree today).
"""

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from app.accounts.models import Unit
from app.accounts.rollup import AT_TIME, ATTRIBUTIONS, ROLLED_UP, Structure
from app.records.asof import (
    ATTRIBUTION_LABELS,
    STATE_NOW,
    STATEMENTS,
    AsOf,
    parse_as_of,
)
from app.vntext import text_sort_key

from .counts import EMPTY, add_into, attributed_counts
from .queries import SummaryRow, _row


@dataclass
class UnitView:
    """A unit as a report of a day shows it: its name of that day; `linkable` when
    the viewer may open it (app.accounts.report_access: a drill-down link works)."""

    id: int
    name: str
    code: str
    kind: str
    linkable: bool = True
    ended: date | None = None

    @property
    def display_name(self) -> str:
        return self.name

    @cached_property
    def sort_key(self) -> tuple[str, str]:
        return text_sort_key(self.name), self.code


@dataclass
class AsOfFigures:
    """A campaign's figures for a root's subtree as of a day: per unit of the
    report's tree, its own records (`own`) and its whole subtree's (`subtree`),
    both [total, completed, in progress, not started, passed, score sum, scored]."""

    root: UnitView
    units: dict[int, UnitView]
    parent: dict[int, int]
    own: dict[int, list]
    subtree: dict[int, list]
    chain: list[str] = field(default_factory=list)  # names above the root then
    _children: dict | None = field(default=None, repr=False)
    _sorted: set = field(default_factory=set, repr=False)

    def children(self, unit_id: int) -> list[UnitView]:
        """In name order; each unit's children sorted when first asked for (the
        dashboard asks for the root's only, of a province's 1,800 units)."""
        if self._children is None:
            self._children = {}
            for child, parent in self.parent.items():
                self._children.setdefault(parent, []).append(self.units[child])
        kids = self._children.get(unit_id, [])
        if unit_id not in self._sorted:
            kids.sort(key=lambda u: u.sort_key)
            self._sorted.add(unit_id)
        return list(kids)

    def depth(self, unit_id: int) -> int:
        depth = 0
        while unit_id in self.parent:
            unit_id, depth = self.parent[unit_id], depth + 1
        return depth

    def tree_order(self) -> list[UnitView]:
        """The report's units below the root, each before its children."""
        result, stack = [], list(reversed(self.children(self.root.id)))
        while stack:
            unit = stack.pop()
            result.append(unit)
            stack.extend(reversed(self.children(unit.id)))
        return result


def figures(
    campaign,
    root: Unit,
    as_of: AsOf,
    structure: Structure | None = None,
    access=None,
    moves=None,
) -> AsOfFigures:
    """The campaign's records of every unit that rolls up into `root`'s subtree
    today, attributed as `as_of` says and laid out in the tree of its day; a unit
    is `linkable` when `access` (app.accounts.report_access.ReportAccess, over the same
    structure: the viewer's) lets its reader open it (never without `access`);
    `moves` (app.reports.counts.Moves of its day): when shared with the charts."""
    structure = structure or Structure.on(as_of.day)
    may_open = access.may_open if access is not None else lambda _unit_id: False
    scope = structure.scope_of(root)
    counts = attributed_counts(campaign, structure, as_of.attribution, scope, moves)
    units: dict[int, UnitView] = {root.id: _view(structure, root.id, may_open)}
    parent: dict[int, int] = {}
    own = {u: list(c) for u, c in counts.items()}
    subtree: dict[int, list] = {root.id: [0, 0, 0, 0, 0, 0.0, 0]}
    for unit_id, figures_ in counts.items():
        current = unit_id
        while True:
            if current not in units:
                units[current] = _view(structure, current, may_open)
            add_into(subtree.setdefault(current, [0, 0, 0, 0, 0, 0.0, 0]), figures_)
            if current == root.id:
                break
            if current not in parent:
                parent[current] = _display_parent(structure, current, scope, root.id)
            current = parent[current]
    place = structure.place(root.id)
    chain = [structure.place(a).name for a in place.ancestors] if place else []
    return AsOfFigures(units[root.id], units, parent, own, subtree, chain)


def shared_labels(result) -> dict[int, str]:
    """{unit id: "Name — Parent name"} for the report's units (below its root)
    whose name of the day another of them also has."""
    below = [u for u in result.units.values() if u.id != result.root.id]
    names: dict[str, int] = {}
    for unit in below:
        names[unit.name] = names.get(unit.name, 0) + 1
    labels = {}
    for unit in below:
        parent = result.parent.get(unit.id)
        if names[unit.name] > 1 and parent is not None:
            labels[unit.id] = f"{unit.name} — {result.units[parent].name}"
    return labels


def _display_parent(structure: Structure, unit_id: int, scope: set, root_id: int):
    """The nearest unit above `unit_id` in the tree of the day that is in the
    report's scope; the report's root when there is none."""
    place = structure.place(unit_id)
    for ancestor in reversed(place.ancestors if place else []):
        if ancestor in scope:
            return ancestor
    return root_id


def _view(structure: Structure, unit_id: int, may_open) -> UnitView:
    place = structure.place(unit_id)
    return UnitView(
        unit_id,
        place.name if place else str(unit_id),
        place.code if place else "",
        place.kind if place else "",
        linkable=may_open(unit_id),
        ended=place.ended if place else None,
    )


def unit_view(structure: Structure, unit_id: int) -> UnitView:
    """The unit as the tree of the structure's day names it (no link)."""
    return _view(structure, unit_id, lambda _unit_id: False)


def summary_row(result: AsOfFigures) -> SummaryRow:
    """The root's whole subtree, as the dashboard's figures."""
    return _row(result.root, result.subtree.get(result.root.id, EMPTY))


def children_rows(result: AsOfFigures, unit_id: int | None = None) -> list:
    """One row per unit of the report's tree under `unit_id` (default the root)
    with records (its whole subtree), then one for the unit's own records."""
    unit_id = result.root.id if unit_id is None else unit_id
    rows = [
        _row(child, result.subtree[child.id])
        for child in result.children(unit_id)
        if result.subtree.get(child.id, EMPTY)[0]
    ]
    if result.own.get(unit_id, EMPTY)[0]:
        rows.append(_row(result.units[unit_id], result.own[unit_id], True))
    return rows


__all__ = [
    "AT_TIME",
    "ATTRIBUTIONS",
    "ATTRIBUTION_LABELS",
    "ROLLED_UP",
    "STATEMENTS",
    "STATE_NOW",
    "AsOf",
    "AsOfFigures",
    "UnitView",
    "figures",
    "parse_as_of",
]
