"""`flask contests rank` and `rank-due`: jobs run here, their summaries printed."""

from datetime import timedelta

from sqlalchemy import func, select

from app.contests.models import Ranking
from app.extensions import db
from app.jobs.models import Job
from app.timeutil import utcnow
from tests.contests.rank_helpers import attempt, make_contest, make_round, people
from tests.factories import make_tree


def _setup(app):
    """Contest CT: round 1 closed yesterday (two people), round 2 still open."""
    with app.app_context():
        tree = make_tree()
        contest = make_contest([tree["P"]])
        closed = make_round(
            contest,
            1,
            prizes={"nhat": 1},
            opens=utcnow() - timedelta(days=10),
            closes=utcnow() - timedelta(days=1),
        )
        make_round(contest, 2, opens=utcnow() - timedelta(days=1), closes=None)
        a, b = people(tree, 2)
        attempt(closed, a, 5, prediction=1)
        attempt(closed, b, 3, prediction=1)


def _versions(app, round_id=...):
    with app.app_context():
        query = select(func.count()).select_from(Ranking)
        if round_id is None:
            query = query.where(Ranking.round_id.is_(None))
        return db.session.scalar(query)


def test_rank_a_round_then_correct_it_with_a_reason(app, runner):
    _setup(app)
    result = runner.invoke(args=["contests", "rank", "--round", "CT-1"])
    assert result.exit_code == 0, result.output
    assert "phiên bản 1: 2 người dự thi, 1 người đúng tất cả 5 câu; 1 giải" in (
        result.output
    )
    again = runner.invoke(args=["contests", "rank", "--round", "CT-1"])
    assert again.exit_code != 0 and "cần ghi lý do" in again.output
    fixed = runner.invoke(
        args=["contests", "rank", "--round", "CT-1", "--reason", "Sửa đáp án câu 2"]
    )
    assert fixed.exit_code == 0 and "phiên bản 2" in fixed.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Job)) == 3


def test_rank_refuses_an_open_round_and_bad_arguments(app, runner):
    _setup(app)
    result = runner.invoke(args=["contests", "rank", "--round", "CT-2"])
    assert result.exit_code != 0 and "chưa kết thúc" in result.output
    result = runner.invoke(args=["contests", "rank", "--round", "NOPE"])
    assert result.exit_code != 0 and "Không tìm thấy đợt thi" in result.output
    result = runner.invoke(args=["contests", "rank"])
    assert result.exit_code != 0 and "--round" in result.output
    both = ["contests", "rank", "--round", "CT-1", "--contest", "CT"]
    assert runner.invoke(args=both).exit_code != 0
    result = runner.invoke(args=["contests", "rank", "--contest", "CT"])
    assert result.exit_code != 0 and "Chưa có đợt thi nào" in result.output
    assert _versions(app) == 0


def test_rank_due_ranks_closed_rounds_once_and_the_contest(app, runner):
    _setup(app)
    result = runner.invoke(args=["contests", "rank-due"])
    assert result.exit_code == 0, result.output
    assert "đợt CT-1" in result.output and "Xếp hạng CT:" in result.output
    assert _versions(app) == 2  # round 1 and the whole contest
    assert _versions(app, None) == 1
    result = runner.invoke(args=["contests", "rank-due"])
    assert result.exit_code == 0 and "Không có đợt thi nào" in result.output
    assert _versions(app) == 2


def test_the_public_page_shows_a_new_ranking_at_once(app, runner, client):
    """The public page keeps its data a minute; a ranking drops that copy when it
    is committed, so its results are not hidden for up to a minute."""
    with app.app_context():
        tree = make_tree()
        closed = make_round(
            make_contest([tree["P"]]),
            1,
            prizes={"nhat": 1},
            opens=utcnow() - timedelta(days=10),
            closes=utcnow() - timedelta(days=1),
        )
        a, b = people(tree, 2)
        attempt(closed, a, 5, prediction=1)
        attempt(closed, b, 3, prediction=1)
    before = client.get("/contests/CT").get_data(as_text=True)
    assert "kết quả sẽ được công bố" in before and "Người Thi 00" not in before
    result = runner.invoke(args=["contests", "rank", "--round", "CT-1"])
    assert result.exit_code == 0, result.output
    after = client.get("/contests/CT").get_data(as_text=True)
    assert "Người Thi 00" in after and "kết quả sẽ được công bố" not in after


def test_rank_due_titles_its_jobs_as_rank_does_in_the_readers_language(app, runner):
    """rank-due's jobs carry the same lazy titles as `rank --round|--contest`:
    kept with their catalogue parts, shown in the reader's language."""
    from flask_babel import force_locale

    from app.jobs.messages import title as shown_title
    from app.jobs.models import Job

    _setup(app)
    assert runner.invoke(args=["contests", "rank-due"]).exit_code == 0
    with app.app_context():
        jobs = {j.title: j for j in db.session.scalars(select(Job))}
        assert set(jobs) == {"Xếp hạng đợt CT-1", "Xếp hạng CT"}
        assert all(j.title_parts for j in jobs.values())
        with app.test_request_context(), force_locale("en"):
            assert shown_title(jobs["Xếp hạng đợt CT-1"]) == "Ranking of round CT-1"


def test_rank_due_with_the_queue_ranks_the_contest_at_a_later_run(
    app, runner, monkeypatch
):
    """With --queue on RQ the round's job goes to a worker and is not ranked when
    the command ends: the contest waits for it, and the next run (the timer's)
    sends the whole contest's ranking, once; the run after finds nothing."""
    from app.jobs import runner as job_runner

    _setup(app)
    app.config["JOBS_RUNNER"] = "rq"
    sent = []
    monkeypatch.setattr(job_runner, "dispatch", lambda job_id, n: sent.append(job_id))

    def worker():  # the workers run what was sent
        while sent:
            job_runner.run_isolated(app, sent.pop(0))

    first = runner.invoke(args=["contests", "rank-due", "--queue"])
    assert first.exit_code == 0, first.output
    assert len(sent) == 1 and _versions(app, None) == 0
    worker()
    assert _versions(app) == 1 and _versions(app, None) == 0
    second = runner.invoke(args=["contests", "rank-due", "--queue"])
    assert second.exit_code == 0 and "Đã giao việc" in second.output, second.output
    worker()
    assert _versions(app, None) == 1
    third = runner.invoke(args=["contests", "rank-due", "--queue"])
    assert third.exit_code == 0 and "Không có đợt thi nào" in third.output
    assert not sent and _versions(app) == 2


def test_rank_due_ranks_the_contest_again_after_a_round_is_corrected(app, runner):
    """A round ranked again (a late correction) makes the contest's ranking
    older than its rounds': the next rank-due follows it with a new version."""
    _setup(app)
    assert runner.invoke(args=["contests", "rank-due"]).exit_code == 0
    fixed = ["contests", "rank", "--round", "CT-1", "--reason", "Sửa đáp án"]
    assert runner.invoke(args=fixed).exit_code == 0
    again = runner.invoke(args=["contests", "rank-due"])
    assert again.exit_code == 0 and "Xếp hạng CT:" in again.output, again.output
    assert _versions(app, None) == 2
