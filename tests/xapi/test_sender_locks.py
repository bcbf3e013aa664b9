"""The sender holds no lock while the LRS answers, on a real database (a SQLite
file, or PostgreSQL with TEST_DATABASE_URL): on SQLite a CLI or job transaction
takes the one write lock when it begins, and a batch read in one held it through
the POST (up to XAPI_TIMEOUT_SECONDS, for every statement sent one at a time),
so every save of the platform waited or failed meanwhile."""

import threading

import pytest
from sqlalchemy import select, update

from app import create_app
from app.accounts.models import User
from app.extensions import db
from app.timeutil import utcnow
from app.xapi import sender
from tests.conftest import TEST_DATABASE_URL, _empty_tables, make_config
from tests.xapi.helpers import PUBLIC, TinyLrs, learn, outbox


@pytest.fixture
def lrs():
    server = TinyLrs()
    yield server
    server.close()


@pytest.fixture
def shared_app(tmp_path, _postgres_schema, lrs):
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'outbox.sqlite3'}"
    app = create_app(
        make_config(
            SQLALCHEMY_DATABASE_URI=url,
            SQLITE_BUSY_TIMEOUT_MS=300,
            VHCV_PUBLIC_URL=PUBLIC,
            XAPI_LRS_URL=lrs.url,
            XAPI_BATCH_SIZE=3,
        )
    )
    with app.app_context():
        if not TEST_DATABASE_URL:
            db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        if TEST_DATABASE_URL:
            _empty_tables()
        db.engine.dispose()


def _a_save_elsewhere(app, errors: list) -> None:
    """What a request of the platform does meanwhile: a write of its own."""

    def write():
        with app.app_context():
            try:
                db.session.execute(
                    update(User)
                    .where(User.username == "in1")
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


@pytest.mark.parametrize("first_known", [False, True])
def test_the_platform_writes_while_the_lrs_answers(
    shared_app, tmp_path, lrs, first_known
):
    """`first_known`: the LRS has the first statement already, so its batch is
    sent again one at a time (PUT)."""
    with shared_app.app_context():
        learn(tmp_path)
        if first_known:
            first = outbox()[0]
            lrs.stored[first.id] = first.payload
        errors: list = []
        lrs.while_answering = lambda: _a_save_elsewhere(shared_app, errors)
        result = sender.send_pending()
        assert not errors, errors
        assert result.sent == 7 and result.error is None
        assert len(lrs.requests) >= 3
        db.session.expire_all()
        assert sender.backlog_count() == 0
        assert all(r.attempts == 1 and r.sent_at for r in outbox())
        assert db.session.scalar(
            select(User.last_login_at).where(User.username == "in1")
        )
