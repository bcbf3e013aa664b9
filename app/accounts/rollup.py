"""Units through time for reports (app.reports, and the reward candidates of
app.rewards): the tree of a day, where a unit's records go when it was merged,
split or dissolved, and which units a report covers. Read-only.

Rules (the one place they are written down):

- **The tree of a day** (`Structure.place`): a unit sits where its UnitVersion valid
  on that day puts it, with that version's name. A unit that had already ended sits
  where it was when it ended (its last version); one not created yet where it will
  first be; a unit with no version at all (created before history was kept and
  never versioned) where the Unit table puts it today.
- **Successor** (`Structure.successor`): the one successor rule of
  app.accounts.succession (the primary line of the successions in force on the day;
  a dissolved unit goes where its parent of that time goes), over the rows this
  structure has read.
- **A record's unit at the time** (app.records.asof.at_time_unit): the unit it
  was completed in
  (TrainingRecord.completed_unit_id); else, for a record not completed, the cadre's
  Assignment valid on the campaign's last day, or on the report's day if that comes
  first; else the cadre's unit now (TrainingRecord.unit_id).
- **Scope through time** (`Structure.scope`): a report of unit R covers every unit,
  past or present, whose successor today lies in R's subtree today; an HR officer
  of "An Giang (mới)" sees former Kiên Giang's records, one of another unit does not.
  A report of a unit that has ended by today (`Structure.scope_of`: former Kiên
  Giang's) covers those whose successor on its last day lay in its subtree (the
  day before its last version's valid_to: `Structure.last_day`, the one rule of
  app.accounts.days.last_day, which app.accounts.report_access follows too).

The report's choice (day, attribution, statement): app.records.asof. The counts
themselves (by unit at the time or rolled up, and the dashboard's charts of the
same records): app.reports.counts; the reward candidates: app.rewards.candidates.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from app.accounts.days import format_day, last_day
from app.accounts.days import vn_today as today  # the Vietnam calendar day now
from app.accounts.models import Unit, UnitVersion
from app.accounts.scope import in_subtree, path_ids
from app.accounts.succession import Successions, succession_rows
from app.extensions import db

AT_TIME, ROLLED_UP = "at_time", "rolled_up"
ATTRIBUTIONS = (AT_TIME, ROLLED_UP)


@dataclass
class Place:
    """A unit as it sits in the tree of a day."""

    unit_id: int
    name: str
    kind: str
    code: str
    parent_id: int | None
    path: str
    alive: bool  # in force on the day
    ended: date | None = None  # the day it ended, when it had ended by then

    @property
    def ancestors(self) -> list[int]:
        """Ids above the unit, root first."""
        return path_ids(self.path)[:-1]


def _version_rows() -> list:
    """Every unit version as (unit id, valid from, valid to, name, kind, parent id,
    path), by unit, earliest first."""
    return db.session.execute(
        select(
            UnitVersion.unit_id,
            UnitVersion.valid_from,
            UnitVersion.valid_to,
            UnitVersion.name,
            UnitVersion.kind,
            UnitVersion.parent_id,
            UnitVersion.path,
        ).order_by(UnitVersion.unit_id, UnitVersion.valid_from)
    ).all()


@dataclass
class Structure:
    """The units, their versions and successions as of `day` (three small
    queries; the successor and scope answers are memoised)."""

    day: date
    places: dict[int, Place] = field(default_factory=dict)
    today_paths: dict[int, str] = field(default_factory=dict)
    lines: Successions = field(default_factory=Successions)
    ends: dict[int, date] = field(default_factory=dict)  # a unit's last valid_to
    _successor: dict = field(default_factory=dict)
    _scopes: dict = field(default_factory=dict)

    @classmethod
    def on(cls, day: date) -> "Structure":
        self = cls(day)
        units = db.session.execute(
            select(
                Unit.id,
                Unit.code,
                Unit.name,
                Unit.kind,
                Unit.parent_id,
                Unit.path,
                Unit.successor_id,
            )
        ).all()
        codes = {}
        for uid, code, name, kind, parent_id, path, _ in units:
            codes[uid] = code
            self.today_paths[uid] = path
            self.places[uid] = Place(uid, name, kind, code, parent_id, path, True)
        versions = _version_rows()
        self._place_versions(versions, codes)
        last = {row[0]: row[2] for row in versions}  # earliest first: the last wins
        self.ends = {uid: end for uid, end in last.items() if end is not None}
        successions = db.session.execute(succession_rows())
        self.lines = Successions.from_rows(
            ((uid, merged) for uid, *_, merged in units if merged is not None),
            ((row[0], row[2], row[5]) for row in versions),
            successions,
        )
        return self

    def _place_versions(self, versions: list, codes: dict[int, str]) -> None:
        """Place each unit with versions where its version of the day puts it: the
        latest begun by the day, else its first (`versions`: _version_rows())."""
        day = self.day
        chosen: dict[int, tuple] = {}
        for row in versions:
            # the latest version begun by the day, else the unit's first one
            if row[1] <= day or row[0] not in chosen:
                chosen[row[0]] = row
        for uid, start, end, name, kind, parent_id, path in chosen.values():
            alive = start <= day and (end is None or day < end)
            ended = end if end is not None and end <= day else None
            self.places[uid] = Place(
                uid, name, kind, codes.get(uid, ""), parent_id, path, alive, ended
            )

    def place(self, unit_id: int) -> Place | None:
        return self.places.get(unit_id)

    def successor(self, unit_id: int, on: date | None = None) -> int:
        """The unit alive on `on` (default: the structure's day) that `unit_id`'s
        records roll up to; the unit itself when it is alive then."""
        on = on or self.day
        key = (unit_id, on)
        if key not in self._successor:
            self._successor[key] = self.lines.follow(unit_id, on)
        return self._successor[key]

    def scope(self, root_path: str, now: date | None = None) -> frozenset[int]:
        """Every unit, past or present, whose successor today (`now`) lies in the
        subtree at `root_path` of today's tree."""
        now = now or today()
        key = (root_path, now)
        if key not in self._scopes:  # a page asks for its root's and its viewer's
            result = set()
            for uid in self.places:
                final = self.successor(uid, now)
                path = self.today_paths.get(final)
                if path is not None and in_subtree(path, root_path):
                    result.add(uid)
            self._scopes[key] = frozenset(result)
        return self._scopes[key]

    def last_day(self, unit_id: int) -> date | None:
        """The last day of a unit that has ended by today; None for one still
        there (app.accounts.days.last_day: ended on D, there until D - 1)."""
        return last_day(self.ends.get(unit_id), today())

    def scope_of(self, root) -> frozenset[int]:
        """The scope of a report of `root` (a Unit): `scope` of its subtree; of a
        unit that has ended by today, as on its last day (nothing rolls up into it
        today: its records have gone to its successors)."""
        return self.scope_under(root.path)

    def issuer(self, unit_id: int) -> tuple[list[str], str]:
        """The names, from the top of the tree down, of the unit that issues a
        paper about `unit_id`'s records on the structure's day, and a note when it
        is another: a unit that had ended by then issues nothing — the unit its
        records went to does, under its names of the day — and the paper says
        whose figures it holds ("Số liệu của … (đơn vị đã kết thúc, đến hết ngày
        …)"). The place printed on a paper is the one of its date."""
        place = self.place(unit_id)
        issuing, note = place, ""
        heir = self.place(self.successor(unit_id))
        if place is not None and place.ended is not None and heir not in (None, place):
            issuing, last = heir, place.ended - timedelta(days=1)
            note = (
                f"Số liệu của {place.name} (đơn vị đã kết thúc, đến hết ngày "
                f"{format_day(last)})."
            )
        if issuing is None:
            return [], note
        return [self.place(a).name for a in issuing.ancestors] + [issuing.name], note

    def scope_under(self, root_path: str) -> frozenset[int]:
        """`scope_of` the unit at `root_path` (its path in the Unit table)."""
        last = self.last_day(path_ids(root_path)[-1])
        return self.scope(root_path) if last is None else self.scope(root_path, last)
