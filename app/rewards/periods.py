"""Periods: sơ kết (e.g. 2019–2022) and tổng kết (2019–2025) gather several years'
campaigns (KH 115 Sóc Trăng III.2.b, IV.2–3), and their candidates.

The rule over a period is kept simple and the same for both kinds of candidate,
each campaign judged by its own rule (candidates.rule_for):

- a unit is a candidate when it had cadres (in the scope) in at least
  `min_campaigns` of the period's campaigns and met the collective rule in every
  one of those;
- a cadre is a candidate when it had a record (earned in the scope) in at least
  `min_campaigns` of them and met the individual rule in every one it was in.

A campaign a unit or cadre was not part of (not yet created, not targeted, not yet
recruited) neither counts for it nor against it.
"""

from dataclasses import dataclass, field

from sqlalchemy import select

from app.accounts.models import User
from app.errors import InvalidInput, NotFound
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.records.models import Campaign

from . import candidates
from .models import PERIOD_KINDS, RewardPeriod, RewardPeriodCampaign
from .reading import Reading, UnitOnDay

MAX_CAMPAIGNS = 20


@dataclass
class PeriodCollectiveRow:
    unit: UnitOnDay
    years: list[int] = field(default_factory=list)  # campaigns met (all taken)


@dataclass
class PeriodIndividualRow:
    user: User
    unit: UnitOnDay  # where the latest of its qualifying records counts
    years: list[int] = field(default_factory=list)
    mean_score: float = 0.0


def get_period(code: str) -> RewardPeriod:
    period = db.session.scalar(select(RewardPeriod).where(RewardPeriod.code == code))
    if period is None:
        raise NotFound(_l("Không có đợt xét khen thưởng “%(code)s”.", code=code))
    return period


def list_periods() -> list[RewardPeriod]:
    return list(db.session.scalars(select(RewardPeriod).order_by(RewardPeriod.code)))


def save_period(
    code: str,
    title: str,
    kind: str,
    campaigns: list[Campaign],
    min_campaigns: int,
    actor: User | None = None,
) -> RewardPeriod:
    """Create the period `code`, or replace the title, kind, campaigns and minimum
    of an existing one. Raises InvalidInput on a bad kind, no campaign or a minimum
    above the number of campaigns. Flushes, never commits."""
    if kind not in PERIOD_KINDS:
        raise InvalidInput(_l("Loại đợt xét không hợp lệ."))
    if not campaigns or len(campaigns) > MAX_CAMPAIGNS:
        raise InvalidInput(_l("Chọn từ 1 đến %(n)s đợt bồi dưỡng.", n=MAX_CAMPAIGNS))
    if not 1 <= min_campaigns <= len(campaigns):
        raise InvalidInput(
            _l("Số đợt tối thiểu phải từ 1 đến số đợt bồi dưỡng đã chọn.")
        )
    period = db.session.scalar(select(RewardPeriod).where(RewardPeriod.code == code))
    if period is None:
        period = RewardPeriod(code=code, created_by_id=getattr(actor, "id", None))
        db.session.add(period)
    period.title, period.kind, period.min_campaigns = title, kind, min_campaigns
    wanted = {c.id: c for c in campaigns}
    kept = [link for link in period.links if link.campaign_id in wanted]
    have = {link.campaign_id for link in kept}
    period.links = kept + [
        RewardPeriodCampaign(campaign=c) for c in wanted.values() if c.id not in have
    ]
    db.session.flush()
    return period


def collective_candidates(
    period: RewardPeriod, paths: list[str] | None, reading: Reading | None = None
) -> list[PeriodCollectiveRow]:
    """Units meeting the collective rule in every campaign they took part in, at
    least `min_campaigns` of them, as `reading` lists them (default: today, at the
    time)."""
    reading = reading or Reading.of()
    taken: dict[int, list[int]] = {}
    met: dict[int, list[int]] = {}
    units: dict[int, UnitOnDay] = {}
    for campaign in period.campaigns:
        rule = candidates.rule_for(campaign)
        for row in candidates.unit_figures(campaign, paths, reading):
            units[row.unit.id] = row.unit
            taken.setdefault(row.unit.id, []).append(campaign.year)
            if rule.unit_meets(row.total, row.completed, row.passed):
                met.setdefault(row.unit.id, []).append(campaign.year)
    return [
        PeriodCollectiveRow(units[unit_id], met[unit_id])
        for unit_id in sorted(units, key=reading.order_key)
        if _qualifies(taken[unit_id], met.get(unit_id, []), period.min_campaigns)
    ]


def individual_candidates(
    period: RewardPeriod,
    paths: list[str] | None,
    user_id: int | None = None,
    reading: Reading | None = None,
) -> list[PeriodIndividualRow]:
    """Cadres meeting the individual rule in every campaign they were in, at least
    `min_campaigns` of them, as `reading` lists them (default: today, at the
    time)."""
    reading = reading or Reading.of()
    taken: dict[int, int] = {}
    rows: dict[int, PeriodIndividualRow] = {}
    scores: dict[int, list[float]] = {}
    for campaign in period.campaigns:  # oldest first: the latest unit wins
        for user_id_ in candidates.participants(campaign, paths, reading.day):
            taken[user_id_] = taken.get(user_id_, 0) + 1
        for row in candidates.individual_candidates(
            campaign, paths, user_id=user_id, reading=reading
        ):
            entry = rows.setdefault(
                row.user.id, PeriodIndividualRow(row.user, row.unit)
            )
            entry.unit = row.unit
            entry.years.append(campaign.year)
            scores.setdefault(row.user.id, []).append(row.score)
    result = []
    for uid, row in rows.items():
        if len(row.years) == taken.get(uid, 0) >= period.min_campaigns:
            row.mean_score = round(sum(scores[uid]) / len(scores[uid]), 1)
            result.append(row)
    return reading.by_unit_then_name(result)


def _qualifies(taken: list[int], met: list[int], minimum: int) -> bool:
    return len(taken) >= minimum and len(met) == len(taken)
