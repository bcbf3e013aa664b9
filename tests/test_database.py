"""The migrations build exactly the models' schema; SQLite runs in WAL mode, writers
wait for each other up to the busy timeout, and reads take no write lock."""

import threading
import time
import uuid

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from app import create_app
from app.extensions import db
from tests.conftest import TEST_DATABASE_URL, make_config


def _migrated_url(tmp_path) -> tuple[str, callable]:
    if not TEST_DATABASE_URL:
        return f"sqlite:///{tmp_path / 'migrated.sqlite3'}", lambda: None
    schema = f"mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(TEST_DATABASE_URL)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in TEST_DATABASE_URL else "?"

    def drop():
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()

    return f"{TEST_DATABASE_URL}{separator}options=-csearch_path%3D{schema}", drop


def test_migrations_produce_the_models_schema(tmp_path):
    url, cleanup = _migrated_url(tmp_path)
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=url))
    try:
        with app.app_context():
            upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(
                    connection, opts={"compare_type": True, "include_schemas": False}
                )
                diff = compare_metadata(context, db.metadata)
            assert diff == []
            db.engine.dispose()
    finally:
        cleanup()


def _insert(connection, table: str, **values) -> int:
    """A row of `table` as the schema stands, its other required columns filled with
    plain values; its id."""
    from datetime import UTC, datetime

    from sqlalchemy import MetaData, Table

    columns = Table(table, MetaData(), autoload_with=connection).columns
    for column in columns:
        if column.name in values or column.nullable or column.primary_key:
            continue
        if column.server_default is not None:
            continue
        kind = column.type.python_type if hasattr(column.type, "python_type") else str
        values[column.name] = {
            int: 1,
            bool: True,
            datetime: datetime(2026, 1, 1, tzinfo=UTC),
            list: [],
            dict: {},
        }.get(kind, "x")
    table_ = Table(table, MetaData(), autoload_with=connection)
    return connection.execute(table_.insert().values(**values)).inserted_primary_key[0]


def test_the_campaign_migration_requires_the_modules_its_course_has(tmp_path):
    """Existing campaigns come out requiring the active, published modules of their
    course, in order: what their records were judged against before."""
    url, cleanup = _migrated_url(tmp_path)
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=url))
    try:
        with app.app_context():
            upgrade(revision="c7f6ffe37d0e")
            with db.engine.begin() as connection:
                course = _insert(connection, "course", code="T")
                for code, order, active, published in (
                    ("T-2", 2, True, True),
                    ("T-1", 1, True, True),
                    ("T-OLD", 3, False, True),
                    ("T-DRAFT", 4, True, False),
                ):
                    module = _insert(
                        connection,
                        "module",
                        code=code,
                        course_id=course,
                        order=order,
                        active=active,
                    )
                    if published:
                        version = _insert(
                            connection, "module_version", module_id=module
                        )
                        connection.execute(
                            text(
                                "UPDATE module SET current_version_id = :v "
                                "WHERE id = :m"
                            ),
                            {"v": version, "m": module},
                        )
                _insert(connection, "quiz", code="Q")
                _insert(
                    connection, "campaign", code="C", course_code="T", quiz_code="Q"
                )
            upgrade()
            with db.engine.connect() as connection:
                required = [
                    connection.execute(
                        text(f"SELECT required_modules FROM {t}")
                    ).scalar()
                    for t in ("campaign", "quiz")
                ]
            import json

            required = [json.loads(r) if isinstance(r, str) else r for r in required]
            assert required == [["T-1", "T-2"], ["T-1", "T-2"]]
            db.engine.dispose()
    finally:
        cleanup()


def test_stored_html_gets_its_ids_and_classes_prefixed(tmp_path):
    """HTML rendered before the prefix (content that is never rendered again) is
    sanitised again: no stored id or author class can take the page's own."""
    import json

    url, cleanup = _migrated_url(tmp_path)
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=url))
    old_html = '<h2 id="timer">A</h2><p class="question">b <a href="#timer">c</a></p>'
    try:
        with app.app_context():
            upgrade(revision="f3a1b2c4d5e6")
            with db.engine.begin() as connection:
                course = _insert(connection, "course", code="T", intro_html=old_html)
                module = _insert(connection, "module", code="M", course_id=course)
                toc = [{"level": 2, "anchor": "timer", "title": "A"}]
                _insert(
                    connection,
                    "module_version",
                    module_id=module,
                    html=old_html,
                    toc=toc,
                )
                bank = _insert(connection, "question_bank", code="B")
                question = _insert(connection, "question", code="Q1", bank_id=bank)
                options = [{"key": "a", "html": '<span id="q1">x</span>'}]
                _insert(
                    connection,
                    "question_version",
                    question_id=question,
                    stem_html=old_html,
                    options=options,
                )
            upgrade()
            with db.engine.connect() as connection:
                html, toc = connection.execute(
                    text("SELECT html, toc FROM module_version")
                ).one()
                intro = connection.execute(
                    text("SELECT intro_html FROM course")
                ).scalar()
                stem, options = connection.execute(
                    text("SELECT stem_html, options FROM question_version")
                ).one()
            toc = json.loads(toc) if isinstance(toc, str) else toc
            options = json.loads(options) if isinstance(options, str) else options
            expected = (
                '<h2 id="md-timer">A</h2><p class="md-question">b '
                '<a href="#md-timer" rel="noopener noreferrer">c</a></p>'
            )
            assert html == intro == stem == expected
            assert toc[0]["anchor"] == "md-timer"
            assert options[0]["html"] == '<span id="md-q1">x</span>'
            db.engine.dispose()
    finally:
        cleanup()


def test_sqlite_file_database_uses_wal_and_busy_timeout(tmp_path):
    app = create_app(
        make_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'w.sqlite3'}")
    )
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10000
        db.engine.dispose()


def _file_app(tmp_path, busy_ms: int = 10000):
    app = create_app(
        make_config(
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 't.sqlite3'}",
            SQLITE_BUSY_TIMEOUT_MS=busy_ms,
        )
    )
    with app.app_context():
        engine = db.engine
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
    return engine


def _in_thread(target, timeout=5.0) -> bool:
    """Run `target` in a thread; True when it finished within `timeout`."""
    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(timeout)
    return not worker.is_alive()


def test_a_second_writer_waits_for_the_first_then_writes(tmp_path):
    engine = _file_app(tmp_path)
    waited = []

    def second_writer():
        began = time.monotonic()
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (2)"))
        waited.append(time.monotonic() - began)

    with engine.begin() as connection:  # BEGIN IMMEDIATE: holds the write lock
        connection.execute(text("INSERT INTO t VALUES (1)"))
        other = threading.Thread(target=second_writer)
        other.start()
        time.sleep(0.3)
        assert waited == []  # waiting (busy timeout), not failed
    other.join(5)
    assert waited and waited[0] >= 0.25
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM t")).scalar() == 2
    engine.dispose()


def test_a_writer_waits_no_longer_than_the_busy_timeout(tmp_path):
    engine = _file_app(tmp_path, busy_ms=300)
    outcome = []

    def write():
        began = time.monotonic()
        try:
            with engine.begin() as connection:
                connection.execute(text("INSERT INTO t VALUES (2)"))
        except OperationalError as error:
            outcome.append(("locked" in str(error), time.monotonic() - began))

    with engine.begin() as holder:
        holder.execute(text("INSERT INTO t VALUES (1)"))
        assert _in_thread(write, timeout=3)
    assert outcome and outcome[0][0] and 0.25 <= outcome[0][1] < 2
    engine.dispose()


def test_a_read_only_command_leaves_the_write_lock_free(tmp_path):
    """A long CLI export reads in a plain transaction (database.reading_only):
    saves go on meanwhile. Any other CLI transaction takes the write lock."""
    from app.database import reading_only

    engine = _file_app(tmp_path, busy_ms=300)
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=str(engine.url)))
    wrote = []

    def write():
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (2)"))
        wrote.append(True)

    with app.app_context():
        with reading_only():
            db.session.execute(text("SELECT count(*) FROM t")).scalar()
            assert _in_thread(write) and wrote == [True]
        db.session.execute(text("SELECT count(*) FROM t")).scalar()  # writes
        failed = []

        def blocked():
            try:
                write()
            except OperationalError:
                failed.append(True)

        assert _in_thread(blocked) and failed == [True]
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()
    engine.dispose()


def test_get_requests_read_without_the_write_lock(tmp_path):
    engine = _file_app(tmp_path, busy_ms=300)
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=str(engine.url)))
    with app.test_request_context("/", method="GET"):
        db.session.execute(text("SELECT count(*) FROM t")).scalar()

        def write():
            with engine.begin() as connection:
                connection.execute(text("INSERT INTO t VALUES (2)"))

        assert _in_thread(write)
        db.session.remove()
        db.engine.dispose()
    engine.dispose()


def test_a_get_reads_without_the_write_lock_again_once_its_write_is_done(tmp_path):
    """start_writing: the GET's next transaction holds the write lock (another
    writer waits, here past its busy timeout); after that write's commit,
    stop_writing: its reads leave the lock free again (the home page reads its
    whole summary after finalising an overdue attempt)."""
    from app.database import start_writing, stop_writing

    engine = _file_app(tmp_path, busy_ms=300)
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=str(engine.url)))
    wrote, failed = [], []

    def write():
        try:
            with engine.begin() as connection:
                connection.execute(text("INSERT INTO t VALUES (2)"))
            wrote.append(True)
        except OperationalError:
            failed.append(True)

    with app.test_request_context("/", method="GET"):
        start_writing()
        db.session.execute(text("SELECT count(*) FROM t")).scalar()
        assert _in_thread(write) and failed == [True]
        db.session.commit()
        stop_writing()
        db.session.execute(text("SELECT count(*) FROM t")).scalar()
        assert _in_thread(write) and wrote == [True]
        db.session.remove()
        db.engine.dispose()
    engine.dispose()
