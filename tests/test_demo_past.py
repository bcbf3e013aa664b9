"""The demo's past campaigns (app.demo.past): after `flask content sync` and `flask
demo seed`, the closed 2024 and 2025 campaigns hold records with the attempts
behind them, the province's reward candidates list units and cadres for each year
and for the period over both, and the year-over-year comparison has past years."""

from sqlalchemy import func, select

from app.accounts.days import vn_today
from app.accounts.models import Unit, User
from app.extensions import db
from app.quizzes.models import Attempt, AttemptAnswer, AttemptSlot, Quiz
from app.records import services as records
from app.records.models import COMPLETED, Campaign, TrainingRecord
from app.reports import yearly
from app.reports.rollup import Structure
from app.rewards import candidates, periods

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
        assert periods.collective_candidates(period, paths)
        individuals = periods.individual_candidates(period, paths)
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
