"""The dashboard's two charts: completions over time and the score distribution,
as numbers (of the records the dashboard's table counts, as of its day and in
the structure of that day: app.reports.counts; read-only) and as the geometry of
a server-rendered SVG (plain functions, no drawing library, no JavaScript).

Days are Vietnam days (UTC+7 all year; no daylight saving since 1975).
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Date, cast, func

from app.accounts.models import Unit
from app.accounts.rollup import Structure, today
from app.extensions import db
from app.numbers import number
from app.records.models import COMPLETED, Campaign, TrainingRecord
from app.timeutil import VN_TZ

from .counts import Moves, Tally, counts_by

BIN_WIDTH = 10  # score bins of 10 points: 0–9, 10–19, …, 90–100
WIDTH, HEIGHT = 640, 240  # the SVG viewBox
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 12, 36  # room for the axes' labels


@dataclass
class DayRow:
    """Records completed on `day`, and all completed by its end."""

    day: date
    completed: int
    cumulative: int


@dataclass
class BinRow:
    """Cadres whose best score is from `low` to `high` (inclusive, in percent)."""

    low: int
    high: int
    count: int


@dataclass
class Tick:
    position: float  # in viewBox units along the axis
    label: str


@dataclass
class Mark:
    """A point (x, y) of the line, or a bar from (x, y) of size (width, height)."""

    x: float
    y: float
    width: float = 0
    height: float = 0


@dataclass
class ChartInfo:
    """What the SVG template draws: an axis frame, marks and tick labels."""

    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    bottom: float = HEIGHT - BOTTOM  # y of the x axis
    right: float = WIDTH - RIGHT
    marks: list[Mark] = field(default_factory=list)
    path: str = ""  # the polyline's points, for a line chart
    y_ticks: list[Tick] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)


def _vn_day(column):
    """SQL: the Vietnam day of a UTC timestamp column."""
    if db.engine.dialect.name == "postgresql":
        return cast(func.timezone(VN_TZ.key, column), Date)
    return func.date(column, "+7 hours")  # SQLite stores naive UTC text


DAYS, SCORES = "days", "scores"  # the charts' tallies (counts.Tally)


def dashboard_moves(campaign: Campaign, structure: Structure) -> Moves:
    """The moves since the structure's day of the campaign's records, with the
    charts' tallies: a record's Vietnam day of completion (of those completed)
    and its best score (of those with one). One a request, shared by the
    dashboard's table and both charts (read once)."""
    record = TrainingRecord
    completed = (record.status == COMPLETED, record.completed_at.is_not(None))
    best = record.best_percent
    tallies = {
        DAYS: Tally(_vn_day(record.completed_at), completed),
        SCORES: Tally(best, (best.is_not(None),)),
    }
    return Moves(campaign, structure.day, tallies)


def completion_by_day(
    campaign: Campaign,
    root: Unit,
    structure: Structure | None = None,
    moves: Moves | None = None,
) -> list[DayRow]:
    """Per Vietnam day with completions, in order: the records a report of `root`
    as of the structure's day (default today's) counts (counts.counts_by over
    Structure.scope_of, as its table) completed that day, and the running
    total; `moves`: dashboard_moves, when shared."""
    structure = structure or Structure.on(today())
    moves = moves or dashboard_moves(campaign, structure)
    counted = counts_by(moves, structure.scope_of(root), DAYS, structure.places)
    days = sorted((date.fromisoformat(str(v)[:10]), n) for v, n in counted.items())
    result, total = [], 0
    for day, count in days:
        total += count
        result.append(DayRow(day, count, total))
    return result


def score_bins(
    campaign: Campaign,
    root: Unit,
    structure: Structure | None = None,
    moves: Moves | None = None,
) -> list[BinRow]:
    """Ten bins of best scores (0–9 … 90–100) over the records with one that a
    report of `root` as of the structure's day counts (as completion_by_day);
    grouped by score in SQL (few distinct values), binned here."""
    structure = structure or Structure.on(today())
    moves = moves or dashboard_moves(campaign, structure)
    counted = counts_by(moves, structure.scope_of(root), SCORES, structure.places)
    last = 100 // BIN_WIDTH - 1
    counts = [0] * (last + 1)
    for percent, count in counted.items():
        counts[min(max(int(percent // BIN_WIDTH), 0), last)] += count
    return [
        BinRow(i * BIN_WIDTH, 100 if i == last else (i + 1) * BIN_WIDTH - 1, n)
        for i, n in enumerate(counts)
    ]


def nice_ticks(maximum: float) -> list[int]:
    """0 and round steps (1, 2 or 5 × 10^k) up to at least `maximum`; at most six."""
    step = 1
    while maximum > 5 * step:
        step = step * 5 // 2 if str(step)[0] == "2" else step * 2  # 1, 2, 5, 10…
    top = -(-int(maximum) // step) * step or step
    if top < maximum:
        top += step
    return list(range(0, top + 1, step))


def _y_axis(chart: ChartInfo, maximum: float) -> float:
    """Fill the y ticks (counts in the reader's language: the dashboard's; the
    annual paper's year chart goes up to 100, alike in every language); return the
    value at the top of the axis."""
    ticks = nice_ticks(maximum)
    span = chart.bottom - chart.top
    chart.y_ticks = [
        Tick(chart.bottom - span * t / ticks[-1], number(t, 0)) for t in ticks
    ]
    return ticks[-1]


def completion_chart(rows: list[DayRow], in_scope: int) -> ChartInfo | None:
    """A step line of the running total over the days with completions, on an axis
    up to the cadres in scope; None when nobody completed."""
    if not rows:
        return None
    chart = ChartInfo()
    top = _y_axis(chart, max(in_scope, rows[-1].cumulative))
    first, days = rows[0].day, max((rows[-1].day - rows[0].day).days, 1)
    plot = chart.right - chart.left

    def x(day: date) -> float:
        if rows[0].day == rows[-1].day:
            return chart.left + plot / 2
        return chart.left + plot * (day - first).days / days

    def y(value: int) -> float:
        return chart.bottom - (chart.bottom - chart.top) * value / top

    points, previous = [], 0
    for row in rows:
        points += [(x(row.day), y(previous)), (x(row.day), y(row.cumulative))]
        chart.marks.append(Mark(x(row.day), y(row.cumulative)))
        previous = row.cumulative
    if rows[0].day != rows[-1].day:
        points.append((chart.right, y(previous)))
    chart.path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
    ends = {rows[0].day, rows[-1].day}  # one label when all is on one day
    chart.x_ticks = [Tick(x(day), day.strftime("%d/%m")) for day in sorted(ends)]
    return chart


def score_chart(bins: list[BinRow]) -> ChartInfo | None:
    """One bar per bin; None when nobody has a score."""
    if not any(b.count for b in bins):
        return None
    chart = ChartInfo()
    top = _y_axis(chart, max(b.count for b in bins))
    slot = (chart.right - chart.left) / len(bins)
    span = chart.bottom - chart.top
    for i, b in enumerate(bins):
        height = span * b.count / top
        x = chart.left + i * slot + slot * 0.1
        chart.marks.append(Mark(x, chart.bottom - height, slot * 0.8, height))
        chart.x_ticks.append(Tick(chart.left + (i + 0.5) * slot, str(b.low)))
    return chart


@dataclass
class DashboardCharts:
    days: list[DayRow]
    completion: ChartInfo | None
    bins: list[BinRow]
    scores: ChartInfo | None

    @property
    def scored(self) -> int:
        return sum(b.count for b in self.bins)


def dashboard_charts(
    campaign: Campaign,
    root: Unit,
    in_scope: int,
    structure: Structure | None = None,
    moves: Moves | None = None,
) -> DashboardCharts:
    """Both charts of the dashboard of `root` as of the structure's day (default
    today's): of the records its table counts (`moves`: dashboard_moves, shared
    with the table; else read once for both charts)."""
    structure = structure or Structure.on(today())
    moves = moves or dashboard_moves(campaign, structure)
    days = completion_by_day(campaign, root, structure, moves)
    bins = score_bins(campaign, root, structure, moves)
    return DashboardCharts(
        days, completion_chart(days, in_scope), bins, score_chart(bins)
    )
