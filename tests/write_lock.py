"""For tests that a slow outside server (an LRS, a mail server) never holds the
database: an app on a real database that several threads share (a SQLite file,
or PostgreSQL with TEST_DATABASE_URL), and a write of the platform made while the
server answers."""

import threading
from contextlib import contextmanager

from sqlalchemy import update

from app import create_app
from app.accounts.models import User
from app.extensions import db
from app.timeutil import utcnow
from tests.conftest import TEST_DATABASE_URL, _empty_tables, make_config


@contextmanager
def shared_app(tmp_path, **config):
    """The app; on SQLite a waiting writer gives up after 300 ms."""
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    app = create_app(
        make_config(SQLALCHEMY_DATABASE_URI=url, SQLITE_BUSY_TIMEOUT_MS=300, **config)
    )
    with app.app_context():
        if not TEST_DATABASE_URL:
            db.create_all()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            if TEST_DATABASE_URL:
                _empty_tables()
            db.engine.dispose()


def write_elsewhere(app, errors: list, username: str = "in1") -> None:
    """What a request of the platform does meanwhile: a write of its own, in a
    thread of its own; its error, if any, added to `errors`."""

    def write():
        with app.app_context():
            try:
                db.session.execute(
                    update(User)
                    .where(User.username == username)
                    .values(last_login_at=utcnow())
                )
                db.session.commit()
            except Exception as error:  # reported to the test
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    thread = threading.Thread(target=write)
    thread.start()
    thread.join(10)
