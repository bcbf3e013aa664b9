"""The ceiling: plain Flask under the same gunicorn settings as the real app.

  POST /write   one row upserted into a small table of an SQLite file, with the app's
                PRAGMAs (WAL, busy_timeout, synchronous=NORMAL) and BEGIN IMMEDIATE,
                through SQLAlchemy Core (an Engine and its pool, like the app); reads
                the same form fields the autosave sends and answers a small JSON.
  GET  /render  a bare Jinja render of the same 30 questions a cadre's attempt shows
                (stem and option HTML as stored in question_version, read once at
                start-up) with their radio/checkbox inputs: no session, no sign-in,
                no database per request.

Configured by the environment (bench.run sets it): BENCH_WRITE_DB (the SQLite file
to write; its table is made by `init_write_db`), BENCH_SEED_DB (the seeded app
database) and BENCH_ATTEMPT_ID (whose questions to render).
Serve with: gunicorn bench.bare_app:app
"""

import json
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, jsonify, render_template, request
from sqlalchemy import create_engine, event, text

BUSY_TIMEOUT_MS = 10000  # the app's SQLITE_BUSY_TIMEOUT_MS default

UPSERT = text(
    "INSERT INTO answer (client, position, choice, saved_at) "
    "VALUES (:client, :position, :choice, :saved_at) "
    "ON CONFLICT (client, position) DO UPDATE SET "
    "choice = excluded.choice, saved_at = excluded.saved_at"
)


def init_write_db(path: str) -> None:
    """Create the table /write upserts into (once, before the server starts)."""
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS answer (client INTEGER NOT NULL, "
            "position INTEGER NOT NULL, choice TEXT NOT NULL, saved_at TEXT NOT NULL, "
            "PRIMARY KEY (client, position))"
        )
    connection.close()


def make_engine(path: str):
    """An Engine set up as app/database.py sets up the app's: same PRAGMAs, and the
    transaction takes the write lock at once (BEGIN IMMEDIATE)."""
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def load_questions(seed_db: str, attempt_id: int) -> list[dict]:
    """The attempt's questions in its order, options in its option order."""
    connection = sqlite3.connect(f"file:{seed_db}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            "SELECT s.position, s.option_order, v.type, v.stem_html, v.options "
            "FROM attempt_slot s JOIN question_version v "
            "ON v.id = s.question_version_id "
            "WHERE s.attempt_id = ? ORDER BY s.position",
            (attempt_id,),
        ).fetchall()
    finally:
        connection.close()
    questions = []
    for position, order, kind, stem_html, options in rows:
        by_key = {o["key"]: o for o in json.loads(options)}
        questions.append(
            {
                "position": position,
                "stem_html": stem_html,
                "multiple": kind == "multiple",
                "choices": [
                    {"index": i, "html": by_key[key]["html"]}
                    for i, key in enumerate(json.loads(order))
                ],
            }
        )
    return questions


def create_app() -> Flask:
    app = Flask(__name__, template_folder=str(Path(__file__).parent / "templates"))
    engine = make_engine(os.environ["BENCH_WRITE_DB"])
    questions = load_questions(
        os.environ["BENCH_SEED_DB"], int(os.environ["BENCH_ATTEMPT_ID"])
    )

    @app.post("/write")
    def write():
        client = request.form.get("client", type=int) or 0
        position = request.form.get("position", type=int) or 0
        choices = request.form.getlist("choice", type=int)
        now = datetime.now(UTC)
        with engine.begin() as connection:
            connection.execute(
                UPSERT,
                {
                    "client": client,
                    "position": position,
                    "choice": json.dumps(choices),
                    "saved_at": now.isoformat(),
                },
            )
        return jsonify(saved=True, position=position, saved_at=now.isoformat())

    @app.get("/render")
    def render():
        return render_template(
            "bare_attempt.html", title="Bài kiểm tra cuối khóa", rows=questions
        )

    return app


if os.environ.get("BENCH_WRITE_DB"):
    app = create_app()
