import pytest

from .helpers import SmtpServer


@pytest.fixture
def smtp():
    """A local SMTP server for the module's mail (its config_overrides take
    smtp.config())."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()
