"""Data for the API's tests: the records of tests.reports.test_exports (subtree D:
in1, in2, hoa; `out` in C1; hrd and adm in P), a certificate in D (in1) and one in C
(out), and tokens for D and for C."""

import pytest
from sqlalchemy import select

from app.accounts.models import Unit, User
from app.api import services
from app.certificates.services import issue_certificate
from app.extensions import db
from app.records.models import COMPLETED, TrainingRecord
from tests.reports.test_exports import COMPLETED_AT, make_records


def _unit(code: str) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.code == code))


def _record(username: str) -> TrainingRecord:
    return db.session.scalar(
        select(TrainingRecord).join(User).where(User.username == username)
    )


def seed(tmp_path) -> dict:
    make_records(tmp_path)
    out = _record("out")
    out.status, out.passed, out.best_percent = COMPLETED, True, 80.0
    out.completed_at = COMPLETED_AT
    in_d = issue_certificate(_record("in1"))
    in_c = issue_certificate(out)
    _, token = services.issue_token("HRM D", _unit("D"))
    _, c_token = services.issue_token("HRM C", _unit("C"))
    db.session.commit()
    return {
        "token": token,
        "c_token": c_token,
        "d_serial": in_d.serial,
        "c_serial": in_c.serial,
    }


@pytest.fixture
def seeded(app, tmp_path) -> dict:
    with app.app_context():
        return seed(tmp_path)


def get(client, token: str | None, url: str, **query):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(url, query_string=query, headers=headers)
