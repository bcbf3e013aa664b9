"""The API's lists read what they show in a set number of queries, whatever the
number of items (no query per unit's parent or per cadre's unit)."""

from sqlalchemy import select

from app.accounts.models import Unit
from app.extensions import db
from tests.api.conftest import get
from tests.factories import make_unit, make_user
from tests.query_count import counted


def _grow(app, count: int) -> None:
    """`count` more offices under D, each with a team and a cadre of its own."""
    with app.app_context():
        d = db.session.scalar(select(Unit).where(Unit.code == "D"))
        for i in range(count):
            office = make_unit(f"DX{i}", parent=d)
            team = make_unit(f"DX{i}T", parent=office, kind="team")
            make_user(f"extra{i}", team, full_name=f"Cán Bộ Thêm {i}")
        db.session.commit()


def _queries(app, client, token, url, **query) -> int:
    with app.app_context():
        engine = db.engine
    with counted(engine) as sent:
        response = get(client, token, url, per_page=100, **query)
    assert response.status_code == 200
    return len([s for s in sent if s.startswith("SELECT")])


def test_lists_take_as_many_queries_for_many_items_as_for_few(app, client, seeded):
    token = seeded["token"]
    lists = [("/api/v1/units", {}), ("/api/v1/units", {"kind": "team"})]
    lists.append(("/api/v1/cadres", {}))
    _queries(app, client, token, "/api/v1/units")  # the token's first use writes
    few = [_queries(app, client, token, url, **q) for url, q in lists]
    _grow(app, 6)
    many = [_queries(app, client, token, url, **q) for url, q in lists]
    assert get(client, token, "/api/v1/cadres").get_json()["total"] == 9
    assert many == few
