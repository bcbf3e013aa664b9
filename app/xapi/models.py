"""The outbox of xAPI statements: written in the transaction of the event it tells
(so a rolled-back event leaves none), sent later in batches, kept once sent.

The primary key is the statement's own id, derived from the event (a UUID 5 of its
key, actor and moment: statements.statement_id) and kept in its payload: every
resend of the row, or the event told again, is the same statement; a database id
re-used after a backup restore, or by another installation at the same
VHCV_PUBLIC_URL, is another cadre's or another moment's event, so another id (an id
of the database id alone would name a different statement the LRS already has,
which it refuses with 409). `event_key` ("attempt-finished:42") is the event it
tells, so the same event told again is queued once. A statement the LRS rejects
MAX_REJECTIONS times is set aside (`failed_at`) until
`flask xapi send --retry-failed`."""

from datetime import datetime

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.timeutil import UTCDateTime, utcnow


class XapiStatement(db.Model):
    __tablename__ = "xapi_statement"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # statement UUID
    # The event told ("attempt-finished:42"); None on rows queued before it was kept.
    event_key: Mapped[str | None] = mapped_column(String(120))
    verb: Mapped[str] = mapped_column(String(40))  # short name, for `xapi status`
    payload: Mapped[dict] = mapped_column(JSON)  # the statement as sent
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)  # sending tries
    rejections: Mapped[int] = mapped_column(
        default=0, server_default="0"
    )  # refused by the LRS (4xx)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # set aside
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        # The backlog, oldest first: what the sender reads.
        Index("ix_xapi_statement_backlog", "sent_at", "created_at"),
        Index("ix_xapi_statement_event_key", "event_key", unique=True),
    )
