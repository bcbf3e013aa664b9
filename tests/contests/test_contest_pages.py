"""The public contest pages: what anyone sees, the participation counts (cached,
one grouped query), the results of a closed round read from the stored ranking,
"Vào thi" for a participant and a clear refusal for anyone else."""

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from app.accounts.models import Unit, User
from app.contests.learner import open_rounds_for
from app.contests.models import Contest, ContestRound, Prize, Ranking, RankingEntry
from app.contests.pages import load_contest_page
from app.contests.participation import (
    CLOSED,
    NOT_OPEN,
    RUNNING,
    count_participation,
    round_state,
)
from app.contests.results import freeze_units
from app.errors import NotAllowed
from app.extensions import cache, db
from app.quizzes import attempts
from app.quizzes.models import Attempt, Quiz
from app.timeutil import utcnow
from tests.contests.helpers import make_contest

PAGE = "/contests/ct"


@pytest.fixture
def contest(app, tmp_path):
    with app.app_context():
        return make_contest(tmp_path)


def _user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def _round(code: str) -> ContestRound:
    return db.session.scalar(select(ContestRound).where(ContestRound.code == code))


def _take(username: str, code: str = "r2", finish: bool = False, preview=False):
    quiz = _round(code).quiz
    attempt = attempts.start_attempt(_user(username), quiz, preview=preview)
    if finish:
        attempts.finalise(attempt)
    db.session.commit()
    return attempt


def test_anyone_sees_the_contest_its_rounds_and_rules(client, contest):
    page = client.get(PAGE).get_data(as_text=True)
    assert "Cuộc thi thử" in page and "Đơn vị tổ chức: Sở Nội vụ" in page
    assert "<strong>cuộc thi</strong>" in page and "Thể lệ" in page
    assert "Đã kết thúc" in page and "Đang diễn ra" in page
    assert "Đăng nhập để dự thi" in page and "Vào thi" not in page
    assert "Giải Nhất: 1" in page
    listing = client.get("/contests").get_data(as_text=True)
    assert "Cuộc thi thử" in listing and 'href="/contests/ct"' in listing
    assert client.get("/contests/nope").status_code == 404


def test_a_round_not_yet_open_says_so(app, client, tmp_path):
    with app.app_context():
        from tests.contests.helpers import moment

        make_contest(tmp_path, r2_opens=moment(2), r2_closes=moment(5))
    page = client.get(PAGE).get_data(as_text=True)
    assert "Chưa mở" in page and "Số người tham gia" not in page


def test_participation_counts_per_unit_while_the_round_runs(app, client, contest):
    with app.app_context():
        _take("cadre")
        _take("cadre2", finish=True)
        _take("trainer", preview=True)  # a preview is nobody's participation
    page = client.get(PAGE).get_data(as_text=True)
    assert "Tổng cộng: 2 người" in page, page[page.find("Đợt 2") :][:3000]
    assert '<td>Phòng Công chức</td><td class="num">2</td>' in page
    # the target's own cadres, worded as the results per unit word them
    assert '<td>Sở Nội vụ (cán bộ trực thuộc)</td><td class="num">0</td>' in page
    with app.app_context():
        _take("cadre", code="r2")  # resumes: still one participant
        with pytest.raises(NotAllowed):  # the attempt core refuses a non-target
            _take("outsider")
        _take("trainer")  # a cadre of the target unit, in earnest this time
    cached = client.get(PAGE).get_data(as_text=True)
    assert "Tổng cộng: 2 người" in cached  # at most once a minute
    with app.app_context():
        cache.clear()
    assert "Tổng cộng: 3 người" in client.get(PAGE).get_data(as_text=True)


def test_the_participation_query_is_one_statement(app, contest):
    with app.app_context():
        _take("cadre")
        page = load_contest_page("ct")
        running = page.running(utcnow())
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            counts = count_participation(
                running.quiz_id, running.code, list(page.groups), utcnow()
            )
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert len(statements) == 1 and "GROUP BY" in statements[0]
        assert counts.total == 1


def test_a_participant_moved_out_of_the_targets_is_in_no_row_and_no_total(app, contest):
    with app.app_context():
        _take("cadre")
        _take("cadre2")
        page = load_contest_page("ct")
        running = page.running(utcnow())
        groups = list(page.groups)
        before = count_participation(running.quiz_id, running.code, groups, utcnow())
        outside = db.session.scalar(select(Unit).where(Unit.code == "C1"))
        _user("cadre2").unit_id = outside.id  # moved out of the contest's targets
        db.session.commit()
        after = count_participation(running.quiz_id, running.code, groups, utcnow())
    assert before.total == 2 and after.total == 1
    assert after.total == sum(row.count for row in after.units)


def test_no_score_before_the_round_closes(app, client, auth, contest):
    with app.app_context():
        attempt = _take("cadre", finish=True)
        assert attempt.score is not None
    auth.login("cadre")
    page = client.get(PAGE).get_data(as_text=True)
    assert "Lượt 1: đã nộp" in page
    assert "câu đúng</span>" not in page and "Kết quả</h4>" not in page


def _rank(
    app, code: str, version: int = 1, perfect: int = 1, levels=("nhat", "nhat", "nhi")
) -> None:
    """A stored ranking of round `code`: two tied first, a third; prizes."""
    with app.app_context():
        row = _round(code)
        ranking = Ranking(
            contest_id=row.contest_id,
            round_id=row.id,
            version=version,
            question_count=2,
            perfect_count=perfect,
            participants=3,
        )
        db.session.add(ranking)
        db.session.flush()
        entries = []
        for rank, name, right, tied in (
            (1, "cadre", 2, True),
            (1, "cadre2", 2, True),
            (3, "trainer", 1, False),
        ):
            user = _user(name)
            entry = RankingEntry(
                ranking_id=ranking.id,
                rank=rank,
                user_id=user.id,
                unit_id=user.unit_id,
                right_answers=right,
                prediction=4,
                prediction_gap=3,
                time_used_seconds=61.0,
                tied=tied,
                full_name=user.full_name,
                name_sort=user.name_sort,
                unit_name=user.unit.name,
            )
            db.session.add(entry)
            entries.append(entry)
        db.session.flush()
        for entry, level in zip(entries, levels, strict=True):
            db.session.add(
                Prize(
                    ranking_id=ranking.id,
                    entry_id=entry.id,
                    user_id=entry.user_id,
                    level=level,
                )
            )
        freeze_units(row.contest, ranking)  # as ranking.rank_round keeps them
        db.session.commit()
        cache.clear()


def test_a_closed_round_shows_the_latest_ranking_with_ties_and_prizes(
    app, client, contest
):
    _rank(app, "r1", version=1, perfect=9)
    _rank(app, "r1", version=2, perfect=1)
    page = client.get(PAGE).get_data(as_text=True)
    assert "Danh sách đạt giải" in page and "Giải Nhì" in page
    assert page.count("đồng hạng") == 2
    assert "1 người trả lời đúng tất cả 2 câu hỏi" in page  # version 2's
    assert "phiên bản 2" in page and "Lê Văn Thi" in page
    # the time as every paper prints it (papers.duration), not raw seconds
    assert '<td class="num">01:01</td>' in page and ">61<" not in page
    # and the results per unit kept with the ranking, as the staff page shows them
    units = page.split("Kết quả theo đơn vị")[1].split("</table>")[0]
    cells = (
        '<td class="num">2</td><td class="num">2</td><td class="num">100,0\xa0%</td>'
    )
    assert f'<th scope="row">Phòng Công chức</th>{cells}' in units
    assert "Sở Nội vụ (cán bộ trực thuộc)" in units


def test_a_tie_left_to_the_council_is_named_so_on_the_public_page(app, client, contest):
    _rank(app, "r1", levels=("cho_xet:nhat", "cho_xet:nhat", "nhi"))
    page = client.get(PAGE).get_data(as_text=True)
    assert page.count("Đồng hạng, chờ Hội đồng xét (Giải Nhất)") == 2
    assert "cho_xet" not in page
    assert "Giải Nhì" in page


def test_a_ranking_of_a_running_round_is_never_shown(app, client, contest):
    _rank(app, "r2")
    page = client.get(PAGE).get_data(as_text=True)
    assert "Danh sách đạt giải" not in page and "Lê Văn Thi" not in page
    assert "đồng hạng" not in page


def test_a_closed_round_without_ranking_says_results_will_follow(client, contest):
    assert "kết quả sẽ được công bố" in client.get(PAGE).get_data(as_text=True)


def test_a_participant_starts_the_running_round(app, client, auth, contest):
    auth.login("cadre")
    page = client.get(PAGE).get_data(as_text=True)
    assert page.count("Vào thi") == 1  # the running round only
    start = client.post(
        f"{PAGE}/rounds/r2/start", data={"csrf_token": auth.token(PAGE)}
    )
    assert start.status_code == 302 and "/attempts/" in start.location
    with app.app_context():
        attempt = db.session.scalar(select(Attempt))
        assert attempt.quiz_id == _round("r2").quiz_id
    assert "Tiếp tục làm bài" in client.get(PAGE).get_data(as_text=True)
    closed = client.post(
        f"{PAGE}/rounds/r1/start",
        data={"csrf_token": auth.token(PAGE)},
        follow_redirects=True,
    )
    assert "đã đóng" in closed.get_data(as_text=True)


def test_no_start_offered_once_the_attempts_are_used_up(app, client, auth, contest):
    auth.login("cadre")
    with app.app_context():
        allowed = db.session.get(Quiz, _round("r2").quiz_id).attempts_allowed
    for _ in range(allowed):
        client.post(f"{PAGE}/rounds/r2/start", data={"csrf_token": auth.token(PAGE)})
        with app.app_context():
            open_ = db.session.scalar(select(Attempt).where(Attempt.state == "open"))
            attempts.finalise(open_)
            db.session.commit()
    page = client.get(PAGE).get_data(as_text=True)
    assert "Vào thi" not in page and "Tiếp tục làm bài" not in page
    assert f"Bạn đã dùng hết {allowed} lượt làm bài." in page


def test_a_cadre_outside_the_targets_is_refused(app, client, auth, contest):
    auth.login("outsider")
    page = client.get(PAGE).get_data(as_text=True)
    assert "Vào thi" not in page and "không thuộc các đơn vị dự thi" in page
    refused = client.post(
        f"{PAGE}/rounds/r2/start",
        data={"csrf_token": auth.token(PAGE)},
        follow_redirects=True,
    )
    assert "chỉ dành cho cán bộ của các đơn vị dự thi" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Attempt)) is None


def test_starting_needs_a_csrf_token_and_a_known_round(app, client, auth, contest):
    auth.login("cadre")
    assert client.post(f"{PAGE}/rounds/r2/start").status_code == 400
    token = auth.token(PAGE)
    assert (
        client.post(f"{PAGE}/rounds/zz/start", data={"csrf_token": token}).status_code
        == 404
    )
    assert (
        client.post(
            "/contests/zz/rounds/r2/start", data={"csrf_token": token}
        ).status_code
        == 404
    )
    with app.app_context():
        assert db.session.scalar(select(Attempt)) is None


def test_an_inactive_contest_has_no_page(app, client, contest):
    with app.app_context():
        db.session.scalar(select(Contest)).active = False
        db.session.commit()
    assert client.get(PAGE).status_code == 404


def test_the_home_page_invites_participants_only(app, client, auth, contest):
    auth.login("cadre")
    home = client.get("/").get_data(as_text=True)
    assert "Cuộc thi: Cuộc thi thử" in home and 'href="/contests/ct"' in home
    auth.logout()
    auth.login("outsider")
    assert "Cuộc thi: Cuộc thi thử" not in client.get("/").get_data(as_text=True)


def test_a_round_opens_at_its_opening_instant_and_closes_at_its_close(app, contest):
    """The home page's notice (open_rounds_for, a query) and the round's state
    (round_state) go by the quiz window's one rule (quizzes.Window) at both
    instants."""
    second = timedelta(seconds=1)
    with app.app_context():
        quiz, cadre = _round("r2").quiz, _user("cadre")
        title = _round("r2").title
        instants = (
            quiz.opens_at - second,
            quiz.opens_at,
            quiz.closes_at - second,
            quiz.closes_at,
        )
        noticed = [
            title in [r.round_title for r in open_rounds_for(cadre, t)]
            for t in instants
        ]
        assert noticed == [False, True, True, False]
        states = [round_state(quiz.opens_at, quiz.closes_at, t) for t in instants]
        assert states == [NOT_OPEN, RUNNING, RUNNING, CLOSED]


def test_the_running_round_changes_with_the_clock(app, contest):
    with app.app_context():
        page = load_contest_page("ct")
        later = utcnow() + timedelta(days=30)
        assert page.running(utcnow()).code == "r2" and page.running(later) is None
        unit = db.session.scalar(select(Unit).where(Unit.code == "D1A"))
        assert page.admits(_user("cadre")) and unit.path.startswith(
            page.target_paths[0]
        )
        assert not page.admits(_user("outsider"))


def test_a_closed_rounds_results_keep_the_names_they_were_ranked_with(
    app, client, contest
):
    """A cadre and its unit renamed after the round was ranked: the public page
    shows the names of the frozen ranking."""
    from app.contests import ranking
    from app.contests.pages import forget_contest_page
    from tests.contests.rank_helpers import attempt

    with app.app_context():
        attempt(_round("r1"), _user("cadre"), 4, questions=4)
        ranking.rank_round(_round("r1"))
        db.session.commit()
        cadre = _user("cadre")
        cadre.full_name = "Lê Văn Mới"
        cadre.unit.name = "Tổ Đổi Tên"
        db.session.commit()
        forget_contest_page("ct")
    page = client.get(PAGE).get_data(as_text=True)
    assert "Lê Văn Thi" in page and "Lê Văn Mới" not in page
    assert "Tổ Đổi Tên" not in page


def test_the_contest_list_is_two_statements_whatever_the_contests(app, contest):
    """The contests, then their rounds with their quizzes: no query per contest,
    and the long texts the list does not show are left unread."""
    from app.contests import pages
    from tests.contests import rank_helpers

    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.code == "D"))
        for n in range(5):
            other = rank_helpers.make_contest([unit], code=f"K{n}")
            rank_helpers.make_round(other, 1)
            rank_helpers.make_round(other, 2)
        db.session.expire_all()
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            listed = pages.contest_list()
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        statements = [s for s in statements if s.startswith("SELECT")]
        assert len(statements) == 2, statements
        assert "description_md" not in statements[0]
        assert "rules_html" not in statements[0]
        assert [c.code for c in listed][-1] == "ct" and listed[-1].rounds == 2
        assert listed[0].rounds == 2
    page = app.test_client().get("/contests").get_data(as_text=True)
    assert page.count("2 đợt thi") == 6, page


def test_staff_in_scope_find_the_rankings_from_the_contest_pages(
    app, client, auth, contest
):
    """The staff pages of rankings are linked where staff look for them: the
    public page (for the trainer of the owner unit only) and the authoring pages."""
    rankings = 'href="/contests/ct/manage/rankings"'
    assert rankings not in client.get(PAGE).get_data(as_text=True)  # anonymous
    for outsider in ("cadre", "other"):  # a participant; a trainer out of scope
        auth.login(outsider)
        assert rankings not in client.get(PAGE).get_data(as_text=True)
        auth.logout()
    auth.login("trainer")
    assert rankings in client.get(PAGE).get_data(as_text=True)
    assert rankings in client.get("/authoring/contests").get_data(as_text=True)
    assert rankings in client.get("/authoring/contests/ct").get_data(as_text=True)
    assert client.get("/contests/ct/manage/rankings").status_code == 200
