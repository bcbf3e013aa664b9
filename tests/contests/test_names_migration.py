"""The migration f1a2b3c4d5e7 gives the entries of rankings made before it the
names of the day it runs, labelled as the pages labelled them (a unit whose name
another unit has, with its parent's)."""

from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from app.extensions import db
from tests.conftest import make_config
from tests.test_database import _insert, _migrated_url


def _unit(connection, code: str, name: str, parent: int | None = None) -> int:
    return _insert(
        connection,
        "unit",
        code=code,
        name=name,
        kind="department",
        parent_id=parent,
        path="/",
        depth=0 if parent is None else 1,
        active=True,
    )


def test_upgrade_keeps_todays_names_in_the_existing_entries(tmp_path):
    url, cleanup = _migrated_url(tmp_path)
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=url))
    try:
        with app.app_context():
            upgrade(revision="e7f8a9b0c1d2")
            with db.engine.begin() as connection:
                province = _unit(connection, "P", "UBND tỉnh Thử")
                office = _unit(connection, "D1", "Văn phòng", province)
                district = _unit(connection, "H", "UBND huyện Một", province)
                shared = _unit(connection, "H1", "Văn phòng", district)
                contest = _insert(connection, "contest", code="CT")
                ranking = _insert(connection, "ranking", contest_id=contest)
                expected = {}
                for username, name, unit in (
                    ("an", "Trần Thị An", office),
                    ("binh", "Lê Văn Bình", shared),
                    ("chi", "Phạm Chi", province),
                ):
                    user = _insert(
                        connection,
                        "user",
                        username=username,
                        full_name=name,
                        name_sort=f"sort-{username}",
                        unit_id=unit,
                    )
                    _insert(
                        connection,
                        "ranking_entry",
                        ranking_id=ranking,
                        user_id=user,
                        unit_id=unit,
                        attempt_id=None,
                        time_used_seconds=60.0,
                    )
                    expected[username] = name
            upgrade()
            with db.engine.connect() as connection:
                rows = connection.execute(
                    text(
                        "SELECT u.username, e.full_name, e.name_sort, e.unit_name FROM"
                        ' ranking_entry e JOIN "user" u ON u.id = e.user_id'
                        " ORDER BY u.username"
                    )
                ).all()
            assert [tuple(row) for row in rows] == [
                ("an", "Trần Thị An", "sort-an", "Văn phòng — UBND tỉnh Thử"),
                ("binh", "Lê Văn Bình", "sort-binh", "Văn phòng — UBND huyện Một"),
                ("chi", "Phạm Chi", "sort-chi", "UBND tỉnh Thử"),
            ]
            db.engine.dispose()
    finally:
        cleanup()
