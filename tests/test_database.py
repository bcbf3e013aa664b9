"""The migrations build exactly the models' schema; SQLite runs in WAL mode, and its
writers take turns."""

import sqlite3
import threading
import time
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

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


def _file_app(tmp_path):
    app = create_app(
        make_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 't.sqlite3'}")
    )
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (n INTEGER)"))
    return app


def _in_thread(target, timeout=5.0) -> bool:
    """Run `target` in a thread; True when it finished within `timeout`."""
    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(timeout)
    return not worker.is_alive()


def test_sqlite_writers_take_turns_on_a_lock_file(tmp_path):
    app = _file_app(tmp_path)
    with app.app_context():
        engine = db.engine
    assert (tmp_path / "t.sqlite3-writers.lock").exists()
    waited = []

    def second_writer():
        began = time.monotonic()
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (2)"))
        waited.append(time.monotonic() - began)

    with engine.begin() as connection:  # holds the turn until it is back in the pool
        connection.execute(text("INSERT INTO t VALUES (1)"))
        other = threading.Thread(target=second_writer)
        other.start()
        time.sleep(0.3)
        assert waited == []  # queued for its turn, not failed
    other.join(5)
    assert waited and waited[0] >= 0.25
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM t")).scalar() == 2
    engine.dispose()


def test_a_closed_connection_gives_its_turn_back(tmp_path):
    app = _file_app(tmp_path)
    with app.app_context():
        engine = db.engine
    holder = engine.connect()
    holder.begin()
    holder.execute(text("INSERT INTO t VALUES (1)"))
    holder.invalidate()  # e.g. the connection broke mid-transaction

    def write():
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (2)"))

    assert _in_thread(write)
    holder.close()
    engine.dispose()


def test_a_thread_holding_a_turn_is_not_made_to_wait_for_another(tmp_path):
    """Two write transactions in one thread: the second goes to SQLite's own
    waiting (its busy timeout), never to a wait on the turn its thread holds."""
    app = create_app(
        make_config(
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 't.sqlite3'}",
            SQLITE_BUSY_TIMEOUT_MS=200,
        )
    )
    with app.app_context():
        engine = db.engine
    outcome = []

    def two_writers():
        with engine.begin() as first:
            first.execute(text("CREATE TABLE t (n INTEGER)"))
            locked = (OperationalError, sqlite3.OperationalError)
            with pytest.raises(locked, match="locked"):
                with engine.begin() as second:
                    second.execute(text("INSERT INTO t VALUES (2)"))
            outcome.append("timed out in SQLite")

    assert _in_thread(two_writers)
    assert outcome == ["timed out in SQLite"]
    engine.dispose()
