"""Drawing an attempt's questions by a quiz's draw rules, and fixing option order.

A quiz draws only from banks owned inside its owner's subtree (a quiz without an
owner, only from banks without one): a bank named by a rule anywhere else is not a
candidate. A tag rule draws only from the banks of the quiz's owner unit itself:
a bank of a unit below it is drawn from only when a rule names it, so no trainer
of another unit, not even of a commune inside the province, can put questions
into the province's quiz by tagging them.
"""

import random
from typing import NamedTuple

from sqlalchemy import ColumnElement, select

from app.accounts.models import Unit
from app.errors import DomainError
from app.errors import lazy_gettext as _l
from app.extensions import db

from .models import Question, QuestionBank, QuestionVersion, Quiz
from .questions import TRUEFALSE


def drawable_banks(owner_unit_id: int | None) -> ColumnElement[bool]:
    """SQL condition on QuestionBank: a quiz owned by `owner_unit_id` may draw from
    it (owned inside that unit's subtree; no owner for a quiz without one)."""
    if owner_unit_id is None:
        return QuestionBank.owner_unit_id.is_(None)
    owner_path = db.session.scalar(select(Unit.path).where(Unit.id == owner_unit_id))
    inside = select(Unit.id).where(Unit.in_subtree(owner_path))
    return QuestionBank.owner_unit_id.in_(inside)


def tag_drawable(owner_unit_id: int | None) -> ColumnElement[bool]:
    """SQL condition on QuestionBank: a tag rule of a quiz owned by
    `owner_unit_id` may draw from it (the owner's own banks; no owner for a quiz
    without one)."""
    if owner_unit_id is None:
        return QuestionBank.owner_unit_id.is_(None)
    return QuestionBank.owner_unit_id == owner_unit_id


class Candidate(NamedTuple):
    """What drawing needs of a question's current version, read as a plain row
    (no ORM object, no option text: a start draws from every candidate)."""

    id: int  # the QuestionVersion's
    question_id: int
    type: str
    tags: list
    bank: str  # its bank's code
    code: str  # its question's code
    bank_id: int
    taggable: bool  # its bank is one a tag rule may draw from (tag_drawable)


def candidate_pools(quiz: Quiz) -> list[list[Candidate]]:
    """For each draw rule of `quiz`, the current versions of the active questions
    it may take, in code order: those of its bank, or those carrying its tag in
    the owner's own banks, in the banks the quiz may draw from. One query for all
    the rules."""
    return read_candidates(quiz)[0]


def read_candidates(
    quiz: Quiz,
) -> tuple[list[list[Candidate]], dict[int, tuple]]:
    """(candidate_pools, question id -> its exclusive group's key): one query for
    the candidates, one for the exclusive groups of their banks."""
    query = (
        select(
            QuestionVersion.id,
            QuestionVersion.question_id,
            QuestionVersion.type,
            QuestionVersion.tags,
            QuestionBank.code,
            Question.code,
            QuestionBank.id,
            tag_drawable(quiz.owner_unit_id),
        )
        .join(Question, Question.current_version_id == QuestionVersion.id)
        .join(QuestionBank, QuestionBank.id == Question.bank_id)
        .where(Question.active.is_(True), drawable_banks(quiz.owner_unit_id))
        .order_by(Question.code)
    )
    rules = quiz.draw_rules
    if all(rule.get("bank") for rule in rules):
        query = query.where(QuestionBank.code.in_({rule["bank"] for rule in rules}))
    rows = [Candidate(*row) for row in db.session.execute(query)]
    pools = [
        [
            row
            for row in rows
            if (not rule.get("bank") or row.bank == rule["bank"])
            and (not rule.get("tag") or (row.taggable and rule["tag"] in row.tags))
        ]
        for rule in rules
    ]
    return pools, _exclusive_groups(rows)


def _exclusive_groups(rows: list[Candidate]) -> dict[int, tuple]:
    """Question id -> (bank code, index of its exclusive group in the bank)."""
    exclusive = dict(
        db.session.execute(
            select(QuestionBank.id, QuestionBank.exclusive).where(
                QuestionBank.id.in_({row.bank_id for row in rows})
            )
        ).all()
    )
    groups = {}
    for row in rows:
        for index, group in enumerate(exclusive.get(row.bank_id) or []):
            if row.code in group:
                groups[row.question_id] = (row.bank, index)
    return groups


def draw_questions(
    quiz: Quiz, rng: random.Random, candidates: tuple | None = None
) -> list[Candidate]:
    """Questions for one attempt, by the quiz's draw rules, never twice the same
    and never two of one exclusive group of a bank (a question drawn after one of
    its group is replaced from the same rule's pool). `candidates`: what
    read_candidates(quiz) returned, for drawing many attempts with one read.
    Raises DomainError when a rule finds too few questions."""
    drawn: list[Candidate] = []
    seen: set[int] = set()
    used: set[tuple] = set()  # exclusive groups already in the attempt
    pools, groups = candidates or read_candidates(quiz)
    for rule, candidates in zip(quiz.draw_rules, pools, strict=True):
        pool = [v for v in candidates if v.question_id not in seen]
        picked = _pick(pool, rule["count"], rng, groups, used)
        if len(picked) < rule["count"]:
            raise DomainError(_too_few(rule, len(pool), len(picked)))
        seen.update(v.question_id for v in picked)
        drawn.extend(picked)
    if quiz.shuffle_questions:
        rng.shuffle(drawn)
    return drawn


def _too_few(rule: dict, pool: int, picked: int):
    """Why a rule could not draw its count (a lazy message)."""
    if rule.get("bank"):
        where = _l("ngân hàng %(code)s", code=rule["bank"])
    else:
        where = _l("thẻ %(tag)s", tag=rule.get("tag"))
    if pool < rule["count"]:
        return _l(
            "Không đủ câu hỏi để rút: cần %(value)s từ %(where)s, có %(pool)s.",
            value=rule["count"],
            where=where,
            pool=pool,
        )
    return _l(
        "Không đủ câu hỏi để rút: cần %(value)s từ %(where)s, có %(pool)s, chỉ "
        "%(picked)s câu không cùng nhóm loại trừ.",
        value=rule["count"],
        where=where,
        pool=pool,
        picked=picked,
    )


def _pick(
    pool: list[Candidate],
    count: int,
    rng: random.Random,
    groups: dict[int, tuple],
    used: set[tuple],
) -> list[Candidate]:
    """`count` questions sampled from `pool`, fewer only when the pool runs out. A
    question whose exclusive group is in `used` (or was just drawn) gives way to a
    replacement drawn at random from the rest of the pool; `used` grows with the
    groups drawn. Without groups, exactly rng.sample(pool, count)."""
    if len(pool) < count:
        return []
    sample = rng.sample(pool, count)
    kept = [v for v in sample if _admit(v, groups, used)]
    taken = {v.question_id for v in sample}
    rest = [v for v in pool if v.question_id not in taken]
    while len(kept) < count and rest:
        version = rest.pop(rng.randrange(len(rest)))
        if _admit(version, groups, used):
            kept.append(version)
    return kept


def _admit(version: Candidate, groups: dict[int, tuple], used: set) -> bool:
    """Whether `version` may join the attempt; marks its group as drawn if so."""
    group = groups.get(version.question_id)
    if group is None:
        return True
    if group in used:
        return False
    used.add(group)
    return True


def option_keys(version_ids: list[int]) -> dict[int, list[str]]:
    """The option keys of each version in `version_ids`, in their authored order
    (one query: only the drawn versions' options are read)."""
    rows = db.session.execute(
        select(QuestionVersion.id, QuestionVersion.options).where(
            QuestionVersion.id.in_(version_ids)
        )
    )
    return {version_id: [o["key"] for o in options] for version_id, options in rows}


def option_order(keys: list[str], kind: str, shuffle: bool, rng: random.Random):
    """The option `keys` of a version of type `kind` in the order one attempt
    shows them (true/false always Đúng then Sai)."""
    keys = list(keys)
    if shuffle and kind != TRUEFALSE:
        rng.shuffle(keys)
    return keys
