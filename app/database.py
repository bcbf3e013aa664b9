"""How the app talks to SQLite: WAL, a busy timeout, and transactions that take the
write lock up front when the request writes, so concurrent writers wait for each
other instead of failing with "database is locked"; writers take turns first
(WriterTurns) so that they do not wait by polling."""

import fcntl
import os
import threading

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

    turns = WriterTurns.for_database(engine.url.database)

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        writes = _writes()
        if writes and turns is not None:
            turns.take(connection.connection.info)
        # Straight to the driver: this runs for every transaction, and SQLAlchemy's
        # execute machinery around a bare BEGIN cost as much as a small statement.
        connection.connection.dbapi_connection.execute(
            "BEGIN IMMEDIATE" if writes else "BEGIN"
        )

    if turns is not None:
        event.listen(engine, "checkin", turns.on_checkin)
        for name in ("close", "detach", "invalidate", "soft_invalidate"):
            event.listen(engine, name, turns.on_close)


class WriterTurns:
    """Writers queue for SQLite's write lock on a lock file beside the database.

    SQLite lets one writer in at a time and makes the others poll for the lock,
    sleeping 1, 2, 5, 10, 15, 20, 25… ms between tries, so a writer that arrives
    behind a few others can wait 100 ms for a lock that was free after 1 (the
    autosave's p99 at 50 cadres). Before its BEGIN IMMEDIATE a writer takes the
    lock file (flock, which the kernel hands to the next writer in line the moment
    it is let go: across threads and worker processes alike, each pooled
    connection with a file of its own); the connection gives it back when it
    returns to the pool after its commit or rollback, and closing it lets go too.
    A thread never waits for a turn while holding one through another
    connection: that transaction goes to SQLite's own waiting, as before.
    """

    def __init__(self, path: str):
        self.path = path
        self.mine = (
            threading.local()
        )  # the connection record holding this thread's turn

    @classmethod
    def for_database(cls, database: str | None) -> "WriterTurns | None":
        if not database or database == ":memory:" or database.startswith("file:"):
            return None  # no file of its own to queue beside
        return cls(f"{database}-writers.lock")

    def take(self, info: dict) -> None:
        """Wait for the turn of the connection whose pool `info` this is."""
        if info.get("turn") or getattr(self.mine, "info", None) is not None:
            return
        fd = info.get("turn_fd")
        if fd is None:
            fd = info["turn_fd"] = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        info["turn"] = True
        self.mine.info = info

    def give_back(self, info: dict) -> None:
        if info.pop("turn", False):
            fcntl.flock(info["turn_fd"], fcntl.LOCK_UN)
            if getattr(self.mine, "info", None) is info:
                self.mine.info = None

    def on_checkin(self, _dbapi_connection, record) -> None:
        if record is not None:
            self.give_back(record.info)

    def on_close(self, _dbapi_connection, record, *_exception) -> None:
        """The connection is closed or let go: so is its lock file."""
        if record is not None:
            self.give_back(record.info)
            fd = record.info.pop("turn_fd", None)
            if fd is not None:
                os.close(fd)


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
