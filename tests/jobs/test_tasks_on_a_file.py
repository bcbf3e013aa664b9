"""The real tasks as `make run` runs them: in threads of the app, on an SQLite file
(one writer at a time; every connection its own), so that a task's progress writes
and its own transaction meet as they do in production. Through the pages: the
import's preview and confirmation, the ZIP, an export; and issue-missing."""

import time

import pytest
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.jobs import runner
from app.jobs.models import FINISHED, Job
from app.records.models import Certificate
from app.timeutil import utcnow
from tests.accounts.test_cadre_import import DATA, confirm_url, upload
from tests.certificates.helpers import complete
from tests.conftest import AuthActions, csrf_token, make_config
from tests.factories import make_user
from tests.records.helpers import make_campaign


@pytest.fixture
def on_a_file(tmp_path):
    app = create_app(
        make_config(
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'file.sqlite3'}",
            JOBS_RUNNER="thread",
            JOBS_DIR=str(tmp_path / "results"),
            CADRE_IMPORT_DIR=str(tmp_path / "uploads"),
            COURSES_DIR=str(tmp_path),
            EXPORT_JOB_ROWS=0,
            ZIP_JOB_CERTIFICATES=0,
        )
    )
    with app.app_context():
        db.create_all()
        _, tree = make_campaign(tmp_path)
        now = utcnow()
        complete("in1", now), complete("in2", now)
        make_user("hr", tree["D"], roles=[("hr", tree["D"]), ("learner", None)])
        make_user("admin", tree["P"], roles=[("admin", None)])
        db.session.commit()
        app.units = {"D": tree["D"].id}
    yield app
    runner.wait_for_threads()
    with app.app_context():
        db.engine.dispose()


def _finished(app, location: str) -> Job:
    runner.wait_for_threads()
    job_id = location.rsplit("/", 1)[1]
    with app.app_context():
        job = db.session.get(Job, job_id)
        db.session.expunge(job)
    assert job.state == FINISHED, job.message
    return job


def test_the_tasks_run_in_threads_on_an_sqlite_file(on_a_file):
    app = on_a_file
    client = app.test_client()
    AuthActions(client).login("hr")
    unit = app.units["D"]
    page = upload(client, "english.csv", unit).get_data(as_text=True)
    started = time.monotonic()
    response = client.post(
        confirm_url(page), data={"csrf_token": csrf_token(client, "/password")}
    )
    job = _finished(app, response.location)
    assert "cán bộ mới" in job.message
    assert time.monotonic() - started < 5  # no wait for its own lock
    # Two certificates; four records (the two imported cadres have one too).
    for path, total in (("/reports/certificates.zip", 2), ("/reports/export.xlsx", 4)):
        response = client.get(f"{path}?campaign=C2026&unit={unit}")
        job = _finished(app, response.location)
        assert job.result_file and (job.done, job.total) == (total, total)
        assert client.get(f"/jobs/{job.id}/download").get_data()[:2] == b"PK"
    with app.app_context():
        for certificate in db.session.scalars(select(Certificate)):
            db.session.delete(certificate)
        db.session.commit()
    result = app.test_cli_runner().invoke(
        args=["certificates", "issue-missing", "--campaign", "C2026"]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 2
    assert (DATA / "english.csv").exists()
