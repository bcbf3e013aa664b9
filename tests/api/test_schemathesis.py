"""schemathesis over every operation of /api/v1/openapi.json, against the app running
as a server (over HTTP on 127.0.0.1, as a client of the API sees it) with the seeded
data and a token of unit D: no server error, every response on the schema (status,
content type, headers, body) — all of schemathesis' checks — and, beyond the schema,
nothing of outside D's subtree in any response."""

import json
import threading

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from sqlalchemy import select
from werkzeug.serving import make_server

from app.accounts.models import Unit, User
from app.extensions import db
from tests.api.conftest import seed

# Bounded so that the whole run takes well under a minute on one core.
EXAMPLES = 25


@pytest.fixture
def seeded_app(app, tmp_path):
    """The app with the seeded data; the token of D, and the strings (names, codes,
    serial) of everything outside D's subtree, which no response may carry."""
    with app.app_context():
        data = seed(tmp_path)
        d_path = db.session.scalar(select(Unit.path).where(Unit.code == "D"))
        outside = [
            u for u in db.session.scalars(select(Unit)) if not u.in_subtree(d_path)
        ]
        forbidden = {u.name for u in outside}
        forbidden |= {f'"{u.code}"' for u in outside}  # as a JSON string
        forbidden |= {
            u.full_name
            for u in db.session.scalars(select(User).join(Unit))
            if not u.unit.in_subtree(d_path)
        }
        forbidden.add(data["c_serial"])
    # The token's own unit D names its parent nowhere (parent_code is null there).
    return app, data["token"], forbidden


@pytest.fixture
def api_schema(seeded_app):
    """The schema as the running server publishes it; the cases go to that server.
    One request at a time (the test database may be one in-memory connection)."""
    app, _, _ = seeded_app
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        yield schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json")
    finally:
        server.shutdown()
        thread.join()


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.schemathesis
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,  # no .hypothesis/ folder in the work tree
)
def test_every_operation_keeps_to_its_schema_and_scope(case, seeded_app):
    _, token, forbidden = seeded_app
    response = case.call_and_validate(headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 500
    if not response.content:  # HEAD, OPTIONS
        return
    text = json.dumps(json.loads(response.content), ensure_ascii=False)  # all JSON
    leaked = sorted(s for s in forbidden if s in text)
    assert not leaked, f"{case.path}: {leaked} outside the token's scope"
