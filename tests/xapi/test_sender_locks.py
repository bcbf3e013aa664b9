"""The sender holds no lock while the LRS answers, on a real database (a SQLite
file, or PostgreSQL with TEST_DATABASE_URL): on SQLite a CLI or job transaction
takes the one write lock when it begins, and a batch read in one held it through
the POST (up to XAPI_TIMEOUT_SECONDS, for every statement sent one at a time),
so every save of the platform waited or failed meanwhile."""

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.xapi import sender
from tests.write_lock import shared_app, write_elsewhere
from tests.xapi.helpers import PUBLIC, TinyLrs, learn, outbox


@pytest.fixture
def lrs():
    server = TinyLrs()
    yield server
    server.close()


@pytest.fixture
def app_on_disk(tmp_path, _postgres_schema, lrs):
    config = {"VHCV_PUBLIC_URL": PUBLIC, "XAPI_LRS_URL": lrs.url, "XAPI_BATCH_SIZE": 3}
    with shared_app(tmp_path, **config) as app:
        yield app


@pytest.mark.parametrize("first_known", [False, True])
def test_the_platform_writes_while_the_lrs_answers(
    app_on_disk, tmp_path, lrs, first_known
):
    """`first_known`: the LRS has the first statement already, so its batch is
    sent again one at a time (PUT)."""
    with app_on_disk.app_context():
        learn(tmp_path)
        if first_known:
            first = outbox()[0]
            lrs.stored[first.id] = first.payload
        errors: list = []
        lrs.while_answering = lambda: write_elsewhere(app_on_disk, errors)
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
