"""An expired job whose result was a file runs again ("Chạy lại") from its page and
from "Việc của tôi", with the same parameters, through the retry of a failed job:
a POST with its CSRF token, refused while the job is queued or running, not found
when its owner may no longer have what it makes, never offered for a job that
wrote (it would write twice)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import RoleAssignment, User
from app.extensions import db
from app.jobs import progress
from app.jobs import services as jobs
from app.jobs.models import EXPIRED, FAILED, FINISHED, QUEUED, RUNNING, Job
from app.timeutil import utcnow
from tests.conftest import AuthActions
from tests.factories import make_user
from tests.records.helpers import make_campaign

REFUSED = "Chỉ chạy lại được việc đã lỗi, bị gián đoạn hoặc có tệp kết quả đã hết hạn."


@pytest.fixture
def people(app, tmp_path) -> dict:
    app.config["COURSES_DIR"] = str(tmp_path)
    app.config["EXPORT_JOB_ROWS"] = 0  # every export is a job
    with app.app_context():
        _, tree = make_campaign(tmp_path)
        hr_d = make_user("hr_d", tree["D"], roles=[("hr", tree["D"])])
        make_user("hr_c", tree["C"], roles=[("hr", tree["C"])])
        db.session.commit()
        return {"hr_d": hr_d.id, "D": tree["D"].id, "C": tree["C"].id}


def _add_job(app, **columns) -> None:
    """A job row as a page or a worker would have left it."""
    with app.app_context():
        db.session.add(Job(**columns))
        db.session.commit()


def _job(app, job_id) -> Job:
    with app.app_context():
        job = db.session.get(Job, job_id)
        db.session.expunge(job)
        return job


def _export(client, people) -> str:
    """hr_d's records export of D, as a job (finished: the inline runner)."""
    response = client.get(f"/reports/export.csv?campaign=C2026&unit={people['D']}")
    assert response.status_code == 302 and "/jobs/" in response.location
    return response.location.rsplit("/", 1)[1]


def _expire(app, job_id, sweep: bool) -> None:
    """Its time passed; `sweep`: and the sweep removed its file."""
    with app.app_context():
        job = db.session.get(Job, job_id)
        job.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        if sweep:
            assert jobs.sweep() == 1
    assert _job(app, job_id).state == (EXPIRED if sweep else FINISHED)


def _post(client, job_id, token="from-the-page"):
    if token == "from-the-page":
        token = AuthActions(client).token(f"/jobs/{job_id}")
    data = {"csrf_token": token} if token else {}
    return client.post(f"/jobs/{job_id}/retry", data=data)


@pytest.mark.parametrize("swept", [False, True])
def test_an_expired_export_runs_again_with_the_same_parameters(
    app, client, people, swept
):
    AuthActions(client).login("hr_d")
    job_id = _export(client, people)
    before = _job(app, job_id)
    assert before.state == FINISHED and before.runs == 1
    with app.app_context():
        old_file = progress.jobs_dir() / before.result_file
    _expire(app, job_id, swept)
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Đã hết hạn" in page and "Chạy lại" in page and "Tải về" not in page
    assert "Kết quả đã hết hạn và đã được xóa; hãy chạy lại việc này." in page
    assert f'action="/jobs/{job_id}/retry"' in page
    listing = client.get("/jobs/").get_data(as_text=True)
    assert f'action="/jobs/{job_id}/retry"' in listing and "Chạy lại" in listing
    with app.app_context():  # made afresh: from the data of now
        db.session.scalar(
            select(User).where(User.username == "in1")
        ).full_name = "Nguyễn Văn Ánh"
        db.session.commit()
    token = AuthActions(client).token("/jobs/")  # from "Việc của tôi"
    response = _post(client, job_id, token)
    assert response.status_code == 302
    assert response.location.endswith(f"/jobs/{job_id}")
    after = _job(app, job_id)
    assert (after.state, after.runs, after.params) == (FINISHED, 2, before.params)
    assert after.expires_at > utcnow() and after.result_name == before.result_name
    download = client.get(f"/jobs/{job_id}/download")
    assert download.status_code == 200
    assert "Nguyễn Văn Ánh" in download.get_data(as_text=True)
    assert old_file.is_file()  # its new result, under the job's name
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Tải về" in page and "Chạy lại" not in page
    # run again once more, from its page this time
    _expire(app, job_id, True)
    assert _post(client, job_id).status_code == 302
    assert _job(app, job_id).runs == 3
    assert client.get(f"/jobs/{job_id}/download").status_code == 200


def test_running_again_is_refused_while_queued_or_running_or_in_its_time(
    app, client, people
):
    AuthActions(client).login("hr_d")
    done = _export(client, people)
    now = utcnow()
    params = {"campaign": "C2026", "unit": people["D"]}
    for job_id, state in (("a" * 32, RUNNING), ("b" * 32, QUEUED)):
        running = now if state == RUNNING else None
        _add_job(
            app,
            id=job_id,
            kind="records.csv",
            title="Xuất",
            owner_id=people["hr_d"],
            params=params,
            state=state,
            runs=1 if state == RUNNING else 0,
            created_at=now,
            started_at=running,
            heartbeat_at=running,
            result_name="tệp.csv",
        )
    for job_id in ("a" * 32, "b" * 32, done):
        before = _job(app, job_id)
        page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
        assert "Chạy lại" not in page and "Thử lại" not in page
        assert _post(client, job_id).status_code == 302
        after = _job(app, job_id)
        assert (after.state, after.runs) == (before.state, before.runs)
        assert REFUSED in client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Chạy lại" not in client.get("/jobs/").get_data(as_text=True)


def test_running_again_needs_the_pages_csrf_token(app, client, people):
    AuthActions(client).login("hr_d")
    job_id = _export(client, people)
    _expire(app, job_id, True)
    assert _post(client, job_id, token=None).status_code == 400
    assert _post(client, job_id, token="not-a-token").status_code == 400
    job = _job(app, job_id)
    assert (job.state, job.runs) == (EXPIRED, 1)


def test_another_officers_or_another_units_job_is_not_found(app, client, people):
    AuthActions(client).login("hr_d")
    job_id = _export(client, people)
    _expire(app, job_id, True)
    other = app.test_client()
    AuthActions(other).login("hr_c")
    assert _post(other, job_id).status_code == 404  # not its job
    # hr_d moved to C: D's records are no longer its to export
    with app.app_context():
        role = db.session.scalar(
            select(RoleAssignment).where(RoleAssignment.user_id == people["hr_d"])
        )
        role.unit_id = people["C"]
        db.session.commit()
    for page in (f"/jobs/{job_id}", "/jobs/"):  # no button that would answer 404
        shown = client.get(page)
        assert shown.status_code == 200 and "Chạy lại" not in shown.get_data(True)
    assert _post(client, job_id).status_code == 404
    job = _job(app, job_id)
    assert (job.state, job.runs, job.result_file) == (EXPIRED, 1, None)


def test_a_failed_job_offers_no_retry_its_owner_may_no_longer_run(app, client, people):
    AuthActions(client).login("hr_d")
    job_id = _export(client, people)
    with app.app_context():
        db.session.get(Job, job_id).state = FAILED
        role = db.session.scalar(
            select(RoleAssignment).where(RoleAssignment.user_id == people["hr_d"])
        )
        role.unit_id = people["C"]  # moved out of D: D's export is not its own
        db.session.commit()
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Thử lại" not in page and 'action="/jobs/' not in page
    assert _post(client, job_id).status_code == 404


def test_a_job_that_wrote_is_not_run_again_once_expired(app, client, people):
    """An import, a ranking, reminders: they wrote, and running them again would
    write again. Their page says what they did."""
    now = utcnow()
    job_id = "c" * 32
    _add_job(
        app,
        id=job_id,
        kind="cadres.import",
        title="Nhập cán bộ",
        owner_id=people["hr_d"],
        params={"token": "x"},
        state=EXPIRED,
        runs=1,
        message="Đã nhập cán bộ.xlsx: 3 cán bộ mới.",
        created_at=now - timedelta(days=2),
        finished_at=now - timedelta(days=2),
        expires_at=now - timedelta(days=1),
    )
    AuthActions(client).login("hr_d")
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Đã nhập cán bộ.xlsx: 3 cán bộ mới." in page and "Chạy lại" not in page
    assert "Chạy lại" not in client.get("/jobs/").get_data(as_text=True)
    assert _post(client, job_id).status_code == 302
    job = _job(app, job_id)
    assert (job.state, job.runs) == (EXPIRED, 1)
    assert REFUSED in client.get(f"/jobs/{job_id}").get_data(as_text=True)


def test_the_sweep_leaves_a_job_run_again_since_it_read_it(app, client, people):
    """The sweep read the job as finished past its time; before it wrote, the job
    was run again and wrote its new result under the same name: the sweep neither
    expires it nor removes that file."""
    from app.jobs import results

    AuthActions(client).login("hr_d")
    job_id = _export(client, people)
    _expire(app, job_id, False)
    stale = {job_id: _job(app, job_id).result_file}  # as the sweep read it
    assert _post(client, job_id).status_code == 302
    with app.app_context():
        assert results._expire(stale, utcnow(), progress.jobs_dir()) == 0
        db.session.commit()
        path = progress.jobs_dir() / stale[job_id]
    assert path.is_file() and _job(app, job_id).state == FINISHED
