"""The finished attempts of the demo's past campaigns (app.demo.past), written as
rows: the quiz of those years is this year's, reused, whose window is now 2026's,
so the attempt core (which checks the window and reads the clock of today) cannot
take them. Each attempt is drawn by the quiz's own rules (quizzes.drawing), its
answers chosen so that a given number of questions is right and graded by the
quiz's grading (quizzes.questions.grade), so its result page, the item statistics
and the reward rules read it as any other. No signal is sent: the records of those
years are written by app.demo.past, consistent with these attempts.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select

from app.extensions import db
from app.quizzes.drawing import draw_questions, option_order, read_candidates
from app.quizzes.models import (
    BY_SUBMIT,
    FINISHED,
    Attempt,
    AttemptAnswer,
    AttemptSlot,
    QuestionVersion,
    Quiz,
)
from app.quizzes.questions import grade
from app.quizzes.windows import deadline_for


@dataclass
class Sitting:
    """One finished attempt, kept until `Sittings.write`."""

    attempt: Attempt
    # (version id, option order, selected keys, marks) per position
    slots: list[tuple] = field(default_factory=list)


class Sittings:
    """Finished attempts at `quiz`, numbered after each cadre's attempts so far."""

    def __init__(self, quiz: Quiz, rng: random.Random):
        self.quiz, self.rng = quiz, rng
        self.candidates = read_candidates(quiz)  # read once for every attempt
        ids = {c.id for pool in self.candidates[0] for c in pool}
        self.options = dict(
            db.session.execute(
                select(QuestionVersion.id, QuestionVersion.options).where(
                    QuestionVersion.id.in_(ids)
                )
            ).all()
        )
        self.numbers = dict(
            db.session.execute(
                select(Attempt.user_id, func.max(Attempt.number))
                .where(Attempt.quiz_id == quiz.id)
                .group_by(Attempt.user_id)
            ).all()
        )
        self.pending: list[Sitting] = []

    def lowest_pass(self) -> int:
        """The fewest questions right that pass the quiz."""
        return math.ceil(self.quiz.pass_percent * self.quiz.question_count / 100)

    def add(self, user_id: int, started_at: datetime, right: int) -> Attempt:
        """A finished attempt of `user_id` started at `started_at` with `right`
        questions answered right (the others wrong or left blank), submitted some
        minutes later within the time limit. Returns it (not yet written)."""
        rng, quiz = self.rng, self.quiz
        number = self.numbers.get(user_id, 0) + 1
        self.numbers[user_id] = number
        minutes = quiz.time_limit_seconds // 60
        finished_at = started_at + timedelta(
            minutes=rng.randint(minutes // 3, minutes - 1), seconds=rng.randint(0, 59)
        )
        sitting = Sitting(
            Attempt(
                quiz_id=quiz.id,
                user_id=user_id,
                number=number,
                state=FINISHED,
                started_at=started_at,
                # Without the quiz's window: it is this year's (see the module).
                deadline_at=deadline_for(quiz, started_at),
                finished_at=finished_at,
                finished_by=BY_SUBMIT,
                last_saved_at=finished_at,
                preview=False,
            )
        )
        drawn = draw_questions(quiz, rng, self.candidates)
        good = set(rng.sample(range(len(drawn)), min(right, len(drawn))))
        score = 0.0
        for index, version in enumerate(drawn):
            options = self.options[version.id]
            keys = [o["key"] for o in options]
            order = option_order(keys, version.type, quiz.shuffle_options, rng)
            chosen = self._choice(version.type, options, index in good)
            marks = grade(version.type, options, chosen, quiz.partial_credit)
            sitting.slots.append((version.id, order, chosen, marks))
            score += marks
        attempt = sitting.attempt
        attempt.score, attempt.max_score = round(score, 4), float(len(drawn))
        attempt.percent = round(100 * score / len(drawn), 2)
        attempt.passed = attempt.percent >= quiz.pass_percent
        self.pending.append(sitting)
        return attempt

    def _choice(self, kind: str, options: list[dict], right: bool) -> list[str]:
        """The right keys, or a wrong choice that earns nothing (else a blank)."""
        if right:
            return [o["key"] for o in options if o["correct"]]
        wrong = [o["key"] for o in options if not o["correct"]]
        self.rng.shuffle(wrong)
        for key in wrong:
            if grade(kind, options, [key], self.quiz.partial_credit) == 0:
                return [key]
        return []

    def write(self) -> int:
        """Insert the pending attempts, their slots and answers (a few statements
        for them all); returns how many attempts. Flushes."""
        if not self.pending:
            return 0
        db.session.add_all(s.attempt for s in self.pending)
        db.session.flush()
        db.session.execute(
            insert(AttemptSlot.__table__),
            [
                {
                    "attempt_id": s.attempt.id,
                    "position": position,
                    "question_version_id": version_id,
                    "option_order": order,
                }
                for s in self.pending
                for position, (version_id, order, _c, _m) in enumerate(s.slots, 1)
            ],
        )
        by_attempt = {s.attempt.id: s for s in self.pending}
        slot_ids = db.session.execute(
            select(AttemptSlot.id, AttemptSlot.attempt_id, AttemptSlot.position).where(
                AttemptSlot.attempt_id.in_(list(by_attempt))
            )
        ).all()
        answers = []
        for slot_id, attempt_id, position in slot_ids:
            sitting = by_attempt[attempt_id]
            _version, _order, chosen, marks = sitting.slots[position - 1]
            if chosen:
                answers.append(
                    {
                        "attempt_id": attempt_id,
                        "slot_id": slot_id,
                        "selected": chosen,
                        "saved_at": sitting.attempt.finished_at,
                        "marks": marks,
                    }
                )
        if answers:
            db.session.execute(insert(AttemptAnswer.__table__), answers)
        written, self.pending = len(by_attempt), []
        return written
