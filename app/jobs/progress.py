"""How far a running job got, and where its files go: written to its row in
transactions of their own (so that its page shows it from any server), fenced by
the job's run number, with a heartbeat from a thread of its own."""

import logging
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from flask import current_app, g
from sqlalchemy import update

from app.extensions import db
from app.timeutil import utcnow

from .models import RUNNING, Job

log = logging.getLogger(__name__)


class TooLong(Exception):
    """The job ran past the time it is given (`Progress.in_time`)."""


class Superseded(Exception):
    """The job's row no longer belongs to this run."""


class Progress:
    """How far a job got, written to its row (in transactions of their own, at most
    about once a second) so that its page can show it from any server; and, when
    it is given a `time_limit` (seconds, from now), TooLong at its first step past
    it."""

    EVERY = 1.0  # seconds between writes

    def __init__(self, job: Job, time_limit: float | None = None):
        self.deadline = None if time_limit is None else time.monotonic() + time_limit
        self.job_id = job.id
        self.run_number = job.runs
        self.app = current_app._get_current_object()
        self.done = 0
        self.total: int | None = None
        self.stage: str | None = None
        self._written = 0.0
        self._held = False
        self._parts: list[Path] = []

    def begin(self, stage: str, total: int | None = None, done: int = 0) -> None:
        """A new stage: what it is doing, how many steps it has (None: unknown),
        and how many of them are done already (written at once, as the rest)."""
        self.stage, self.total, self.done = stage, total, done
        self._write(force=True)

    def step(self, count: int = 1) -> None:
        self.done += count
        self._write()

    def counted(self, items):
        """The items, one step each."""
        for item in items:
            yield item
            self.step()

    def set(self, done: int, total: int | None = None) -> None:
        """Where it stands (a service's own count)."""
        self.done = done
        if total is not None:
            self.total = total
        self._write()

    def commit(self) -> None:
        """Commit the task's writes so far, with how far it got, while the job is
        still this run's (a task that keeps what it has done, tasks.KEEPS_DONE,
        commits each batch so). Superseded, its writes rolled back, when the run
        was given up and retried meanwhile: the job row's update and the writes
        are one transaction, so a retry cannot come between them."""
        mine = db.session.execute(
            self._update().execution_options(synchronize_session=False)
        ).rowcount
        if mine != 1:
            db.session.rollback()
            raise Superseded()
        db.session.commit()

    @contextmanager
    def holding(self):
        """Around a task's write transaction: on SQLite (one writer at a time) no
        progress is written inside it, which would wait for the task's own lock."""
        self._held = db.engine.dialect.name == "sqlite"
        try:
            yield
        finally:
            self._held = False

    def in_time(self) -> None:
        """TooLong once the time limit has passed (checked at each step, whether it
        is written or not)."""
        if self._late():
            raise TooLong()

    def _late(self) -> bool:
        return self.deadline is not None and time.monotonic() > self.deadline

    def _write(self, force: bool = False) -> None:
        self.in_time()
        if self._held or _one_connection() or _own_write_lock():
            return
        moment = time.monotonic()
        if not force and moment - self._written < self.EVERY:
            return
        self._written = moment
        with db.engine.begin() as connection:
            connection.execute(self._update())

    def _update(self):
        """UPDATE of the job's row with how far it got and a heartbeat, while the
        job is still this run's."""
        return (
            update(Job)
            .where(*self._mine())
            .values(
                done=self.done,
                total=self.total,
                stage=self.stage,
                heartbeat_at=utcnow(),
            )
        )

    def _mine(self):
        return (
            Job.id == self.job_id,
            Job.state == RUNNING,
            Job.runs == self.run_number,
        )

    @contextmanager
    def beating(self):
        """While the task runs, a sign of life every few seconds from a thread of
        its own, whatever the task is doing (one long step, a write), until its
        time limit: a step hung past it then looks stalled, and may be retried."""
        stop = threading.Event()
        every = max(1.0, self.app.config["JOBS_STALL_SECONDS"] / 4)

        def beat():
            while not stop.wait(every) and not self._late():
                try:
                    with self.app.app_context(), db.engine.begin() as connection:
                        connection.execute(
                            update(Job)
                            .where(*self._mine())
                            .values(heartbeat_at=utcnow())
                        )
                except Exception:  # e.g. SQLite busy during the task's write
                    log.warning("no heartbeat for job %s", self.job_id)

        if _one_connection():
            yield
            return
        thread = threading.Thread(target=beat, name=f"beat-{self.job_id}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def output(self, suffix: str) -> Path:
        """A file for the job's result: written under a temporary name, and renamed
        into place only when the job ends well."""
        folder = jobs_dir(create=True)
        part = folder / f"{self.job_id}-{self.run_number}.{suffix}.part"
        self._parts.append(part)
        return part

    def final_path(self, part: Path) -> Path:
        """Where the result `part` (an output()) goes once the job has ended well:
        "<job id>.<suffix>", whatever the run."""
        prefix = f"{self.job_id}-{self.run_number}."
        return part.with_name(
            self.job_id + "." + part.name[len(prefix) : -len(".part")]
        )

    def moved(self, part: Path, final: Path) -> None:
        self._parts[self._parts.index(part)] = final

    def kept(self) -> None:
        """The job has ended well: its files stay."""
        self._parts = []

    def discard(self) -> None:
        for part in self._parts:
            part.unlink(missing_ok=True)


def _own_write_lock() -> bool:
    """On SQLite, outside a request, the task's session holds the write lock while
    its transaction is open (unless it reads only): a progress write through
    another connection would wait for it until the busy timeout."""
    return (
        db.engine.dialect.name == "sqlite"
        and db.session().in_transaction()
        and not g.get("sqlite_read_only")
    )


def _one_connection() -> bool:
    """An in-memory SQLite database (tests) has one connection, shared by every
    session: a progress write beside the task's transaction cannot be made there."""
    url = db.engine.url
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def jobs_dir(create: bool = False) -> Path:
    configured = current_app.config.get("JOBS_DIR")
    folder = Path(configured or Path(current_app.instance_path) / "jobs")
    if create:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder
