"""The rounds a cadre may take part in now: the learner home page's notice."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.accounts.models import User
from app.accounts.scope import in_any_subtree
from app.extensions import db
from app.quizzes.models import Quiz
from app.quizzes.windows import window_open_sql

from .models import Contest, ContestRound
from .sync import RETIRED_NUMBER


@dataclass(frozen=True)
class OpenRound:
    contest_code: str
    contest_title: str
    round_title: str
    closes_at: datetime


def open_rounds_for(user: User, now: datetime) -> list[OpenRound]:
    """Rounds running at `now` of the active contests whose targets hold `user`."""
    if user.unit is None:
        return []
    rows = db.session.execute(
        select(Contest, ContestRound)
        .join(ContestRound, ContestRound.contest_id == Contest.id)
        .join(Quiz, Quiz.id == ContestRound.quiz_id)
        .where(
            Contest.active.is_(True),
            Quiz.active.is_(True),
            ContestRound.number < RETIRED_NUMBER,
            window_open_sql(Quiz.opens_at, Quiz.closes_at, now),
        )
        .order_by(Quiz.closes_at)
    ).all()
    return [
        OpenRound(contest.code, contest.title, row.title, row.quiz.closes_at)
        for contest, row in rows
        if in_any_subtree(user.unit.path, [t.unit.path for t in contest.targets])
    ]
