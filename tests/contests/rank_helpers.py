"""Contests, rounds and finished attempts made directly as rows (the attempt core is
the quizzes' and tested there): call inside an app context."""

from datetime import UTC, datetime, timedelta

from app.contests.models import Contest, ContestRound, ContestTarget
from app.extensions import db
from app.quizzes.models import Attempt, AttemptAnswer, AttemptSlot, Quiz
from tests.factories import make_user

# The round closed a day before NOW; attempts start at START + offsets.
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
OPENS = datetime(2026, 11, 10, 1, 0, tzinfo=UTC)
CLOSES = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)
QUESTIONS = 5


def make_contest(
    targets, code="CT", owner=None, one_prize_per_contest=False, overall="sum"
) -> Contest:
    contest = Contest(
        code=code,
        title="Cuộc thi tìm hiểu văn hóa công vụ",
        organiser="Sở Nội vụ tỉnh Thử",
        owner_unit_id=owner.id if owner is not None else None,
        one_prize_per_contest=one_prize_per_contest,
        overall=overall,
    )
    contest.targets = [ContestTarget(unit_id=unit.id) for unit in targets]
    db.session.add(contest)
    db.session.commit()
    return contest


def make_round(
    contest: Contest,
    number=1,
    prizes=None,
    opens=OPENS,
    closes=CLOSES,
    partial=False,
    questions=QUESTIONS,
) -> ContestRound:
    quiz = Quiz(
        code=f"{contest.code}-Q{number}",
        title=f"Đợt {number}",
        opens_at=opens,
        closes_at=closes,
        attempts_allowed=3,
        partial_credit=partial,
        draw_rules=[{"count": questions, "bank": "B"}],
        prediction_prompt="Dự đoán có bao nhiêu người trả lời đúng tất cả?",
    )
    db.session.add(quiz)
    db.session.flush()
    round_ = ContestRound(
        contest_id=contest.id,
        number=number,
        code=f"{contest.code}-{number}",
        title=f"Đợt thi thứ {number}",
        quiz_id=quiz.id,
        prizes=prizes if prizes is not None else {},
    )
    db.session.add(round_)
    db.session.commit()
    return round_


def attempt(
    round_: ContestRound,
    user,
    right: int,
    prediction: int | None = 0,
    seconds: float = 300,
    start_minute: int = 0,
    number: int | None = None,
    preview: bool = False,
    state: str = "finished",
    questions: int = QUESTIONS,
) -> Attempt:
    """A finished attempt with `right` right answers out of `questions`."""
    started = OPENS + timedelta(minutes=start_minute)
    if number is None:
        number = 1 + sum(
            1
            for a in db.session.query(Attempt).filter_by(
                quiz_id=round_.quiz_id, user_id=user.id
            )
        )
    row = Attempt(
        quiz_id=round_.quiz_id,
        user_id=user.id,
        number=number if not preview else 0,
        state=state,
        started_at=started,
        deadline_at=started + timedelta(minutes=30),
        finished_at=started + timedelta(seconds=seconds)
        if state == "finished"
        else None,
        finished_by="submit" if state == "finished" else None,
        score=float(right),
        max_score=float(questions),
        percent=100.0 * right / questions,
        passed=right == questions,
        preview=preview,
        prediction=prediction,
    )
    db.session.add(row)
    db.session.commit()
    return row


def add_answers(attempt_row: Attempt, marks: list[float], version_id: int) -> None:
    """Slots and answers with these marks (for quizzes with partial credit)."""
    for position, mark in enumerate(marks):
        slot = AttemptSlot(
            attempt_id=attempt_row.id,
            position=position,
            question_version_id=version_id,
            option_order=["a", "b"],
        )
        db.session.add(slot)
        db.session.flush()
        db.session.add(
            AttemptAnswer(
                attempt_id=attempt_row.id, slot_id=slot.id, selected=["a"], marks=mark
            )
        )
    db.session.commit()


def people(tree, n: int, unit_code: str = "D1", prefix: str = "u") -> list:
    return [
        make_user(f"{prefix}{i}", tree[unit_code], full_name=f"Người Thi {i:02d}")
        for i in range(n)
    ]


def ranked_contest(tree, participant) -> Contest:
    """Contest CT owned by D, for the province: round 1 closed yesterday with one
    attempt by `participant`, ranked (for pages that need a ranking)."""
    from app.contests import ranking
    from app.timeutil import utcnow

    contest = make_contest([tree["P"]], owner=tree["D"])
    round_ = make_round(
        contest,
        1,
        prizes={"nhat": 1},
        opens=utcnow() - timedelta(days=10),
        closes=utcnow() - timedelta(days=1),
    )
    attempt(round_, participant, 4)
    ranking.rank_round(round_)
    db.session.commit()
    return contest
