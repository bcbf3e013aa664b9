"""The reward candidates as of a day, as every report (app.records.asof: the
choice and its statement; app.accounts.rollup: the tree of the day, the successor
rule):

- `at_time` (the default): a record counts for the unit it was earned in
  (app.records.asof.at_time_unit), named and placed as the tree of the day has
  it: a unit ended by then keeps its last name and place, so a 2024 campaign's
  lists show former Kiên Giang's departments as they were;
- `rolled_up`: for that unit's successor alive on the day (on today: the unit of
  today it went into, former Kiên Giang's departments counting in An Giang's).

The lists say which (`AsOf.figures_statement`: on the page, the workbook's sheets
and the paper). A Reading is made once per list (a period's, for all of its
campaigns), over the Structure of its day read once per request (structure_on:
three small queries).
"""

from dataclasses import dataclass, field
from datetime import date

from flask import g

from app.accounts.rollup import ROLLED_UP, Structure, today
from app.records.asof import AsOf
from app.vntext import text_sort_key


def structure_on(day: date | None = None) -> Structure:
    """Structure.on(`day`), read once per request (or job, or command). Without a
    day, any one read already (else today's): the scope rules (Structure.scope,
    scope_of, last_day; app.accounts.report_access) do not depend on its day."""
    memo = g.setdefault("vhcv_reward_structures", {})
    if day is None:
        if memo:
            return next(iter(memo.values()))
        day = today()
    if day not in memo:
        memo[day] = Structure.on(day)
    return memo[day]


@dataclass(frozen=True)
class UnitOnDay:
    """A unit as a list of a day shows it: its name and place of that day;
    `display_name` adds its parent's name when another unit of the day has the
    same name (as Unit.display_name does today)."""

    id: int
    code: str
    name: str
    display_name: str
    ended: date | None = None


@dataclass
class Reading:
    """The day and attribution of a list, over the tree of that day."""

    as_of: AsOf
    structure: Structure
    _views: dict[int, UnitOnDay] = field(default_factory=dict, repr=False)
    _names: dict[str, int] | None = field(default=None, repr=False)

    @classmethod
    def of(cls, as_of: AsOf | None = None) -> "Reading":
        """As of `as_of` (default: today, at the time)."""
        as_of = as_of or AsOf(today())
        return cls(as_of, structure_on(as_of.day))

    @property
    def day(self) -> date:
        return self.as_of.day

    def unit_of(self, earned_id: int) -> int:
        """The unit a record earned in `earned_id` is listed under."""
        if self.as_of.attribution == ROLLED_UP:
            return self.structure.successor(earned_id)
        return earned_id

    def ancestors(self, unit_id: int) -> list[int]:
        """The units above `unit_id` in the tree of the day, the top first."""
        place = self.structure.place(unit_id)
        return place.ancestors if place else []

    def view(self, unit_id: int) -> UnitOnDay:
        if unit_id not in self._views:
            place = self.structure.place(unit_id)
            name = place.name if place else str(unit_id)
            shown = name
            if self._shared(name) and place and place.parent_id:
                parent = self.structure.place(place.parent_id)
                shown = f"{name} — {parent.name}" if parent else name
            self._views[unit_id] = UnitOnDay(
                unit_id,
                place.code if place else "",
                name,
                shown,
                place.ended if place else None,
            )
        return self._views[unit_id]

    def _shared(self, name: str) -> bool:
        if self._names is None:
            self._names = {}
            for place in self.structure.places.values():
                self._names[place.name] = self._names.get(place.name, 0) + 1
        return self._names.get(name, 0) > 1

    def order_key(self, unit_id: int) -> tuple:
        """Sorts units in the tree of the day: each after its parent, siblings in
        Vietnamese order of their names of the day, then codes."""
        key = []
        for uid in [*self.ancestors(unit_id), unit_id]:
            place = self.structure.place(uid)
            key.append((text_sort_key(place.name), place.code) if place else ("", ""))
        return tuple(key)

    def by_unit_then_name(self, rows: list) -> list:
        """Rows with a unit (UnitOnDay) and a user, in the tree order of the day,
        then each unit's people in Vietnamese order of their names."""
        return sorted(
            rows,
            key=lambda r: (self.order_key(r.unit.id), r.user.name_sort, r.user.id),
        )
