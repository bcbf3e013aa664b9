"""Counting the SQL statements a piece of code sends (for tests of N+1 queries)."""

from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db


@contextmanager
def counted():
    """Yields the list of the statements sent inside the block (in the app
    context), one string each."""
    engine = db.engine
    statements: list[str] = []

    def listener(conn, cursor, statement, *args):
        statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)
