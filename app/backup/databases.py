"""The database half of a backup: a consistent dump of the app's database and its
load into an empty one. SQLite: the online backup API (one read transaction, so
writers in WAL mode go on and the copy is the database as of its start).
PostgreSQL: pg_dump's custom format (one repeatable-read snapshot) and pg_restore,
found on PATH; the password goes through PGPASSWORD, never the command line."""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, Engine

from app.database import READS_ONLY
from app.errors import DomainError
from app.errors import lazy_gettext as _l

# The archive member holding each dialect's dump.
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# Seconds a copy waits for an SQLite lock (WAL readers rarely wait at all).
SQLITE_TIMEOUT = 60


class BackupError(DomainError):
    """A backup or restore was refused or failed; nothing was restored."""


def dialect(engine: Engine) -> str:
    """The engine's dialect name, one of DUMP_NAMES; BackupError otherwise."""
    name = engine.dialect.name
    if name not in DUMP_NAMES:
        raise BackupError(_l("Không sao lưu được cơ sở dữ liệu %(name)s.", name=name))
    return name


def alembic_revision(engine: Engine) -> str | None:
    """The schema's Alembic revision (alembic_version), None when it has none."""
    with engine.connect().execution_options(**{READS_ONLY: True}) as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.scalar(text("SELECT version_num FROM alembic_version"))


def table_names(engine: Engine) -> list[str]:
    """The tables of the engine's database (its default schema)."""
    with engine.connect().execution_options(**{READS_ONLY: True}) as connection:
        return sorted(inspect(connection).get_table_names())


def dump(engine: Engine, target: Path) -> None:
    """Write a consistent snapshot of the engine's database to `target`."""
    if dialect(engine) == "sqlite":
        _sqlite_copy(sqlite_path(engine), target)
        _single_file(target)
    else:
        _run("pg_dump", "--format=custom", f"--file={target}", url=engine.url)


def load(engine: Engine, source: Path) -> None:
    """Load the dump `source` (made by `dump` on the same dialect) into the
    engine's database, which the caller has found empty."""
    if dialect(engine) == "sqlite":
        check_sqlite(source)
        engine.dispose()  # no pooled connection holds the target meanwhile
        _sqlite_copy(source, sqlite_path(engine))
        engine.dispose()
    else:
        _run(
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            str(source),
            url=engine.url,
        )


def sqlite_path(engine: Engine) -> Path:
    """The file of an SQLite engine; BackupError for an in-memory database."""
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError(
            _l("Cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu hay phục hồi được.")
        )
    return Path(database)


def check_sqlite(path: Path) -> None:
    """BackupError unless `path` is an SQLite database that passes quick_check."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = connection.execute("PRAGMA quick_check").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        result = (str(error),)
    if result != ("ok",):
        raise BackupError(
            _l("Bản sao lưu SQLite bị hỏng: %(problem)s", problem=result[0])
        )


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy the database `source` into `target` page by page, in one step: one read
    transaction on `source`, so the copy is consistent while others write."""
    reader = sqlite3.connect(source, timeout=SQLITE_TIMEOUT)
    try:
        writer = sqlite3.connect(target, timeout=SQLITE_TIMEOUT)
        try:
            reader.backup(writer)
        finally:
            writer.close()
    finally:
        reader.close()


def _single_file(path: Path) -> None:
    """Turn the copy out of WAL mode, so that it is one self-contained file."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()


def _run(program: str, *arguments: str, url: URL) -> None:
    """Run the PostgreSQL client `program` on the database of `url`; BackupError
    with its message when it is missing or fails."""
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(
            _l(
                "Không tìm thấy %(program)s trên PATH (Debian: apt-get install "
                "postgresql-client).",
                program=program,
            )
        )
    uri, env = libpq(url)
    completed = subprocess.run(
        [executable, *arguments, f"--dbname={uri}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise BackupError(
            _l(
                "%(program)s thất bại: %(message)s",
                program=program,
                message=completed.stderr.strip()[-2000:],
            )
        )


def libpq(url: URL) -> tuple[str, dict[str, str]]:
    """libpq's URI of the SQLAlchemy `url` without its password, and the
    environment to run a client in (the password in PGPASSWORD)."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    bare = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    return bare.render_as_string(hide_password=False), env
