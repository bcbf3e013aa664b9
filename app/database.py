"""How the app talks to SQLite: WAL, a busy timeout, and transactions that take the
write lock up front when the request writes, so concurrent writers wait for each
other instead of failing with "database is locked"."""

from flask import Flask, g, has_request_context, request
from sqlalchemy import event

from app.extensions import db

READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def configure_sqlite(app: Flask) -> None:
    """Install the connection and transaction hooks when the database is SQLite."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    busy_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # We emit BEGIN ourselves (below); pysqlite's own handling breaks SAVEPOINT.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        # Straight to the driver: this runs for every transaction, and SQLAlchemy's
        # execute machinery around a bare BEGIN cost as much as a small statement.
        connection.connection.dbapi_connection.execute(
            "BEGIN IMMEDIATE" if _writes() else "BEGIN"
        )


def _writes() -> bool:
    """Writing requests (and CLI commands) lock for writing at their first statement;
    a read-only transaction that upgrades later could meet a stale snapshot."""
    if not has_request_context():
        return True
    return request.method not in READ_METHODS or g.get("sqlite_write", False)


def start_writing() -> None:
    """Call in a GET view before it writes: ends the read transaction so the next one
    takes the write lock at once (SQLite); nothing happens on other databases."""
    if db.engine.dialect.name == "sqlite" and not g.get("sqlite_write"):
        g.sqlite_write = True
        db.session.commit()
