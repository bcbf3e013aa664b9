"""Who meets the province's rule in a campaign (KH 115 Sóc Trăng III.2.a: each year
units assess the movement and consider rewards for the collectives and individuals
they manage), within a scope of unit subtrees.

A record counts for the unit it was earned in: a completed record for
`TrainingRecord.completed_unit_id` (kept when the cadre moves on), any other for the
cadre's unit. Across mergers and splits, that unit's records roll up to the unit of
today it went into (the one successor rule of accounts.succession, through
accounts.asof.rolled_up_units: the primary line of a merge or split, a dissolved
unit's parent's), so that a 2024 campaign's lists show and nominate units that
exist — former Kiên Giang's departments count in An Giang's — and the page says so.
The scope follows the same line (accounts.asof.rolling_up_into). Both lists
come from set-based queries over the campaign's records and attempts; nothing is
read row by row.

- Collective (tập thể): a unit of the scope, counted over its whole subtree (as in
  the annual report), with at least `unit_min_cadres` cadres in the campaign,
  completed × 100 ≥ X × cadres and passed × 100 ≥ Y × cadres (whole numbers: exactly
  95 % meets 95). Pass rate is over all cadres in the campaign, like the dashboard's.
- Individual (cá nhân): a completed record, completed inside the cadre's window,
  every required module read, whose first finished attempt (previews aside) at the
  campaign's quiz, started inside that window, scored at least the rule's percent
  (100 by default): a perfect second attempt does not count. The cadre's window is
  the campaign's, or the own window of the deepest unit above the unit the record
  was earned in (a commune that opened a week later: records.campaigns).
"""

from dataclasses import dataclass
from datetime import datetime

from flask import g
from sqlalchemy import and_, case, func, select, true

from app.accounts.asof import rolled_up_units, rolling_up_into
from app.accounts.days import vn_today
from app.accounts.models import Unit, User
from app.accounts.scope import path_ids
from app.accounts.units import tree_order
from app.extensions import db
from app.quizzes.models import FINISHED, Attempt, Quiz
from app.records.campaigns import unit_windows
from app.records.models import COMPLETED, Campaign, TrainingRecord
from app.records.rates import Rates

from .models import (
    DEFAULT_COMPLETION,
    DEFAULT_FIRST_SCORE,
    DEFAULT_PASS,
    RewardRule,
)


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
    unit: Unit
    total: int = 0
    completed: int = 0
    passed: int = 0


@dataclass
class IndividualRow:
    user: User
    unit: Unit  # where the record was earned (rolled up to today's unit)
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
        for unit_id in reversed(path_ids(unit.path)):
            if unit_id in self.units:
                return self.units[unit_id]
        return self.own

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


def scope_condition(unit_column, paths: list[str] | None):
    """SQL: records earned in the unit `unit_column` count in the scope `paths`
    once rolled up to today's units (rolled_today, rolling_up_into); TRUE when
    None. The scope's units are found once per request and scope."""
    if paths is None:
        return true()
    memo = g.setdefault("vhcv_reward_scope", {})
    key = (tuple(sorted(paths)), vn_today())
    if key not in memo:
        memo[key] = sorted(rolling_up_into(paths, key[1], rolled_today()))
    return unit_column.in_(memo[key])


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


def earned_unit_id():
    """SQL: the unit a record counts for (see the module's docstring)."""
    record = TrainingRecord
    return case(
        (
            and_(record.status == COMPLETED, record.completed_unit_id.is_not(None)),
            record.completed_unit_id,
        ),
        else_=record.unit_id,
    )


def _direct_counts(campaign: Campaign, paths: list[str] | None) -> dict[int, tuple]:
    """{unit id: (cadres, completed, passed)} over the records earned directly in
    each unit of the scope, rolled up to today's units."""
    record, earned = TrainingRecord, earned_unit_id().label("earned")

    def count(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    rolled = rolled_today()
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
        unit_id = rolled.get(unit_id, unit_id)
        before = result.get(unit_id, (0, 0, 0))
        result[unit_id] = tuple(a + int(b) for a, b in zip(before, counts, strict=True))
    return result


def unit_figures(campaign: Campaign, paths: list[str] | None) -> list[CollectiveRow]:
    """Every unit of the scope with cadres in the campaign, its figures over its
    whole subtree (inside the scope), in tree order."""
    direct = _direct_counts(campaign, paths)
    if not direct:
        return []
    units = list(db.session.scalars(select(Unit).where(Unit.in_subtrees(paths))))
    rows = {u.id: CollectiveRow(u) for u in units}
    for unit_id, (total, completed, passed) in direct.items():
        row = rows.get(unit_id)
        if row is not None:
            row.total, row.completed, row.passed = total, completed, passed
    for unit in sorted(units, key=lambda u: -u.depth):  # leaves first
        parent = rows.get(unit.parent_id)
        if parent is not None:
            row = rows[unit.id]
            parent.total += row.total
            parent.completed += row.completed
            parent.passed += row.passed
    return [rows[u.id] for u in tree_order(units) if rows[u.id].total]


def collective_candidates(
    campaign: Campaign, paths: list[str] | None, rule: RuleInfo | None = None
) -> list[CollectiveRow]:
    """Units of the scope (`paths`: subtrees; None: all) meeting the collective rule."""
    rule = rule or rule_for(campaign)
    return [
        row
        for row in unit_figures(campaign, paths)
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
) -> list[IndividualRow]:
    """Cadres whose record was earned in the scope and who meet the individual rule,
    by unit (today's, rolled up) then name (only `user_id` when given)."""
    rule = rule or rule_for(campaign)
    windows = Windows.of(campaign)
    opens, closes = windows.widest
    record, first = TrainingRecord, _first_attempts(campaign, windows)
    rolled = rolled_today()
    query = (
        select(User, Unit, first.c.percent, record.completed_at, first.c.started_at)
        .select_from(record)
        .join(User, User.id == record.user_id)
        .join(Unit, Unit.id == earned_unit_id())
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
            if unit.id in rolled:
                unit = db.session.get(Unit, rolled[unit.id])
            result.append(IndividualRow(user, unit, score, completed_at))
    return by_unit_then_name(result)


def tree_positions(units) -> dict[int, int]:
    """{unit id: place} of `units` in the unit tree's order as the annual report
    lists it (each unit after its parent, siblings in Vietnamese order by
    Unit.sort_key), over their ancestors too, so that units of one branch stay
    together. One query for the ancestors."""
    units = {u.id: u for u in units}
    above = {i for u in units.values() for i in path_ids(u.path)} - set(units)
    if above:
        units |= {
            u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(above)))
        }
    return {u.id: place for place, u in enumerate(tree_order(units.values()))}


def by_unit_then_name(rows: list) -> list:
    """Rows with a unit and a user, in tree order of the units, then each unit's
    people in Vietnamese order of their names (User.name_sort)."""
    place = tree_positions(r.unit for r in rows)
    return sorted(rows, key=lambda r: (place[r.unit.id], r.user.name_sort, r.user.id))


def participants(campaign: Campaign, paths: list[str] | None) -> set[int]:
    """Ids of the cadres with a record of `campaign` earned in the scope."""
    return set(
        db.session.scalars(
            select(TrainingRecord.user_id).where(
                TrainingRecord.campaign_id == campaign.id,
                scope_condition(earned_unit_id(), paths),
            )
        )
    )
