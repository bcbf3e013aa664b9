"""The counts of a campaign's records by unit as of a day, at the unit of the
time or rolled up (the rules: app.accounts.rollup, the tree of the day). Read-only.

Counts are grouped in SQL per (unit at the time, status, passed) and folded here, by
unit, never by record.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    Integer,
    and_,
    any_,
    case,
    exists,
    func,
    literal,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import aliased

from app.accounts.models import Assignment
from app.accounts.rollup import ROLLED_UP, Structure, today
from app.extensions import db
from app.records.asof import close_day
from app.records.models import COMPLETED, IN_PROGRESS, NOT_STARTED, TrainingRecord

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


@dataclass(eq=False)
class Tally:
    """What a chart counts a report's records by: `key` (SQL: a record's value,
    never NULL where `where` holds), of the records matching `where` (SQL)."""

    key: Any
    where: tuple = ()


class Moves:
    """The moves between a report's day of a campaign's records and today
    (_moved_since: since a past day, or dated ahead up to a later one), read once,
    on first need, for all that counts them in one request (the dashboard's
    table, unit_counts, and its two charts, counts_by): grouped by status and
    passed and by each of `tallies` ({name: Tally}). None for a report taking
    the campaign's records today (a day it is still open on)."""

    def __init__(self, campaign, day: date, tallies: dict | None = None):
        self.campaign, self.day = campaign, day
        self.tallies: dict[str, Tally] = dict(tallies or {})
        self._rows: list | None = None

    def rows(self) -> list:
        """(unit now, unit then, status, passed, for each tally: 1 when it counts
        the records else 0, their value; records, sum of best scores, records with
        a score)."""
        if self._rows is None:
            when = close_day(self.campaign, self.day)
            self._rows = []
            if when != today():
                keys = [TrainingRecord.status, TrainingRecord.passed]
                for tally in self.tallies.values():
                    counted = and_(true(), *tally.where)
                    keys += [case((counted, 1), else_=0), case((counted, tally.key))]
                self._rows = _moved_since(self.campaign, when, keys)
        return self._rows

    def figures(self) -> list[tuple]:
        """(unit now, unit then, status, passed, records, sum of best scores,
        records with a score) of the records moved since the day."""
        return [(*row[:4], *row[-3:]) for row in self.rows()]

    def of(self, name: str) -> list[tuple]:
        """(unit now, unit then, value, records) of the moved records that the
        tally `name` counts."""
        at = 4 + 2 * list(self.tallies).index(name)
        return [(*row[:2], row[at + 1], row[-3]) for row in self.rows() if row[at]]


def unit_counts(
    campaign, day: date, units: set[int] | None = None, moves: Moves | None = None
) -> dict:
    """Per unit at the time (app.accounts.rollup's rules): [total, completed, in
    progress, not started, passed, sum of best scores, records with a score] of the
    campaign's records; only `units` when given; `moves`: those of the campaign and
    day, when the caller shares them (the dashboard), else read here.

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
    moves = moves if moves is not None else Moves(campaign, day)
    for now_unit, then_unit, status, passed, *figures in moves.figures():
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


def counts_by(moves: Moves, units, name: str, every=None) -> dict:
    """{value of the key of the tally `name` of `moves`: how many} of the
    campaign's records it counts that unit_counts counts for `units` (the same
    parts and the same moves since the day), summed over them: what a report as
    of the day of `moves` whose scope is `units` counts, by that key (the
    dashboard's charts). `every`: all the units (Structure.places); with it, a
    scope of more than MAX_IN_LIST units whose complement has at most as many is
    counted as the whole campaign less the records of the complement (the whole
    province: one pass over the campaign, not two searches of 1,800 units)."""
    tally, record = moves.tallies[name], TrainingRecord
    query = select(tally.key, func.count()).where(
        record.campaign_id == moves.campaign.id, *tally.where
    )
    outside = set(every or ()) - set(units)
    counts: dict = {}
    if every is not None and len(units) > MAX_IN_LIST >= len(outside):
        _count_into(counts, query.group_by(tally.key), 1)
        if outside:
            _count_into(counts, _grouped_parts(query, outside, tally.key), -1)
    else:
        _count_into(counts, _grouped_parts(query, units, tally.key), 1)
    for now_unit, then_unit, value, count in moves.of(name):
        sign = (then_unit in units) - (now_unit in units)
        counts[value] = counts.get(value, 0) + sign * count
    return {value: count for value, count in counts.items() if count}


def _grouped_parts(query, units, key):
    """`query`'s records of `units` at the time (at_time_parts), grouped by `key`."""
    return union_all(*(part.group_by(key) for part in at_time_parts(query, units)))


def _count_into(counts: dict, query, sign: int) -> None:
    for value, count in db.session.execute(query):
        counts[value] = counts.get(value, 0) + sign * count


def records_counted(campaign, root, structure: Structure) -> int:
    """How many of the campaign's records a report of `root` as of the
    structure's day counts: those of the units of its scope on that day
    (Structure.scope_of: a former unit's records, not its subtree today's), as
    unit_counts groups them for the report itself (the annual report's workbook
    is made by a job past EXPORT_JOB_ROWS of them)."""
    counts = unit_counts(campaign, structure.day, set(structure.scope_of(root)))
    return sum(int(figures[0]) for figures in counts.values())


def _moved_since(campaign, when: date, keys) -> list:
    """(unit now, unit then, *`keys`, records, sum of best scores, records with a
    score) of the campaign's records not completed whose cadre was elsewhere on
    `when`, or will be, grouped: the assignments valid that day and closed since
    (a past day: few, ix_assignment_closed), or begun after today (a later day:
    moves dated ahead, not yet applied to the unit now), each joined to its
    cadre's record. The one rule of the moves since or until a day (Moves reads
    them)."""
    record, assignment, later = TrainingRecord, Assignment, aliased(Assignment)
    if when < today():  # valid that day, closed since
        moved = (assignment.valid_to > when, assignment.valid_from <= when)
    else:  # valid that day, begun after today
        moved = (assignment.valid_from > today(), assignment.valid_on(when))
    # one assignment a cadre: the latest begun of those valid that day, as
    # app.records.asof.at_time_unit takes it (history never leaves two; imported
    # data might)
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
                *figure_columns(),
            )
            .join(assignment, assignment.user_id == record.user_id)
            .where(
                *moved,
                latest,
                assignment.unit_id != record.unit_id,
                record.campaign_id == campaign.id,
                record.completed_unit_id.is_(None),
                # so SQLite starts from the few assignments, not every record
                record.user_id.in_(select(assignment.user_id).where(*moved)),
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
    campaign,
    structure: Structure,
    attribution: str,
    units: set[int],
    moves: Moves | None = None,
) -> dict[int, list]:
    """unit_counts of `units` (with `moves`, of the structure's day, when
    shared), kept at the unit of the time or summed into each unit's successor
    on the structure's day."""
    counts = unit_counts(campaign, structure.day, units, moves)
    if attribution != ROLLED_UP:
        return counts
    rolled: dict[int, list] = {}
    for unit_id, figures in counts.items():
        target = structure.successor(unit_id)
        add_into(rolled.setdefault(target, [0, 0, 0, 0, 0, 0.0, 0]), figures)
    return rolled
