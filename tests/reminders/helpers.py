"""A campaign (C2026 over subtree D, closing in 30 days) with learners in1 (D1A),
in2 (D1) and out (C1), each with an email address, and an HR officer of D1; and a
real SMTP server on a free local port (aiosmtpd) that keeps what it receives."""

import email
import socket
from email.policy import default as default_policy

from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from app.accounts.models import User
from app.extensions import db
from app.records.models import COMPLETED, TrainingRecord
from tests.factories import make_user
from tests.records.helpers import make_campaign


def setup(tmp_path):
    """The campaign and tree; addresses user@example.org for in1, in2 and out."""
    campaign, tree = make_campaign(tmp_path)
    make_user("hr", tree["P"], roles=[("hr", tree["D1"]), ("learner", None)])
    for name in ("in1", "in2", "out"):
        user(name).email = f"{name}@example.org"
    db.session.commit()
    return campaign, tree


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def complete(username: str) -> None:
    db.session.execute(
        update(TrainingRecord)
        .where(TrainingRecord.user_id == user(username).id)
        .values(status=COMPLETED)
    )
    db.session.commit()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Collector:
    """An aiosmtpd handler keeping every message; refuses the addresses `refuse`,
    and defers every recipient once `defer_after` messages have arrived."""

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.refuse: set[str] = set()
        self.defer_after: int | None = None  # then 451 to every recipient
        self.while_answering = None  # called before each message is answered

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Không có hộp thư này"
        if self.defer_after is not None and len(self.messages) >= self.defer_after:
            return "451 4.7.1 Rate limited, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.while_answering is not None:
            self.while_answering()
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def recipients(self) -> list[str]:
        return sorted(r for rcpts, _ in self.messages for r in rcpts)


class SmtpServer:
    def __init__(self):
        self.handler = Collector()
        self.port = free_port()
        self.controller = None

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def config(self) -> dict:
        return {
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": self.port,
            "MAIL_DEFAULT_SENDER": "Sở Nội vụ <no-reply@example.org>",
            "MAIL_TIMEOUT": 5,
        }
