"""Writing a ranking's entries: ranked in Python (app.contests.order), then put in
at once — PostgreSQL's COPY (one stream, no statement to parse per batch), else one
Core executemany (SQLite) — with no ORM object per entry. Each entry keeps the
participant's and unit's names as they are when it is written: a frozen ranking
prints them as they were, whatever is renamed later."""

from flask_babel import gettext as _

from app.extensions import db

from .models import Ranking, RankingEntry
from .order import assign_ranks, row_key

COLUMNS = [c.name for c in RankingEntry.__table__.columns if c.name != "id"]


class _NoProgress:
    """The progress of a ranking made outside a job (the command line, the demo,
    the bench): told nothing."""

    def begin(self, stage: str, total: int | None = None) -> None:
        pass

    def step(self, count: int = 1) -> None:
        pass

    def counted(self, items):
        return items


NO_PROGRESS = _NoProgress()


def store(ranking: Ranking, rows: list[dict], key=row_key, progress=NO_PROGRESS):
    """Add `ranking` and insert its entries ranked by `key` (`rows`, dicts with
    RankingEntry's columns and perhaps more keys, is sorted in place). `progress`
    (a job's, app.jobs.progress) counts the entries written. Flushes; the caller
    commits."""
    progress.begin(_("Xếp hạng và ghi bảng xếp hạng"), len(rows))
    db.session.add(ranking)
    db.session.flush()
    assign_ranks(rows, key)
    if not rows:
        return
    values = [
        tuple(ranking.id if name == "ranking_id" else row[name] for name in COLUMNS)
        for row in rows
    ]
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        _copy(connection, progress.counted(values))
    else:
        db.session.execute(
            RankingEntry.__table__.insert(),
            [dict(zip(COLUMNS, value, strict=True)) for value in values],
        )
        progress.step(len(values))


def _copy(connection, values) -> None:
    """COPY on the session's own connection, inside its transaction (psycopg 3)."""
    names = ", ".join(COLUMNS)
    with connection.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY ranking_entry ({names}) FROM STDIN") as copy:
            for value in values:
                copy.write_row(value)
