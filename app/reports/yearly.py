"""Year over year: a unit's campaigns side by side — completion rate, pass rate and
mean score per year — for the same unit rolled up through time (the units, past or
present, that roll up into its subtree today; app.accounts.rollup), as a table and a
server-rendered SVG chart (geometry here, drawing in the templates; no JavaScript).

The comparison does not depend on the attribution: a root's total is the same
whether its records are kept at their units of the time or rolled up.
"""

from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.accounts.models import Unit
from app.accounts.rollup import Structure
from app.extensions import db
from app.records.models import TrainingRecord
from app.records.rates import Rates

from .charts import ChartInfo, Mark, Tick, _y_axis
from .counts import EMPTY, SLOT, add_into, unit_counts


@dataclass
class YearRow(Rates):
    """One campaign's figures for the unit (rolled up)."""

    year: int
    code: str
    title: str
    counts: list = field(default_factory=lambda: list(EMPTY))

    @property
    def total(self) -> int:
        return int(self.counts[0])

    @property
    def completed(self) -> int:
        return int(self.counts[1])

    @property
    def passed(self) -> int:
        return int(self.counts[4])

    @property
    def mean_score(self) -> float | None:
        scored = self.counts[6]
        return round(self.counts[5] / scored, 1) if scored else None


@dataclass
class YearChart:
    """Three bars per year (completion %, pass %, mean score, all out of 100)."""

    chart: ChartInfo
    rows: list[YearRow]


def year_over_year(
    campaigns: list,
    current,
    root: Unit,
    structure: Structure,
    current_counts: list | None = None,
) -> list[YearRow]:
    """The campaigns up to `current`'s year, one per year — `current` for its own;
    for another year, the latest created that has records in `root`'s scope (a
    campaign of another province counts nothing here), else the latest — oldest
    first, each with its figures for `root` rolled up; `current_counts` (the
    report's own total, when it has it) saves counting `current` again. One
    grouped query per campaign looked at."""
    scope = structure.scope_of(root)
    everything = len(scope) >= len(structure.places)

    def counts_of(campaign) -> list:
        if campaign is current and current_counts is not None:
            return list(current_counts)
        if everything:
            return campaign_totals(campaign)
        counts = list(EMPTY)
        for figures in unit_counts(campaign, structure.day, scope).values():
            add_into(counts, figures)
        return counts

    by_year: dict[int, list] = {}
    for campaign in sorted(campaigns, key=lambda c: (c.year, c.id), reverse=True):
        if campaign.year < current.year:
            by_year.setdefault(campaign.year, []).append(campaign)
    by_year[current.year] = [current]
    rows = []
    for year in sorted(by_year):
        chosen, counts = by_year[year][0], None
        for campaign in by_year[year]:
            found = counts_of(campaign)
            if found[0]:
                chosen, counts = campaign, found
                break
        row = YearRow(year, chosen.code, chosen.title)
        row.counts = counts if counts is not None else counts_of(chosen)
        rows.append(row)
    return rows


def campaign_totals(campaign) -> list:
    """A whole campaign's figures (a root whose scope is every unit): grouped by
    status and passed, over groups made in the order of ix_record_report (by
    unit), so the records are read from the index without sorting them."""
    record = TrainingRecord
    by_unit = (
        select(
            record.status,
            record.passed,
            func.count().label("records"),
            func.sum(record.best_percent).label("score_sum"),
            func.count(record.best_percent).label("scored"),
        )
        .where(record.campaign_id == campaign.id)
        .group_by(record.unit_id, record.status, record.passed)
        .subquery()
    )
    totals = list(EMPTY)
    for status, passed, count, score_sum, scored in db.session.execute(
        select(
            by_unit.c.status,
            by_unit.c.passed,
            func.sum(by_unit.c.records),
            func.sum(by_unit.c.score_sum),
            func.sum(by_unit.c.scored),
        ).group_by(by_unit.c.status, by_unit.c.passed)
    ):
        count = int(count)  # a sum of counts: a Decimal on PostgreSQL
        totals[0] += count
        totals[SLOT[status]] += count
        totals[4] += count if passed else 0
        totals[5] += float(score_sum or 0)
        totals[6] += int(scored)
    return totals


def year_chart(rows: list[YearRow]) -> YearChart | None:
    """Grouped bars: per year, completion, pass and mean score on a 0–100 axis;
    None when no year has a completion or a score."""
    rows = [r for r in rows if r.total]
    if not any(r.completed or r.counts[6] for r in rows):
        return None  # all bars would be zero
    chart = ChartInfo()
    top = _y_axis(chart, 100)
    span = chart.bottom - chart.top
    slot = (chart.right - chart.left) / len(rows)
    bar = slot * 0.8 / 3
    for i, row in enumerate(rows):
        values = (row.completion_percent, row.pass_percent, row.mean_score or 0)
        for k, value in enumerate(values):
            height = span * value / top
            x = chart.left + i * slot + slot * 0.1 + k * bar
            chart.marks.append(Mark(x, chart.bottom - height, bar * 0.9, height))
        chart.x_ticks.append(Tick(chart.left + (i + 0.5) * slot, str(row.year)))
    return YearChart(chart, rows)
