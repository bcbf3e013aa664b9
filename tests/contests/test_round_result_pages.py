"""A cadre's own pages of a contest round once it has closed: its quiz page and an
attempt's result show the right answers, prediction and time used, and the attempt
the ranking counts (its rule, not the best percent), never a pass or a pass mark."""

from datetime import timedelta

import pytest

from app.contests import ranking
from app.extensions import db
from app.timeutil import utcnow
from tests.contests.rank_helpers import attempt, make_contest, make_round, people
from tests.factories import make_tree

PASS_WORDS = ("Điểm đạt", "điểm đạt", 'class="verdict', "Chưa đạt", "✓ Đạt")


@pytest.fixture
def closed_round(app):
    """A closed, sealed round; u0 tried twice with as many right answers, the
    second with the closer prediction (u1 has every answer right: actual = 1)."""
    with app.app_context():
        tree = make_tree()
        now = utcnow()
        round_ = make_round(
            make_contest([tree["P"]]),
            opens=now - timedelta(days=3),
            closes=now - timedelta(days=1),
        )
        round_.quiz.sealed = True
        db.session.commit()
        a, b = people(tree, 2)
        first = attempt(round_, a, 4, prediction=9, seconds=500).id
        second = attempt(round_, a, 4, prediction=1, seconds=615, start_minute=30).id
        attempt(round_, b, 5, prediction=1, seconds=100)
        found = round_.id, round_.quiz.code, first, second
    return found


def _page(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    for word in PASS_WORDS:
        assert word not in page, (url, word)
    return page


def test_the_round_shows_the_attempt_its_ranking_counts(
    app, client, auth, closed_round
):
    round_id, code, first, second = closed_round
    auth.login("u0")
    page = _page(client, f"/quizzes/{code}")
    assert "xác định khi xếp hạng đợt thi" in page  # not ranked yet
    assert "4/5 câu đúng · dự đoán 9 · 08:20" in page  # each attempt's own
    with app.app_context():
        from app.contests.models import ContestRound

        ranking.rank_round(db.session.get(ContestRound, round_id))
        db.session.commit()
    page = _page(client, f"/quizzes/{code}")
    assert "Lượt được tính xếp hạng" in page
    assert "Lượt 2: 4/5 câu đúng · dự đoán 1 · thời gian 10:15" in page
    result = _page(client, f"/attempts/{first}/result")
    assert "Số câu đúng: 4/5" in result and "08:20" in result
    assert "Lượt được tính trong bảng xếp hạng của đợt thi là lượt 2." in result
    result = _page(client, f"/attempts/{second}/result")
    assert "Lượt này là lượt được tính trong bảng xếp hạng" in result
    assert "Dự đoán của bạn: 1" in result


def test_nothing_of_the_result_while_the_round_runs(app, client, auth, closed_round):
    round_id, code, first, _ = closed_round
    with app.app_context():
        from app.contests.models import ContestRound

        round_ = db.session.get(ContestRound, round_id)
        round_.quiz.closes_at = utcnow() + timedelta(days=1)
        db.session.commit()
    auth.login("u0")
    page = _page(client, f"/quizzes/{code}")
    assert "câu đúng" not in page and "Lượt được tính" not in page
    result = _page(client, f"/attempts/{first}/result")
    assert 'id="sealed"' in result and "câu đúng" not in result
