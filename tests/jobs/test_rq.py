"""Jobs on a real queue: RQ on the Redis of TEST_REDIS_URL (`make test` runs these
when it answers; .ci/run starts one), run by RQ's forking worker as
`flask jobs worker` runs it, on an SQLite file the forked work horse opens anew."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy import select

from app import create_app
from app.accounts.models import User
from app.extensions import db
from app.jobs import runner
from app.jobs import services as jobs
from app.jobs.models import FAILED, FINISHED, Job
from tests.conftest import AuthActions, make_config
from tests.factories import make_tree, make_user
from tests.jobs import test_jobs  # noqa: F401 (registers the tests' tasks)

pytestmark = pytest.mark.redis


@pytest.fixture
def rq_app(tmp_path):
    url = os.environ["TEST_REDIS_URL"]
    Redis.from_url(url).flushdb()
    app = create_app(
        make_config(
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'rq.sqlite3'}",
            JOBS_RUNNER="rq",
            JOBS_REDIS_URL=url,
            JOBS_DIR=str(tmp_path / "results"),
        )
    )
    with app.app_context():
        db.create_all()
        make_user("hr_d", make_tree()["D"])
        db.session.commit()
    yield app
    Redis.from_url(url).flushdb()
    with app.app_context():
        db.engine.dispose()


def _owner() -> int:
    return db.session.scalar(select(User.id).where(User.username == "hr_d"))


def _work(app) -> None:
    from rq import Worker

    with app.app_context():
        worker = Worker(
            [runner.QUEUE_NAME],
            connection=Redis.from_url(runner.redis_url()),
            work_horse_killed_handler=runner.horse_killed,
        )
        worker.work(burst=True)


def test_a_job_waits_in_the_queue_and_a_worker_runs_it(rq_app):
    client = rq_app.test_client()
    AuthActions(client).login("hr_d")
    with rq_app.test_request_context():
        job_id = jobs.submit("tests.count", "Đếm", _owner(), {"n": 5}).id
    assert client.get(f"/jobs/{job_id}.json").json["state"] == "queued"
    assert runner.queue(rq_app.config).count == 1
    _work(rq_app)
    assert client.get(f"/jobs/{job_id}.json").json["state"] == FINISHED
    download = client.get(f"/jobs/{job_id}/download")
    assert download.get_data(as_text=True).splitlines() == [str(i) for i in range(5)]


def test_a_failing_job_on_the_queue_says_why_and_is_retried_once(rq_app, tmp_path):
    params = {"domain": True, "counter": str(tmp_path / "runs.txt")}
    with rq_app.test_request_context():
        job_id = jobs.submit("tests.flaky", "Ghi", _owner(), params).id
    _work(rq_app)
    with rq_app.app_context():
        job = db.session.get(Job, job_id)
        assert job.state == FAILED and job.message == "Thiếu dữ liệu đầu vào."
    client = rq_app.test_client()
    AuthActions(client).login("hr_d")
    token = AuthActions(client).token(f"/jobs/{job_id}")
    client.post(f"/jobs/{job_id}/retry", data={"csrf_token": token})
    assert client.get(f"/jobs/{job_id}.json").json["state"] == "queued"
    _work(rq_app)
    with rq_app.app_context():
        job = db.session.get(Job, job_id)
        assert job.state == FINISHED and job.runs == 2


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def test_a_work_horse_killed_mid_job_leaves_it_failed_with_nothing_written(
    rq_app, tmp_path
):
    """`flask jobs worker` runs a job in a forked work horse; SIGKILL it midway."""
    with rq_app.test_request_context():
        job_id = jobs.submit(
            "tests.count", "Đếm", _owner(), {"n": 200, "sleep": 0.05}
        ).id
    env = {
        **os.environ,
        "FLASK_APP": "tests.jobs.worker_app",
        "VHCV_TEST_DATABASE": rq_app.config["SQLALCHEMY_DATABASE_URI"],
        "VHCV_TEST_JOBS_DIR": rq_app.config["JOBS_DIR"],
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "jobs", "worker", "--burst"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # running, and some way in
            with rq_app.app_context():
                job = db.session.get(Job, job_id)
                running = job.state == "running" and job.done >= 10
            if running:
                break
            time.sleep(0.2)
        assert running, "the worker did not start the job"
        horses = _children(worker.pid)
        assert len(horses) == 1
        os.kill(horses[0], signal.SIGKILL)
        worker.wait(timeout=30)  # a burst worker stops once the queue is empty
    finally:
        if worker.poll() is None:
            worker.kill()
    with rq_app.app_context():
        job = db.session.get(Job, job_id)
        assert job.state == FAILED and "dừng đột ngột" in job.message
        assert job.result_file is None
    files = [p.name for p in Path(rq_app.config["JOBS_DIR"]).iterdir()]
    assert files == [f"{job_id}-1.txt.part"]  # what it wrote is not a result


def test_a_job_waiting_in_the_queue_past_the_patience_is_not_shown_failed(rq_app):
    """No worker yet, the job queued past JOBS_QUEUE_PATIENCE_SECONDS: while RQ
    holds it, it is queued; once the queue has lost it (Redis emptied), it is
    failed and a retry queues it again, which a worker then runs."""
    client = rq_app.test_client()
    AuthActions(client).login("hr_d")
    with rq_app.test_request_context():
        job_id = jobs.submit("tests.count", "Đếm", _owner(), {"n": 3}).id
    patience = rq_app.config["JOBS_QUEUE_PATIENCE_SECONDS"]
    with rq_app.app_context():
        job = db.session.get(Job, job_id)
        job.created_at = job.created_at - timedelta(seconds=patience + 1)
        db.session.commit()
    assert client.get(f"/jobs/{job_id}.json").json["state"] == "queued"
    Redis.from_url(rq_app.config["JOBS_REDIS_URL"]).flushdb()  # the queue lost it
    assert client.get(f"/jobs/{job_id}.json").json["state"] == FAILED
    token = AuthActions(client).token(f"/jobs/{job_id}")
    client.post(f"/jobs/{job_id}/retry", data={"csrf_token": token})
    _work(rq_app)
    with rq_app.app_context():
        assert db.session.get(Job, job_id).state == FINISHED
