"""Where a unit's records go once it has ended: the one successor rule, used by the
reports' roll-up (app.accounts.rollup), the reward candidates (app.rewards) and an
officer's scope through time (app.accounts.asof: past_scope_condition; with
`reached`, every successor, where an ended unit's campaigns may be seen from).

On a day, a unit's line is followed until a unit alive that day:

- along the UnitSuccession rows in force (valid_from ≤ day): of the latest change,
  the one successor of a merge, the `primary` one of a split;
- a unit merged before history was kept (Unit.successor_id) goes to that unit;
- a unit ended with no succession (dissolved) goes where its parent of that time
  (its last UnitVersion's) goes.

A loop in the data stops the walk at the unit met twice. Computed in Python over
the small tables, read once per request.
"""

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select

from app.extensions import db

from .models import Unit, UnitSuccession, UnitVersion


def succession_rows():
    """SQL of every succession: (predecessor, successor, valid_from, primary), the
    rows Successions.from_rows takes."""
    return select(
        UnitSuccession.predecessor_id,
        UnitSuccession.successor_id,
        UnitSuccession.valid_from,
        UnitSuccession.primary,
    )


class Successions:
    """The successions and the ends of units, read once; `follow` answers many
    times."""

    def __init__(self) -> None:
        # predecessor -> [(valid_from, not primary, successor)], sorted
        self.options: dict[int, list[tuple[date, bool, int]]] = {}
        self.ends: dict[int, tuple[date | None, int | None]] = {}  # last version's
        # (valid_to, parent_id)

    @classmethod
    def from_rows(
        cls,
        legacy: Iterable[tuple[int, int]],
        versions: Iterable[tuple[int, date | None, int | None]],
        successions: Iterable[tuple[int, int, date, bool]],
    ) -> "Successions":
        """From rows already read: `legacy` (unit id, Unit.successor_id) of units
        merged before history was kept; `versions` (unit id, valid_to, parent_id)
        in order of valid_from (the last one of a unit counts); `successions`
        (predecessor, successor, valid_from, primary)."""
        self = cls()
        for unit_id, merged_into in legacy:
            self.options[unit_id] = [(date.min, False, merged_into)]
        for unit_id, valid_to, parent_id in versions:
            self.ends[unit_id] = (valid_to, parent_id)
        recorded: dict[int, list] = {}
        for predecessor, successor, valid_from, primary in successions:
            recorded.setdefault(predecessor, []).append(
                (valid_from, not primary, successor)
            )
        self.options.update(recorded)  # recorded successions replace a legacy one
        for choices in self.options.values():
            choices.sort()
        return self

    @classmethod
    def read(cls) -> "Successions":
        """Three small queries."""
        legacy = db.session.execute(
            select(Unit.id, Unit.successor_id).where(Unit.successor_id.is_not(None))
        )
        versions = db.session.execute(
            select(
                UnitVersion.unit_id, UnitVersion.valid_to, UnitVersion.parent_id
            ).order_by(UnitVersion.unit_id, UnitVersion.valid_from)
        )
        successions = db.session.execute(succession_rows())
        return cls.from_rows(legacy, versions, successions)

    def follow(self, unit_id: int, on: date) -> int:
        """The unit alive on `on` that `unit_id`'s records go to (itself when it
        is alive then)."""
        seen, current = set(), unit_id
        while current not in seen:
            seen.add(current)
            choices = [c for c in self.options.get(current, []) if c[0] <= on]
            if choices:
                latest = max(c[0] for c in choices)
                current = min(c for c in choices if c[0] == latest)[2]
                continue
            ended, parent_id = self.ends.get(current, (None, None))
            if ended is None or ended > on or parent_id is None:
                return current
            current = parent_id  # dissolved: where its parent of that time goes
        return current

    def reached(self, unit_id: int, on: date) -> set[int]:
        """Every unit `unit_id` went into by `on` (successions in force then),
        directly or through later successions, following every successor of a
        merge or split, the primary one and the others."""
        seen: set[int] = set()
        stack = [unit_id]
        while stack:
            current = stack.pop()
            for valid_from, _secondary, successor in self.options.get(current, []):
                if valid_from <= on and successor not in seen and successor != unit_id:
                    seen.add(successor)
                    stack.append(successor)
        return seen

    def rolled_up(self, day: date) -> dict[int, int]:
        """{unit id: the unit its records go to on `day`} for each unit that goes
        elsewhere; a unit not in it stays itself."""
        result = {}
        for unit_id in set(self.options) | set(self.ends):
            final = self.follow(unit_id, day)
            if final != unit_id:
                result[unit_id] = final
        return result
