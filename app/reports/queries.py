"""Read-only report queries over training records, always inside a unit subtree.

Aggregates run in SQL over one record per cadre (no per-row Python loop). Every
function takes the subtree root; callers get it from the viewer's scope.
"""

from dataclasses import dataclass

from sqlalchemy import select

from app.accounts.models import Unit
from app.accounts.scope import path_ids
from app.accounts.units import sort_units
from app.extensions import db
from app.records.models import TrainingRecord
from app.records.rates import Rates

from .counts import SLOT, figure_columns


@dataclass
class SummaryRow(Rates):
    """Counts for a set of records: a subtree, or one child unit's subtree."""

    unit: Unit | None
    total: int
    completed: int
    in_progress: int
    not_started: int
    passed: int
    mean_score: float | None
    direct_only: bool = False  # the parent's own cadres, not its children's


def _unit_totals(campaign_id: int, root: Unit) -> dict[int, list]:
    """Per unit of `root`'s subtree: [total, completed, in progress, not started,
    passed, sum of best scores, count of best scores] of the records of the cadres
    directly in it. One query grouped in the order of the covering index
    ix_record_report (no CASE per row); the few grouped rows are folded here."""
    record = TrainingRecord
    in_subtree = select(Unit.id).where(Unit.in_subtree(root.path))
    rows = db.session.execute(
        select(record.unit_id, record.status, record.passed, *figure_columns())
        .where(record.campaign_id == campaign_id, record.unit_id.in_(in_subtree))
        .group_by(record.unit_id, record.status, record.passed)
    )
    totals: dict[int, list] = {}
    for unit_id, status, passed, count, score_sum, scored in rows:
        counts = totals.setdefault(unit_id, [0.0] * 7)
        counts[0] += count
        counts[SLOT[status]] += count
        counts[4] += count if passed else 0
        counts[5] += score_sum or 0
        counts[6] += scored
    return totals


@dataclass
class Rollup:
    """Counts of a subtree, by unit: `own` are the cadres directly in a unit,
    `subtree` everything below it too. Rolled up over units, never over records."""

    own: dict[int, list]
    subtree: dict[int, list]


def rollup(campaign_id: int, root: Unit) -> Rollup:
    own = _unit_totals(campaign_id, root)
    units = db.session.execute(
        select(Unit.id, Unit.path).where(Unit.in_subtree(root.path))
    ).all()
    in_tree = {unit_id for unit_id, _ in units}
    subtree: dict[int, list] = {unit_id: [0.0] * 7 for unit_id in in_tree}
    for unit_id, path in units:
        counts = own.get(unit_id)
        if counts is None:
            continue
        for ancestor in path_ids(path):
            if ancestor in in_tree:
                subtree[ancestor] = [
                    a + b for a, b in zip(subtree[ancestor], counts, strict=True)
                ]
    return Rollup(own, subtree)


def _row(unit, counts, direct_only=False) -> SummaryRow:
    total, completed, in_progress, not_started, passed, score_sum, scored = counts
    return SummaryRow(
        unit,
        int(total),
        int(completed),
        int(in_progress),
        int(not_started),
        int(passed),
        round(score_sum / scored, 1) if scored else None,
        direct_only,
    )


def subtree_summary(
    campaign_id: int, root: Unit, totals: Rollup | None = None
) -> SummaryRow:
    """Totals for every record whose cadre is now in `root`'s subtree."""
    totals = totals or rollup(campaign_id, root)
    return _row(root, totals.subtree.get(root.id, [0.0] * 7))


def children_summary(
    campaign_id: int, parent: Unit, totals: Rollup | None = None
) -> list[SummaryRow]:
    """One row per child unit of `parent` that has records (each its whole
    subtree), then a row for the cadres directly in `parent`, when there are any."""
    totals = totals or rollup(campaign_id, parent)
    children = sort_units(
        db.session.scalars(select(Unit).where(Unit.parent_id == parent.id))
    )
    rows = [
        _row(c, totals.subtree[c.id])
        for c in children
        if totals.subtree.get(c.id, [0])[0]
    ]
    if totals.own.get(parent.id, [0])[0]:
        rows.append(_row(parent, totals.own[parent.id], direct_only=True))
    return rows


def ranking(rows: list[SummaryRow]) -> list[SummaryRow]:
    """The child units of a report's rows (its units' own records left out) by
    completion rate, best first (ties: more cadres first, then by name)."""
    children = [r for r in rows if not r.direct_only]
    return sorted(
        children, key=lambda r: (-r.completion_percent, -r.total, r.unit.sort_key)
    )
