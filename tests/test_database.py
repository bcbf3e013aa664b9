"""The migrations build exactly the models' schema; SQLite runs in WAL mode."""

import uuid

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from app import create_app
from app.extensions import db
from tests.conftest import TEST_DATABASE_URL, make_config


def _migrated_url(tmp_path) -> tuple[str, callable]:
    if not TEST_DATABASE_URL:
        return f"sqlite:///{tmp_path / 'migrated.sqlite3'}", lambda: None
    schema = f"mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(TEST_DATABASE_URL)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in TEST_DATABASE_URL else "?"

    def drop():
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()

    return f"{TEST_DATABASE_URL}{separator}options=-csearch_path%3D{schema}", drop


def test_migrations_produce_the_models_schema(tmp_path):
    url, cleanup = _migrated_url(tmp_path)
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=url))
    try:
        with app.app_context():
            upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(
                    connection, opts={"compare_type": True, "include_schemas": False}
                )
                diff = compare_metadata(context, db.metadata)
            assert diff == []
            db.engine.dispose()
    finally:
        cleanup()


def test_sqlite_file_database_uses_wal_and_busy_timeout(tmp_path):
    app = create_app(
        make_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'w.sqlite3'}")
    )
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10000
        db.engine.dispose()
