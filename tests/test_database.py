"""The migrations build exactly the models' schema; SQLite runs in WAL mode, and its
writers take turns."""

import fcntl
import os
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


def _file_app(tmp_path, busy_ms: int = 10000):
    app = create_app(
        make_config(
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 't.sqlite3'}",
            SQLITE_BUSY_TIMEOUT_MS=busy_ms,
        )
    )
    with app.app_context():
        engine = db.engine
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
    return engine


def _in_thread(target, timeout=5.0) -> bool:
    """Run `target` in a thread; True when it finished within `timeout`."""
    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(timeout)
    return not worker.is_alive()


def _lock_file_taken(tmp_path) -> bool:
    """Whether a writer holds the lock file (tried from a file of its own)."""
    fd = os.open(tmp_path / "t.sqlite3-writers.lock", os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def test_sqlite_writers_take_turns_on_a_lock_file(tmp_path):
    engine = _file_app(tmp_path)
    waited = []

    def second_writer():
        began = time.monotonic()
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (2)"))
        waited.append(time.monotonic() - began)

    with engine.begin() as connection:  # its turn lasts until it is back in the pool
        connection.execute(text("INSERT INTO t VALUES (1)"))
        assert _lock_file_taken(tmp_path)
        other = threading.Thread(target=second_writer)
        other.start()
        time.sleep(0.3)
        assert waited == []  # waiting for its turn, not failed
    other.join(5)
    assert waited and waited[0] >= 0.25
    assert not _lock_file_taken(tmp_path)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM t")).scalar() == 2
    engine.dispose()


def test_reads_take_no_turn(tmp_path):
    engine = _file_app(tmp_path)
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=str(engine.url)))
    with app.test_request_context("/", method="GET"), app.app_context():
        db.session.execute(text("SELECT count(*) FROM t")).scalar()
        assert not _lock_file_taken(tmp_path)
        db.session.remove()
        db.engine.dispose()
    engine.dispose()


def test_a_closed_connection_gives_its_turn_back(tmp_path):
    engine = _file_app(tmp_path)
    holder = engine.connect()
    holder.begin()
    holder.execute(text("INSERT INTO t VALUES (1)"))
    assert _lock_file_taken(tmp_path)
    holder.invalidate()  # e.g. the connection broke mid-transaction
    assert not _lock_file_taken(tmp_path)

    def write():
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (2)"))

    assert _in_thread(write)
    holder.close()
    engine.dispose()


def test_a_turn_kept_out_of_the_pool_holds_others_up_only_for_the_busy_timeout(
    tmp_path,
):
    engine = _file_app(tmp_path, busy_ms=300)
    keeper = engine.connect()  # as in `flask shell`: written, committed, kept
    keeper.execute(text("INSERT INTO t VALUES (1)"))
    keeper.commit()
    assert _lock_file_taken(tmp_path)
    took = []

    def write():
        began = time.monotonic()
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (2)"))
        took.append(time.monotonic() - began)

    assert _in_thread(write)
    assert took and 0.25 <= took[0] < 2  # no turn after 0.3 s: SQLite let it in
    keeper.close()
    engine.dispose()


def test_without_a_usable_lock_file_writers_still_write(tmp_path, caplog):
    (tmp_path / "t.sqlite3-writers.lock").mkdir()  # cannot be opened as a file
    engine = _file_app(tmp_path)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO t VALUES (1)"))
    assert "cannot take turns" in caplog.text
    engine.dispose()


def test_a_thread_holding_a_turn_is_not_made_to_wait_for_another(tmp_path):
    """Two write transactions in one thread: the second goes to SQLite's own
    waiting (its busy timeout), never to a wait on the turn its thread holds."""
    engine = _file_app(tmp_path, busy_ms=200)
    outcome = []

    def two_writers():
        with engine.begin() as first:
            first.execute(text("INSERT INTO t VALUES (1)"))
            locked = (OperationalError, sqlite3.OperationalError)
            with pytest.raises(locked, match="locked"):
                with engine.begin() as second:
                    second.execute(text("INSERT INTO t VALUES (2)"))
            outcome.append("timed out in SQLite")

    assert _in_thread(two_writers)
    assert outcome == ["timed out in SQLite"]
    engine.dispose()
