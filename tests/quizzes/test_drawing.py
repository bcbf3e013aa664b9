"""A quiz draws only from banks owned inside its owner's subtree, at start and when
its settings are checked and saved: a trainer of another unit cannot put questions
into it by tagging them."""

import random

import pytest

from app.content import quiz_editing
from app.content.sync_quizzes import sync_quizzes
from app.errors import DomainError, InvalidInput
from app.extensions import db
from app.quizzes import attempts
from app.quizzes.models import QuestionBank
from app.quizzes.questions import BankData, DrawRule
from tests.factories import make_tree, make_user
from tests.quizzes.helpers import make_quiz, quiz_data, single


@pytest.fixture
def owned(ctx):
    """Quiz Q and banks B1–B3 owned by department D; bank X of commune C (outside D)
    holds planted questions tagged like Q's tag rule (one rule of Q draws by tag)."""
    tree = make_tree()
    quiz = make_quiz()
    planted = [single(f"X{n}", right=0) for n in range(1, 9)]
    planted = [q.__class__(**{**q.__dict__, "tags": ("dung-sai",)}) for q in planted]
    sync_quizzes([BankData("X", "Ngân hàng xã", questions=planted)], [])
    for bank in db.session.scalars(db.select(QuestionBank)):
        bank.owner_unit_id = (tree["C"] if bank.code == "X" else tree["D"]).id
    quiz.owner_unit_id = tree["D"].id
    db.session.commit()
    learner = make_user("hv", tree["D1"])
    trainer = make_user("gv", tree["P"], roles=[("trainer", tree["P"])])
    return quiz, learner, trainer, tree


def _never_draws_the_planted_bank(learner, quiz) -> None:
    """30 previews of `quiz` by `learner`: none holds a question of bank X."""
    for seed in range(30):
        attempt = attempts.start_attempt(
            learner, quiz, preview=True, rng=random.Random(seed)
        )
        codes = {s.version.question.code for s in attempt.slots}
        assert not any(code.startswith("X") for code in codes), codes
        attempts.discard_previews(learner, quiz)
        db.session.commit()
        db.session.expunge_all()  # the deleted preview's id may be given again
        learner, quiz = db.session.merge(learner), db.session.merge(quiz)


def test_a_tag_rule_never_draws_from_a_bank_outside_the_owners_subtree(owned):
    quiz, learner, _, _ = owned
    _never_draws_the_planted_bank(learner, quiz)


def test_settings_naming_or_counting_an_outside_bank_are_refused(owned):
    quiz, _, trainer, tree = owned
    outside = quiz_data(draw=(DrawRule(count=1, bank="X"),))
    problems = quiz_editing.draw_problems(outside.draw, trainer, quiz)
    assert problems and "đơn vị sở hữu bài kiểm tra" in problems[0]
    with pytest.raises(InvalidInput):
        quiz_editing.apply(quiz, trainer, outside)
    # a tag draws only from the owner's own banks: the owner's question (T1) counts,
    # the planted bank does not, even once the commune is inside the owner's tree
    tagged = quiz_data(draw=(DrawRule(count=2, tag="dung-sai"),))
    assert quiz_editing.draw_problems(tagged.draw, trainer, quiz)
    quiz.owner_unit_id = tree["P"].id  # now the commune's bank is inside the tree
    assert quiz_editing.draw_problems(tagged.draw, trainer, quiz)
    for bank in db.session.scalars(db.select(QuestionBank)):
        bank.owner_unit_id = tree["P"].id  # the province's own banks: drawn by tag
    assert quiz_editing.draw_problems(tagged.draw, trainer, quiz) == []


def test_a_tag_rule_of_the_province_never_draws_from_a_communes_bank(owned):
    """The attack of issue 14: a commune trainer tags questions of its own bank
    like the province quiz's tag rule; the commune is inside the province's
    tree, but a tag rule draws only from the province's own banks."""
    quiz, learner, _, tree = owned
    quiz.owner_unit_id = tree["P"].id
    for bank in db.session.scalars(db.select(QuestionBank)):
        if bank.code != "X":
            bank.owner_unit_id = tree["P"].id
    db.session.commit()
    _never_draws_the_planted_bank(learner, quiz)


def test_a_quiz_without_an_owner_draws_only_from_banks_without_one(ctx):
    tree = make_tree()
    quiz = make_quiz()
    learner = make_user("hv", tree["D1"])
    b1 = db.session.scalar(db.select(QuestionBank).where(QuestionBank.code == "B1"))
    b1.owner_unit_id = tree["D"].id
    db.session.commit()
    with pytest.raises(DomainError, match="Không đủ câu hỏi"):
        attempts.start_attempt(learner, quiz, preview=True)
