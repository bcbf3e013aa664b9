"""How the app talks to SQLite: WAL, a busy timeout, and transactions that take the
write lock up front when the request writes, so concurrent writers wait for each
other instead of failing with "database is locked"; writers take turns first
(WriterTurns) so that they do not wait by polling."""

import fcntl
import logging
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

    turns = WriterTurns.for_database(engine.url.database, busy_ms / 1000)

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
        turns.listen(engine)


class WriterTurns:
    """Writers take turns for SQLite's write lock: a process's writers through a
    lock of the process, processes through a lock file beside the database.

    SQLite lets one writer in at a time and makes the others poll for the lock,
    sleeping 1, 2, 5, 10, 15, 20, 25… ms between tries, so a writer that arrives
    behind a few others can wait 100 ms for a lock that was free after 1 (the
    autosave's p99 at 50 cadres). Before its BEGIN IMMEDIATE a writer takes the
    process's lock, then the lock file (flock); both wake a waiting writer the
    moment they are let go. The turn is given back when the connection returns to
    the pool (after its commit or rollback), or is closed or invalidated.

    A writer waits for the process's lock no longer than the busy timeout; then
    it goes on without a turn and SQLite's own waiting decides, as it would
    without turns. The one writer of a process that holds the process's lock
    waits for the file as long as another process holds it: a write transaction
    there as long as it lasts, or a connection kept out of the pool after writing
    (a Core connection in a script; an ORM session gives its connection back at
    commit). A thread never waits for a turn while holding one through another
    connection. Without a usable lock file, writers wait as SQLite makes them.
    """

    def __init__(self, path: str, wait_seconds: float):
        self.path = path
        self.wait_seconds = wait_seconds
        self.process_lock = threading.Lock()
        self.fd: int | None = None
        self.holder: tuple[dict, int] | None = None  # (pool info, thread ident)
        self.pid = os.getpid()

    @classmethod
    def for_database(cls, database: str | None, wait_seconds: float):
        if not database or database == ":memory:" or database.startswith("file:"):
            return None  # no file of its own to queue beside
        return cls(f"{database}-writers.lock", wait_seconds)

    def take(self, info: dict) -> bool:
        """Wait for a turn for the connection whose pool `info` this is; False
        when it goes on without one."""
        if self.pid != os.getpid():  # a forked worker: its own lock and file
            self.__init__(self.path, self.wait_seconds)
        holder = self.holder
        if info.get("turn") or (holder and holder[1] == threading.get_ident()):
            return False
        if not self.process_lock.acquire(timeout=self.wait_seconds):
            return False
        if not self._lock_file():
            self.process_lock.release()
            return False
        info["turn"] = True
        self.holder = (info, threading.get_ident())
        return True

    def _lock_file(self) -> bool:
        if self.fd is None:
            try:
                self.fd = os.open(self.path, os.O_RDONLY | os.O_CREAT, 0o666)
            except OSError as error:
                logging.getLogger(__name__).warning(
                    "SQLite writers cannot take turns on %s: %s", self.path, error
                )
                self.fd = -1
        if self.fd < 0:
            return False
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return True

    def give_back(self, info: dict) -> None:
        if info.pop("turn", False):
            self.holder = None
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            self.process_lock.release()

    def listen(self, engine) -> None:
        """Give turns back on the pool's events (`take` is for the begin hook)."""
        for name in ("checkin", "close", "invalidate", "soft_invalidate"):
            event.listen(engine, name, self.on_release)

    def on_release(self, _dbapi_connection, record, *_exception) -> None:
        """Pool events: a connection checked in, closed or invalidated."""
        if record is not None:
            self.give_back(record.info)


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
