"""The demo's past campaigns, closed: 2024 for Kiên Giang and the former An Giang
(records earned in the units before the mergers of 1/7/2025, app.demo.history) and
2025 for the new An Giang, after them — each on this year's quiz, reused — with the
records of the cadres who worked in their target units when they opened and the
attempts behind those records (app.demo.sittings); then the review period over both
years (tổng kết). So the year-over-year comparison has past years, and the reward
candidates (app.rewards: a unit with nearly every cadre completed and passed, a
cadre with a perfect first attempt, in every campaign of a period) have some units
and cadres to list: a few units whose cadres all complete, and about one cadre in
twenty who scores every question on the first attempt, every year.

Written as rows (no signal, no certificate), each campaign once: a campaign that
exists is left alone, and so is the period. Fictional results.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from app.accounts.models import Assignment, Unit, User
from app.courses import services as courses
from app.extensions import db
from app.quizzes.models import Quiz
from app.records.models import (
    COMPLETED,
    IN_PROGRESS,
    NOT_STARTED,
    Campaign,
    CampaignTarget,
    TrainingRecord,
)
from app.rewards import periods
from app.rewards.models import TONG_KET, RewardPeriod
from app.timeutil import vn_day_end, vn_day_start

from .data import CAMPAIGN, DEMO_ACCOUNTS
from .sittings import Sittings


@dataclass(frozen=True)
class PastCampaign:
    code: str
    title: str
    year: int
    opens: date
    closes: date
    targets: tuple[str, ...]  # unit codes
    # today's units whose cadres all complete it (reward candidates as units)
    exemplary: tuple[str, ...]


PAST_CAMPAIGNS = [
    PastCampaign(
        "VHCV-2024",
        "Bồi dưỡng văn hóa công vụ năm 2024",
        2024,
        date(2024, 3, 1),
        date(2024, 10, 31),
        ("KG", "AGC"),
        ("AG-PQ", "AG-LX"),
    ),
    PastCampaign(
        "VHCV-2025",
        "Bồi dưỡng văn hóa công vụ năm 2025",
        2025,
        date(2025, 8, 1),
        date(2025, 11, 30),
        ("AG",),
        ("AG-PQ", "AG-SNV-TDKT", "AG-SYT-CDC"),
    ),
]
PERIOD = (
    "TK-2024-2025",
    "Tổng kết phong trào thi đua về văn hóa công vụ, giai đoạn 2024–2025",
    TONG_KET,
    2,  # campaigns a candidate must have met the rule in
)
STAR_SHARE = 0.06  # cadres with a perfect first attempt every year
PERFECT_SHARE = 0.05  # other passing attempts with every question right


@dataclass(frozen=True)
class Cadre:
    """A cadre in a past campaign: where the record was earned and is today."""

    user_id: int
    earned_unit_id: int
    closing_unit_id: int  # the record's unit: the cadre's on the campaign's last day
    keen: bool  # in an exemplary unit today
    star: bool
    account: bool  # a demo account: no attempts, it starts from scratch


def seed_past() -> None:
    """The past campaigns that are missing, oldest first (attempt numbers follow
    one another), then the period over them. Does nothing before `flask content
    sync` has loaded the quiz. Flushes."""
    quiz = db.session.scalar(select(Quiz).where(Quiz.code == CAMPAIGN[4]))
    if quiz is None:
        return
    for past in PAST_CAMPAIGNS:
        if db.session.scalar(select(Campaign.id).where(Campaign.code == past.code)):
            continue
        _seed_campaign(past, quiz)
    _seed_period()


def _seed_campaign(past: PastCampaign, quiz: Quiz) -> Campaign:
    _code, _title, _year, course_code, _quiz = CAMPAIGN
    modules = [m.code for m in courses.active_modules(courses.get_course(course_code))]
    campaign = Campaign(
        code=past.code,
        title=past.title,
        year=past.year,
        course_code=course_code,
        quiz_code=quiz.code,
        opens_at=vn_day_start(past.opens),
        closes_at=vn_day_end(past.closes),
        required_modules=modules,
    )
    campaign.targets = [CampaignTarget(unit_id=_unit(code).id) for code in past.targets]
    db.session.add(campaign)
    db.session.flush()
    rng = random.Random(past.year)
    sittings = Sittings(quiz, random.Random(f"sittings-{past.year}"))
    records = [
        _record(campaign, cadre, sittings, rng, len(modules)) for cadre in _cadres(past)
    ]
    sittings.write()
    db.session.add_all(records)
    db.session.flush()
    return campaign


def _unit(code: str) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.code == code))


def _cadres(past: PastCampaign) -> list[Cadre]:
    """The cadres assigned, on the day `past` opened, to a unit of its targets'
    subtrees, with their unit on its last day (a closed campaign's record keeps
    the unit it closed in, never today's); one query for them, one for the
    exemplary units."""
    paths = [_unit(code).path for code in past.targets]
    keen = set(
        db.session.scalars(
            select(Unit.id).where(
                Unit.in_subtrees([_unit(code).path for code in past.exemplary])
            )
        )
    )
    accounts = {username for username, _password, _role in DEMO_ACCOUNTS}
    closing = aliased(Assignment)
    rows = db.session.execute(
        select(
            Assignment.user_id,
            Assignment.unit_id,
            func.coalesce(closing.unit_id, Assignment.unit_id),
            User.unit_id,
            User.username,
        )
        .join(User, User.id == Assignment.user_id)
        .join(Unit, Unit.id == Assignment.unit_id)
        .outerjoin(
            closing,
            and_(
                closing.user_id == Assignment.user_id,
                closing.valid_from <= past.closes,
                or_(closing.valid_to.is_(None), closing.valid_to > past.closes),
            ),
        )
        .where(
            Assignment.valid_from <= past.opens,
            or_(Assignment.valid_to.is_(None), Assignment.valid_to > past.opens),
            Unit.in_subtrees(paths),
        )
        .order_by(Assignment.user_id)
    ).all()
    return [
        Cadre(
            user_id,
            earned,
            closing_unit,
            today in keen,
            random.Random(f"star-{user_id}").random() < STAR_SHARE,
            username in accounts,
        )
        for user_id, earned, closing_unit, today, username in rows
    ]


def _rights(cadre: Cadre, rng: random.Random, size: int, lowest: int) -> list[int]:
    """Questions right in each of the cadre's attempts, in order: a star's first
    is perfect; an exemplary unit's cadres all pass; others pass at once, later,
    fail each time (up to the 3 allowed) or never sit the quiz."""
    if cadre.account:
        return []
    if cadre.star:
        return [size]

    def passing() -> int:
        return size if rng.random() < PERFECT_SHARE else rng.randint(lowest, size - 1)

    def failing() -> int:
        return rng.randint(size * 2 // 5, lowest - 1)

    if cadre.keen:
        return [passing()] if rng.random() < 0.85 else [failing(), passing()]
    outcome = rng.choices(["once", "later", "failed", "none"], [48, 26, 14, 12])[0]
    if outcome == "once":
        return [passing()]
    if outcome == "later":
        return [failing()] * rng.randint(1, 2) + [passing()]
    if outcome == "failed":
        return [failing() for _ in range(rng.randint(1, 3))]
    return []


def _record(
    campaign: Campaign,
    cadre: Cadre,
    sittings: Sittings,
    rng: random.Random,
    modules: int,
) -> TrainingRecord:
    """The cadre's record, with its attempts added to `sittings`: every module read
    before the first attempt; completed when one passed, dated then, in the unit
    the cadre was in. A cadre without attempts read some modules, or none."""
    rights = _rights(cadre, rng, sittings.quiz.question_count, sittings.lowest_pass())
    span = (campaign.closes_at - campaign.opens_at).days
    moment = campaign.opens_at + timedelta(
        days=rng.randint(7, span - 25), hours=rng.randint(8, 15)
    )
    attempts = []
    for right in rights:
        moment += timedelta(minutes=rng.randint(0, 59))
        attempts.append(sittings.add(cadre.user_id, moment, right))
        moment += timedelta(days=rng.randint(1, 6))
    passing = next((a for a in attempts if a.passed), None)
    read = modules if attempts else rng.choice([0, 0, 1, modules // 2, modules - 1])
    status = COMPLETED if passing else IN_PROGRESS if read or attempts else NOT_STARTED
    return TrainingRecord(
        campaign_id=campaign.id,
        user_id=cadre.user_id,
        unit_id=cadre.closing_unit_id,
        status=status,
        modules_read=read,
        modules_total=modules,
        attempts=len(attempts),
        best_percent=max((a.percent for a in attempts), default=None),
        passed=passing is not None,
        completed_at=passing.finished_at if passing else None,
        completed_unit_id=cadre.earned_unit_id if passing else None,
    )


def _seed_period() -> None:
    """The tổng kết over the past campaigns, once they all exist."""
    code, title, kind, minimum = PERIOD
    if db.session.scalar(select(RewardPeriod.id).where(RewardPeriod.code == code)):
        return
    found = list(
        db.session.scalars(
            select(Campaign)
            .where(Campaign.code.in_([p.code for p in PAST_CAMPAIGNS]))
            .order_by(Campaign.year)
        )
    )
    if len(found) == len(PAST_CAMPAIGNS):
        periods.save_period(code, title, kind, found, minimum)
