"""Apps on databases of their own (an SQLite file, or a scratch PostgreSQL database
next to TEST_DATABASE_URL's), their data as rows, and autosaves posted in threads
through the real /autosave endpoint while a backup is taken."""

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import create_engine, make_url, select, text

from app import create_app
from app.accounts.models import User
from app.certificates import signing
from app.certificates.services import signing_key_path
from app.extensions import db
from app.quizzes import attempts
from app.quizzes.saving import autosave_token
from tests.conftest import make_config
from tests.factories import make_tree, make_user
from tests.quizzes.helpers import make_quiz


def make_app(url: str, key_dir, create_schema: bool = True, **overrides):
    app = create_app(
        make_config(
            SQLALCHEMY_DATABASE_URI=url,
            CERT_SIGNING_KEY=str(key_dir / "cert_signing_key.pem"),
            JOBS_DIR=str(key_dir / "jobs"),
            RATELIMIT_ENABLED=False,
            **overrides,
        )
    )
    if create_schema:
        with app.app_context():
            db.create_all()
    return app


def seed(app, learners: int = 3) -> list[tuple[int, str]]:
    """A unit tree, `learners` cadres each with an open attempt of quiz Q, and the
    signing keys; each attempt's (id, autosave token)."""
    with app.app_context():
        unit = make_tree()["C1"]
        make_quiz()
        quiz = attempts.get_quiz("Q")
        opened = []
        for number in range(learners):
            user = make_user(f"hv{number}", unit)
            attempt = attempts.start_attempt(user, quiz)
            opened.append((attempt, user))
        db.session.commit()
        private = signing_key_path()
        signing.generate_keypair(private, private.with_suffix(".pub"))
        secret = app.config["SECRET_KEY"]
        return [(a.id, autosave_token(secret, a.id, u.id, 1)) for a, u in opened]


def rows(app) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    with app.app_context():
        return {
            table.name: [
                tuple(row)
                for row in db.session.execute(
                    select(table).order_by(*table.primary_key.columns)
                )
            ]
            for table in db.metadata.sorted_tables
        }


def usernames(app) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(select(User.username)))


@dataclass
class Autosaves:
    """Saves posted by one thread per attempt until stopped: `acked` holds
    (attempt id, seq, the monotonic time its 200 "saved" came back)."""

    app: object
    opened: list[tuple[int, str]]
    acked: list[tuple[int, int, float]] = field(default_factory=list)
    failures: list = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def post(self, attempt_id: int, token: str) -> None:
        client = self.app.test_client()
        seq = 0
        while not self.stop.is_set():
            seq += 1
            data = {"t": token, "position": seq % 4 + 1, "seq": seq, "choice": seq % 2}
            response = client.post(f"/autosave/{attempt_id}", data=data)
            body = response.get_json()
            if response.status_code == 200 and body["saved"]:
                self.acked.append((attempt_id, seq, time.monotonic()))
            else:
                self.failures.append((response.status_code, body))

    @contextmanager
    def running(self):
        threads = [
            threading.Thread(target=self.post, args=pair, daemon=True)
            for pair in self.opened
        ]
        for thread in threads:
            thread.start()
        try:
            yield self
        finally:
            self.stop.set()
            for thread in threads:
                thread.join(60)

    def wait_for(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.acked) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.acked) >= count, (len(self.acked), self.failures[:3])


def logged_saves(app) -> set[tuple[int, int]]:
    """(attempt id, seq) of every save in the restored save log."""
    from app.quizzes.models import AnswerSave

    with app.app_context():
        return set(db.session.execute(select(AnswerSave.attempt_id, AnswerSave.seq)))


def answers_match_log(app) -> bool:
    """Each stored answer is the last stored save of its question in the log (the
    answer and its log row are written in one transaction)."""
    from app.quizzes.models import SAVE_STORED, AnswerSave, AttemptAnswer

    with app.app_context():
        answers = dict(
            db.session.execute(select(AttemptAnswer.slot_id, AttemptAnswer.seq)).all()
        )
        last: dict[int, int] = {}
        for slot_id, seq in db.session.execute(
            select(AnswerSave.slot_id, AnswerSave.seq).where(
                AnswerSave.outcome == SAVE_STORED
            )
        ):
            last[slot_id] = max(seq, last.get(slot_id, 0))
        return answers == last


@contextmanager
def scratch_postgres(base_url: str, suffix: str):
    """A new PostgreSQL database named after `base_url`'s plus `suffix`, dropped
    afterwards; yields its URL."""
    base = make_url(base_url)
    name = f"{base.database}_{suffix}"
    server = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def backup_during_autosaves(source, target, archive_path) -> dict:
    """Take a backup of `source` while its cadres' pages autosave, restore it into
    `target`; what the test checks."""
    from app.backup import services as backup

    saves = Autosaves(source, seed(source))
    with saves.running():
        saves.wait_for(40)
        started = time.monotonic()
        with source.app_context():
            backup.create(archive_path)
        finished = time.monotonic()
        saves.wait_for(len(saves.acked) + 40)  # saves go on after the snapshot
    with target.app_context():
        backup.restore(archive_path)
    acked = list(saves.acked)
    return {
        "before": {(a, s) for a, s, at in acked if at < started},
        "during": [at for _, _, at in acked if started <= at <= finished],
        "after": {(a, s) for a, s, at in acked if at > finished},
        "restored": logged_saves(target),
        "failures": saves.failures,
    }
