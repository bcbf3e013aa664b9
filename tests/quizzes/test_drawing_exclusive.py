"""One attempt never holds two questions of a bank's exclusive group: the second
drawn is replaced from the same rule's pool (seeded draws)."""

import random

import pytest

from app.content.sync_quizzes import sync_quizzes
from app.errors import DomainError
from app.extensions import db
from app.quizzes.attempts import get_quiz
from app.quizzes.drawing import draw_questions
from app.quizzes.questions import BankData, DrawRule
from tests.quizzes.helpers import quiz_data, single


def _setup(groups, count=3, size=5, tag_rule=False):
    bank = BankData(
        "E",
        "Ngân hàng loại trừ",
        questions=[single(f"E{n}") for n in range(1, size + 1)],
        exclusive=groups,
    )
    draw = (DrawRule(count=count, bank="E"),)
    if tag_rule:  # a second rule over the same questions, by their tag
        draw = (DrawRule(count=count, bank="E"), DrawRule(count=1, tag="giao-tiep"))
    sync_quizzes([bank], [quiz_data(draw=draw, shuffle_questions=False)])
    db.session.commit()
    return get_quiz("Q")


def _codes(quiz, seed):
    return [v.code for v in draw_questions(quiz, random.Random(seed))]


def test_never_two_of_one_group_in_a_draw(ctx):
    quiz = _setup((("E1", "E2"), ("E3", "E4")), count=3)
    seen_pairs = set()
    for seed in range(200):
        codes = _codes(quiz, seed)
        assert len(codes) == 3 == len(set(codes))
        assert not {"E1", "E2"} <= set(codes), (seed, codes)
        assert not {"E3", "E4"} <= set(codes), (seed, codes)
        seen_pairs.add(frozenset(codes))
    # E5 is always there (3 questions need it); every allowed set of three is drawn
    assert seen_pairs == {
        frozenset({a, b, "E5"}) for a in ("E1", "E2") for b in ("E3", "E4")
    }


def test_a_draw_without_groups_is_the_plain_sample(ctx):
    quiz = _setup((), count=3)
    for seed in range(20):
        pool = sorted(f"E{n}" for n in range(1, 6))
        expected = random.Random(seed).sample(pool, 3)
        assert _codes(quiz, seed) == expected


def test_groups_hold_across_rules(ctx):
    quiz = _setup((("E1", "E2"),), count=1, tag_rule=True)
    quiz.draw_rules = [{"count": 1, "bank": "E"}, {"count": 3, "tag": "giao-tiep"}]
    for seed in range(100):
        codes = _codes(quiz, seed)
        assert len(set(codes)) == 4 and not {"E1", "E2"} <= set(codes), codes


def test_too_few_questions_outside_the_groups_is_a_clear_error(ctx):
    quiz = _setup((("E1", "E2", "E3"),), count=4)
    with pytest.raises(DomainError, match="chỉ 3 câu không cùng nhóm loại trừ"):
        _codes(quiz, 1)


def test_an_attempt_of_the_real_quiz_keeps_the_pairs_apart(ctx):
    from app.content.quizfiles import load_quizzes
    from tests.content.test_exclusive import REAL_ROOT

    content = load_quizzes(REAL_ROOT)
    sync_quizzes(content.banks, content.quizzes)
    db.session.commit()
    quiz = get_quiz("VHCV-FINAL-2026")
    for seed in range(100):
        codes = set(_codes(quiz, seed))
        assert len(codes) == 30
        assert not {"VHCV-M2-005", "VHCV-M2-006"} <= codes
        assert not {"VHCV-M3-002", "VHCV-M3-010"} <= codes


def test_the_settings_check_counts_a_group_once(ctx):
    from app.content import quiz_editing
    from tests.factories import make_unit, make_user

    quiz = _setup((("E1", "E2"), ("E3", "E4")), count=3)
    admin = make_user("adm", make_unit("P", "Tỉnh Thử"), roles=[("admin", None)])
    assert quiz_editing.draw_problems((DrawRule(count=3, bank="E"),), admin, quiz) == []
    (problem,) = quiz_editing.draw_problems((DrawRule(count=4, bank="E"),), admin, quiz)
    assert "chỉ chắc chắn còn 3" in problem
    assert "các câu không rút chung với nhau chỉ tính một" in problem
