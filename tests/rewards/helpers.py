"""Campaigns, records and attempts written directly (no quiz flow): the rewards read
only their summary rows, so tests build exactly the figures they need."""

from datetime import UTC, datetime, timedelta

from app.extensions import db
from app.quizzes.models import FINISHED, Attempt, Quiz
from app.records.models import (
    COMPLETED,
    NOT_STARTED,
    Campaign,
    CampaignTarget,
    TrainingRecord,
)
from tests.factories import make_user


def opens(year: int) -> datetime:
    return datetime(year, 3, 1, tzinfo=UTC)


def closes(year: int) -> datetime:
    return datetime(year, 11, 30, tzinfo=UTC)


def make_campaign(year: int, target, code: str | None = None) -> Campaign:
    """Campaign C<year> over `target`'s subtree, with its own quiz Q<year>."""
    code = code or f"C{year}"
    db.session.add(Quiz(code=f"Q{year}", title=f"Kiểm tra {year}"))
    campaign = Campaign(
        code=code,
        title=f"Bồi dưỡng văn hóa công vụ năm {year}",
        year=year,
        course_code="T",
        quiz_code=f"Q{year}",
        opens_at=opens(year),
        closes_at=closes(year),
        targets=[CampaignTarget(unit_id=target.id)],
    )
    db.session.add(campaign)
    db.session.commit()
    return campaign


def cadres(prefix: str, unit, count: int) -> list:
    return [
        make_user(
            f"{prefix}{i}",
            unit,
            full_name=f"Cán Bộ {prefix.upper()} {i}",
            password=None,
            employee_code=f"{prefix.upper()}{i:03d}",
        )
        for i in range(count)
    ]


def record(
    campaign,
    user,
    done: bool = True,
    passed: bool | None = None,
    at: datetime | None = None,
    read: int = 3,
    unit=None,
) -> TrainingRecord:
    """A record: completed (and passed) inside the window by default."""
    passed = done if passed is None else passed
    row = TrainingRecord(
        campaign_id=campaign.id,
        user_id=user.id,
        unit_id=(unit or user.unit).id,
        status=COMPLETED if done else NOT_STARTED,
        modules_read=read,
        modules_total=3,
        passed=passed,
        best_percent=100.0 if passed else None,
        completed_at=(at or campaign.opens_at + timedelta(days=10)) if done else None,
        completed_unit_id=user.unit_id if done else None,
    )
    db.session.add(row)
    return row


def attempt(
    campaign,
    user,
    number: int,
    percent: float,
    preview: bool = False,
    state: str = FINISHED,
    started: datetime | None = None,
) -> Attempt:
    quiz = db.session.query(Quiz).filter_by(code=campaign.quiz_code).one()
    started = started or campaign.opens_at + timedelta(days=number)
    row = Attempt(
        quiz_id=quiz.id,
        user_id=user.id,
        number=number,
        state=state,
        started_at=started,
        deadline_at=started + timedelta(minutes=30),
        finished_at=started + timedelta(minutes=20) if state == FINISHED else None,
        percent=percent,
        score=percent,
        max_score=100,
        passed=percent >= 80,
        preview=preview,
    )
    db.session.add(row)
    return row


def perfect(campaign, user, **fields) -> None:
    """A completed record whose first attempt scored 100 %."""
    record(campaign, user, **fields)
    attempt(campaign, user, 1, 100.0)
