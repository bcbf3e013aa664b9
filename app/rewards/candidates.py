"""Who meets the province's rule in a campaign (KH 115 Sóc Trăng III.2.a: each year
units assess the movement and consider rewards for the collectives and individuals
they manage), within a scope of unit subtrees.

The lists are as of a day, each record counted for the unit it was earned in or
rolled up to that unit's successor of the day, as every report (rewards.reading:
the one rule of app.records.asof and app.accounts.rollup; the lists state which).
The scope is the reports' (app.accounts.rollup: Structure.scope_of): the units
that roll up into the viewer's subtrees today; for the subtree of a unit that has
ended by today (former Kiên Giang), those that rolled up into it on its last day.
Both lists come from set-based queries over the campaign's records and attempts;
nothing is read row by row.

- Collective (tập thể): a unit of the scope, counted over its whole subtree in the
  tree of the day (as in the annual report), with at least `unit_min_cadres`
  cadres in the campaign, completed × 100 ≥ X × cadres and passed × 100 ≥ Y ×
  cadres (whole numbers: exactly 95 % meets 95). Pass rate is over all cadres in
  the campaign, like the dashboard's.
- Individual (cá nhân): a completed record, completed inside the cadre's window,
  every required module read, whose first finished attempt (previews aside) at the
  campaign's quiz, started inside that window, scored at least the rule's percent
  (100 by default): a perfect second attempt does not count. The cadre's window is
  the campaign's, or the own window of the deepest unit above the unit the record
  was earned in (a commune that opened a week later: records.campaigns).
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask import g
from sqlalchemy import and_, case, func, select, true

from app.accounts.asof import rolled_up_units
from app.accounts.days import vn_today
from app.accounts.models import Unit, User
from app.accounts.scope import path_ids
from app.extensions import db
from app.quizzes.models import FINISHED, Attempt, Quiz
from app.quizzes.windows import deepest_with_own
from app.records.asof import at_time_unit
from app.records.campaigns import unit_windows
from app.records.models import COMPLETED, Campaign, TrainingRecord
from app.records.rates import Rates

from .models import (
    DEFAULT_COMPLETION,
    DEFAULT_FIRST_SCORE,
    DEFAULT_PASS,
    RewardRule,
)
from .reading import Reading, UnitOnDay, structure_on


@dataclass(frozen=True)
class RuleInfo:
    """A campaign's rule as applied (the stored row's values or the defaults)."""

    completion_percent: int = DEFAULT_COMPLETION
    pass_percent: int = DEFAULT_PASS
    min_cadres: int = 0
    first_percent: int = DEFAULT_FIRST_SCORE

    def unit_meets(self, total: int, completed: int, passed: int) -> bool:
        return (
            total > 0
            and total >= self.min_cadres
            and completed * 100 >= self.completion_percent * total
            and passed * 100 >= self.pass_percent * total
        )


@dataclass
class CollectiveRow(Rates):
    unit: UnitOnDay
    total: int = 0
    completed: int = 0
    passed: int = 0


@dataclass
class IndividualRow:
    user: User
    unit: UnitOnDay  # where the record was earned, or its successor (Reading)
    score: float  # the first attempt's percent
    completed_at: datetime


@dataclass(frozen=True)
class Windows:
    """A campaign's window and its units' own windows ({unit id: (opens, closes)})."""

    own: tuple[datetime, datetime]
    units: dict[int, tuple[datetime, datetime]]

    @classmethod
    def of(cls, campaign: Campaign) -> "Windows":
        return cls(
            (campaign.opens_at, campaign.closes_at),
            {w.unit.id: (w.opens_at, w.closes_at) for w in unit_windows(campaign)},
        )

    @property
    def widest(self) -> tuple[datetime, datetime]:
        """From the earliest opening to the latest closing of them all."""
        every = [self.own, *self.units.values()]
        return min(w[0] for w in every), max(w[1] for w in every)

    def for_unit(self, unit: Unit) -> tuple[datetime, datetime]:
        """The window of the deepest unit above `unit` (itself included) that has
        one, else the campaign's: quizzes.windows' rule."""
        unit_id = deepest_with_own(path_ids(unit.path), self.units)
        return self.own if unit_id is None else self.units[unit_id]

    def holds(self, unit: Unit, *moments: datetime) -> bool:
        opens, closes = self.for_unit(unit)
        return all(opens <= moment <= closes for moment in moments)


def rolled_today() -> dict[int, int]:
    """accounts.asof.rolled_up_units of today, read once per request (or job):
    a period's lists ask for it for each of its campaigns."""
    memo = g.setdefault("vhcv_rolled_up", {})
    day = vn_today()
    if day not in memo:
        memo[day] = rolled_up_units(day)
    return memo[day]


def _scope_ids(paths: list[str] | None) -> set[int] | None:
    """The units whose records count in the scope `paths`: for each subtree, a
    report's scope of its unit (Structure.scope_under: what rolls up into it
    today, or on its last day for a unit that has ended); None for every unit.
    Found once per request and scope, over the request's Structure."""
    if paths is None:
        return None
    memo = g.setdefault("vhcv_reward_scope", {})
    key = (tuple(sorted(paths)), vn_today())
    if key not in memo:
        structure = structure_on()
        memo[key] = set().union(*(structure.scope_under(path) for path in paths))
    return memo[key]


def scope_condition(unit_column, paths: list[str] | None):
    """SQL: records earned in the unit `unit_column` count in the scope `paths`
    (_scope_ids); TRUE when None."""
    inside = _scope_ids(paths)
    return true() if inside is None else unit_column.in_(sorted(inside))


def counts_in(unit_id: int, paths: list[str] | None) -> bool:
    """Whether records earned in `unit_id` count in the scope `paths`
    (_scope_ids: a former unit whose line ends there does)."""
    inside = _scope_ids(paths)
    return inside is None or unit_id in inside


def rule_for(campaign: Campaign) -> RuleInfo:
    row = db.session.scalar(
        select(RewardRule).where(RewardRule.campaign_id == campaign.id)
    )
    if row is None:
        return RuleInfo()
    return RuleInfo(
        row.unit_completion_percent,
        row.unit_pass_percent,
        row.unit_min_cadres,
        row.person_first_percent,
    )


def _direct_counts(
    campaign: Campaign, paths: list[str] | None, reading: Reading
) -> dict[int, tuple]:
    """{unit id: (cadres, completed, passed)} over the records counted directly
    for each unit (reading.unit_of the unit each was earned in)."""
    record = TrainingRecord
    earned = at_time_unit(campaign, reading.day).label("earned")

    def count(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    rows = db.session.execute(
        select(
            earned,
            func.count(record.id),
            count(record.status == COMPLETED),
            count(record.passed.is_(True)),
        )
        .where(record.campaign_id == campaign.id, scope_condition(earned, paths))
        .group_by(earned)
    )
    result: dict[int, tuple] = {}
    for unit_id, *counts in rows:
        unit_id = reading.unit_of(unit_id)
        before = result.get(unit_id, (0, 0, 0))
        result[unit_id] = tuple(a + int(b) for a, b in zip(before, counts, strict=True))
    return result


def unit_figures(
    campaign: Campaign, paths: list[str] | None, reading: Reading | None = None
) -> list[CollectiveRow]:
    """Every unit of the scope with cadres in the campaign, its figures over its
    whole subtree of the reading's day (inside the scope), in that tree's order."""
    reading = reading or Reading.of()
    direct = _direct_counts(campaign, paths, reading)
    if not direct:
        return []
    inside = _scope_ids(paths)
    rows: dict[int, CollectiveRow] = {}
    for unit_id, (total, completed, passed) in direct.items():
        above = [a for a in reading.ancestors(unit_id) if inside is None or a in inside]
        for counted in [*above, unit_id]:
            if counted not in rows:
                rows[counted] = CollectiveRow(reading.view(counted))
            row = rows[counted]
            row.total += total
            row.completed += completed
            row.passed += passed
    return [rows[u] for u in sorted(rows, key=reading.order_key) if rows[u].total]


def collective_candidates(
    campaign: Campaign,
    paths: list[str] | None,
    rule: RuleInfo | None = None,
    reading: Reading | None = None,
) -> list[CollectiveRow]:
    """Units of the scope (`paths`: subtrees; None: all) meeting the collective
    rule, as `reading` lists them (default: today, at the time)."""
    rule = rule or rule_for(campaign)
    return [
        row
        for row in unit_figures(campaign, paths, reading)
        if rule.unit_meets(row.total, row.completed, row.passed)
    ]


def _first_attempts(campaign: Campaign, windows: Windows):
    """Subquery: (user_id, percent, started_at) of each cadre's first finished,
    non-preview attempt at the campaign's quiz started inside the widest window
    (the cadre's own window is checked on the few rows that come back)."""
    quiz_id = select(Quiz.id).where(Quiz.code == campaign.quiz_code).scalar_subquery()
    opens, closes = windows.widest
    counted = and_(
        Attempt.quiz_id == quiz_id,
        Attempt.preview.is_(False),
        Attempt.state == FINISHED,
        Attempt.started_at >= opens,
        Attempt.started_at <= closes,
    )
    first = (
        select(Attempt.user_id, func.min(Attempt.number).label("number"))
        .where(counted)
        .group_by(Attempt.user_id)
        .subquery()
    )
    return (
        select(Attempt.user_id, Attempt.percent, Attempt.started_at)
        .join(
            first,
            and_(first.c.user_id == Attempt.user_id, first.c.number == Attempt.number),
        )
        .where(counted)
        .subquery()
    )


def individual_candidates(
    campaign: Campaign,
    paths: list[str] | None,
    rule: RuleInfo | None = None,
    user_id: int | None = None,
    reading: Reading | None = None,
) -> list[IndividualRow]:
    """Cadres whose record was earned in the scope and who meet the individual rule,
    by unit (as `reading` lists them: default today, at the time) then name (only
    `user_id` when given)."""
    rule, reading = rule or rule_for(campaign), reading or Reading.of()
    windows = Windows.of(campaign)
    opens, closes = windows.widest
    record, first = TrainingRecord, _first_attempts(campaign, windows)
    query = (
        select(User, Unit, first.c.percent, record.completed_at, first.c.started_at)
        .select_from(record)
        .join(User, User.id == record.user_id)
        .join(Unit, Unit.id == at_time_unit(campaign, reading.day))
        .join(first, first.c.user_id == record.user_id)
        .where(
            record.campaign_id == campaign.id,
            record.status == COMPLETED,
            record.completed_at >= opens,
            record.completed_at <= closes,
            record.modules_read >= record.modules_total,
            first.c.percent >= rule.first_percent,
            scope_condition(Unit.id, paths),
        )
    )
    if user_id is not None:
        query = query.where(record.user_id == user_id)
    result = []
    for user, unit, score, completed_at, started_at in db.session.execute(query):
        if windows.holds(unit, started_at, completed_at):
            shown = reading.view(reading.unit_of(unit.id))
            result.append(IndividualRow(user, shown, score, completed_at))
    return reading.by_unit_then_name(result)


def participants(
    campaign: Campaign, paths: list[str] | None, day: date | None = None
) -> set[int]:
    """Ids of the cadres with a record of `campaign` earned in the scope (their
    unit at the time for a report of `day`, default today)."""
    return set(
        db.session.scalars(
            select(TrainingRecord.user_id).where(
                TrainingRecord.campaign_id == campaign.id,
                scope_condition(at_time_unit(campaign, day or vn_today()), paths),
            )
        )
    )
