"""The ranking job tells its page how far it got, as the other jobs do: its stages,
and the entries written out of how many (done / total)."""

from sqlalchemy import select

from app.contests.models import RankingEntry
from app.extensions import db
from app.jobs import progress
from app.jobs import services as jobs
from app.jobs.models import FINISHED, Job
from tests.contests.rank_helpers import attempt, make_contest, make_round, people
from tests.factories import make_tree

WRITING = "Xếp hạng và ghi bảng xếp hạng"


def _recorded(monkeypatch) -> list[tuple]:
    """(stage, done, total) at every progress write the job asks for (whether or
    not the database takes it: an in-memory SQLite one cannot, beside the task)."""
    seen = []
    write = progress.Progress._write

    def recording(self, force=False):
        seen.append((self.stage, self.done, self.total))
        write(self, force)

    monkeypatch.setattr(progress.Progress, "_write", recording)
    monkeypatch.setattr(progress.Progress, "EVERY", 0)  # every step, not once a second
    return seen


def _run(params: dict) -> Job:
    job = jobs.submit("contests.rank", "Xếp hạng", None, params)
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.state == FINISHED, job.message
    return job


def test_ranking_a_round_reports_its_stages_and_the_entries_written(app, monkeypatch):
    seen = _recorded(monkeypatch)
    with app.app_context():
        tree = make_tree()
        contest = make_contest([tree["P"]])
        round_ = make_round(contest, 1, prizes={"nhat": 1})
        for n, person in enumerate(people(tree, 4)):
            attempt(round_, person, 5 - n)
        _run({"round": round_.code})
        assert db.session.scalar(select(db.func.count(RankingEntry.id))) == 4
    stages = list(dict.fromkeys(stage for stage, _, _ in seen))
    assert stages == [
        "Xếp hạng cuộc thi",
        "Đọc các bài thi đã nộp",
        WRITING,
        "Tổng hợp theo đơn vị và lập danh sách giải",
    ]
    writing = [(done, total) for stage, done, total in seen if stage == WRITING]
    assert writing[0] == (0, 4) and writing[-1] == (4, 4)
    assert all(total == 4 for _, total in writing)
    assert seen[-1] == ("Tổng hợp theo đơn vị và lập danh sách giải", 2, 2)


def test_ranking_the_whole_contest_reports_the_entries_written(app, monkeypatch):
    with app.app_context():
        tree = make_tree()
        contest = make_contest([tree["P"]])
        round_ = make_round(contest, 1)
        for person in people(tree, 3):
            attempt(round_, person, 4)
        _run({"round": round_.code})
        seen = _recorded(monkeypatch)
        _run({"contest": contest.code})
    stages = list(dict.fromkeys(stage for stage, _, _ in seen))
    assert stages == [
        "Xếp hạng cuộc thi",
        "Đọc bảng xếp hạng các đợt",
        WRITING,
        "Tổng hợp theo đơn vị",
    ]
    assert (WRITING, 3, 3) in seen
