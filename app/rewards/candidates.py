"""Who meets the province's rule in a campaign (KH 115 Sóc Trăng III.2.a: each year
units assess the movement and consider rewards for the collectives and individuals
they manage), within a scope of unit subtrees.

A record counts for the unit it was earned in: a completed record for
`TrainingRecord.completed_unit_id` (kept when the cadre moves on), any other for the
cadre's unit. Both lists come from set-based queries over the campaign's records and
attempts; nothing is read row by row.

- Collective (tập thể): a unit of the scope, counted over its whole subtree (as in
  the annual report), with at least `unit_min_cadres` cadres in the campaign,
  completed × 100 ≥ X × cadres and passed × 100 ≥ Y × cadres (whole numbers: exactly
  95 % meets 95). Pass rate is over all cadres in the campaign, like the dashboard's.
- Individual (cá nhân): a completed record, completed inside the campaign's window,
  every required module read, whose first finished attempt (previews aside) at the
  campaign's quiz, started inside the window, scored at least the rule's percent
  (100 by default): a perfect second attempt does not count.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select

from app.accounts.models import Unit, User
from app.accounts.units import tree_order
from app.extensions import db
from app.quizzes.models import FINISHED, Attempt, Quiz
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
    unit: Unit  # where the record was earned
    score: float  # the first attempt's percent
    completed_at: datetime


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
    each unit of the scope."""
    record, earned = TrainingRecord, earned_unit_id().label("earned")

    def count(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    rows = db.session.execute(
        select(
            earned,
            func.count(record.id),
            count(record.status == COMPLETED),
            count(record.passed.is_(True)),
        )
        .join(Unit, Unit.id == earned)
        .where(record.campaign_id == campaign.id, Unit.in_subtrees(paths))
        .group_by(earned)
    )
    return {unit_id: tuple(int(n) for n in counts) for unit_id, *counts in rows}


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


def _first_attempts(campaign: Campaign):
    """Subquery: (user_id, percent) of each cadre's first finished, non-preview
    attempt at the campaign's quiz started inside its window."""
    quiz_id = select(Quiz.id).where(Quiz.code == campaign.quiz_code).scalar_subquery()
    counted = and_(
        Attempt.quiz_id == quiz_id,
        Attempt.preview.is_(False),
        Attempt.state == FINISHED,
        Attempt.started_at >= campaign.opens_at,
        Attempt.started_at <= campaign.closes_at,
    )
    first = (
        select(Attempt.user_id, func.min(Attempt.number).label("number"))
        .where(counted)
        .group_by(Attempt.user_id)
        .subquery()
    )
    return (
        select(Attempt.user_id, Attempt.percent)
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
    by unit then name (only `user_id` when given)."""
    rule = rule or rule_for(campaign)
    record, first = TrainingRecord, _first_attempts(campaign)
    query = (
        select(User, Unit, first.c.percent, record.completed_at)
        .select_from(record)
        .join(User, User.id == record.user_id)
        .join(Unit, Unit.id == earned_unit_id())
        .join(first, first.c.user_id == record.user_id)
        .where(
            record.campaign_id == campaign.id,
            record.status == COMPLETED,
            record.completed_at >= campaign.opens_at,
            record.completed_at <= campaign.closes_at,
            record.modules_read >= record.modules_total,
            first.c.percent >= rule.first_percent,
            Unit.in_subtrees(paths),
        )
        .order_by(Unit.path, User.name_sort, User.id)
    )
    if user_id is not None:
        query = query.where(record.user_id == user_id)
    return [IndividualRow(*row) for row in db.session.execute(query)]


def participants(campaign: Campaign, paths: list[str] | None) -> set[int]:
    """Ids of the cadres with a record of `campaign` earned in the scope."""
    return set(
        db.session.scalars(
            select(TrainingRecord.user_id)
            .join(Unit, Unit.id == earned_unit_id())
            .where(TrainingRecord.campaign_id == campaign.id, Unit.in_subtrees(paths))
        )
    )
