"""Revocation and reissue go through a confirm page; the QR code and link use
VHCV_PUBLIC_URL, whose absence is warned about; the snapshot names the unit with
its parent when another unit has the same name."""

import logging

import pytest

from app import create_app
from app.certificates import services
from app.config import DEFAULT_PUBLIC_URL, public_url_missing
from app.errors import NotAllowed
from app.extensions import db
from app.records.models import Certificate
from app.timeutil import utcnow
from tests.certificates import test_cert_views
from tests.certificates.helpers import certificates_of, complete, user
from tests.conftest import (
    TEST_DATABASE_URL,
    AuthActions,
    _empty_tables,
    make_config,
)
from tests.factories import make_unit, make_user
from tests.records.helpers import make_campaign

certs = test_cert_views.certs  # the fixture: in1 and in2 certified, hr_d, hr_c


def _login(client, username="hr_d"):
    AuthActions(client).login(username)


def _token(client) -> str:
    return AuthActions(client).token()


def _valid(app, cert_id) -> bool:
    with app.app_context():
        return db.session.get(Certificate, cert_id).is_valid


def test_revoke_preview_shows_the_public_reason_and_changes_nothing(app, client, certs):
    _login(client)
    url = f"/certificates/{certs['in1']}/revoke"
    page = client.get(f"{url}?reason=Sai+họ+tên").get_data(as_text=True)
    assert certs["serial1"] in page and "Sai họ tên" in page
    assert "công khai" in page  # the reason is shown on the public page
    assert 'name="confirm" value="1"' in page and 'name="reason"' in page
    assert _valid(app, certs["in1"])
    response = client.post(url, data={"csrf_token": _token(client), "reason": "X"})
    assert response.status_code == 302 and "/revoke?reason=X" in response.location
    assert _valid(app, certs["in1"])  # no confirm: nothing happened
    response = client.post(url, data={"reason": "X", "confirm": "1"})
    assert response.status_code == 400 and _valid(app, certs["in1"])  # no CSRF
    client.post(url, data={"csrf_token": _token(client), "reason": "X", "confirm": "1"})
    assert not _valid(app, certs["in1"])


def test_revoke_preview_without_a_reason_goes_back(app, client, certs):
    _login(client)
    response = client.get(f"/certificates/{certs['in1']}/revoke?reason=+")
    assert response.status_code == 302 and "#certificates" in response.location
    assert _valid(app, certs["in1"])


def test_reissue_preview_then_confirm(app, client, certs):
    _login(client)
    url = f"/certificates/{certs['in1']}/reissue"
    page = client.get(url).get_data(as_text=True)
    assert certs["serial1"] in page and "Cấp lại" in page
    client.post(url, data={"csrf_token": _token(client)})
    with app.app_context():
        assert len(certificates_of("in1")) == 1
    client.post(url, data={"csrf_token": _token(client), "confirm": "1"})
    with app.app_context():
        assert len(certificates_of("in1")) == 2


def test_previews_outside_the_scope_are_404(client, certs):
    _login(client, "hr_c")
    for action in ("revoke?reason=x", "reissue"):
        assert client.get(f"/certificates/{certs['in1']}/{action}").status_code == 404


def test_qr_and_link_use_the_public_url(app, certs):
    app.config["VHCV_PUBLIC_URL"] = "https://vhcv.example.gov.vn/"
    with app.app_context():
        cert = db.session.get(Certificate, certs["in1"])
        url = services.verify_url(cert)
        assert url == f"https://vhcv.example.gov.vn/verify/{cert.code}"
        assert services.snapshot_for(cert).verify_url.startswith(url)
    app.config["VHCV_PUBLIC_URL"] = ""
    with app.app_context():
        cert = db.session.get(Certificate, certs["in1"])
        assert services.verify_url(cert).startswith(DEFAULT_PUBLIC_URL + "/verify/")


def test_missing_public_url_is_only_a_problem_in_production():
    assert public_url_missing({"VHCV_PUBLIC_URL": ""})
    assert public_url_missing({"VHCV_PUBLIC_URL": "  "})
    assert not public_url_missing({"VHCV_PUBLIC_URL": "https://a.gov.vn"})
    assert not public_url_missing({"VHCV_PUBLIC_URL": "", "TESTING": True})
    assert not public_url_missing({"VHCV_PUBLIC_URL": "", "DEBUG": True})


@pytest.mark.parametrize("url", ["", "https://vhcv.example.gov.vn"])
def test_unset_public_url_is_logged_and_shown_to_admins(
    _postgres_schema, tmp_path, caplog, url
):
    config = make_config(TESTING=False, VHCV_PUBLIC_URL=url, JOBS_DIR=str(tmp_path))
    with caplog.at_level(logging.WARNING):
        app = create_app(config)
    warned = any("VHCV_PUBLIC_URL" in r.getMessage() for r in caplog.records)
    assert warned is (not url)
    try:
        with app.app_context():
            db.create_all()
            unit = make_unit("P", "Tỉnh Thử")
            make_user("admin", unit, roles=[("admin", None)])
            make_user("learner", unit)
        for who, banner in (("admin", not url), ("learner", False)):
            client = app.test_client()
            AuthActions(client).login(who)
            page = client.get("/password").get_data(as_text=True)
            assert ('id="public-url-warning"' in page) is banner, who
    finally:
        with app.app_context():
            if TEST_DATABASE_URL:  # this app is not the `app` fixture's: empty it
                _empty_tables()
            db.session.remove()
            db.engine.dispose()


def test_the_snapshot_names_a_shared_unit_name_with_its_parent(app, tmp_path):
    app.config["COURSES_DIR"] = str(tmp_path)
    with app.app_context():
        _, tree = make_campaign(tmp_path)
        make_unit("C1B", "Tổ Đào tạo", tree["C1"])  # the same name elsewhere
        cert = complete("in1", utcnow())
        assert cert.unit_name == "Tổ Đào tạo — Phòng Công chức"
        assert user("in1").unit.display_name == cert.unit_name


def test_a_revocation_keeps_the_reason_the_confirm_page_showed(app, client, certs):
    # The confirm page shows the reason in one line and at most 500 characters;
    # a form posted straight to the action stored it as sent (lines, any length)
    # on the public verification page.
    _login(client)
    url = f"/certificates/{certs['in1']}/revoke"
    data = {"csrf_token": _token(client), "confirm": "1"}
    client.post(url, data={**data, "reason": "x" * 501})
    assert _valid(app, certs["in1"])  # refused, nothing changed
    client.post(url, data={**data, "reason": " Sai\r\n\r\nhọ   tên "})
    with app.app_context():
        cert = db.session.get(Certificate, certs["in1"])
        assert not cert.is_valid and cert.revoke_reason == "Sai họ tên"


def test_a_too_long_revocation_reason_is_said_in_each_language(app, client, certs):
    _login(client)
    url = f"/certificates/{certs['in1']}/revoke"
    data = {"csrf_token": _token(client), "confirm": "1", "reason": "x" * 501}
    page = client.post(url, data=data, follow_redirects=True).get_data(as_text=True)
    assert "Lý do thu hồi dài quá 500 ký tự." in page
    client.post("/language", data={"language": "en", "csrf_token": _token(client)})
    page = client.post(url, data=data, follow_redirects=True).get_data(as_text=True)
    assert "The reason for revocation is longer than 500 characters." in page


def test_hr_acts_only_on_learners_certificates(app, client, certs, tmp_path):
    """An HR officer may revoke or reissue the certificate of a learner of its
    subtree, never its own (revoked for cheating, say) nor that of a fellow
    officer, a trainer or an administrator: as every account action, those are
    an administrator's call. The cadre page offers it no such button either."""
    with app.app_context():
        tree = {u.code: u for u in [user("in1").unit, user("in2").unit]}
        d1a, d1 = tree["D1A"], tree["D1"]
        make_user("hr_d1", d1, roles=[("hr", d1), ("learner", None)])
        make_user("tr_d", d1a, roles=[("trainer", d1), ("learner", None)])
        make_user("adm_d", d1a, roles=[("admin", None), ("learner", None)])
        held = {
            name: complete(name, utcnow()).id
            for name in ("hr_d", "hr_d1", "tr_d", "adm_d")
        }
        holders = {name: user(name).id for name in held}
        db.session.commit()
    _login(client)
    token = _token(client)
    for name, cert_id in held.items():
        url = f"/certificates/{cert_id}"
        assert client.get(f"{url}/revoke?reason=X").status_code == 403, name
        assert client.get(f"{url}/reissue").status_code == 403, name
        data = {"csrf_token": token, "reason": "Gian lận", "confirm": "1"}
        assert client.post(f"{url}/revoke", data=data).status_code == 403, name
        assert client.post(f"{url}/reissue", data=data).status_code == 403, name
        assert _valid(app, cert_id), name
        page = client.get(f"/reports/cadres/{holders[name]}").get_data(as_text=True)
        assert f"/certificates/{cert_id}.pdf" in page, name  # still seen
        assert f"/certificates/{cert_id}/revoke" not in page, name
        assert f"/certificates/{cert_id}/reissue" not in page, name
    with app.app_context():
        in1 = user("in1").id
    page = client.get(f"/reports/cadres/{in1}").get_data(as_text=True)
    assert f"/certificates/{certs['in1']}/revoke" in page  # a learner's: offered
    with app.app_context():
        officer = user("hr_d")
        with pytest.raises(NotAllowed):  # the rule is the service's, not the view's
            services.revoke(db.session.get(Certificate, held["hr_d1"]), "X", officer)
    AuthActions(client).logout()
    _login(client, "admin")
    data = {"csrf_token": _token(client), "reason": "Gian lận", "confirm": "1"}
    done = client.post(f"/certificates/{held['hr_d']}/revoke", data=data)
    assert done.status_code == 302, done.get_data(as_text=True)[:3000]
    assert not _valid(app, held["hr_d"])  # an administrator's call
