"""A background job as its officer sees it: what it is, whose it is, how far it got,
how it ended, and where its result lies. The row lives in the database, so every app
server and job worker sees the same state; the result file lies in the shared
folder JOBS_DIR."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.timeutil import UTCDateTime, utcnow

QUEUED = "queued"
RUNNING = "running"
FINISHED = "finished"
FAILED = "failed"
EXPIRED = "expired"  # finished, and its result has been removed
TITLE_LENGTH = 300  # a title is stored cut to this (its parts whole)


class Job(db.Model):
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))  # a task's name (tasks.task)
    # What it is, as the officer named it when it started: text in the default
    # language (commands, rows of an older version), and its catalogue entries and
    # values (jobs.messages.parts), shown in the reader's language; None when plain.
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    title_parts: Mapped[dict | None] = mapped_column(JSON)
    # Who started it: only they see it. None for a job of the command line.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(12), default=QUEUED)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None] = mapped_column()
    stage: Mapped[str | None] = mapped_column(String(200))  # what it is doing now
    message: Mapped[str | None] = mapped_column(Text)  # the outcome, or why it failed
    # The same message as its catalogue entries and values (jobs.messages.parts),
    # shown in the reader's language; None when it is plain text.
    message_parts: Mapped[dict | None] = mapped_column(JSON)
    result_file: Mapped[str | None] = mapped_column(String(80))  # in JOBS_DIR
    result_name: Mapped[str | None] = mapped_column(String(300))  # to download as
    result_mime: Mapped[str | None] = mapped_column(String(100))
    runs: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_job_owner_created", "owner_id", "created_at"),)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, round(100 * self.done / self.total))

    def stalled(self, now: datetime, after_seconds: int) -> bool:
        """Running without a sign of life for `after_seconds`: its worker died (a job
        writes its results in one transaction and its file by renaming, so nothing
        of it was kept)."""
        if self.state != RUNNING:
            return False
        last = self.heartbeat_at or self.started_at or self.created_at
        return (now - last).total_seconds() > after_seconds

    @property
    def active(self) -> bool:
        return self.state in (QUEUED, RUNNING)
