"""Counting the SQL statements a piece of code sends (for tests of N+1 queries)."""

from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db


@contextmanager
def counted(engine=None):
    """Yields the list of the statements sent to `engine` (by default the app
    context's) inside the block, one string each."""
    engine = engine if engine is not None else db.engine
    statements: list[str] = []

    def listener(conn, cursor, statement, *args):
        statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)
