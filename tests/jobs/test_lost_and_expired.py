"""Jobs that their process left behind are failed by the sweep (and their rows go
later, as other ended ones); a result past its time is shown expired on its page
before the sweep removes it; "Việc của tôi" says how long results are kept."""

from datetime import timedelta

import pytest

from app.extensions import db
from app.jobs import messages, progress, results
from app.jobs import services as jobs
from app.jobs.models import EXPIRED, FAILED, FINISHED, QUEUED, RUNNING, Job
from app.timeutil import utcnow
from tests.conftest import AuthActions
from tests.factories import make_tree, make_user


@pytest.fixture
def owner(app) -> int:
    with app.app_context():
        tree = make_tree()
        officer = make_user("hr_d", tree["D"])
        db.session.commit()
        return officer.id


def _add(app, job_id: str, owner_id: int, kind: str, **columns) -> None:
    with app.app_context():
        db.session.add(
            Job(id=job_id, kind=kind, title="Việc", owner_id=owner_id, **columns)
        )
        db.session.commit()


def _row(app, job_id: str) -> Job | None:
    with app.app_context():
        job = db.session.get(Job, job_id)
        if job is not None:
            db.session.expunge(job)
        return job


def test_the_sweep_fails_jobs_whose_process_died_and_their_rows_go_later(app, owner):
    now = utcnow()
    long_ago = now - timedelta(days=60)
    lately = now - timedelta(seconds=app.config["JOBS_STALL_SECONDS"] + 60)
    died = {"state": RUNNING, "runs": 1, "created_at": long_ago}
    _add(app, "a" * 32, owner, "certificates.zip", **died, heartbeat_at=long_ago)
    _add(app, "b" * 32, owner, "reminders.send", state=QUEUED, created_at=long_ago)
    # Shown failed already, but a run may last JOBS_TIMEOUT_SECONDS: not yet failed.
    _add(app, "c" * 32, owner, "certificates.zip", **died, heartbeat_at=lately)
    _add(app, "d" * 32, owner, "certificates.zip", **died, heartbeat_at=now)
    with app.app_context():
        jobs.sweep(now)
        lost = messages.stored(messages.lost("certificates.zip"))
        kept = messages.stored(messages.lost("reminders.send"))
    running, queued = _row(app, "a" * 32), _row(app, "b" * 32)
    assert (running.state, running.message) == (FAILED, lost)
    assert (queued.state, queued.message) == (FAILED, kept)
    assert running.finished_at == now and "vẫn được giữ" in kept
    assert _row(app, "c" * 32).state == RUNNING
    with app.app_context():
        assert jobs.shown_state(_row(app, "c" * 32), now) == FAILED
    assert _row(app, "d" * 32).state == RUNNING
    with app.app_context():
        jobs.sweep(now + timedelta(days=results.KEEP_ROWS_DAYS + 1))
    assert _row(app, "a" * 32) is None and _row(app, "b" * 32) is None


def test_a_result_past_its_time_is_shown_expired_on_its_page(app, client, owner):
    now = utcnow()
    job_id = "e" * 32
    with app.app_context():
        folder = progress.jobs_dir(create=True)
    (folder / f"{job_id}.txt").write_text("kết quả", encoding="utf-8")
    _add(
        app,
        job_id,
        owner,
        "certificates.zip",
        params={"campaign": "C2026", "unit": 1},
        state=FINISHED,
        runs=1,
        message="Đã xong.",
        result_file=f"{job_id}.txt",
        result_name="kết quả.txt",
        finished_at=now - timedelta(days=1),
        expires_at=now - timedelta(hours=2),
    )
    AuthActions(client).login("hr_d")
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Tải về" not in page and "Tệp được giữ đến" not in page
    assert "Đã hết hạn" in page
    # its owner, HR of no unit, may not have a ZIP of certificates: nothing to
    # run again is offered (test_rerun: what an officer in scope is offered)
    assert "Chạy lại" not in page and "hãy chạy lại" not in page
    assert client.get(f"/jobs/{job_id}.json").json["state"] == EXPIRED
    assert client.get(f"/jobs/{job_id}/download").status_code == 410


@pytest.mark.parametrize(
    ("seconds", "vietnamese", "english"),
    [
        (1800, "30 phút", "30 minutes"),
        (60, "1 phút", "1 minute"),
        (20, "1 phút", "1 minute"),
        (3600, "1 giờ", "1 hour"),
        (5400, "1 giờ 30 phút", "1 hour 30 minutes"),
        (86400, "24 giờ", "24 hours"),
    ],
)
def test_my_jobs_says_how_long_results_are_kept(
    app, client, owner, seconds, vietnamese, english
):
    app.config["JOBS_RESULT_TTL_SECONDS"] = seconds
    AuthActions(client).login("hr_d")
    page = client.get("/jobs/").get_data(as_text=True)
    assert f"giữ để tải về trong {vietnamese} rồi tự xóa" in page
    client.post(
        "/language",
        data={"language": "en", "csrf_token": AuthActions(client).token("/")},
    )
    page = client.get("/jobs/").get_data(as_text=True)
    assert f"downloaded for {english}, then" in page


def test_flask_jobs_list_shows_the_state_the_page_shows(app, client, owner):
    """`flask jobs list` asks services.shown_state, as the job's page and the sweep
    do: a job its queue lost past the patience, or a running one without a sign of
    life, is failed there too; a live one is as its row says."""
    now = utcnow()
    patience = timedelta(seconds=app.config["JOBS_QUEUE_PATIENCE_SECONDS"] + 60)
    stalled = timedelta(seconds=app.config["JOBS_STALL_SECONDS"] + 60)
    running = {"state": RUNNING, "runs": 1, "created_at": now - stalled}
    _add(app, "a" * 32, owner, "certificates.zip", state=QUEUED, created_at=now)
    _add(
        app,
        "b" * 32,
        owner,
        "certificates.zip",
        state=QUEUED,
        created_at=now - patience,
    )
    _add(app, "c" * 32, owner, "certificates.zip", **running, heartbeat_at=now)
    _add(
        app, "d" * 32, owner, "certificates.zip", **running, heartbeat_at=now - stalled
    )
    listed = app.test_cli_runner().invoke(args=["jobs", "list"]).output
    states = {line.split()[0]: line.split()[1] for line in listed.splitlines()}
    AuthActions(client).login("hr_d")
    for letter in "abcd":
        page = client.get(f"/jobs/{letter * 32}.json").json["state"]
        assert states[letter * 32] == page, (letter, listed)
    assert [states[letter * 32] for letter in "abcd"] == [
        QUEUED,
        FAILED,
        RUNNING,
        FAILED,
    ]
