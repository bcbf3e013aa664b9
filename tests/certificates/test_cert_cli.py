"""`flask certificates export` and `issue-missing`."""

import zipfile

from app.extensions import db
from app.timeutil import utcnow
from tests.certificates.helpers import certificates_of, complete
from tests.records.helpers import make_campaign


def _setup(app, tmp_path):
    with app.app_context():
        make_campaign(tmp_path)
        complete("in1", utcnow())
        complete("in2", utcnow())
        return certificates_of("in1")[0].serial


def test_export_writes_a_zip_of_the_subtree(app, runner, tmp_path):
    serial = _setup(app, tmp_path)
    target = tmp_path / "out.zip"
    result = runner.invoke(
        args=[
            "certificates",
            "export",
            "--campaign",
            "C2026",
            "--unit",
            "D1A",
            "-o",
            str(target),
        ]
    )
    assert result.exit_code == 0, result.output
    names = zipfile.ZipFile(target).namelist()
    assert len(names) == 1 and names[0].startswith(serial)
    assert "1 giấy chứng nhận" in result.output


def test_export_fails_clearly_on_unknown_codes(app, runner, tmp_path):
    _setup(app, tmp_path)
    target = tmp_path / "out.zip"
    for campaign, unit, word in (("NOPE", "D", "NOPE"), ("C2026", "ZZ", "ZZ")):
        result = runner.invoke(
            args=[
                "certificates",
                "export",
                "--campaign",
                campaign,
                "--unit",
                unit,
                "-o",
                str(target),
            ]
        )
        assert result.exit_code != 0 and word in result.output
    assert not target.exists()


def _one_missing(app, tmp_path) -> None:
    """in1 completed C2026 and has no certificate."""
    with app.app_context():
        make_campaign(tmp_path)
        db.session.delete(complete("in1", utcnow()))
        db.session.commit()


def test_issue_missing(app, runner, tmp_path):
    _one_missing(app, tmp_path)
    result = runner.invoke(
        args=["certificates", "issue-missing", "--campaign", "C2026"]
    )
    assert result.exit_code == 0 and "Đã cấp 1" in result.output
    with app.app_context():
        assert len(certificates_of("in1")) == 1
    result = runner.invoke(args=["certificates", "issue-missing", "--campaign", "X"])
    assert result.exit_code != 0 and "X" in result.output


def test_issue_missing_with_queue_but_no_queue_runs_here(app, runner, tmp_path):
    """Without REDIS_URL the jobs run in a thread of the app, which a command's
    process would take with it as it ends: `--queue` then runs the job here, and
    says so, instead of claiming a worker took it."""
    app.config.update(JOBS_RUNNER="", REDIS_URL=None, JOBS_REDIS_URL=None)
    _one_missing(app, tmp_path)
    result = runner.invoke(
        args=["certificates", "issue-missing", "--campaign", "C2026", "--queue"]
    )
    assert result.exit_code == 0, result.output
    assert "không giao cho worker" in result.output and "Đã cấp 1" in result.output
    assert "Đã giao việc" not in result.output
    with app.app_context():
        assert len(certificates_of("in1")) == 1


def test_queue_goes_to_the_workers_only_when_there_is_a_queue(app):
    from app.jobs.cli import runs_here

    with app.app_context():
        app.config.update(JOBS_RUNNER="", REDIS_URL="redis://127.0.0.1:1/0")
        assert runs_here(False) and not runs_here(True)
        app.config.update(JOBS_RUNNER="thread")  # a queue there, but not used
        assert runs_here(False) and runs_here(True)
        app.config.update(JOBS_RUNNER="", REDIS_URL=None)
        assert runs_here(False) and runs_here(True)
