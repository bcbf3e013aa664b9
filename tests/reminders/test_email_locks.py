"""The platform writes while the mail server takes a reminder's emails: on SQLite
a CLI or job transaction holds the one write lock, and the sender held one open
through every SMTP exchange (up to MAIL_TIMEOUT), so every save of the platform
waited for it or failed 'database is locked'. A SQLite file, or PostgreSQL with
TEST_DATABASE_URL."""

import pytest

from app.extensions import db
from app.reminders import mailing, services
from tests.write_lock import shared_app, write_elsewhere

from .helpers import setup, user


@pytest.fixture
def app_on_disk(tmp_path, _postgres_schema, smtp):
    with shared_app(tmp_path, **smtp.config()) as app:
        yield app


def test_the_platform_writes_while_the_mail_server_answers(app_on_disk, smtp, tmp_path):
    with app_on_disk.app_context():
        campaign, tree = setup(tmp_path)
        reminder = services.send_manual(campaign, tree["D"], user("hr"), "")
        db.session.commit()
        errors: list = []
        smtp.handler.while_answering = lambda: write_elsewhere(
            app_on_disk, errors, "hr"
        )
        result = mailing.send_pending(reminder)
        assert not errors, errors
        assert (result.sent, result.failed) == (2, 0)
        assert smtp.handler.recipients() == ["in1@example.org", "in2@example.org"]
