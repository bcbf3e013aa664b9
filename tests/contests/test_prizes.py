"""Prizes drawn from a ranking: one per round, one per contest when configured,
ties at a prize boundary; and the results per unit."""

import pytest
from sqlalchemy import select

from app.contests import prizes, ranking, results
from app.contests.models import Prize
from app.contests.prizes import Candidate, draw, places
from app.contests.sync import RETIRED_NUMBER
from app.errors import Conflict
from app.extensions import db
from tests.contests.rank_helpers import NOW, attempt, make_contest, make_round, people
from tests.factories import make_tree, make_user

PRIZES = {"nhat": 1, "nhi": 1, "ba": 1, "khuyen_khich": 1}


def c(user_id, rank, right=5):
    return Candidate(user_id, user_id, rank, right)


def levels(result):
    return [(e.user_id, level) for e, level in result.awards]


def test_places_read_the_configuration_highest_first():
    config = {"khuyen_khich": 2, "nhat": 1, "nhi": 0, "ba": "3", "x": 4, "ba2": -1}
    assert places(config) == ["nhat", "khuyen_khich", "khuyen_khich"]
    assert places(None) == []


def test_in_rank_order_without_ties():
    result = draw([c(1, 1), c(2, 2), c(3, 3), c(4, 4), c(5, 5)], places(PRIZES))
    assert levels(result) == [(1, "nhat"), (2, "nhi"), (3, "ba"), (4, "khuyen_khich")]
    assert result.pending == []


def test_a_tie_within_a_level_shares_it():
    config = {"nhat": 1, "nhi": 2, "ba": 1}
    result = draw([c(1, 1), c(2, 2), c(3, 2), c(4, 4)], places(config))
    assert levels(result) == [(1, "nhat"), (2, "nhi"), (3, "nhi"), (4, "ba")]
    assert result.pending == []


def pending(result):
    return [(e.user_id, level) for e, level in result.pending]


@pytest.mark.parametrize(
    "ranks, awarded, left",
    [
        # two tied for the one giải nhất: the council gives the nhất and a nhì
        ([1, 1, 3, 4], [(3, "nhi"), (4, "ba")], [(1, "nhat"), (2, "nhat")]),
        # three tied for the two giải nhì: the council gives two nhì and a ba
        (
            [1, 2, 2, 2, 5, 6],
            [(1, "nhat"), (5, "ba"), (6, "ba")],
            [(2, "nhi"), (3, "nhi"), (4, "nhi")],
        ),
        # tied across the last giải ba
        (
            [1, 2, 3, 4, 5, 6, 6, 8],
            [(1, "nhat"), (2, "nhi"), (3, "nhi"), (4, "ba"), (5, "ba")],
            [(6, "ba"), (7, "ba")],
        ),
        # tied across the last giải khuyến khích: more tied than places left
        (
            [1, 2, 3, 4, 5, 6, 7, 7, 9],
            list(enumerate(["nhat", "nhi", "nhi", "ba", "ba", "ba"], 1)),
            [(7, "khuyen_khich"), (8, "khuyen_khich")],
        ),
    ],
)
def test_a_tie_across_a_levels_boundary_is_left_to_the_council(ranks, awarded, left):
    """No level is given more prizes than configured: a tie across the boundary
    of its level is pending at that level, and takes as many places."""
    config = {"nhat": 1, "nhi": 2, "ba": 3, "khuyen_khich": 1}
    result = draw([c(i, rank) for i, rank in enumerate(ranks, 1)], places(config))
    assert levels(result) == awarded
    assert pending(result) == left
    won = [level for _, level in awarded]
    for level in config:
        assert won.count(level) <= config[level]


def test_a_tie_across_the_last_place_is_left_to_the_council():
    entries = [c(1, 1), c(2, 2), c(3, 3), c(4, 4), c(5, 4), c(6, 6)]
    result = draw(entries, places(PRIZES))
    assert levels(result) == [(1, "nhat"), (2, "nhi"), (3, "ba")]
    assert [(e.user_id, level) for e, level in result.pending] == [
        (4, "khuyen_khich"),
        (5, "khuyen_khich"),
    ]


def test_no_prize_without_a_right_answer_and_excluded_people_are_skipped():
    entries = [c(1, 1), c(2, 2), c(3, 3, right=0)]
    result = draw(entries, places(PRIZES), excluded={1})
    assert levels(result) == [(2, "nhat")]


@pytest.fixture
def tree(ctx):
    return make_tree()


def _stored(result):
    return sorted(
        (row.user_id, row.level)
        for row in db.session.scalars(
            select(Prize).where(Prize.ranking_id == result.ranking.id)
        )
    )


def test_one_prize_per_contest_skips_earlier_winners(tree):
    contest = make_contest([tree["P"]], one_prize_per_contest=True)
    first = make_round(contest, 1, prizes={"nhat": 1, "nhi": 1})
    second = make_round(contest, 2, prizes={"nhat": 1, "nhi": 1})
    a, b, c_, d = people(tree, 4)
    for round_ in (first, second):
        attempt(round_, a, 5, seconds=100)
        attempt(round_, b, 4, seconds=100)
        attempt(round_, c_, 3, seconds=100)
        attempt(round_, d, 2, seconds=100)
    ranked = ranking.rank_round(first, now=NOW)
    assert _stored(ranked) == [(a.id, "nhat"), (b.id, "nhi")]
    again = ranking.rank_round(second, now=NOW)
    assert _stored(again) == [(c_.id, "nhat"), (d.id, "nhi")]


def test_with_one_prize_per_contest_an_earlier_closed_round_is_ranked_first(tree):
    """Round 2 ranked before round 1 would draw its prizes without skipping round
    1's winners: refused until round 1 has its ranking (rank-due ranks it next)."""
    contest = make_contest([tree["P"]], one_prize_per_contest=True)
    first = make_round(contest, 1, prizes={"nhat": 1})
    second = make_round(contest, 2, prizes={"nhat": 1})
    (a,) = people(tree, 1)
    for round_ in (first, second):
        attempt(round_, a, 5, seconds=100)
    with pytest.raises(Conflict, match="Cần xếp hạng “Đợt thi thứ 1” trước"):
        ranking.rank_round(second, now=NOW)
    ranking.rank_round(first, now=NOW)
    assert _stored(ranking.rank_round(second, now=NOW)) == []  # a won in round 1


def test_a_later_rounds_prizes_say_when_an_earlier_correction_changed_them(tree):
    contest = make_contest([tree["P"]], one_prize_per_contest=True)
    first = make_round(contest, 1, prizes={"nhat": 1, "nhi": 1})
    second = make_round(contest, 2, prizes={"nhat": 1, "nhi": 1})
    a, b, c_, d = people(tree, 4)
    graded = {}
    for round_ in (first, second):
        for person, right in ((a, 5), (b, 4), (c_, 3), (d, 2)):
            graded[round_.number, person.id] = attempt(round_, person, right)
    ranking.rank_round(first, now=NOW)
    drawn = ranking.rank_round(second, now=NOW)
    assert _stored(drawn) == [(c_.id, "nhat"), (d.id, "nhi")]
    assert not prizes.outdated(drawn.ranking, second)
    # round 1 corrected: c had 6 right there, so c and a won it, not a and b
    graded[1, c_.id].score = 6
    ranking.rank_round(first, reason="Chấm lại câu 3", now=NOW)
    assert prizes.outdated(drawn.ranking, second)
    again = ranking.rank_round(second, reason="Theo đợt 1 đã sửa", now=NOW)
    assert _stored(again) == [(b.id, "nhat"), (d.id, "nhi")]
    assert not prizes.outdated(again.ranking, second)


def test_a_rounds_prizes_say_when_its_prize_counts_changed_since(tree):
    """The prize counts of a closed round may still be edited (the council adds a
    prize): the list drawn before says it is out of date, with or without the
    one-prize-per-contest rule, until the round is ranked again."""
    contest = make_contest([tree["P"]])
    round_ = make_round(contest, 1, prizes={"nhat": 1, "nhi": 1})
    a, b, c_ = people(tree, 3)
    for person, right in ((a, 5), (b, 4), (c_, 3)):
        attempt(round_, person, right)
    drawn = ranking.rank_round(round_, now=NOW)
    assert not prizes.outdated(drawn.ranking, round_)
    round_.prizes = {"nhat": 1, "nhi": 1, "ba": 1}
    assert prizes.outdated(drawn.ranking, round_)
    again = ranking.rank_round(round_, reason="Thêm một giải Ba", now=NOW)
    assert _stored(again) == sorted([(a.id, "nhat"), (b.id, "nhi"), (c_.id, "ba")])
    assert not prizes.outdated(again.ranking, round_)
    round_.prizes = {}  # no prize any more
    assert prizes.outdated(again.ranking, round_)


def test_without_the_rule_the_same_people_win_again(tree):
    contest = make_contest([tree["P"]])
    first = make_round(contest, 1, prizes={"nhat": 1})
    second = make_round(contest, 2, prizes={"nhat": 1})
    a, b = people(tree, 2)
    for round_ in (first, second):
        attempt(round_, a, 5)
        attempt(round_, b, 4)
    ranking.rank_round(first, now=NOW)
    assert _stored(ranking.rank_round(second, now=NOW)) == [(a.id, "nhat")]


def test_a_prize_list_row_says_its_level_and_pending_ties(tree):
    contest = make_contest([tree["P"]])
    round_ = make_round(contest, 1, prizes={"nhat": 1, "nhi": 1})
    a, b, c_ = people(tree, 3)
    attempt(round_, a, 5)
    attempt(round_, b, 4)
    attempt(round_, c_, 4)
    result = ranking.rank_round(round_, now=NOW)
    assert (result.prizes, result.pending) == (1, 2)
    rows = prizes.prize_list(result.ranking)
    assert [r.level_label for r in rows] == [
        "Giải Nhất",
        "Đồng hạng, chờ Hội đồng xét (Giải Nhì)",
        "Đồng hạng, chờ Hội đồng xét (Giải Nhì)",
    ]
    assert "2 người đồng hạng chờ Hội đồng xét" in str(result.summary)


def test_results_per_unit_from_the_frozen_ranking(tree):
    contest = make_contest([tree["P"]])
    round_ = make_round(contest, 1)
    d_people = people(tree, 3, "D1A", prefix="d")
    c_people = people(tree, 2, "C1", prefix="c")
    make_user("idle", tree["C"])  # a cadre of C who did not take part
    make_user("gone", tree["C"]).active = False  # not in scope: inactive
    db.session.commit()
    attempt(round_, d_people[0], 5)
    attempt(round_, d_people[1], 3)
    attempt(round_, c_people[0], 5)
    result = ranking.rank_round(round_, now=NOW)
    rows = results.unit_results(contest, result.ranking)
    by_code = {row.unit.code: row for row in rows}
    assert set(by_code) == {"D", "C"}
    d, c_ = by_code["D"], by_code["C"]
    assert (d.participants, d.cadres, d.perfect, d.mean_right) == (2, 3, 1, 4.0)
    assert (c_.participants, c_.cadres, c_.perfect, c_.mean_right) == (1, 3, 1, 5.0)
    assert (d.rate, c_.rate) == (66.7, 33.3)
    assert [r.unit.code for r in results.by_participation(rows)] == ["D", "C"]
    total = results.totals(rows)
    assert (total.participants, total.cadres) == (3, 6)
    page, number, pages = results.entry_page(result.ranking, 1, per_page=2)
    assert (len(page), number, pages) == (2, 1, 2)
    assert page[0].right_answers == 5 and page[0].tied


def test_a_rankings_results_per_unit_stay_as_they_were_when_ranked(tree):
    """Cadres join and a unit is renamed after the ranking: its figures, names and
    rates stay (its papers never change); a new version counts the new state."""
    contest = make_contest([tree["P"]])
    round_ = make_round(contest, 1)
    (d,) = people(tree, 1, "D1A", prefix="d")
    attempt(round_, d, 5)
    first = ranking.rank_round(round_, now=NOW).ranking
    db.session.commit()

    def figures(ranking_):
        return [
            (r.label, r.participants, r.cadres, r.rate)
            for r in results.unit_results(contest, ranking_)
        ]

    before = figures(first)
    for i in range(3):
        make_user(f"new{i}", tree["D1"])
    tree["D"].name = "Sở Nội vụ (mới)"
    db.session.commit()
    assert figures(first) == before
    assert ("Sở Nội vụ", 1, 1, 100.0) in before
    second = ranking.rank_round(round_, reason="Đính chính", now=NOW).ranking
    assert ("Sở Nội vụ (mới)", 1, 4, 25.0) in figures(second)


def test_ties_in_vietnamese_order_and_repeated_unit_names_with_their_parent(tree):
    """Three people tied on every key are listed Ánh, Bình, Đức (not in binary
    order, nor by id) in the ranking, the prize list and the public page; their
    unit "Văn phòng" (a name a unit of C also has) is written with its parent."""
    from app.contests import pages
    from tests.factories import make_unit

    tree["D1A"].name = "Văn phòng"
    make_unit("C9", "Văn phòng", tree["C"])
    contest = make_contest([tree["P"]])
    round_ = make_round(contest, 1, prizes={"nhat": 3})
    for i, name in enumerate(["Lê Văn Đức", "Lê Văn Bình", "Lê Văn Ánh"]):
        attempt(round_, make_user(f"t{i}", tree["D1A"], full_name=name), 5)
    result = ranking.rank_round(round_, now=NOW)
    db.session.commit()
    expected = ["Lê Văn Ánh", "Lê Văn Bình", "Lê Văn Đức"]
    shown = "Văn phòng — Phòng Công chức"
    page, _number, _pages = results.entry_page(result.ranking)
    assert [(r.full_name, r.unit_name) for r in page] == [(n, shown) for n in expected]
    rows = prizes.prize_list(result.ranking)
    assert [(r.full_name, r.unit_name) for r in rows] == [(n, shown) for n in expected]
    public = pages._results([round_.id])[round_.id]
    assert [(p.name, p.unit) for p in public.top] == [(n, shown) for n in expected]
    assert [(p.name, p.unit) for p in public.prizes] == [(n, shown) for n in expected]


def test_units_equal_on_the_figures_are_in_vietnamese_order(tree):
    from app.contests.participation import UnitGroup, count_participation

    rows = [results.UnitResult(None, "Sở Nội vụ"), results.UnitResult(None, "Ấp Bắc")]
    assert [r.label for r in results.by_participation(rows)] == ["Ấp Bắc", "Sở Nội vụ"]
    groups = [UnitGroup(1, "Sở Nội vụ", "/1/"), UnitGroup(2, "Ấp Bắc", "/2/")]
    counts = count_participation(0, "R", groups, NOW)
    assert [u.name for u in counts.units] == ["Ấp Bắc", "Sở Nội vụ"]


def test_collective_order_uses_the_exact_rate_and_keeps_ties_at_the_cut():
    """1000/7000 (14.286 %) and 43/300 (14.333 %) both show as 14.3 %: the exact
    rate orders them; at the cut-off of the announcement's top units every unit
    tied with the last one kept is kept too."""
    from app.contests.results import UnitResult, by_participation, top_by_participation

    big, small = (
        UnitResult(None, "A lớn", 1000, 7000),
        UnitResult(None, "B nhỏ", 43, 300),
    )
    assert big.rate == small.rate == 14.3
    assert [r.label for r in by_participation([big, small])] == ["B nhỏ", "A lớn"]
    rows = [
        UnitResult(None, "Một", 9, 10),
        UnitResult(None, "Hai", 5, 10),
        UnitResult(None, "Ba", 5, 10),
        UnitResult(None, "Bốn", 4, 10),
        UnitResult(None, "Không", 0, 10),
    ]
    assert [r.label for r in top_by_participation(rows, 2)] == ["Một", "Ba", "Hai"]
    assert [r.label for r in top_by_participation(rows, 3)] == ["Một", "Ba", "Hai"]
    assert len(top_by_participation(rows, 9)) == 4


def test_earlier_winners_read_the_current_rounds_not_the_retired(tree):
    """A round taken out of the file (retired, numbered after every current one)
    is not a round of the contest for the ranking: its winners are not skipped,
    as they are not for the rounds the ranking reads (current_rounds)."""
    contest = make_contest([tree["P"]], one_prize_per_contest=True)
    first = make_round(contest, 1, prizes={"nhat": 1})
    retired = make_round(contest, RETIRED_NUMBER + 1, prizes={"nhat": 1})
    later = make_round(contest, RETIRED_NUMBER + 2, prizes={"nhat": 1})
    a, b = people(tree, 2)
    attempt(first, a, 5, seconds=100)
    attempt(retired, b, 5, seconds=100)
    ranking.rank_round(first, now=NOW)
    ranking.rank_round(retired, now=NOW)
    assert prizes.earlier_winners(later) == {a.id}
