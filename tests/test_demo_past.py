"""The demo's past campaigns (app.demo.past): after `flask content sync` and `flask
demo seed`, the closed 2024 and 2025 campaigns hold records with the attempts
behind them, the province's reward candidates list units and cadres for each year
and for the period over both, and the year-over-year comparison has past years."""

from sqlalchemy import func, select

from app.accounts.days import vn_today
from app.accounts.models import Unit, User
from app.accounts.rollup import ROLLED_UP, Structure
from app.extensions import db
from app.quizzes.models import Attempt, AttemptAnswer, AttemptSlot, Quiz
from app.records import services as records
from app.records.asof import AsOf
from app.records.models import COMPLETED, Campaign, TrainingRecord
from app.reports import yearly
from app.rewards import candidates, periods
from app.rewards.reading import Reading

PAST = ["VHCV-2024", "VHCV-2025"]


def _seed(runner) -> None:
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output


def _province_paths() -> list[str]:
    return [db.session.scalar(select(Unit.path).where(Unit.code == "AG"))]


def test_demo_reward_candidates_and_past_years(app, runner):
    _seed(runner)
    with app.test_request_context():
        paths = _province_paths()
        for code in PAST:
            campaign = records.get_campaign(code)
            assert records.has_closed(campaign)
            assert candidates.collective_candidates(campaign, paths), code
            assert candidates.individual_candidates(campaign, paths), code
        period = periods.get_period("TK-2024-2025")
        assert [c.code for c in period.campaigns] == PAST
        # across the 2025 merger, a unit is one from year to year rolled up: at the
        # time (the default), a 2024 record counts for its former unit
        rolled = Reading.of(AsOf(vn_today(), ROLLED_UP))
        assert periods.collective_candidates(period, paths, rolled)
        individuals = periods.individual_candidates(period, paths, None, rolled)
        assert individuals and all(r.years == [2024, 2025] for r in individuals)
        _check_year_over_year()


def test_demo_past_records_agree_with_their_attempts(app, runner):
    """Each past record's attempts, best score, pass and completion are those of
    the cadre's attempts inside its campaign's window; every attempt has its
    questions, and its score is its answers' marks. Seeding again adds none."""
    _seed(runner)
    with app.app_context():
        quiz = db.session.scalar(select(Quiz).where(Quiz.code == "VHCV-FINAL-2026"))
        for code in PAST:
            campaign = records.get_campaign(code)
            rows = db.session.scalars(
                select(TrainingRecord).where(TrainingRecord.campaign_id == campaign.id)
            ).all()
            assert len(rows) > 150
            assert {r.status for r in rows} >= {COMPLETED, "in_progress"}
            for record in rows:
                _check_record(record, campaign, quiz)
        slots = select(func.count(AttemptSlot.id)).where(
            AttemptSlot.attempt_id == Attempt.id
        )
        attempts = db.session.scalars(
            select(Attempt).where(Attempt.quiz_id == quiz.id)
        ).all()
        assert len(attempts) > 300
        marks = {
            attempt_id: total
            for attempt_id, total in db.session.execute(
                select(
                    AttemptAnswer.attempt_id, func.sum(AttemptAnswer.marks)
                ).group_by(AttemptAnswer.attempt_id)
            )
        }
        for attempt in attempts:
            assert db.session.scalar(slots.where(Attempt.id == attempt.id)) == 30
            assert attempt.score == (marks.get(attempt.id) or 0)
        accounts = ["admin", "hr", "trainer", "learner", "learner2"]
        taken = (
            select(func.count(Attempt.id))
            .join(User, User.id == Attempt.user_id)
            .where(Attempt.quiz_id == quiz.id)
        )
        assert db.session.scalar(taken.where(User.username.in_(accounts))) == 0
        total = db.session.scalar(select(func.count(Attempt.id)))
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Attempt.id))) == total


def _check_record(record: TrainingRecord, campaign: Campaign, quiz: Quiz) -> None:
    found = db.session.scalars(
        select(Attempt)
        .where(
            Attempt.quiz_id == quiz.id,
            Attempt.user_id == record.user_id,
            Attempt.started_at >= campaign.opens_at,
            Attempt.finished_at <= campaign.closes_at,
        )
        .order_by(Attempt.number)
    ).all()
    passing = [a for a in found if a.passed]
    assert record.attempts == len(found)
    assert record.best_percent == max((a.percent for a in found), default=None)
    assert record.passed == bool(passing)
    assert (record.status == COMPLETED) == bool(passing)
    if passing:
        assert record.completed_at == passing[0].finished_at
        assert record.modules_read == record.modules_total
        assert record.best_percent >= quiz.pass_percent


def _check_year_over_year() -> None:
    """The 2026 campaign's comparison for the province has 2024 and 2025."""
    root = db.session.scalar(select(Unit).where(Unit.code == "AG"))
    every = db.session.scalars(select(Campaign)).all()
    rows = yearly.year_over_year(
        every, records.get_campaign("VHCV-2026"), root, Structure.on(vn_today())
    )
    past = {row.year: row for row in rows if row.year < 2026}
    assert sorted(past) == [2024, 2025]
    for row in past.values():
        assert row.total > 100 and row.completed > 0 and row.mean_score


def test_demo_past_records_keep_the_unit_they_closed_in(app, runner):
    """A closed campaign's record keeps the unit its cadre was in on the
    campaign's last day (records.receivers freezes it so), never today's: the
    2024 records of cadres moved by the mergers of 1/7/2025 are in their 2024
    units, none in a unit started after 2024."""
    from app.accounts.models import Assignment, UnitVersion
    from app.timeutil import to_vn

    _seed(runner)
    with app.test_request_context():
        for code in PAST:
            campaign = records.get_campaign(code)
            last_day = to_vn(campaign.closes_at).date()
            outside = db.session.scalar(
                select(func.count())
                .select_from(TrainingRecord)
                .where(
                    TrainingRecord.campaign_id == campaign.id,
                    ~select(Assignment.id)
                    .where(
                        Assignment.user_id == TrainingRecord.user_id,
                        Assignment.unit_id == TrainingRecord.unit_id,
                        Assignment.valid_from <= last_day,
                        (Assignment.valid_to.is_(None))
                        | (Assignment.valid_to > last_day),
                    )
                    .exists(),
                )
            )
            assert outside == 0, code
        campaign = records.get_campaign("VHCV-2024")
        last_day = to_vn(campaign.closes_at).date()
        started_later = set(
            db.session.scalars(
                select(UnitVersion.unit_id)
                .group_by(UnitVersion.unit_id)
                .having(func.min(UnitVersion.valid_from) > last_day)
            )
        )
        in_later_units = db.session.scalar(
            select(func.count())
            .select_from(TrainingRecord)
            .where(
                TrainingRecord.campaign_id == campaign.id,
                TrainingRecord.unit_id.in_(started_later),
            )
        )
        assert started_later and in_later_units == 0
