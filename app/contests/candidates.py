"""What a round's ranking reads: every finished attempt of its quiz by a cadre of
the contest's targets, with its right answers, the unit it counts for and the names
the ranking keeps (app.contests.ranking has the rules); each participant's best
attempt; and an entry's row as it is stored."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import false, func, select

from app.accounts.asof import units_on_days
from app.accounts.models import Unit, User, shared_name_labels
from app.extensions import db
from app.quizzes.models import FINISHED, Attempt, AttemptAnswer, Quiz
from app.timeutil import to_vn

from .models import Contest
from .order import entry_key

# Marks at or above this are a right answer (marks are 0..1, stored as floats).
FULL_MARKS = 0.9999


@dataclass
class Candidate:
    """One finished attempt, as the ranking reads it."""

    attempt_id: int
    user_id: int
    unit_id: int
    right: int
    questions: int
    prediction: int | None
    started_at: datetime
    finished_at: datetime
    # The names as they are when ranked, kept with the entry (RankingEntry).
    full_name: str = ""
    name_sort: str = ""
    unit_name: str = ""

    @property
    def seconds(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()


def read_candidates(contest: Contest, quiz: Quiz) -> list[Candidate]:
    """Every finished, non-preview attempt of `quiz` by a cadre whose unit on the
    day it was submitted (its assignment then; a cadre moved since keeps the
    unit it competed for, as a record keeps the unit it was earned in) lies in
    the contest's targets, with its right answers and that unit."""
    paths = [target.unit.path for target in contest.targets]
    rows = db.session.execute(_attempts_query(quiz)).all()
    then = units_on_days((row[1], to_vn(row[7]).date()) for row in rows)
    inside = unit_names(Unit.in_subtrees(paths))
    found = []
    for a, u, unit_now, r, q, p, s, f, name, name_sort in rows:
        unit = then.get((u, to_vn(f).date()), unit_now)
        if unit in inside:
            right, questions = int(round(r)), int(round(q))
            names = (name, name_sort, inside[unit])
            found.append(Candidate(a, u, unit, right, questions, p, s, f, *names))
    return found


def _attempts_query(quiz: Quiz):
    if quiz.partial_credit:  # a right answer is one with full marks
        counts = (
            select(
                AttemptAnswer.attempt_id.label("attempt_id"),
                func.count().label("right"),
            )
            .join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
            .where(Attempt.quiz_id == quiz.id, AttemptAnswer.marks >= FULL_MARKS)
            .group_by(AttemptAnswer.attempt_id)
            .subquery()
        )
        right = func.coalesce(counts.c.right, 0)
    else:  # every mark is 0 or 1: the score is the number of right answers
        counts, right = None, func.coalesce(Attempt.score, 0)
    query = (
        select(
            Attempt.id,
            Attempt.user_id,
            User.unit_id,
            right,
            func.coalesce(Attempt.max_score, 0),
            Attempt.prediction,
            Attempt.started_at,
            Attempt.finished_at,
            User.full_name,
            User.name_sort,
        )
        .join(User, User.id == Attempt.user_id)
        .where(
            Attempt.quiz_id == quiz.id,
            Attempt.state == FINISHED,
            Attempt.preview == false(),
            Attempt.finished_at.is_not(None),
        )
    )
    if counts is not None:
        query = query.outerjoin(counts, counts.c.attempt_id == Attempt.id)
    return query


def unit_names(condition) -> dict[int, str]:
    """{unit id: the name its entries keep} of the units meeting `condition`: its
    name, or "Name — Parent name" when another unit has the same name (as the
    pages label it). Two queries, whatever the number of entries."""
    labels = shared_name_labels()
    return {
        unit_id: labels.get(code, name)
        for unit_id, code, name in db.session.execute(
            select(Unit.id, Unit.code, Unit.name).where(condition)
        )
    }


def best_attempts(candidates: list[Candidate], actual: int) -> list[Candidate]:
    """Each participant's best attempt by the ranking's own key (right answers,
    then the attempt's own prediction gap, time and submission)."""
    best: dict[int, tuple] = {}
    for c in candidates:
        key = (*_key(c, actual), c.attempt_id)
        if c.user_id not in best or key < best[c.user_id][0]:
            best[c.user_id] = (key, c)
    return [c for _, c in best.values()]


def _key(c: Candidate, actual: int):
    gap = abs(c.prediction - actual) if c.prediction is not None else None
    return entry_key(c.right, gap, c.seconds, c.finished_at)


def entry_row(c: Candidate, actual: int) -> dict:
    return {
        "user_id": c.user_id,
        "unit_id": c.unit_id,
        "attempt_id": c.attempt_id,
        "right_answers": c.right,
        "prediction": c.prediction,
        "prediction_gap": abs(c.prediction - actual)
        if c.prediction is not None
        else None,
        "time_used_seconds": c.seconds,
        "submitted_at": c.finished_at,
        "full_name": c.full_name,
        "name_sort": c.name_sort,
        "unit_name": c.unit_name,
    }
