"""`certificates.issue_missing` commits its certificates in batches, on an SQLite
file (one writer at a time, every connection its own): between two batches another
transaction — a passing cadre's submit, which issues a certificate and so takes a
serial — goes through without waiting for the whole job; the serials stay unique
and gap-free; a job that stops keeps its batches and its retry issues the rest; a
run given up and retried meanwhile keeps no batch of its own after that."""

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from app import create_app
from app.certificates import jobs as certificate_jobs
from app.certificates import services
from app.extensions import db
from app.jobs import services as jobs
from app.jobs.models import FAILED, FINISHED, RUNNING, Job
from app.records.models import Certificate, SerialCounter
from app.timeutil import to_vn, utcnow
from tests.certificates.helpers import complete
from tests.conftest import make_config
from tests.factories import make_user
from tests.records.helpers import make_campaign

KIND = "certificates.issue_missing"


@pytest.fixture
def on_a_file(tmp_path, monkeypatch):
    """Two completed records without a certificate; one certificate per batch; a
    busy timeout short enough that a wait for the job's lock shows as a failure."""
    app = create_app(
        make_config(
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'file.sqlite3'}",
            SQLITE_BUSY_TIMEOUT_MS=200,
            JOBS_RUNNER="inline",
            JOBS_DIR=str(tmp_path / "results"),
            COURSES_DIR=str(tmp_path),
        )
    )
    with app.app_context():
        db.create_all()
        _, tree = make_campaign(tmp_path)
        now = utcnow()
        complete("in1", now), complete("in2", now)
        make_user("admin", tree["P"], roles=[("admin", None)])
        for certificate in db.session.scalars(select(Certificate)):
            db.session.delete(certificate)
        db.session.commit()
    monkeypatch.setattr(certificate_jobs, "ISSUED_PER_COMMIT", 1)
    yield app
    with app.app_context():
        db.engine.dispose()


def _year() -> int:
    return to_vn(utcnow()).year


def _last_serial(app) -> int:
    with app.app_context():
        return db.session.scalar(
            select(SerialCounter.last).where(SerialCounter.year == _year())
        )


def _numbers(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Certificate.number)))


def _take_serial_beside(app) -> int | None:
    """A serial taken and committed by a transaction of its own (as a passing
    cadre's submit takes one), or None when it waited past the busy timeout."""
    with app.app_context():
        try:
            number = services.next_serial(_year())
            db.session.commit()
            return number
        except OperationalError:  # database is locked
            db.session.rollback()
            return None
        finally:
            db.session.remove()


def _before_each_batch(monkeypatch, before):
    """Call `before(call)` (1, 2, …) before each batch the task issues."""
    real, calls = services.issue_missing, []

    def batch(*args, **kwargs):
        calls.append(len(calls) + 1)
        before(calls[-1])
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "issue_missing", batch)


def _run(app, job_id: str | None = None) -> Job:
    """Run a new job of the task here (as the command line does), or retry
    `job_id`; the job as it ended."""
    with app.app_context():
        if job_id is None:
            job_id = jobs.submit(KIND, "Cấp bù", None, {"campaign": "C2026"}, True).id
        else:
            jobs.retry(db.session.get(Job, job_id))
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        db.session.expunge(job)
        return job


def test_another_transaction_takes_a_serial_between_batches(on_a_file, monkeypatch):
    app = on_a_file
    first = _last_serial(app) + 1
    taken = []
    _before_each_batch(
        monkeypatch, lambda _call: taken.append(_take_serial_beside(app))
    )
    job = _run(app)
    assert job.state == FINISHED, job.message
    assert job.message == "Đã cấp 2 giấy chứng nhận cho đợt C2026."
    # Two batches of one, then one that finds nothing left: none waited.
    assert len(taken) == 3 and None not in taken
    assert sorted(_numbers(app) + taken) == list(range(first, first + 5))


def test_a_job_stopped_midway_keeps_its_batches_and_a_retry_does_the_rest(
    on_a_file, monkeypatch
):
    app = on_a_file
    first = _last_serial(app) + 1
    broken = [True]

    def break_second(call):
        if call == 2 and broken[0]:
            broken[0] = False
            raise RuntimeError("boom")

    _before_each_batch(monkeypatch, break_second)
    job = _run(app)
    assert job.state == FAILED
    assert "vẫn được giữ" in job.message and "chưa có gì được ghi" not in job.message
    assert _numbers(app) == [first]  # the first batch is kept
    job = _run(app, job.id)
    assert job.state == FINISHED, job.message
    assert job.message == "Đã cấp 1 giấy chứng nhận cho đợt C2026."
    assert sorted(_numbers(app)) == [first, first + 1]


def test_a_run_given_up_meanwhile_keeps_no_batch_after_that(on_a_file, monkeypatch):
    """The job was given up for stalled and claimed by another run (its run number
    moved on) between two batches: the old run's next batch is not committed."""
    app = on_a_file
    first = _last_serial(app) + 1

    def claimed_by_another_run(call):
        if call == 2:
            with db.engine.begin() as connection:
                connection.execute(update(Job).values(runs=Job.runs + 1))

    _before_each_batch(monkeypatch, claimed_by_another_run)
    job = _run(app)
    assert job.state == RUNNING and job.runs == 2  # the other run's
    assert _numbers(app) == [first]
    assert _last_serial(app) == first  # the second batch's serial rolled back
