"""The ceiling: plain Flask under the same gunicorn settings as the real app.

  POST /write   one row upserted into a small table of an SQLite file, with the app's
                PRAGMAs (WAL, busy_timeout, synchronous=NORMAL), its writer turns
                (app.database.WriterTurns) and BEGIN IMMEDIATE, through
                SQLAlchemy Core (an Engine and its pool, like the app); parses
                a form like the autosave's (position, choice) and answers a small
                JSON.
  GET  /render/<attempt id>
                a bare Jinja render of the same 30 questions that attempt shows, in
                its order (stem and option HTML as stored in question_version, read
                for every attempt once at start-up) with their radio/checkbox
                inputs, in the same page markup as the real attempt page (layout,
                navigator, hidden fields; templates/bare_attempt.html): no session,
                sign-in, CSRF, gettext, url_for or database per request.

Configured by the environment (bench.run sets it): BENCH_WRITE_DB (the SQLite file
to write; its table is made by `init_write_db`) and BENCH_SEED_DB (the seeded app
database, read once).
Serve with: gunicorn bench.bare_app:app
"""

import json
import os
import secrets
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, jsonify, render_template, request
from sqlalchemy import create_engine, event, text

from app.database import WriterTurns

BUSY_TIMEOUT_MS = 10000  # the app's SQLITE_BUSY_TIMEOUT_MS default
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

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
    """An Engine set up as app/database.py sets up the app's: same PRAGMAs, writers
    take turns, and the transaction takes the write lock at once (BEGIN IMMEDIATE)."""
    engine = create_engine(f"sqlite:///{path}")
    turns = WriterTurns.for_database(path, BUSY_TIMEOUT_MS / 1000)

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
        turns.take(connection.connection.info)
        connection.connection.dbapi_connection.execute("BEGIN IMMEDIATE")

    turns.listen(engine)

    return engine


def load_attempts(seed_db: str) -> dict[int, dict]:
    """Every attempt's page data: its quiz title, cadre, deadline and questions in
    its order, options in its option order."""
    connection = sqlite3.connect(f"file:{seed_db}?mode=ro", uri=True)
    try:
        heads = connection.execute(
            "SELECT a.id, q.title, u.full_name, a.deadline_at FROM attempt a "
            "JOIN quiz q ON q.id = a.quiz_id JOIN user u ON u.id = a.user_id"
        ).fetchall()
        rows = connection.execute(
            "SELECT s.attempt_id, s.position, s.option_order, v.type, v.stem_html, "
            "v.options FROM attempt_slot s JOIN question_version v "
            "ON v.id = s.question_version_id ORDER BY s.attempt_id, s.position"
        ).fetchall()
    finally:
        connection.close()
    attempts: dict[int, dict] = {}
    for attempt_id, title, full_name, deadline in heads:
        deadline_at = datetime.fromisoformat(deadline).replace(tzinfo=UTC)
        attempts[attempt_id] = {
            "url": f"/attempts/{attempt_id}",
            "title": title,
            "full_name": full_name,
            "deadline_at": deadline_at,
            "deadline": deadline_at.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M"),
            "rows": [],
        }
    for attempt_id, position, order, kind, stem_html, options in rows:
        by_key = {o["key"]: o for o in json.loads(options)}
        attempts[attempt_id]["rows"].append(
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
    return attempts


def create_app() -> Flask:
    app = Flask(__name__, template_folder=str(Path(__file__).parent / "templates"))
    engine = make_engine(os.environ["BENCH_WRITE_DB"])
    attempts = load_attempts(os.environ["BENCH_SEED_DB"])
    token = secrets.token_urlsafe(68)  # stands in for the signed CSRF token

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

    @app.get("/render/<int:attempt_id>")
    def render(attempt_id: int):
        attempt = attempts[attempt_id]
        left = (attempt["deadline_at"] - datetime.now(UTC)).total_seconds()
        return render_template(
            "bare_attempt.html", a=attempt, remaining=max(0, int(left)), token=token
        )

    return app


if os.environ.get("BENCH_WRITE_DB"):
    app = create_app()
