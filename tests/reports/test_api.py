"""The JSON records API behind tokens, and `flask api-tokens …`."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import Unit
from app.api import services
from app.api.models import ApiToken
from app.audit.models import AuditEvent
from app.extensions import db
from app.timeutil import utcnow
from tests.reports.test_exports import HOA, make_records

URL = "/api/v1/campaigns/C2026/records"


def _unit(code: str) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.code == code))


@pytest.fixture
def token(app, tmp_path) -> str:
    """A token for unit D, over the records of tests.reports.test_exports."""
    with app.app_context():
        make_records(tmp_path)
        _, plaintext = services.issue_token("HRM Sở Nội vụ", _unit("D"))
        db.session.commit()
    return plaintext


def _get(client, token: str | None, query: str = "", url: str = URL):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(f"{url}?{query}", headers=headers)


def test_a_good_token_reads_the_records_as_json(app, client, token):
    response = _get(client, token, "unit=D")
    assert response.status_code == 200 and response.is_json
    body = response.get_json()
    assert body["campaign"] == {
        "code": "C2026",
        "title": "Bồi dưỡng năm 2026",
        "year": 2026,
    }
    assert body["unit"]["code"] == "D" and body["total"] == 3
    assert body["page"] == 1 and body["per_page"] == 1000 and body["next"] is None
    by_name = {r["full_name"]: r for r in body["records"]}
    assert set(by_name) == {"Nguyễn Văn An", "Lê Thị Bình", HOA}
    assert by_name["Nguyễn Văn An"] == {
        "employee_code": "",
        "full_name": "Nguyễn Văn An",
        "unit": {"code": "D1A", "name": "Tổ Đào tạo"},
        "category": "cong_chuc",
        "category_label": "Công chức",
        "status": "completed",
        "status_label": "Hoàn thành",
        "best_score": 90.0,
        "passed": True,
        "completed_at": "2026-03-06T01:30:00+07:00",
        "completed_date": "2026-03-06",
        "certificate_serial": None,
    }
    assert by_name[HOA]["status"] == "not_started"
    assert by_name[HOA]["completed_at"] is None
    assert _get(client, token).get_json()["unit"]["code"] == "D"  # default: own unit
    assert _get(client, token, "unit=D1").get_json()["total"] == 2
    with app.app_context():
        used = db.session.scalar(select(ApiToken)).last_used_at
        assert used is not None and utcnow() - used < timedelta(minutes=1)


def test_pages_of_the_records_link_to_the_next(client, token):
    first = _get(client, token, "unit=D&per_page=2").get_json()
    assert len(first["records"]) == 2 and first["per_page"] == 2
    assert first["next"].startswith("http://localhost/api/v1/campaigns/C2026/records?")
    assert "page=2" in first["next"] and "unit=D" in first["next"]
    assert "per_page=2" in first["next"]
    second = client.get(
        first["next"], headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    assert len(second["records"]) == 1 and second["next"] is None
    names = {r["full_name"] for r in first["records"] + second["records"]}
    assert len(names) == 3
    assert _get(client, token, "page=0").status_code == 400
    assert _get(client, token, "page=x").status_code == 400


def test_missing_bad_and_revoked_tokens_get_401_json(app, client, token):
    for headers in (
        {},
        {"Authorization": "Bearer"},
        {"Authorization": f"Basic {token}"},
        {"Authorization": "Bearer " + "x" * 43},
        {"Authorization": f"Bearer {token[:8]}{'y' * 35}"},  # right prefix only
    ):
        response = client.get(URL, headers=headers)
        assert response.status_code == 401, headers
        assert response.is_json and response.get_json()["error"]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    with app.app_context():
        services.revoke_token(db.session.scalar(select(ApiToken)))
        db.session.commit()
    assert _get(client, token).status_code == 401


def test_units_outside_the_token_and_unknown_campaigns_are_404(client, token):
    for query in ("unit=C", "unit=C1", "unit=P", "unit=NOPE"):
        response = _get(client, token, query)
        assert response.status_code == 404, query
        assert response.get_json()["error"]
    response = _get(client, token, "unit=D", url="/api/v1/campaigns/NOPE/records")
    assert response.status_code == 404 and response.is_json


def test_only_the_hash_is_stored_and_issue_and_revoke_are_audited(app, token):
    with app.app_context():
        row = db.session.scalar(select(ApiToken))
        assert row.token_hash == services.hash_token(token) != token
        assert row.prefix == token[:8] and row.unit.code == "D"
        assert services.authenticate(f"Bearer {token}") is row
        services.revoke_token(row)
        db.session.commit()
        assert services.authenticate(f"Bearer {token}") is None
        actions = list(db.session.scalars(select(AuditEvent.action)))
        assert "api_token.issued" in actions and "api_token.revoked" in actions


def test_cli_creates_lists_and_revokes_tokens(app, runner, client, token):
    result = runner.invoke(
        args=["api-tokens", "create", "--name", "HRM xã", "--unit", "D1"]
    )
    assert result.exit_code == 0, result.output
    plaintext = result.output.strip().splitlines()[1]
    # (a token of a unit C2026 is not for, such as C, gets 404: test_endpoints)
    assert _get(client, plaintext, "unit=D1").status_code == 200
    listed = runner.invoke(args=["api-tokens", "list"]).output
    assert "HRM xã" in listed and plaintext[:8] in listed and plaintext not in listed
    with app.app_context():  # its id, whatever the database's sequences say
        new_id = db.session.scalar(select(ApiToken.id).where(ApiToken.name == "HRM xã"))
    result = runner.invoke(args=["api-tokens", "revoke", str(new_id)])
    assert result.exit_code == 0, result.output
    assert _get(client, plaintext, "unit=D1").status_code == 401
    assert "thu hồi" in runner.invoke(args=["api-tokens", "list"]).output
    bad = runner.invoke(args=["api-tokens", "create", "--name", "X", "--unit", "ZZ"])
    assert bad.exit_code != 0 and "ZZ" in bad.output
    bad = runner.invoke(args=["api-tokens", "revoke", "999999"])
    assert bad.exit_code != 0 and "999999" in bad.output
    for group in ("api-tokens", "reports"):
        assert runner.invoke(args=[group, "--help"]).exit_code == 0
