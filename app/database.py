"""How the app talks to SQLite: WAL, a busy timeout, and transactions that take the
write lock up front when they will write, so that concurrent writers wait for each
other (up to the busy timeout) instead of failing with "database is locked".

A request that may write (any method but GET/HEAD/OPTIONS, or a GET view that called
`start_writing`) begins with BEGIN IMMEDIATE; other requests read with BEGIN, and in
WAL mode they never wait for a writer. Outside a request (CLI commands, scripts) a
transaction writes unless the command said it only reads (`reading_only`): an export
that runs for minutes must not hold the write lock that every autosave needs. A
connection given the execution option READS_ONLY begins its transaction with BEGIN
too (the autosave reads its question before it takes the write lock).
PostgreSQL needs none of this.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, abort, g, has_app_context, has_request_context, request
from sqlalchemy import event
from werkzeug.routing import IntegerConverter

from app.extensions import db

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
# connection.execution_options(**{READS_ONLY: True}): its transactions only read.
READS_ONLY = "vhcv_reads_only"

# The largest id or number a request may name: PostgreSQL's integer (SQLite's is
# wider). Beyond it a query would fail with a driver error instead of finding nothing.
MAX_INT = 2**31 - 1


class IdConverter(IntegerConverter):
    """The app's `<int:…>` in routes: ids from 0 to MAX_INT; anything else is 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_INT)
        super().__init__(map, *args, **kwargs)


def db_int(value: str) -> int:
    """`type=` for request.form.get/getlist: an integer in the database's range,
    else ValueError (so `get` gives its default and `getlist` skips it)."""
    number = int(value)
    if not -MAX_INT <= number <= MAX_INT:
        raise ValueError(f"out of range: {value}")
    return number


def int_arg(name: str, default: int | None = None) -> int | None:
    """The query argument `name` as an integer: `default` when it is absent or not
    a number (as `request.args.get(type=int)`), 404 when it is a number beyond
    what the database holds (no such unit, page or version)."""
    try:
        number = int(request.args.get(name, ""))
    except ValueError:
        return default
    if not -MAX_INT <= number <= MAX_INT:
        abort(404)
    return number


def configure_sqlite(app: Flask) -> None:
    """Install the connection and transaction hooks when the database is SQLite
    (SQLAlchemy's documented recipe for pysqlite's transactions)."""
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
        reads = connection.get_execution_options().get(READS_ONLY, False)
        connection.exec_driver_sql(
            "BEGIN" if reads or not _writes() else "BEGIN IMMEDIATE"
        )


def _writes() -> bool:
    """Whether the transaction starting now takes the write lock at once: a
    read-only transaction that upgrades later could meet a stale snapshot."""
    if has_request_context():
        return request.method not in READ_METHODS or g.get("sqlite_write", False)
    return not (has_app_context() and g.get("sqlite_read_only", False))


def start_writing() -> None:
    """Call in a GET view before it writes: ends the read transaction so the next one
    takes the write lock at once (SQLite); nothing happens on other databases."""
    if db.engine.dialect.name == "sqlite" and not g.get("sqlite_write"):
        g.sqlite_write = True
        db.session.commit()


def stop_writing() -> None:
    """After a GET view's write has been committed (start_writing): the
    transactions that follow only read again, and take no write lock (SQLite)."""
    g.pop("sqlite_write", None)


@contextmanager
def reading_only() -> Iterator[None]:
    """Around the long read of a CLI command (an export): its transactions take no
    write lock on SQLite, so saves go on meanwhile. Commits what came before."""
    db.session.commit()
    g.sqlite_read_only = True
    try:
        yield
        db.session.commit()  # ends the read transaction
    finally:
        g.sqlite_read_only = False
