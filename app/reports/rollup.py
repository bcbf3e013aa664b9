"""Units through time for reports: the tree of a day, where a unit's records go
when it was merged, split or dissolved, and the counts of a campaign by unit as of a
day, attributed at the time or rolled up. Read-only.

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
- **A record's unit at the time** (`unit_counts`): the unit it was completed in
  (TrainingRecord.completed_unit_id); else, for a record not completed, the cadre's
  Assignment valid on the campaign's last day, or on the report's day if that comes
  first; else the cadre's unit now (TrainingRecord.unit_id).
- **Scope through time** (`Structure.scope`): a report of unit R covers every unit,
  past or present, whose successor today lies in R's subtree today; an HR officer
  of "An Giang (mới)" sees former Kiên Giang's records, one of another unit does not.
  A report of a unit that has ended by today (`Structure.scope_of`: former Kiên
  Giang's) covers those whose successor on its last day lay in its subtree (the
  day before its last version's valid_to: `Structure.last_day`, the one rule of
  app.accounts.days.last_day, which app.reports.access follows too).

Counts are grouped in SQL per (unit at the time, status, passed) and folded here, by
unit, never by record.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Integer, any_, exists, func, literal, select, union_all
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import aliased

from app.accounts.days import last_day
from app.accounts.days import vn_today as today  # the Vietnam calendar day now
from app.accounts.models import Assignment, Unit, UnitVersion
from app.accounts.scope import in_subtree, path_ids
from app.accounts.succession import Successions, succession_rows
from app.extensions import db
from app.records.models import COMPLETED, IN_PROGRESS, NOT_STARTED, TrainingRecord
from app.timeutil import to_vn

AT_TIME, ROLLED_UP = "at_time", "rolled_up"
ATTRIBUTIONS = (AT_TIME, ROLLED_UP)
EMPTY = (0, 0, 0, 0, 0, 0.0, 0)  # total, completed, in progress, not started,
# passed, sum of best scores, records with a score
SLOT = {COMPLETED: 1, IN_PROGRESS: 2, NOT_STARTED: 3}


def figure_columns() -> tuple:
    """SQL of a group of records: how many, the sum of their best scores, how many
    have one (the last three figures of EMPTY's; the others come from grouping by
    status and passed)."""
    best = TrainingRecord.best_percent
    return func.count(), func.sum(best), func.count(best)


# Up to this many units in scope, the SQL searches the index for each; above, it
# reads the whole campaign and the units outside are dropped here (on the bench's
# province of 1,834 units, reading all was the faster on PostgreSQL, 108 ms against
# 136 ms; a department of 61 units took 5 ms searched, 25-30 ms read whole).
MAX_IN_LIST = 500


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
        last = self.last_day(root.id)
        return self.scope(root.path) if last is None else self.scope(root.path, last)


def _close_day(campaign, day: date) -> date:
    return min(to_vn(campaign.closes_at).date(), day)


def at_time_unit(campaign, day: date):
    """SQL: a record's unit at the time (the module's rules) for a report of
    `day`."""
    record = TrainingRecord
    when = _close_day(campaign, day)
    if when >= today():
        # nobody has been reassigned after the day yet: the unit now is the one
        return func.coalesce(record.completed_unit_id, record.unit_id)
    assignment = select(Assignment.unit_id).where(
        Assignment.user_id == record.user_id, Assignment.valid_on(when)
    )
    return func.coalesce(
        record.completed_unit_id,
        assignment.order_by(Assignment.valid_from.desc()).limit(1).scalar_subquery(),
        record.unit_id,
    )


def unit_counts(campaign, day: date, units: set[int] | None = None) -> dict:
    """Per unit at the time (see the module's rules): [total, completed, in
    progress, not started, passed, sum of best scores, records with a score] of the
    campaign's records; only `units` when given.

    No look-up per record: grouped queries by the unit a record was completed
    in and the cadre's unit now (index-only searches of ix_record_asof, in its
    order); then the few records not completed whose cadre's assignment on the
    day has closed since (ix_assignment_closed), moved from the unit now to the
    unit of that assignment. A cadre's open assignment is its unit now
    (User.unit_id, TrainingRecord.unit_id), as app.accounts keeps them."""
    record = TrainingRecord
    completed_in, now_in = record.completed_unit_id, record.unit_id
    query = select(
        completed_in, now_in, record.status, record.passed, *figure_columns()
    ).where(record.campaign_id == campaign.id)
    parts = [query]
    if units is not None and len(units) <= MAX_IN_LIST:
        parts = at_time_parts(query, units)
    totals: dict[int, list] = {}
    for part in parts:
        # grouped in the order of the index: no sort of the records
        for (
            completed,
            now,
            status,
            passed,
            count,
            score_sum,
            scored,
        ) in db.session.execute(
            part.group_by(completed_in, now_in, record.status, record.passed)
        ):
            unit_id = now if completed is None else completed
            _fold(totals, unit_id, status, passed, count, score_sum, scored, 1)
    when = _close_day(campaign, day)
    if when < today():
        for now_unit, then_unit, status, passed, *figures in _moved_since(
            campaign, when
        ):
            _fold(totals, now_unit, status, passed, *figures, -1)
            _fold(totals, then_unit, status, passed, *figures, 1)
    return {
        unit_id: counts
        for unit_id, counts in totals.items()
        if counts[0] and (units is None or unit_id in units)
    }


def at_time_parts(query, units) -> list:
    """`query` (of the campaign's records) as two searches of ix_record_asof, not a
    test of every record's unit: the records whose unit at the time, but for the
    moves since the day (_moved_since), is one of `units` — those completed
    there, those not completed whose cadre is there now."""
    ids, record = sorted(units), TrainingRecord
    return [
        query.where(_one_of(record.completed_unit_id, ids)),
        query.where(record.completed_unit_id.is_(None), _one_of(record.unit_id, ids)),
    ]


def _one_of(column, ids: list[int]):
    """SQL: `column` is one of `ids`; past MAX_IN_LIST on PostgreSQL one array
    parameter (= ANY), not one parameter an id (a scope of 1,850 units over
    20,000 records: a chart in ~20 ms, not 60-100 ms)."""
    if len(ids) > MAX_IN_LIST and db.engine.dialect.name == "postgresql":
        return column == any_(literal(ids, ARRAY(Integer)))
    return column.in_(ids)


def counts_by(campaign, day: date, units, key, *where) -> dict:
    """{value of `key` (SQL of a record): how many} of the campaign's records
    matching `where` that unit_counts counts for `units` (the same parts and the
    same moves since the day), summed over them: what a report as of `day`
    whose scope is `units` counts, by `key` (the dashboard's charts)."""
    query = select(key, func.count()).where(
        TrainingRecord.campaign_id == campaign.id, *where
    )
    parts = [part.group_by(key) for part in at_time_parts(query, units)]
    counts: dict = {}
    for value, count in db.session.execute(union_all(*parts)):
        counts[value] = counts.get(value, 0) + count
    when = _close_day(campaign, day)
    if when < today():
        moved = _moved_since(campaign, when, (key,), (func.count(),), where)
        for now_unit, then_unit, value, count in moved:
            sign = (then_unit in units) - (now_unit in units)
            counts[value] = counts.get(value, 0) + sign * count
    return {value: count for value, count in counts.items() if count}


def records_counted(campaign, root, structure: Structure) -> int:
    """How many of the campaign's records a report of `root` as of the
    structure's day counts: those of the units of its scope on that day
    (Structure.scope_of: a former unit's records, not its subtree today's), as
    unit_counts groups them for the report itself (the annual report's workbook
    is made by a job past EXPORT_JOB_ROWS of them)."""
    counts = unit_counts(campaign, structure.day, set(structure.scope_of(root)))
    return sum(int(figures[0]) for figures in counts.values())


def _moved_since(campaign, when: date, keys=None, figures=None, where=()) -> list:
    """(unit now, unit then, *`keys`, *`figures`) — by default (status, passed,
    records, sum of best scores, records with a score) — of the campaign's records
    not completed (and matching `where`) whose cadre was elsewhere on `when`,
    grouped: the assignments valid that day and closed since (few;
    ix_assignment_closed), each joined to its cadre's record."""
    record, assignment, later = TrainingRecord, Assignment, aliased(Assignment)
    keys = (record.status, record.passed) if keys is None else keys
    closed = (assignment.valid_to > when, assignment.valid_from <= when)
    # one assignment a cadre: the latest begun of those valid that day, as
    # at_time_unit takes it (history never leaves two; imported data might)
    latest = ~exists().where(
        later.user_id == assignment.user_id,
        later.valid_on(when),
        later.valid_from > assignment.valid_from,
    )
    return (
        db.session.execute(
            select(
                record.unit_id,
                assignment.unit_id,
                *keys,
                *(figure_columns() if figures is None else figures),
            )
            .join(assignment, assignment.user_id == record.user_id)
            .where(
                *closed,
                latest,
                assignment.unit_id != record.unit_id,
                record.campaign_id == campaign.id,
                record.completed_unit_id.is_(None),
                *where,
                # so SQLite starts from the few assignments, not every record
                record.user_id.in_(select(assignment.user_id).where(*closed)),
            )
            .group_by(record.unit_id, assignment.unit_id, *keys)
        )
        .tuples()
        .all()
    )


def _fold(totals, unit_id, status, passed, count, score_sum, scored, sign) -> None:
    counts = totals.setdefault(unit_id, [0, 0, 0, 0, 0, 0.0, 0])
    counts[0] += sign * count
    counts[SLOT[status]] += sign * count
    counts[4] += sign * count if passed else 0
    counts[5] += sign * float(score_sum or 0)
    counts[6] += sign * scored


def add_into(target: list, counts) -> None:
    for i, value in enumerate(counts):
        target[i] += value


def attributed_counts(
    campaign, structure: Structure, attribution: str, units: set[int]
) -> dict[int, list]:
    """unit_counts of `units`, kept at the unit of the time or summed into each
    unit's successor on the structure's day."""
    counts = unit_counts(campaign, structure.day, units)
    if attribution != ROLLED_UP:
        return counts
    rolled: dict[int, list] = {}
    for unit_id, figures in counts.items():
        target = structure.successor(unit_id)
        add_into(rolled.setdefault(target, [0, 0, 0, 0, 0, 0.0, 0]), figures)
    return rolled
