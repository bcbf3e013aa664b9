"""The whole contest's ranking from its rounds' latest rankings: sum or best."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.contests import ranking
from app.contests.models import RankingEntry
from app.errors import Conflict, InvalidInput
from app.extensions import db
from tests.contests.rank_helpers import NOW, attempt, make_contest, make_round, people
from tests.factories import make_tree


@pytest.fixture
def tree(ctx):
    return make_tree()


def _order(result):
    return [
        tuple(row)
        for row in db.session.execute(
            select(User.username, RankingEntry.rank, RankingEntry.right_answers)
            .join(User, User.id == RankingEntry.user_id)
            .where(RankingEntry.ranking_id == result.ranking.id)
            .order_by(RankingEntry.rank, RankingEntry.user_id)
        )
    ]


def _two_rounds(tree, overall):
    contest = make_contest([tree["P"]], overall=overall)
    first, second = make_round(contest, 1), make_round(contest, 2)
    a, b, c = people(tree, 3)
    attempt(first, a, 5, prediction=1, seconds=100)  # a: 5 + 2 = 7
    attempt(second, a, 2, prediction=0, seconds=100)
    attempt(first, b, 3, prediction=9, seconds=100)  # b: 3 + 4 = 7, worse gaps
    attempt(second, b, 4, prediction=5, seconds=100)
    attempt(first, c, 4, prediction=None, seconds=50)  # c: one round only
    ranking.rank_round(first, now=NOW)
    ranking.rank_round(second, now=NOW)
    return contest


def test_sum_of_rounds_then_gaps(tree):
    contest = _two_rounds(tree, "sum")
    result = ranking.rank_contest(contest, now=NOW + timedelta(hours=1))
    assert _order(result) == [("u0", 1, 7), ("u1", 2, 7), ("u2", 3, 4)]
    assert result.ranking.question_count == 10
    assert result.ranking.round_id is None


def test_best_round(tree):
    contest = _two_rounds(tree, "best")
    result = ranking.rank_contest(contest, now=NOW + timedelta(hours=1))
    assert _order(result) == [("u0", 1, 5), ("u1", 2, 4), ("u2", 3, 4)]
    assert result.ranking.question_count == 5


def test_an_update_after_a_round_needs_no_reason_a_recompute_does(tree):
    contest = make_contest([tree["P"]])
    first, second = make_round(contest, 1), make_round(contest, 2)
    with pytest.raises(Conflict):
        ranking.rank_contest(contest, now=NOW)
    attempt(first, people(tree, 1)[0], 3)
    ranking.rank_round(first, now=NOW)
    assert ranking.rank_contest(contest, now=NOW).ranking.version == 1
    with pytest.raises(InvalidInput):
        ranking.rank_contest(contest, now=NOW + timedelta(minutes=1))
    ranking.rank_round(second, now=NOW + timedelta(minutes=2))  # nobody: empty
    later = ranking.rank_contest(contest, now=NOW + timedelta(minutes=3))
    assert later.ranking.version == 2 and later.ranking.reason == ""


def test_a_retired_round_no_longer_counts(tree):
    """Round 2 taken out of the contest's file (retired, its rankings kept): the
    whole contest is ranked on round 1 alone."""
    from app.contests.sync import RETIRED_NUMBER

    contest = _two_rounds(tree, "sum")
    second = next(r for r in contest.rounds if r.number == 2)
    second.number = RETIRED_NUMBER + second.id
    db.session.flush()
    result = ranking.rank_contest(contest, now=NOW + timedelta(hours=1))
    assert _order(result) == [("u0", 1, 5), ("u2", 2, 4), ("u1", 3, 3)]


def test_the_sum_ties_what_the_rounds_tie(tree):
    """Times count in whole seconds in the whole contest's ranking too: two
    participants a round shows tied are not parted by a fraction of a second."""
    contest = make_contest([tree["P"]], overall="sum")
    first = make_round(contest, 1)
    a, b = people(tree, 2)
    attempt(first, a, 5, prediction=0, seconds=300.9)
    attempt(first, b, 5, prediction=0, seconds=300.1)
    assert _order(ranking.rank_round(first, now=NOW)) == [("u0", 1, 5), ("u1", 1, 5)]
    result = ranking.rank_contest(contest, now=NOW + timedelta(hours=1))
    assert _order(result) == [("u0", 1, 5), ("u1", 1, 5)]
