"""The ranking of a round: the order of the rules, ties, the prediction rule, the
best attempt, participants, refusal before close, versions and their audit."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.contests import ranking
from app.contests.models import Ranking, RankingEntry
from app.errors import Conflict, InvalidInput, QuizClosed
from app.extensions import db
from app.quizzes.models import Question, QuestionBank, QuestionVersion
from tests.contests.rank_helpers import (
    CLOSES,
    NOW,
    add_answers,
    attempt,
    make_contest,
    make_round,
    people,
)
from tests.factories import make_tree, make_user


@pytest.fixture
def tree(ctx):
    return make_tree()


def entries(result):
    """(username, rank, tied) in the ranking's order."""
    from app.accounts.models import User

    rows = db.session.execute(
        select(User.username, RankingEntry.rank, RankingEntry.tied)
        .join(User, User.id == RankingEntry.user_id)
        .where(RankingEntry.ranking_id == result.ranking.id)
        .order_by(RankingEntry.rank, RankingEntry.user_id)
    )
    return [tuple(row) for row in rows]


def test_right_answers_first_then_gap_time_and_submission(tree):
    round_ = make_round(make_contest([tree["P"]]))
    a, b, c, d, e, f = people(tree, 6)
    attempt(round_, a, 5, prediction=1)  # the only perfect score: actual = 1
    attempt(round_, b, 4, prediction=1, seconds=400)  # gap 0
    attempt(round_, c, 4, prediction=3, seconds=100)  # gap 2: after b despite time
    attempt(round_, d, 4, prediction=3, seconds=200)  # same gap, slower than c
    attempt(round_, e, 4, prediction=3, seconds=200, start_minute=5)  # later submit
    attempt(round_, f, 3, prediction=1, seconds=10)
    result = ranking.rank_round(round_, now=NOW)
    assert result.ranking.perfect_count == 1
    assert result.ranking.participants == 6
    assert entries(result) == [
        ("u0", 1, False),
        ("u1", 2, False),
        ("u2", 3, False),
        ("u3", 4, False),
        ("u4", 5, False),
        ("u5", 6, False),
    ]


@pytest.mark.parametrize(
    "level",
    ["right", "gap", "time", "submission"],
)
def test_ties_share_a_rank_at_every_level(tree, level):
    """Two people equal on every key up to `level` and different at it are not
    tied; equal on all four they are (1, 2, 2, 4)."""
    round_ = make_round(make_contest([tree["P"]]))
    a, b, c, d = people(tree, 4)
    attempt(round_, a, 5, prediction=1, seconds=100)
    differ = {
        "right": {"right": 3},
        "gap": {"prediction": 4},
        "time": {"seconds": 250},
        "submission": {"start_minute": 1},
    }[level]
    base = {"right": 4, "prediction": 2, "seconds": 200, "start_minute": 0}
    attempt(round_, b, **base)
    attempt(round_, c, **base)  # equal to b on all four: tied
    attempt(round_, d, **(base | differ))  # after them
    result = ranking.rank_round(round_, now=NOW)
    assert entries(result) == [
        ("u0", 1, False),
        ("u1", 2, True),
        ("u2", 2, True),
        ("u3", 4, False),
    ]


def test_times_count_in_the_whole_seconds_the_papers_show(tree):
    """300.2 s and 300.7 s are both "05:00", submitted in the same second: tied,
    not ranked apart by a fraction nobody sees; a whole second apart is not."""
    round_ = make_round(make_contest([tree["P"]]))
    a, b, c = people(tree, 3)
    attempt(round_, a, 4, prediction=2, seconds=300.2)
    attempt(round_, b, 4, prediction=2, seconds=300.7)
    attempt(round_, c, 4, prediction=2, seconds=301.1)
    result = ranking.rank_round(round_, now=NOW)
    assert entries(result) == [("u0", 1, True), ("u1", 1, True), ("u2", 3, False)]


def test_closest_prediction_wins_and_no_prediction_ranks_last(tree):
    round_ = make_round(make_contest([tree["P"]]))
    perfect = people(tree, 3, prefix="p")
    for person in perfect:  # actual = 3
        attempt(round_, person, 5, prediction=3, seconds=100)
    over, under, none = people(tree, 3, prefix="x")
    attempt(round_, over, 4, prediction=5, seconds=50)  # gap 2
    attempt(round_, under, 4, prediction=2, seconds=300)  # gap 1: wins
    attempt(round_, none, 4, prediction=None, seconds=1)  # fastest, but last
    result = ranking.rank_round(round_, now=NOW)
    assert result.ranking.perfect_count == 3
    assert entries(result)[3:] == [("x1", 4, False), ("x0", 5, False), ("x2", 6, False)]
    gaps = db.session.scalars(
        select(RankingEntry.prediction_gap)
        .where(RankingEntry.ranking_id == result.ranking.id)
        .order_by(RankingEntry.rank)
    ).all()
    assert gaps == [0, 0, 0, 1, 2, None]


def test_a_round_with_no_perfect_score_measures_against_zero(tree):
    round_ = make_round(make_contest([tree["P"]]))
    a, b = people(tree, 2)
    attempt(round_, a, 4, prediction=2, seconds=10)
    attempt(round_, b, 4, prediction=0, seconds=900)  # guessed 0: right
    result = ranking.rank_round(round_, now=NOW)
    assert result.ranking.perfect_count == 0
    assert entries(result) == [("u1", 1, False), ("u0", 2, False)]


def test_the_best_attempt_counts_with_its_own_tie_break(tree):
    round_ = make_round(make_contest([tree["P"]]))
    a, b = people(tree, 2)
    attempt(round_, a, 3, prediction=0, seconds=10)  # fewer right answers: ignored
    attempt(round_, a, 4, prediction=9, seconds=500)  # gap 9
    attempt(round_, a, 4, prediction=1, seconds=600, start_minute=30)  # gap 1: best
    attempt(round_, b, 4, prediction=2, seconds=5)  # gap 2
    result = ranking.rank_round(round_, now=NOW)
    best = db.session.execute(
        select(RankingEntry.prediction, RankingEntry.time_used_seconds)
        .where(RankingEntry.ranking_id == result.ranking.id)
        .where(RankingEntry.user_id == a.id)
    ).one()
    assert tuple(best) == (1, 600.0)
    assert entries(result) == [("u0", 1, False), ("u1", 2, False)]


def test_participants_are_finished_real_attempts_inside_the_targets(tree):
    round_ = make_round(make_contest([tree["D"]]))
    inside, outsider, previewer, sitting = (
        make_user("in", tree["D1A"]),
        make_user("out", tree["C1"]),
        make_user("pre", tree["D1"]),
        make_user("open", tree["D1"]),
    )
    attempt(round_, inside, 3)
    attempt(round_, outsider, 5)  # a commune cadre: not a target
    attempt(round_, previewer, 5, preview=True)
    row = attempt(round_, sitting, 0, state="open")
    row.deadline_at = CLOSES  # overdue at NOW: finalised with nothing right
    db.session.commit()
    result = ranking.rank_round(round_, now=NOW)
    assert [name for name, *_ in entries(result)] == ["in", "open"]
    unit = db.session.scalar(
        select(RankingEntry.unit_id).where(RankingEntry.user_id == inside.id)
    )
    assert unit == tree["D1A"].id


def test_refused_before_the_round_closes_and_while_attempts_may_still_save(tree):
    round_ = make_round(make_contest([tree["P"]]))
    round_.title = "Đợt 1 — Văn hóa công sở"  # a title naming its round, as usual
    with pytest.raises(QuizClosed) as refused:
        ranking.rank_round(round_, now=CLOSES - timedelta(minutes=1))
    assert str(refused.value.message) == (
        "“Đợt 1 — Văn hóa công sở” chưa kết thúc: chỉ xếp hạng sau khi đợt thi đóng."
    )
    row = attempt(round_, make_user("late", tree["D1"]), 0, state="open")
    row.deadline_at = NOW  # within the grace at NOW
    db.session.commit()
    with pytest.raises(Conflict, match="đang trong thời gian nộp"):
        ranking.rank_round(round_, now=NOW)
    assert db.session.scalar(select(Ranking.id)) is None


def test_a_round_without_a_close_is_never_ranked(tree):
    round_ = make_round(make_contest([tree["P"]]), closes=None)
    with pytest.raises(QuizClosed):
        ranking.rank_round(round_, now=NOW)


def test_re_ranking_is_a_new_audited_version_with_a_reason(tree):
    round_ = make_round(make_contest([tree["P"]]))
    admin = make_user("admin", tree["P"], roles=[("admin", None)])
    for i, person in enumerate(people(tree, 5)):
        attempt(round_, person, i % 3 + 3, prediction=i, seconds=100 + i % 2)
    first = ranking.rank_round(round_, now=NOW)
    db.session.commit()
    with pytest.raises(InvalidInput, match="cần ghi lý do"):
        ranking.rank_round(round_, actor=admin, reason="  ", now=NOW)
    second = ranking.rank_round(
        round_, actor=admin, reason="Chấm lại câu 3", now=NOW + timedelta(days=1)
    )
    db.session.commit()
    assert (first.ranking.version, second.ranking.version) == (1, 2)
    assert entries(second) == entries(first)  # the same order: frozen and stable
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action.like("contests.%"))
        .order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == [
        "contests.ranked",
        "contests.ranking_corrected",
    ]
    assert events[1].detail["reason"] == "Chấm lại câu 3"
    assert events[1].actor_id == admin.id
    assert db.session.get(Ranking, first.ranking.id).version == 1  # kept as it was


def test_partial_credit_counts_only_full_marks(tree):
    bank = QuestionBank(code="B", title="B")
    db.session.add(bank)
    db.session.flush()
    question = Question(code="Q1", bank_id=bank.id)
    db.session.add(question)
    db.session.flush()
    version = QuestionVersion(
        question_id=question.id,
        type="multiple",
        stem_md="?",
        stem_html="?",
        options=[],
        content_hash="x",
    )
    db.session.add(version)
    db.session.commit()
    round_ = make_round(make_contest([tree["P"]]), partial=True, questions=3)
    a, b = people(tree, 2)
    add_answers(attempt(round_, a, 0, questions=3), [1.0, 1.0, 0.5], version.id)
    add_answers(attempt(round_, b, 0, questions=3), [1.0, 1.0, 1.0], version.id)
    result = ranking.rank_round(round_, now=NOW)
    rights = db.session.scalars(
        select(RankingEntry.right_answers)
        .where(RankingEntry.ranking_id == result.ranking.id)
        .order_by(RankingEntry.rank)
    ).all()
    assert rights == [3, 2]
    assert result.ranking.perfect_count == 1


def test_ranking_a_round_makes_its_results_known(tree):
    """Ranking tells the domains that keep a sealed round's results until then (the
    xAPI statements with the scores: tests/quizzes/test_sealed.py)."""
    from app.signals import results_opened

    round_ = make_round(make_contest([tree["P"]]))
    (a,) = people(tree, 1)
    attempt(round_, a, 4, prediction=0, seconds=10)
    heard = []

    def listener(quiz, **_):
        heard.append(quiz)

    results_opened.connect(listener)
    try:
        ranking.rank_round(round_, now=NOW)
    finally:
        results_opened.disconnect(listener)
    assert heard == [round_.quiz]


def test_a_cadre_moved_after_submitting_competes_for_the_unit_of_that_day(tree):
    """Moved out of the targets after the round: still ranked, with the unit it
    competed for (and its perfect score still counts for everyone's prediction
    gap); moved between target units: counted where it was."""
    from datetime import date

    from app.accounts import services as accounts
    from app.accounts.models import Assignment

    contest = make_contest([tree["D"]])
    round_ = make_round(contest)
    a, b, c = people(tree, 3)
    for row in db.session.scalars(select(Assignment)):
        row.valid_from = date(2026, 1, 1)  # in D1 long before the round
    db.session.commit()
    attempt(round_, a, 5, prediction=1)
    attempt(round_, b, 4, prediction=1)
    attempt(round_, c, 3, prediction=1)
    accounts.reassign(a, unit=tree["C1"])  # out of the targets, after the round
    accounts.reassign(b, unit=tree["D1A"])  # to another target unit
    db.session.commit()
    result = ranking.rank_round(round_, now=NOW)
    assert entries(result) == [("u0", 1, False), ("u1", 2, False), ("u2", 3, False)]
    assert result.ranking.perfect_count == 1
    units = dict(
        db.session.execute(
            select(RankingEntry.user_id, RankingEntry.unit_id).where(
                RankingEntry.ranking_id == result.ranking.id
            )
        ).all()
    )
    assert units == {a.id: tree["D1"].id, b.id: tree["D1"].id, c.id: tree["D1"].id}
    # someone already outside the targets on the day stays out
    second = make_round(contest, 2)
    attempt(second, make_user("ngoai", tree["C1"]), 5)
    assert ranking.read_candidates(contest, second.quiz) == []


def test_every_answer_right_is_measured_one_way_everywhere(tree):
    """ "All right" is is_all_right against the round's number of questions: the
    ranking's count (the number predictions are measured against) and the
    per-unit perfect scores agree, even for an attempt drawn with fewer
    questions (a draw changed before the round was locked)."""
    from app.contests import results
    from app.contests.order import is_all_right

    assert is_all_right(5, 5) and not is_all_right(4, 5)
    assert not is_all_right(0, 0)
    round_ = make_round(make_contest([tree["P"]]))  # 5 questions
    a, b, c = people(tree, 3)
    attempt(round_, a, 4, questions=4)  # all right of an older, smaller draw
    attempt(round_, b, 4)
    attempt(round_, c, 5, prediction=1)
    result = ranking.rank_round(round_, now=NOW)
    assert result.ranking.question_count == 5
    assert result.ranking.perfect_count == 1
    rows = results.unit_results(round_.contest, result.ranking)
    assert results.totals(rows).perfect == 1
    assert entries(result)[0] == ("u2", 1, False)
