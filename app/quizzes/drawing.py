"""Drawing an attempt's questions by a quiz's draw rules, and fixing option order."""

import random

from sqlalchemy import select

from app.errors import DomainError
from app.extensions import db

from .models import Question, QuestionBank, QuestionVersion, Quiz
from .questions import TRUEFALSE


def candidates(rule: dict) -> list[QuestionVersion]:
    """The current versions of the active questions a draw rule may take, in code
    order: those of its bank, or those carrying its tag."""
    query = (
        select(QuestionVersion)
        .join(Question, Question.current_version_id == QuestionVersion.id)
        .where(Question.active.is_(True))
        .order_by(Question.code)
    )
    if rule.get("bank"):
        query = query.join(QuestionBank).where(QuestionBank.code == rule["bank"])
    versions = list(db.session.scalars(query))
    if rule.get("tag"):
        versions = [v for v in versions if rule["tag"] in v.tags]
    return versions


def draw_questions(quiz: Quiz, rng: random.Random) -> list[QuestionVersion]:
    """Questions for one attempt, by the quiz's draw rules, never twice the same.
    Raises DomainError when a rule finds too few questions."""
    drawn: list[QuestionVersion] = []
    seen: set[int] = set()
    for rule in quiz.draw_rules:
        pool = [v for v in candidates(rule) if v.question_id not in seen]
        if len(pool) < rule["count"]:
            where = rule.get("bank") or f"thẻ {rule.get('tag')}"
            raise DomainError(
                f"Không đủ câu hỏi để rút: cần {rule['count']} từ {where}, "
                f"có {len(pool)}."
            )
        picked = rng.sample(pool, rule["count"])
        seen.update(v.question_id for v in picked)
        drawn.extend(picked)
    if quiz.shuffle_questions:
        rng.shuffle(drawn)
    return drawn


def option_order(version: QuestionVersion, shuffle: bool, rng: random.Random):
    """The option keys of `version` in the order one attempt shows them (true/false
    always Đúng then Sai)."""
    keys = [o["key"] for o in version.options]
    if shuffle and version.type != TRUEFALSE:
        rng.shuffle(keys)
    return keys
