"""The migration c1d2e3f4a5b6 turns today's units and cadres into history from their
creation day (Vietnam time), a merged unit ending on its "merged" event's day."""

from datetime import UTC, date, datetime

from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from app.extensions import db
from tests.conftest import make_config
from tests.test_database import _insert, _migrated_url


def test_upgrade_backfills_versions_successions_and_assignments(tmp_path):
    url, cleanup = _migrated_url(tmp_path)
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=url))
    try:
        with app.app_context():
            upgrade(revision="b7c8d9e0f1a2")
            with db.engine.begin() as connection:
                # 20:00 UTC on 30 June is 03:00 on 1 July in Vietnam.
                made = datetime(2025, 6, 30, 20, 0, tzinfo=UTC)
                province = _insert(
                    connection,
                    "unit",
                    code="P",
                    name="Tỉnh Mới",
                    kind="province",
                    path="/1/",
                    depth=0,
                    active=True,
                    created_at=made,
                )
                old = _insert(
                    connection,
                    "unit",
                    code="OLD",
                    name="Huyện Cũ",
                    kind="district",
                    parent_id=province,
                    path=f"/{province}/2/",
                    depth=1,
                    active=False,
                    successor_id=province,
                    created_at=datetime(2020, 1, 1, tzinfo=UTC),
                )
                _insert(
                    connection,
                    "unit_event",
                    unit_id=old,
                    action="merged",
                    old_value="OLD",
                    new_value="P",
                    at=datetime(2025, 8, 1, 3, 0, tzinfo=UTC),
                )
                closed = _insert(
                    connection,
                    "unit",
                    code="GONE",
                    name="Ban đã giải thể",
                    kind="agency",
                    parent_id=province,
                    path=f"/{province}/3/",
                    depth=1,
                    active=False,
                    created_at=datetime(2021, 1, 1, tzinfo=UTC),
                )
                _insert(
                    connection,
                    "unit_event",
                    unit_id=closed,
                    action="renamed",
                    old_value="Ban",
                    new_value="Ban đã giải thể",
                    at=datetime(2023, 5, 2, 3, 0, tzinfo=UTC),
                )
                _insert(
                    connection,
                    "user",
                    username="an",
                    full_name="Nguyễn Văn An",
                    unit_id=province,
                    position="Chuyên viên",
                    category="vien_chuc",
                    created_at=made,
                )
            upgrade()
            with db.engine.connect() as connection:
                versions = connection.execute(
                    text(
                        "SELECT unit_id, valid_from, valid_to, name, path, change "
                        "FROM unit_version ORDER BY unit_id"
                    )
                ).all()
                successions = connection.execute(
                    text(
                        "SELECT predecessor_id, successor_id, valid_from, kind, "
                        '"primary" FROM unit_succession'
                    )
                ).all()
                assignments = connection.execute(
                    text(
                        "SELECT unit_id, position, category, valid_from, valid_to "
                        "FROM assignment"
                    )
                ).all()
            # the day's rows follow the history: nothing inactive comes back
            from app.accounts import history
            from app.accounts.models import Unit

            history.apply_due()
            db.session.commit()
            assert db.session.get(Unit, closed).active is False
            assert db.session.get(Unit, old).active is False
            db.engine.dispose()

        def day(value):
            return value if isinstance(value, date) else date.fromisoformat(value)

        assert [
            (v.unit_id, day(v.valid_from), v.valid_to and day(v.valid_to), v.name)
            for v in versions
        ] == [
            (province, date(2025, 7, 1), None, "Tỉnh Mới"),
            (old, date(2020, 1, 1), date(2025, 8, 1), "Huyện Cũ"),
            # inactive, no successor: ends on its last recorded event's day
            (closed, date(2021, 1, 1), date(2023, 5, 2), "Ban đã giải thể"),
        ]
        assert {v.change for v in versions} == {"migrate"}
        ((pred, succ, start, kind, primary),) = successions
        assert (pred, succ, day(start), kind, bool(primary)) == (
            old,
            province,
            date(2025, 8, 1),
            "merge",
            True,
        )
        ((unit_id, position, category, start, end),) = assignments
        assert (unit_id, position, category, day(start), end) == (
            province,
            "Chuyên viên",
            "vien_chuc",
            date(2025, 7, 1),
            None,
        )
    finally:
        cleanup()
