"""The bare app's database side: its own tiny ORM models over the app's `user` and
`role_assignment` tables, Core tables for what the attempt page reads, the one table
its autosave ceiling writes (`bench_answer`, made by `prepare`), and the engine set
up as the app's (app/database.py): on SQLite WAL, busy_timeout, synchronous=NORMAL
and, by SQLAlchemy's documented recipe for pysqlite, the driver's own transaction
handling off and `BEGIN IMMEDIATE` emitted for a writing request (`BEGIN` for a
reading one); on PostgreSQL a plain engine.

Nothing here imports the app: the ceiling owes nothing to the code it bounds.
"""

from flask import Flask, has_request_context, request
from flask_login import UserMixin
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    bindparam,
    create_engine,
    event,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

BUSY_TIMEOUT_MS = 10000  # the app's SQLITE_BUSY_TIMEOUT_MS default
READ_METHODS = {"GET", "HEAD", "OPTIONS"}

db = SQLAlchemy()


class User(UserMixin, db.Model):
    """The columns of the app's `user` a sign-in and a page need."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column()
    session_version: Mapped[int] = mapped_column()

    roles: Mapped[list["RoleAssignment"]] = relationship(lazy="select")

    def get_id(self) -> str:  # as the app's: a password change ends the session
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def role_names(self) -> set[str]:
        return {r.role for r in self.roles}

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names.intersection(roles))


class RoleAssignment(db.Model):
    __tablename__ = "role_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column()


# What the attempt page reads, as Core tables (the app made them; never created here).
reading = MetaData()
quiz = Table(
    "quiz", reading, Column("id", Integer, primary_key=True), Column("title", Text)
)
attempt = Table(
    "attempt",
    reading,
    Column("id", Integer, primary_key=True),
    Column("quiz_id", Integer),
    Column("user_id", Integer),
    Column("deadline_at", DateTime(timezone=True)),
)
slot = Table(
    "attempt_slot",
    reading,
    Column("attempt_id", Integer),
    Column("position", Integer),
    Column("question_version_id", Integer),
    Column("option_order", JSON),
)
version = Table(
    "question_version",
    reading,
    Column("id", Integer, primary_key=True),
    Column("type", Text),
    Column("stem_html", Text),
    Column("options", JSON),
)

# The one table the bare autosave writes (one row per attempt and position).
writing = MetaData()
answer = Table(
    "bench_answer",
    writing,
    Column("attempt_id", Integer, primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("choice", JSON, nullable=False),
    Column("saved_at", DateTime(timezone=True), nullable=False),
)

# An open attempt of the signed-in user: its head, its questions in its order with
# their versions' HTML, and what the bare autosave saved of each.
PAGE = (
    select(
        quiz.c.title,
        attempt.c.deadline_at,
        slot.c.position,
        slot.c.option_order,
        version.c.type,
        version.c.stem_html,
        version.c.options,
        answer.c.choice,
        answer.c.saved_at,
    )
    .select_from(attempt)
    .join(quiz, quiz.c.id == attempt.c.quiz_id)
    .join(slot, slot.c.attempt_id == attempt.c.id)
    .join(version, version.c.id == slot.c.question_version_id)
    .outerjoin(
        answer,
        and_(
            answer.c.attempt_id == slot.c.attempt_id,
            answer.c.position == slot.c.position,
        ),
    )
    .where(
        attempt.c.id == bindparam("attempt_id"),
        attempt.c.user_id == bindparam("user_id"),
    )
    .order_by(slot.c.position)
)

# Same syntax on SQLite (>= 3.24) and PostgreSQL.
UPSERT = text(
    "INSERT INTO bench_answer (attempt_id, position, choice, saved_at) "
    "VALUES (:attempt_id, :position, :choice, :saved_at) "
    "ON CONFLICT (attempt_id, position) DO UPDATE SET "
    "choice = excluded.choice, saved_at = excluded.saved_at"
).bindparams(
    bindparam("choice", type_=answer.c.choice.type),
    bindparam("saved_at", type_=answer.c.saved_at.type),
)


def prepare(url: str) -> None:
    """Make (afresh) the table the bare autosave writes, before the servers start."""
    engine = create_engine(url)
    try:
        writing.drop_all(engine)
        writing.create_all(engine)
    finally:
        engine.dispose()


def configure(app: Flask) -> None:
    """On SQLite, the app's connection and transaction hooks on the bare engine."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # BEGIN is emitted below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        writes = has_request_context() and request.method not in READ_METHODS
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")
