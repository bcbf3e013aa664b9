"""Background jobs: progress seen from the job's page while it runs (threads of the
app, a file database), the owner's scope, failures with their reason, retries that
write nothing twice, stalled jobs, results that expire, and the exports, ZIP,
import and certificates that run as jobs."""

import io
import threading
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.audit import services as audit
from app.audit.models import AuditEvent
from app.errors import DomainError, NotFound
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.jobs import messages, progress, results, runner
from app.jobs import services as jobs
from app.jobs.models import EXPIRED, FAILED, FINISHED, RUNNING, Job
from app.jobs.tasks import Outcome, task
from app.records.models import Certificate
from app.timeutil import utcnow
from tests.certificates.helpers import complete, user
from tests.conftest import AuthActions
from tests.factories import make_tree, make_user
from tests.records.helpers import make_campaign

# --- tasks of these tests ------------------------------------------------------------

GATE = threading.Event()  # the counting task waits on it halfway


@task("tests.count")
def count_task(params, owner_id, progress):
    """Counts to params["n"], one line of its file per step (the file grows as the
    job runs: a job killed midway leaves a part, never a result)."""
    progress.begin("Đếm", params["n"])
    path = progress.output("txt")
    with path.open("w", encoding="utf-8") as out:
        for i in range(params["n"]):
            if i == params["n"] // 2 and params.get("wait"):
                GATE.wait(10)
            out.write(f"{i}\n")
            out.flush()
            progress.step()
            time.sleep(params.get("sleep", 0))
    return Outcome(f"Đã đếm {params['n']}.", path, "đếm.txt", "text/plain")


@task("tests.flaky")
def flaky_task(params, owner_id, progress):
    """Writes an audit event and a file, then fails on its first run (runs are
    counted in the file params["counter"], which a forked RQ work horse shares):
    nothing of that run may be kept."""
    counter = Path(params["counter"])
    runs = int(counter.read_text()) + 1 if counter.exists() else 1
    counter.write_text(str(runs))
    audit.record("tests.flaky", actor=None, run=runs)
    db.session.flush()
    path = progress.output("txt")
    path.write_text("half", encoding="utf-8")
    if runs == 1:
        if params.get("domain"):
            raise DomainError("Thiếu dữ liệu đầu vào.")
        if params.get("timeout"):  # as RQ stops a job at its time limit
            from rq.timeouts import JobTimeoutException

            raise JobTimeoutException("Task exceeded maximum timeout value")
        raise RuntimeError("boom")
    return Outcome("Đã ghi.")


@task("tests.slow_write")
def slow_write_task(params, owner_id, progress):
    """Waits on GATE (a long step), then writes an audit event."""
    GATE.wait(10)
    audit.record("tests.slow_write", actor=None)
    db.session.flush()
    return Outcome("Đã ghi.")


# --- fixtures ------------------------------------------------------------------------


@pytest.fixture
def people(app, tmp_path) -> dict:
    app.config["COURSES_DIR"] = str(tmp_path)
    with app.app_context():
        _, tree = make_campaign(tmp_path)
        now = utcnow()
        complete("in1", now), complete("in2", now)
        hr_d = make_user("hr_d", tree["D"], roles=[("hr", tree["D"])])
        hr_c = make_user("hr_c", tree["C"], roles=[("hr", tree["C"])])
        admin = make_user("admin", tree["P"], roles=[("admin", None)])
        db.session.commit()
        return {
            "hr_d": hr_d.id,
            "hr_c": hr_c.id,
            "admin": admin.id,
            "D": tree["D"].id,
            "C": tree["C"].id,
            "D1A": tree["D1A"].id,
        }


def _login(client, username):
    AuthActions(client).login(username)


def _job(app, job_id) -> Job:
    with app.app_context():
        job = db.session.get(Job, job_id)
        db.session.expunge(job)
        return job


def _add_job(app, job_id: str, owner_id: int, **columns) -> None:
    """A job's row as the runner or a queue would leave it (`columns` over a queued
    tests.count job created now)."""
    row = {"kind": "tests.count", "title": "Đếm", "params": {}, "state": "queued"}
    with app.app_context():
        db.session.add(Job(id=job_id, owner_id=owner_id, **row | columns))
        db.session.commit()


def _submit(app, kind, owner_id, params) -> str:
    """As a page's form starts a job (a POST: on SQLite its transaction takes the
    write lock up front, app.database)."""
    with app.test_request_context(method="POST"):
        return jobs.submit(kind, f"Việc {kind}", owner_id, params).id


# --- the runner ----------------------------------------------------------------------


@pytest.fixture
def threaded(app, tmp_path):
    """The app with jobs in threads, on an SQLite file (each thread its own
    connection, as in `make run`)."""
    from app import create_app
    from tests.conftest import make_config

    threaded = create_app(
        make_config(
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
            JOBS_RUNNER="thread",
            JOBS_DIR=str(tmp_path / "results"),
        )
    )
    with threaded.app_context():
        db.create_all()
        tree = make_tree()
        owner = make_user("hr_d", tree["D"])
        other = make_user("hr_c", tree["C"])
        db.session.commit()
        threaded.people = {"hr_d": owner.id, "hr_c": other.id}
    yield threaded
    GATE.set()
    runner.wait_for_threads()
    with threaded.app_context():
        db.engine.dispose()


def test_a_job_in_a_thread_shows_its_progress_and_serves_its_result(
    threaded, monkeypatch
):
    monkeypatch.setattr(
        progress.Progress, "EVERY", 0
    )  # every step (else once a second)
    GATE.clear()
    client = threaded.test_client()
    AuthActions(client).login("hr_d")
    job_id = _submit(
        threaded, "tests.count", threaded.people["hr_d"], {"n": 40, "wait": True}
    )
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Đang" in page and '<meta http-equiv="refresh"' in page  # no-JS refresh
    seen = []
    for _ in range(100):  # the job waits halfway: its page shows 20 / 40
        status = client.get(f"/jobs/{job_id}.json").json
        seen.append((status["state"], status["done"], status["total"]))
        if status["done"] == 20:
            break
        time.sleep(0.05)
    assert seen[-1] == (RUNNING, 20, 40), seen
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "20 / 40 (50\u00a0%)" in page and "Đếm" in page
    assert ">50\u00a0%</progress>" in page  # the bar's text where it is not drawn
    # what the page script writes in its place, the same way
    status = client.get(f"/jobs/{job_id}.json").json
    assert status["count_text"] == "20 / 40 (50\u00a0%)"
    assert status["percent_text"] == "50\u00a0%"
    GATE.set()
    runner.wait_for_threads()
    status = client.get(f"/jobs/{job_id}.json").json
    assert status["state"] == FINISHED and status["done"] == 40
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Đã đếm 40." in page and "Tải về" in page and "refresh" not in page
    download = client.get(f"/jobs/{job_id}/download")
    assert download.status_code == 200
    assert download.get_data(as_text=True).splitlines()[-1] == "39"
    assert "attachment" in download.headers["Content-Disposition"]
    listing = client.get("/jobs/").get_data(as_text=True)
    assert "Việc tests.count" in listing and "Đã xong" in listing


def test_a_job_is_its_owners_alone(threaded):
    job_id = _submit(threaded, "tests.count", threaded.people["hr_d"], {"n": 3})
    runner.wait_for_threads()
    client = threaded.test_client()
    AuthActions(client).login("hr_c")
    for path in ("", ".json", "/download"):
        assert client.get(f"/jobs/{job_id}{path}").status_code == 404
    token = AuthActions(client).token("/jobs/")
    assert (
        client.post(f"/jobs/{job_id}/retry", data={"csrf_token": token}).status_code
        == 404
    )
    assert "Việc tests.count" not in client.get("/jobs/").get_data(as_text=True)
    assert client.get("/jobs/not-a-job").status_code == 404
    assert client.get("/jobs/" + "a" * 200).status_code == 404


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        ({"domain": True}, "Thiếu dữ liệu đầu vào."),
        ({}, "lỗi hệ thống"),
        ({"timeout": True}, "quá thời gian cho phép (60 phút)"),
    ],
)
def test_a_failed_job_says_why_keeps_nothing_and_a_retry_writes_once(
    app, client, people, failure, reason, tmp_path
):
    counter = str(tmp_path / "runs.txt")
    job_id = _submit(
        app, "tests.flaky", people["admin"], {**failure, "counter": counter}
    )
    job = _job(app, job_id)
    assert job.state == FAILED and reason in job.message and job.runs == 1
    with app.app_context():  # the event of the failed run was rolled back
        assert (
            db.session.scalar(
                select(func.count()).where(AuditEvent.action == "tests.flaky")
            )
            == 0
        )
    assert list(runner_dir(app).glob("*")) == []  # nor was its file kept
    _login(client, "admin")
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Lỗi" in page and reason in page and "Thử lại" in page
    token = AuthActions(client).token(f"/jobs/{job_id}")
    client.post(f"/jobs/{job_id}/retry", data={"csrf_token": token})
    job = _job(app, job_id)
    assert job.state == FINISHED and job.runs == 2 and job.message == "Đã ghi."
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "tests.flaky")
        ).all()
        assert [e.detail["run"] for e in events] == [2]
    again = client.post(f"/jobs/{job_id}/retry", data={"csrf_token": token})
    assert again.status_code == 302  # a finished job is not run again
    assert _job(app, job_id).runs == 2
    follow = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Chỉ chạy lại được việc đã lỗi" in follow


def runner_dir(app):
    with app.app_context():
        return progress.jobs_dir(create=True)


def test_a_job_whose_worker_died_is_shown_failed_and_can_be_retried(
    app, client, people
):
    stalled = timedelta(seconds=app.config["JOBS_STALL_SECONDS"] + 5)
    _add_job(
        app,
        "d" * 32,
        people["admin"],
        params={"n": 2},
        state=RUNNING,
        runs=1,
        heartbeat_at=utcnow() - stalled,
    )
    _login(client, "admin")
    page = client.get(f"/jobs/{'d' * 32}").get_data(as_text=True)
    assert "Lỗi" in page and "dừng đột ngột" in page
    assert client.get(f"/jobs/{'d' * 32}.json").json["state"] == FAILED
    token = AuthActions(client).token(f"/jobs/{'d' * 32}")
    client.post(f"/jobs/{'d' * 32}/retry", data={"csrf_token": token})
    assert _job(app, "d" * 32).state == FINISHED


def test_a_killed_work_horse_fails_its_run_and_no_other(app, people):
    """The handler `flask jobs worker` gives RQ (a real kill: tests/jobs/test_rq.py)
    fails the run that was killed, not a later run of the same job."""
    job_id = "e" * 32
    _add_job(app, job_id, people["admin"], state=RUNNING, runs=2, heartbeat_at=utcnow())
    with app.app_context():

        class RQJob:
            args = (job_id,)

            def __init__(self, run):
                self.id = f"{job_id}-{run}"

        runner.horse_killed(RQJob(1), 1234, 9, None)  # the run given up before
        assert _job(app, job_id).state == RUNNING
        runner.horse_killed(RQJob(2), 1234, 9, None)
    job = _job(app, job_id)
    assert job.state == FAILED and "dừng đột ngột" in job.message


def test_a_run_ending_late_does_not_fail_a_retry_queued_since(app, people):
    """A run given up (stalled, past its time) whose step returns after the
    officer pressed "Thử lại": the retry is queued with the old run's number
    until it is claimed, and the old run's failure must not end it."""
    job_id = "f" * 32
    _add_job(app, job_id, people["admin"], state="queued", runs=1)  # the retry
    with app.app_context():
        runner.fail(job_id, "Việc chạy quá thời gian", run_number=1)  # run 1 ends
    assert _job(app, job_id).state == "queued"
    with app.app_context():
        runner.fail(job_id, "Không giao được cho hàng đợi")  # not handed: fails
    assert _job(app, job_id).state == FAILED


def test_results_expire_and_are_removed(app, client, people):
    job_id = _submit(app, "tests.count", people["admin"], {"n": 3})
    job = _job(app, job_id)
    assert job.state == FINISHED and job.expires_at > utcnow()
    path = runner_dir(app) / job.result_file
    assert path.is_file()
    _login(client, "admin")
    assert client.get(f"/jobs/{job_id}/download").status_code == 200
    with app.app_context():
        assert (
            results.sweep(
                utcnow() + timedelta(seconds=app.config["JOBS_RESULT_TTL_SECONDS"] + 1)
            )
            == 1
        )
    assert not path.exists()
    job = _job(app, job_id)
    assert job.state == EXPIRED and job.result_file is None
    gone = client.get(f"/jobs/{job_id}/download")
    assert gone.status_code == 410 and "hết hạn" in gone.get_data(as_text=True)
    assert "Đã hết hạn" in client.get("/jobs/").get_data(as_text=True)
    with app.app_context():  # rows of long-ended jobs go too
        results.sweep(utcnow() + timedelta(days=results.KEEP_ROWS_DAYS + 2))
        assert db.session.get(Job, job_id) is None


def test_the_flask_jobs_commands(app, people, runner_cli):
    job_id = _submit(app, "tests.count", people["admin"], {"n": 2})
    with app.app_context():
        job = db.session.get(Job, job_id)
        job.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    result = runner_cli.invoke(args=["jobs", "sweep"])
    assert "Đã xóa 1 kết quả hết hạn." in result.output
    result = runner_cli.invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code != 0 and "REDIS_URL" in result.output


@pytest.fixture
def runner_cli(app):
    return app.test_cli_runner()


# --- the work that runs as jobs ------------------------------------------------------


def test_a_large_export_becomes_a_job_in_the_officers_scope(app, client, people):
    app.config["EXPORT_JOB_ROWS"] = 0
    _login(client, "hr_d")
    response = client.get(f"/reports/export.csv?campaign=C2026&unit={people['D']}")
    assert response.status_code == 302 and "/jobs/" in response.location
    job_id = response.location.rsplit("/", 1)[1]
    download = client.get(f"/jobs/{job_id}/download")
    text = download.get_data(as_text=True)
    assert download.status_code == 200 and text.startswith("\ufeff")
    assert download.headers["Content-Type"] == "text/csv; charset=utf-8"  # once
    assert "Nguyễn Văn An" in text and len(text.strip().splitlines()) == 1 + 2
    response = client.get(f"/reports/export.xlsx?campaign=C2026&unit={people['D1A']}")
    job_id = response.location.rsplit("/", 1)[1]
    download = client.get(f"/jobs/{job_id}/download")
    assert download.get_data()[:2] == b"PK"
    response = client.get(f"/reports/annual.xlsx?campaign=C2026&unit={people['D']}")
    job_id = response.location.rsplit("/", 1)[1]
    assert _job(app, job_id).state == FINISHED
    assert client.get(f"/jobs/{job_id}/download").get_data()[:2] == b"PK"
    # An officer moved out of the unit loses its exports at once.
    done_for_d = response.location.rsplit("/", 1)[1]
    with app.app_context():
        from app.accounts.models import RoleAssignment

        role = db.session.scalar(
            select(RoleAssignment).where(RoleAssignment.user_id == people["hr_d"])
        )
        role.unit_id = people["C"]
        db.session.commit()
    assert client.get(f"/jobs/{done_for_d}/download").status_code == 404
    # … and its pages no longer offer what they would refuse
    link = f'href="/jobs/{done_for_d}/download"'
    page = client.get(f"/jobs/{done_for_d}").get_data(as_text=True)
    assert link not in page and "không tải được kết quả" in page
    listing = client.get("/jobs/").get_data(as_text=True)
    assert link not in listing and "Không còn quyền tải về" in listing
    with app.app_context():
        role = db.session.scalar(
            select(RoleAssignment).where(RoleAssignment.user_id == people["hr_d"])
        )
        role.unit_id = people["D"]
        db.session.commit()
    assert client.get(f"/jobs/{done_for_d}/download").status_code == 200
    # Outside the officer's subtree: refused by the page, before any job.
    assert (
        client.get(f"/reports/export.csv?campaign=C2026&unit={people['C']}").status_code
        == 404
    )
    # A job whose owner may no longer see the unit fails, writing nothing.
    job_id = _submit(
        app, "records.csv", people["hr_d"], {"campaign": "C2026", "unit": people["C"]}
    )
    job = _job(app, job_id)
    assert job.state == FAILED and job.result_file is None


def test_a_large_certificate_zip_is_a_job(app, client, people):
    app.config["ZIP_JOB_CERTIFICATES"] = 0
    _login(client, "hr_d")
    response = client.get(
        f"/reports/certificates.zip?campaign=C2026&unit={people['D']}"
    )
    job_id = response.location.rsplit("/", 1)[1]
    job = _job(app, job_id)
    assert job.state == FINISHED and job.total == 2 and job.done == 2
    archive = zipfile.ZipFile(
        io.BytesIO(client.get(f"/jobs/{job_id}/download").get_data())
    )
    assert len(archive.namelist()) == 2
    assert all(archive.read(n).startswith(b"%PDF") for n in archive.namelist())


def test_certificates_issued_by_a_job_are_issued_once(app, people):
    with app.app_context():
        for certificate in db.session.scalars(select(Certificate)):
            db.session.delete(certificate)
        db.session.commit()
    first = _submit(
        app, "certificates.issue_missing", people["admin"], {"campaign": "C2026"}
    )
    assert "Đã cấp 2 giấy chứng nhận" in _job(app, first).message
    second = _submit(
        app, "certificates.issue_missing", people["admin"], {"campaign": "C2026"}
    )
    assert "Đã cấp 0 giấy chứng nhận" in _job(app, second).message
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 2
    refused = _submit(
        app, "certificates.issue_missing", people["hr_d"], {"campaign": "C2026"}
    )
    assert _job(app, refused).state == FAILED


def test_flask_certificates_issue_missing_runs_as_a_job(app, people, runner_cli):
    with app.app_context():
        for certificate in db.session.scalars(select(Certificate)):
            db.session.delete(certificate)
        db.session.commit()
    result = runner_cli.invoke(
        args=["certificates", "issue-missing", "--campaign", "C2026"]
    )
    assert result.exit_code == 0, result.output
    assert "Đã cấp 2 giấy chứng nhận cho đợt C2026." in result.output
    with app.app_context():
        job = db.session.scalar(
            select(Job).where(Job.kind == "certificates.issue_missing")
        )
        assert job.state == FINISHED and job.owner_id is None
        assert user("in1") is not None


def _slow_write_running(threaded) -> str:
    """Submit tests.slow_write on the thread runner, held at its gate, and wait
    until it runs (a loaded CI worker may take a while to start the thread)."""
    GATE.clear()
    job_id = _submit(threaded, "tests.slow_write", threaded.people["hr_d"], {})
    for _ in range(400):
        if _job(threaded, job_id).state == RUNNING:
            break
        time.sleep(0.05)
    assert _job(threaded, job_id).state == RUNNING
    return job_id


def test_a_run_given_up_for_stalled_keeps_nothing_when_it_ends(threaded):
    """A run that looked stalled was retried while it was in fact alive: when it
    ends, neither its writes nor its end are kept; the new run's are."""
    job_id = _slow_write_running(threaded)
    with threaded.app_context():  # as retry() and a new claim would leave the row
        job = db.session.get(Job, job_id)
        job.runs += 1
        db.session.commit()
    GATE.set()
    runner.wait_for_threads()
    job = _job(threaded, job_id)
    assert job.state == RUNNING and job.runs == 2 and job.finished_at is None
    with threaded.app_context():
        events = select(func.count()).where(AuditEvent.action == "tests.slow_write")
        assert db.session.scalar(events) == 0


def test_a_claim_keeps_its_own_run_number_when_a_retry_comes_between(
    app, people, monkeypatch
):
    """The run that claimed the job is the one its claim wrote, even when a retry
    (runs + 1) lands between the claim's commit and the job's row being read."""
    job_id = "c" * 32
    _add_job(app, job_id, people["hr_d"], kind="tests.slow_write", title="Ghi")
    with app.app_context():
        real_get = db.session.get

        def retried_first(model, key, **kwargs):
            with db.engine.begin() as connection:
                connection.execute(
                    Job.__table__.update()
                    .where(Job.id == job_id)
                    .values(runs=Job.__table__.c.runs + 1)
                )
            return real_get(model, key, **kwargs)

        monkeypatch.setattr(db.session, "get", retried_first)
        job = runner._claim(job_id)
        monkeypatch.undo()
        assert job.runs == 1  # its own, not the retry's 2
        assert _job(app, job_id).runs == 2


def test_a_second_click_finds_the_job_already_started(app, client, people):
    app.config["JOBS_RUNNER"] = "thread"  # stays queued or running for a moment
    app.config["EXPORT_JOB_ROWS"] = 0
    _add_job(  # a job of the same export, still queued
        app,
        "f" * 32,
        people["hr_d"],
        kind="records.csv",
        title="Xuất",
        params={"campaign": "C2026", "unit": people["D"]},
        created_at=utcnow(),
    )
    _login(client, "hr_d")
    response = client.get(f"/reports/export.csv?campaign=C2026&unit={people['D']}")
    assert response.location.endswith("/jobs/" + "f" * 32)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Job)) == 1


def test_a_job_the_queue_cannot_take_fails_with_the_reason(app, client, people):
    app.config["JOBS_RUNNER"] = "rq"
    app.config["JOBS_REDIS_URL"] = "redis://127.0.0.1:9/0"  # nothing listens there
    job_id = _submit(app, "tests.count", people["admin"], {"n": 1})
    job = _job(app, job_id)
    assert job.state == FAILED and "hàng đợi không trả lời" in job.message


def test_a_job_queued_for_too_long_is_failed_and_can_be_retried(app, client, people):
    patience = timedelta(seconds=app.config["JOBS_QUEUE_PATIENCE_SECONDS"] + 1)
    _add_job(
        app, "c" * 32, people["admin"], params={"n": 2}, created_at=utcnow() - patience
    )
    _login(client, "admin")
    assert client.get(f"/jobs/{'c' * 32}.json").json["state"] == FAILED
    token = AuthActions(client).token(f"/jobs/{'c' * 32}")
    client.post(f"/jobs/{'c' * 32}/retry", data={"csrf_token": token})
    assert _job(app, "c" * 32).state == FINISHED


def test_a_job_waiting_its_turn_past_the_patience_stays_queued(threaded):
    """Two threads busy (JOBS_THREADS): a third job waits for a slot. Past the
    patience it is still in its runner's hands, so it is shown queued (never
    failed while it may still run), and it runs once a slot frees."""
    GATE.clear()
    owner = threaded.people["hr_d"]
    busy = [
        _submit(threaded, "tests.count", owner, {"n": 2, "wait": True, "k": k})
        for k in range(threaded.config["JOBS_THREADS"])
    ]
    waiting = _submit(threaded, "tests.count", owner, {"n": 2})
    patience = threaded.config["JOBS_QUEUE_PATIENCE_SECONDS"]
    with threaded.app_context():
        db.session.get(Job, waiting).created_at = utcnow() - timedelta(
            seconds=patience + 1
        )
        db.session.commit()
    client = threaded.test_client()
    AuthActions(client).login("hr_d")
    assert _job(threaded, waiting).state == "queued"
    assert client.get(f"/jobs/{waiting}.json").json["state"] == "queued"
    GATE.set()
    runner.wait_for_threads()
    assert {_job(threaded, j).state for j in [*busy, waiting]} == {FINISHED}


def test_an_import_whose_warnings_were_not_accepted_says_to_upload_again(
    app, people, tmp_path
):
    from flask_login import login_user

    from app.accounts.jobs import NEW_WARNINGS, UPLOADS
    from app.accounts.models import User

    data = "ma can bo,ho va ten\nQ1,Nguyễn Văn ¶¾\n".encode()  # an unsure name
    with app.test_request_context():
        login_user(db.session.get(User, people["hr_d"]))
        token = UPLOADS.store(data, unit_id=people["D"], filename="odd.csv")
    job_id = _submit(
        app, "cadres.import", people["hr_d"], {"token": token, "accept_warnings": False}
    )
    job = _job(app, job_id)
    assert job.state == FAILED and job.message == NEW_WARNINGS
    assert list((tmp_path / "uploads").iterdir()) == []  # nothing left to confirm


def test_a_live_thread_is_never_shown_stalled(threaded):
    """Without Redis a job runs in a thread of the app; on SQLite its heartbeat
    waits while the job's own long write holds the one write lock. A job whose
    thread is alive here is shown running however late its heartbeat; once the
    thread has gone, a late heartbeat means it died."""
    job_id = _slow_write_running(threaded)
    late = utcnow() - timedelta(seconds=threaded.config["JOBS_STALL_SECONDS"] + 60)
    with threaded.app_context():
        job = db.session.get(Job, job_id)
        job.heartbeat_at = late
        db.session.commit()
        assert job.stalled(utcnow(), jobs.stall_seconds())
        assert jobs.shown_state(job, utcnow()) == RUNNING
    GATE.set()
    runner.wait_for_threads()
    with threaded.app_context():
        job = db.session.get(Job, job_id)
        assert job.state == FINISHED
        job.state, job.heartbeat_at = RUNNING, late  # as a thread that died
        assert jobs.shown_state(job, utcnow()) == FAILED
        db.session.rollback()


def test_a_finished_jobs_row_stays_while_its_result_does(app, people):
    """Rows of long-ended jobs go, but never a finished one whose result has not
    expired (its file would be left with nobody to remove it)."""
    app.config["JOBS_RESULT_TTL_SECONDS"] = 60 * 86400  # longer than the rows' 30 days
    job_id = _submit(app, "tests.count", people["admin"], {"n": 2})
    path = runner_dir(app) / _job(app, job_id).result_file
    with app.app_context():
        results.sweep(utcnow() + timedelta(days=results.KEEP_ROWS_DAYS + 2))
        assert db.session.get(Job, job_id) is not None and path.is_file()
        assert results.sweep(utcnow() + timedelta(days=61)) == 1  # expired: both go
        assert not path.exists() and db.session.get(Job, job_id) is None


def test_a_timers_queued_job_joins_the_one_still_waiting(app, people):
    """`flask xapi send --queue` from a timer every few minutes, or any command
    that queues work without an owner: while the same job still waits or runs,
    no second one is queued; a command that runs its job here always runs it."""
    with app.app_context():
        waiting = Job(
            id="e" * 32,
            kind="tests.count",
            title="Đếm",
            owner_id=None,
            params={"n": 1},
            state="queued",
            created_at=utcnow(),
        )
        db.session.add(waiting)
        db.session.commit()
        again = jobs.submit("tests.count", "Đếm", None, {"n": 1})
        assert again.id == "e" * 32
        other = jobs.submit("tests.count", "Đếm", None, {"n": 2})
        assert other.id != "e" * 32
        here = jobs.submit("tests.count", "Đếm", None, {"n": 1}, here=True)
        assert here.id != "e" * 32


def test_a_thread_hung_past_the_time_limit_is_shown_stalled(threaded):
    """A live thread is trusted only for the time a job is given
    (JOBS_TIMEOUT_SECONDS): one still alive past it is shown failed, and may be
    retried."""
    job_id = _slow_write_running(threaded)
    config = threaded.config
    with threaded.app_context():
        job = db.session.get(Job, job_id)
        job.heartbeat_at = utcnow() - timedelta(
            seconds=config["JOBS_STALL_SECONDS"] + 1
        )
        later = utcnow() + timedelta(seconds=config["JOBS_TIMEOUT_SECONDS"] + 1)
        assert jobs.shown_state(job, utcnow()) == RUNNING
        assert jobs.shown_state(job, later) == FAILED
        db.session.rollback()
    GATE.set()
    runner.wait_for_threads()


@pytest.mark.parametrize(
    "params",
    [
        {"n": 40, "sleep": 0.1},  # runs on past its time, step by step
        {"n": 1, "sleep": 1.5},  # one long last step, then ends late
    ],
)
def test_a_job_in_a_thread_past_the_time_limit_fails_and_keeps_nothing(
    threaded, params
):
    """A thread is given JOBS_TIMEOUT_SECONDS, as an RQ worker's job is: a job
    still running past it is failed with the reason at its next step, or when it
    ends; its file is not kept."""
    threaded.config["JOBS_TIMEOUT_SECONDS"] = 1
    started = time.monotonic()
    job_id = _submit(threaded, "tests.count", threaded.people["hr_d"], params)
    runner.wait_for_threads()
    job = _job(threaded, job_id)
    assert job.state == FAILED and job.runs == 1
    assert "quá thời gian cho phép" in job.message
    assert job.result_file is None
    assert list(runner_dir(threaded).glob("*")) == []
    assert time.monotonic() - started < 3  # not left to count to 40


def test_a_step_hung_past_the_time_limit_is_shown_failed_and_keeps_nothing(
    threaded,
):
    """A job in one step that does not return (no progress to stop it at) gives
    no more sign of life past its time: it is shown failed once it looks stalled,
    and when the step returns, it is failed and nothing of it is kept."""
    threaded.config.update(JOBS_TIMEOUT_SECONDS=1, JOBS_STALL_SECONDS=2)
    job_id = _slow_write_running(threaded)
    client = threaded.test_client()
    AuthActions(client).login("hr_d")
    states = []
    for _ in range(160):  # its time (1 s), then stalled (2 s without a beat)
        states.append(client.get(f"/jobs/{job_id}.json").json["state"])
        if states[-1] == FAILED:
            break
        time.sleep(0.05)
    assert states[0] == RUNNING and states[-1] == FAILED
    GATE.set()
    runner.wait_for_threads()
    job = _job(threaded, job_id)
    assert job.state == FAILED and "quá thời gian cho phép" in job.message
    with threaded.app_context():
        assert (
            db.session.scalar(
                select(func.count()).where(AuditEvent.action == "tests.slow_write")
            )
            == 0
        )


def test_a_running_jobs_stage_is_shown_in_the_readers_language(app, client, people):
    """The stage is stored as the worker said it (the default language, with no
    reader); the page and its status show it in the reader's."""
    job_id = _submit(app, "tests.count", people["hr_d"], {"n": 1})
    with app.app_context():
        job = db.session.get(Job, job_id)
        job.state, job.stage, job.total, job.done = RUNNING, "Ghi dữ liệu", 3, 1
        db.session.commit()
    _login(client, "hr_d")
    assert "— Ghi dữ liệu" in client.get(f"/jobs/{job_id}").get_data(as_text=True)
    client.post(
        "/language",
        data={"language": "en", "csrf_token": AuthActions(client).token("/")},
    )
    assert "— Writing the data" in client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert client.get(f"/jobs/{job_id}.json").json["stage"] == "Writing the data"


@task("tests.no_campaign")
def no_campaign_task(params, owner_id, progress):
    raise NotFound(_l("Không có đợt bồi dưỡng “%(code)s”.", code=params["code"]))


def test_how_a_job_ended_is_shown_in_the_readers_language(app, client, people):
    """A message with values (a count, a code) is stored in the default language
    and shown in the reader's: the page renders it again from its parts."""
    app.config["EXPORT_JOB_ROWS"] = 0
    _login(client, "hr_d")
    response = client.get(f"/reports/export.csv?campaign=C2026&unit={people['D']}")
    exported = response.location.rsplit("/", 1)[1]
    failed = _submit(app, "tests.no_campaign", people["hr_d"], {"code": "X9"})
    assert _job(app, exported).message == "Đã xuất 2 dòng."
    assert _job(app, failed).message == "Không có đợt bồi dưỡng “X9”."
    assert "Đã xuất 2 dòng." in client.get(f"/jobs/{exported}").get_data(as_text=True)
    client.post(
        "/language",
        data={"language": "en", "csrf_token": AuthActions(client).token("/")},
    )
    page = client.get(f"/jobs/{exported}").get_data(as_text=True)
    assert "Exported 2 rows." in page and "Đã xuất" not in page
    page = client.get(f"/jobs/{failed}").get_data(as_text=True)
    assert "There is no campaign “X9”." in page and "Không có đợt" not in page
    # The CSV job (a file) is listed with its download; one without a file, with
    # its message: the certificates issued for a campaign.
    issued = _submit(app, "certificates.issue_missing", None, {"campaign": "C2026"})
    with app.app_context():
        db.session.get(Job, issued).owner_id = people["hr_d"]
        db.session.commit()
    listed = client.get("/jobs/").get_data(as_text=True)
    assert "Issued" in listed and "Đã cấp" not in listed
    # Parts that are not its message's (a server of the previous version ended
    # it, leaving an earlier run's): the message as stored.
    with app.app_context():
        db.session.get(Job, exported).message = "Đã xong."
        db.session.commit()
    assert "Đã xong." in client.get(f"/jobs/{exported}").get_data(as_text=True)


def _choose(client, language):
    client.post(
        "/language",
        data={"language": language, "csrf_token": AuthActions(client).token("/")},
    )


def test_a_jobs_title_is_shown_in_the_readers_language(app, client, people, runner_cli):
    """The title is stored in the default language (for the command line and old
    servers) and kept as its parts, so the list, the page and the word said when
    it starts show it in the reader's language, whoever started it in which."""
    app.config["EXPORT_JOB_ROWS"] = 0
    _login(client, "hr_d")
    started = client.get(f"/reports/annual.xlsx?campaign=C2026&unit={people['D']}")
    in_vietnamese = started.location.rsplit("/", 1)[1]
    _choose(client, "en")
    started = client.get(
        f"/reports/annual.xlsx?campaign=C2026&unit={people['D1A']}",
        follow_redirects=True,
    )
    assert "Started: Annual report 2026 — Tổ Đào tạo." in started.get_data(as_text=True)
    in_english = started.request.path.rsplit("/", 1)[1]
    assert _job(app, in_english).title == "Báo cáo năm 2026 — Tổ Đào tạo"
    listed = client.get("/jobs/").get_data(as_text=True)
    assert "Annual report 2026 — Sở Nội vụ" in listed
    assert "Annual report 2026 — Tổ Đào tạo" in listed
    assert "Báo cáo năm" not in listed
    page = client.get(f"/jobs/{in_vietnamese}").get_data(as_text=True)
    assert "<h1>Annual report 2026 — Sở Nội vụ</h1>" in page
    assert "Báo cáo năm" not in page
    _choose(client, "vi")
    listed = client.get("/jobs/").get_data(as_text=True)
    assert "Báo cáo năm 2026 — Tổ Đào tạo" in listed and "Annual report" not in listed
    page = client.get(f"/jobs/{in_english}").get_data(as_text=True)
    assert "<h1>Báo cáo năm 2026 — Tổ Đào tạo</h1>" in page
    with app.app_context():  # `flask jobs list`: in the command's language
        db.session.get(Job, in_english).state = FAILED
        db.session.commit()
    listed = runner_cli.invoke(args=["jobs", "list"]).output
    assert "Báo cáo năm 2026 — Tổ Đào tạo" in listed
    # A row of an older version (no parts): its title as stored.
    with app.app_context():
        job = db.session.get(Job, in_english)
        job.title, job.title_parts = "Annual report (old)", None
        db.session.commit()
    assert "Annual report (old)" in client.get("/jobs/").get_data(as_text=True)


@task("tests.too_many_rows")
def too_many_rows_task(params, owner_id, progress):
    from app.numbers import lazy_number

    raise NotFound(
        _l("quá %(rows)s dòng; hãy chia tệp theo đơn vị", rows=lazy_number(100000))
    )


def test_a_number_in_a_jobs_message_is_written_in_the_readers_language(
    app, client, people
):
    """A limit in how a job ended is kept as a number, not as its Vietnamese
    text: stored "100.000", shown "100,000" in English."""
    failed = _submit(app, "tests.too_many_rows", people["hr_d"], {})
    assert _job(app, failed).message == "quá 100.000 dòng; hãy chia tệp theo đơn vị"
    _login(client, "hr_d")
    client.post(
        "/language",
        data={"language": "en", "csrf_token": AuthActions(client).token("/")},
    )
    page = client.get(f"/jobs/{failed}").get_data(as_text=True)
    assert "more than 100,000 rows; split the file by unit" in page


@task("tests.imported_many")
def imported_many_task(params, owner_id, progress):
    from app.accounts.jobs import _imported

    counts = {"created": 30000, "updated": 1200, "moved": 1, "unchanged": 0}
    return Outcome(_imported("canbo.xlsx", counts))


def test_counts_in_a_jobs_message_are_written_as_the_reader_writes_numbers(
    app, client, people
):
    """A cadre import's counts reach tens of thousands: the job's message says
    "30.000" (Vietnamese, as stored and on a Vietnamese page) and "30,000" on an
    English page, never "30000"; the plural still follows the count."""
    done = _submit(app, "tests.imported_many", people["hr_d"], {})
    vietnamese = (
        "Đã nhập canbo.xlsx: 30.000 cán bộ mới, 1.200 cập nhật (1 chuyển đơn vị), "
        "0 không đổi."
    )
    assert _job(app, done).message == vietnamese
    _login(client, "hr_d")
    assert vietnamese in client.get(f"/jobs/{done}").get_data(as_text=True)
    client.post(
        "/language",
        data={"language": "en", "csrf_token": AuthActions(client).token("/")},
    )
    page = client.get(f"/jobs/{done}").get_data(as_text=True)
    assert (
        "Imported canbo.xlsx: 30,000 new cadres, 1,200 updated (1 moved to another "
        "unit), 0 unchanged." in page
    )


def test_a_result_left_by_a_run_killed_before_its_commit_is_removed(app, people):
    """A run killed between moving its file into place and its commit leaves the
    file with no finished job: the sweep removes it once it is older than a job
    may run (the finished job's file stays until it expires; other files stay)."""
    import os

    kept = _job(app, _submit(app, "tests.count", people["admin"], {"n": 2}))
    folder = runner_dir(app)
    left = folder / ("f" * 32 + ".csv")
    left.write_text("personal data", encoding="utf-8")
    other = folder / "README.txt"
    other.write_text("not a job's", encoding="utf-8")
    old = time.time() - app.config["JOBS_TIMEOUT_SECONDS"] - 7200
    for path in (left, other, folder / kept.result_file):
        os.utime(path, (old, old))
    with app.app_context():
        results.sweep()
    assert not left.exists()
    assert other.exists() and (folder / kept.result_file).exists()


@task("tests.sends_then_breaks", keeps_done=True)
def sends_then_breaks_task(params, owner_id, progress):
    """As the reminders' sending: a fact committed as it goes (an email that has
    left), then the run stops."""
    audit.record("tests.sent", actor=None)
    db.session.commit()
    if params.get("timeout"):
        from rq.timeouts import JobTimeoutException

        raise JobTimeoutException("Task exceeded maximum timeout value")
    raise RuntimeError("boom")


@pytest.mark.parametrize("failure", [{}, {"timeout": True}])
def test_a_job_that_keeps_what_it_did_does_not_say_nothing_was_written(
    app, client, people, failure
):
    """A job of a task that commits as it goes (reminders, xAPI: keeps_done) and
    stops on an error, at its time limit or with its process says that what it
    did is kept and a retry does the rest — not "nothing was written", which
    would have an officer send the reminder again."""
    job_id = _submit(app, "tests.sends_then_breaks", people["admin"], failure)
    job = _job(app, job_id)
    assert job.state == FAILED
    assert "phần đã làm xong (như các thư đã gửi) vẫn được giữ" in job.message
    assert "chưa có gì được ghi" not in job.message
    with app.app_context():
        sent = select(func.count()).where(AuditEvent.action == "tests.sent")
        assert db.session.scalar(sent) == 1  # kept
        lost = messages.stored(messages.lost("tests.sends_then_breaks"))
        assert "vẫn được giữ" in lost
        assert "chưa có gì được ghi" in messages.stored(messages.lost("tests.count"))
    _login(client, "admin")
    _choose(client, "en")
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "is kept. Press “Retry” to do the rest" in page


def test_a_result_without_a_file_never_expires_and_its_row_goes_at_last(
    app, client, people
):
    """An import's outcome (its counts, no file) is what the officer reads, not a
    download: it stays "Đã xong" past the results' time, with nothing to expire
    or run again, and its row goes with the rows of jobs ended long ago."""
    done = _submit(app, "tests.imported_many", people["hr_d"], {})
    job = _job(app, done)
    assert job.state == FINISHED and job.expires_at is None
    later = utcnow() + timedelta(seconds=app.config["JOBS_RESULT_TTL_SECONDS"] + 60)
    with app.app_context():
        assert results.sweep(later) == 0
        assert jobs.shown_state(db.session.get(Job, done), later) == FINISHED
    assert _job(app, done).state == FINISHED
    _login(client, "hr_d")
    listing = client.get("/jobs/").get_data(as_text=True)
    assert "Đã hết hạn" not in listing and "30.000 cán bộ mới" in listing
    with app.app_context():
        results.sweep(utcnow() + timedelta(days=results.KEEP_ROWS_DAYS + 2))
        assert db.session.get(Job, done) is None


def test_a_stage_begun_partly_done_is_shown_so_at_once(threaded):
    """A stage that starts with some of its steps done (the cadre import's write,
    step 3 of 3) shows them at once, not "0 / 3" until the next write a second
    later."""
    job_id = "b" * 32
    _add_job(threaded, job_id, threaded.people["hr_d"], state=RUNNING, runs=1)
    with threaded.app_context():
        stages = progress.Progress(db.session.get(Job, job_id))
        db.session.commit()  # as a task between its transactions
        stages.begin("Đọc tệp", 3)
        stages.begin("Ghi dữ liệu", 3, done=2)  # within a second of the last write
    job = _job(threaded, job_id)
    assert (job.stage, job.done, job.total) == ("Ghi dữ liệu", 2, 3)


def test_flask_jobs_retry_runs_a_failed_command_line_job_again(app, people, runner_cli):
    """A job started from the command line (no owner, so no page with "Thử lại")
    that failed is run again by `flask jobs retry ID`, here without --queue."""
    job_id = "c" * 32
    _add_job(app, job_id, None, state=FAILED, runs=1, params={"n": 2})
    result = runner_cli.invoke(args=["jobs", "retry", job_id])
    assert result.exit_code == 0, result.output
    job = _job(app, job_id)
    assert (job.state, job.runs, job.done) == (FINISHED, 2, 2)
    again = runner_cli.invoke(args=["jobs", "retry", job_id])  # finished: refused
    assert again.exit_code != 0 and "Chỉ chạy lại được việc đã lỗi" in again.output
    unknown = runner_cli.invoke(args=["jobs", "retry", "nope"])
    assert unknown.exit_code != 0 and "Không tìm thấy việc này." in unknown.output
