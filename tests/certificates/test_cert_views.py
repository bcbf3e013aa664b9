"""The public verification page, downloads (who may get which PDF and ZIP),
revocation and reissue through the web."""

import io
import zipfile

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.certificates import services
from app.extensions import db
from app.records.models import Certificate
from app.timeutil import utcnow
from tests.certificates.helpers import certificates_of, complete, user
from tests.conftest import AuthActions
from tests.factories import make_user
from tests.records.helpers import make_campaign


@pytest.fixture
def certs(app, tmp_path) -> dict:
    """in1 (D1A) and in2 (D1) have certificates; hr_d sees D, hr_c sees C."""
    app.config["COURSES_DIR"] = str(tmp_path)
    with app.app_context():
        _, tree = make_campaign(tmp_path)
        user("in1").employee_code = "CB-778899"
        user("in1").email = "an@example.gov.vn"
        db.session.commit()
        now = utcnow()
        in1, in2 = complete("in1", now), complete("in2", now)
        make_user("hr_d", tree["D"], roles=[("hr", tree["D"]), ("learner", None)])
        make_user("hr_c", tree["C"], roles=[("hr", tree["C"]), ("learner", None)])
        make_user("admin", tree["P"], roles=[("admin", None)])
        return {
            "in1": in1.id,
            "in2": in2.id,
            "code1": in1.code,
            "serial1": in1.serial,
            "D": tree["D"].id,
            "D1A": tree["D1A"].id,
        }


def _login(client, username):
    AuthActions(client).login(username)


def _cert(cert_id) -> Certificate:
    return db.session.get(Certificate, cert_id)


# --- verification -----------------------------------------------------------


def test_verify_shows_a_valid_certificate_and_nothing_more_personal(client, certs):
    response = client.get(f"/verify/{certs['code1']}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "hợp lệ" in page and certs["serial1"] in page
    assert "Nguyễn Văn An" in page and "Tổ Đào tạo" in page
    assert "Bồi dưỡng năm 2026" in page
    assert "CB-778899" not in page and "an@example.gov.vn" not in page
    assert "noindex" in response.headers["X-Robots-Tag"]


def test_verify_needs_no_sign_in_and_unknown_codes_are_404(client, certs):
    assert client.get("/verify/no-such-code").status_code == 404
    assert client.get(f"/verify/{certs['code1']}x").status_code == 404


def test_verify_says_revoked_with_reason_and_date(app, client, certs):
    with app.app_context():
        services.revoke(_cert(certs["in1"]), "Gian lận khi làm bài", None)
        db.session.commit()
    page = client.get(f"/verify/{certs['code1']}").get_data(as_text=True)
    assert "thu hồi" in page and "Gian lận khi làm bài" in page
    assert "Giấy chứng nhận hợp lệ" not in page


def test_verify_is_rate_limited(client, certs):
    codes = [client.get(f"/verify/{certs['code1']}").status_code for _ in range(31)]
    assert codes[:30] == [200] * 30 and codes[30] == 429


# --- single downloads -------------------------------------------------------


def test_the_owner_downloads_its_certificate_from_the_transcript(client, certs):
    _login(client, "in1")
    page = client.get("/transcript").get_data(as_text=True)
    url = f"/certificates/{certs['in1']}.pdf"
    assert url in page
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "attachment" in response.headers["Content-Disposition"]


def test_another_learner_gets_404(client, certs):
    _login(client, "in2")
    assert client.get(f"/certificates/{certs['in1']}.pdf").status_code == 404
    assert client.get(f"/certificates/{certs['in2']}.pdf").status_code == 200
    assert client.get("/certificates/99999.pdf").status_code == 404


def test_anonymous_is_sent_to_sign_in(client, certs):
    response = client.get(f"/certificates/{certs['in1']}.pdf")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.get("/reports/certificates.zip?campaign=C2026")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(("who", "status"), [("hr_d", 200), ("hr_c", 404)])
def test_hr_downloads_inside_its_subtree_only(client, certs, who, status):
    _login(client, who)
    response = client.get(f"/certificates/{certs['in1']}.pdf")
    assert response.status_code == status
    if status == 200:
        assert response.data.startswith(b"%PDF")


def test_admin_downloads_any(client, certs):
    _login(client, "admin")
    assert client.get(f"/certificates/{certs['in2']}.pdf").status_code == 200


def test_a_revoked_certificate_is_gone_for_its_owner_but_kept_for_hr(
    app, client, certs
):
    with app.app_context():
        services.revoke(_cert(certs["in1"]), "Sai tên", None)
        db.session.commit()
    _login(client, "in1")
    assert client.get(f"/certificates/{certs['in1']}.pdf").status_code == 404
    assert f"/certificates/{certs['in1']}.pdf" not in client.get(
        "/transcript"
    ).get_data(as_text=True)
    AuthActions(client).logout()
    _login(client, "hr_d")
    assert client.get(f"/certificates/{certs['in1']}.pdf").status_code == 200


# --- ZIP ----------------------------------------------------------------------


def _zip_names(response) -> list[str]:
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert archive.testzip() is None
    for name in archive.namelist():
        assert archive.read(name).startswith(b"%PDF")
    return sorted(archive.namelist())


def test_zip_holds_one_pdf_per_certificate_of_the_subtree(app, client, certs):
    _login(client, "hr_d")
    response = client.get(f"/reports/certificates.zip?campaign=C2026&unit={certs['D']}")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.is_streamed
    names = _zip_names(response)
    assert len(names) == 2 and names[0].startswith(certs["serial1"])
    assert names[0].endswith("nguyen-van-an.pdf")
    response = client.get(
        f"/reports/certificates.zip?campaign=C2026&unit={certs['D1A']}"
    )
    assert _zip_names(response) == [names[0]]
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "certificates.exported")
        )
        assert event.detail["campaign"] == "C2026"


def test_zip_leaves_out_revoked_certificates(app, client, certs):
    with app.app_context():
        services.revoke(_cert(certs["in2"]), "Sai", None)
        db.session.commit()
    _login(client, "admin")
    response = client.get(f"/reports/certificates.zip?campaign=C2026&unit={certs['D']}")
    assert len(_zip_names(response)) == 1


def test_zip_outside_the_scope_is_404_and_learners_403(client, certs):
    _login(client, "hr_c")
    url = f"/reports/certificates.zip?campaign=C2026&unit={certs['D']}"
    assert client.get(url).status_code == 404
    AuthActions(client).logout()
    _login(client, "in1")
    assert client.get(url).status_code == 403


# --- revoke and reissue -------------------------------------------------------


def _post(client, url, **data):
    token = AuthActions(client).token()
    return client.post(url, data={"csrf_token": token, "confirm": "1", **data})


def test_revoke_through_the_cadre_page(app, client, certs):
    _login(client, "hr_d")
    with app.app_context():
        in1 = user("in1").id
    page = client.get(f"/reports/cadres/{in1}?campaign=C2026").get_data(as_text=True)
    assert certs["serial1"] in page and f"/certificates/{certs['in1']}/revoke" in page
    response = _post(client, f"/certificates/{certs['in1']}/revoke", reason=" ")
    assert response.status_code == 302
    with app.app_context():
        assert _cert(certs["in1"]).is_valid  # no reason: nothing changed
    _post(client, f"/certificates/{certs['in1']}/revoke", reason="Gian lận")
    with app.app_context():
        cert = _cert(certs["in1"])
        assert not cert.is_valid and cert.revoke_reason == "Gian lận"
        assert cert.revoked_by_id == user("hr_d").id
        assert db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "certificate.revoked")
        )


def test_revoke_without_csrf_is_refused(app, client, certs):
    _login(client, "hr_d")
    response = client.post(f"/certificates/{certs['in1']}/revoke", data={"reason": "x"})
    assert response.status_code == 400
    with app.app_context():
        assert _cert(certs["in1"]).is_valid


@pytest.mark.parametrize(("who", "status"), [("hr_c", 404), ("in1", 403)])
def test_revoke_and_reissue_outside_the_scope(app, client, certs, who, status):
    _login(client, who)
    for action in ("revoke", "reissue"):
        url = f"/certificates/{certs['in1']}/{action}"
        assert _post(client, url, reason="x").status_code == status
    with app.app_context():
        assert len(certificates_of("in1")) == 1 and _cert(certs["in1"]).is_valid


def test_reissue_gives_a_new_serial_and_the_old_verifies_as_revoked(app, client, certs):
    _login(client, "hr_d")
    assert _post(client, f"/certificates/{certs['in1']}/reissue").status_code == 302
    with app.app_context():
        old, new = certificates_of("in1")
        assert new.serial != old.serial and new.code != old.code
        assert new.replaces_id == old.id and new.is_valid
        new_code = new.code
    old_page = client.get(f"/verify/{certs['code1']}").get_data(as_text=True)
    assert "thu hồi" in old_page and "Cấp lại" in old_page
    assert "hợp lệ" in client.get(f"/verify/{new_code}").get_data(as_text=True)


def test_the_export_carries_the_valid_serial(app, client, certs):
    _login(client, "hr_d")
    csv = client.get(f"/reports/export.csv?campaign=C2026&unit={certs['D']}")
    assert certs["serial1"] in csv.get_data(as_text=True)
