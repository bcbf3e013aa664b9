"""Jobs on a real queue: RQ on the Redis of TEST_REDIS_URL (`make test` runs these
when it answers; .ci/run starts one), run by RQ's forking worker as
`flask jobs worker` runs it, on an SQLite file the forked work horse opens anew."""

import os

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
