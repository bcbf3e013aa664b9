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


def test_issue_missing(app, runner, tmp_path):
    with app.app_context():
        make_campaign(tmp_path)
        cert = complete("in1", utcnow())
        db.session.delete(cert)
        db.session.commit()
    result = runner.invoke(
        args=["certificates", "issue-missing", "--campaign", "C2026"]
    )
    assert result.exit_code == 0 and "Đã cấp 1" in result.output
    with app.app_context():
        assert len(certificates_of("in1")) == 1
    result = runner.invoke(args=["certificates", "issue-missing", "--campaign", "X"])
    assert result.exit_code != 0 and "X" in result.output
