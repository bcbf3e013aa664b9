"""The demo contest (quizzes/contests/): synced once the demo province exists, and
its rounds that have closed taken by some forty cadres of its target units — through
the attempt core, at times inside the round's window — then ranked with their
prizes, so the results, the prize list and the announcement have something to show.
Safe to run again: a round that already has attempts is left alone."""

import random
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from app.accounts.models import Unit, User
from app.content.quizfiles import load_quizzes
from app.contests import ranking
from app.contests.models import Contest, ContestRound
from app.contests.sync import contest_part
from app.extensions import db
from app.quizzes import attempts, prediction
from app.quizzes.models import Attempt
from app.timeutil import utcnow

PARTICIPANTS = 40


def seed_contests() -> int:
    """Sync the contest files, then give every closed, untaken round of them its
    demo attempts and ranking. Returns the rounds ranked. Flushes, never commits."""
    root = Path(current_app.config["QUIZZES_DIR"])
    if not (root / "contests").is_dir():
        return 0
    part = contest_part(root, load_quizzes(root))
    if part.problems:
        return 0
    part.sync(False)
    db.session.flush()
    ranked = 0
    now = utcnow()
    for round_ in db.session.scalars(select(ContestRound).order_by(ContestRound.id)):
        quiz = round_.quiz
        if not quiz.active or quiz.closes_at is None or quiz.closes_at > now:
            continue
        taken = db.session.scalar(
            select(func.count(Attempt.id)).where(Attempt.quiz_id == quiz.id)
        )
        if taken:
            continue
        _take(round_, random.Random(f"demo-{round_.code}"))
        ranking.rank_round(round_, now=now)
        ranked += 1
    return ranked


def _participants(contest: Contest, rng: random.Random) -> list[User]:
    paths = [target.unit.path for target in contest.targets]
    cadres = db.session.scalars(
        select(User)
        .join(Unit, Unit.id == User.unit_id)
        .where(User.active.is_(True), Unit.in_subtrees(paths))
        .order_by(User.id)
    ).all()
    return rng.sample(cadres, min(PARTICIPANTS, len(cadres)))


def _take(round_: ContestRound, rng: random.Random) -> None:
    """Each participant starts inside the window, answers most questions right
    (some all), enters a prediction and submits a few minutes later."""
    quiz = round_.quiz
    span = (quiz.closes_at - quiz.opens_at).total_seconds() - quiz.time_limit_seconds
    for user in _participants(round_.contest, rng):
        started = quiz.opens_at + timedelta(seconds=rng.uniform(0, max(span, 60)))
        attempt = attempts.start_attempt(user, quiz, now=started)
        skill = rng.choice((0.6, 0.8, 0.9, 1.0, 1.0))
        moment = started
        for slot in attempt.slots:
            moment += timedelta(seconds=rng.uniform(10, 40))
            attempts.save_answer(
                attempt, slot.position, _choice(slot, skill, rng), now=moment
            )
        prediction.save(
            attempt,
            user.id,
            rng.randint(3, 25),
            attempts.save_cutoff(moment),
            now=moment,
        )
        attempts.finalise(attempt, now=moment + timedelta(seconds=5))
    db.session.flush()


def _choice(slot, skill: float, rng: random.Random) -> list[int]:
    """Option positions as shown: the right ones with probability `skill`."""
    options = {option["key"]: option for option in slot.version.options}
    right = [i for i, key in enumerate(slot.option_order) if options[key]["correct"]]
    if rng.random() < skill:
        return right
    wrong = [i for i in range(len(slot.option_order)) if i not in right]
    return [rng.choice(wrong)] if wrong else right
