"""The outbox of xAPI statements: written in the transaction of the event it tells
(so a rolled-back event leaves none), sent later in batches, kept once sent.

The primary key is the statement's own id, derived from the event (statements.
statement_id): the same event queued twice, or sent twice after a lost answer, is
one statement here and at the LRS (which answers 409 to an id it already has)."""

from datetime import datetime

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.timeutil import UTCDateTime, utcnow


class XapiStatement(db.Model):
    __tablename__ = "xapi_statement"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # statement UUID
    verb: Mapped[str] = mapped_column(String(40))  # short name, for `xapi status`
    payload: Mapped[dict] = mapped_column(JSON)  # the statement as sent
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)  # sending tries
    last_error: Mapped[str | None] = mapped_column(Text)

    # The backlog, oldest first: what the sender reads.
    __table_args__ = (Index("ix_xapi_statement_backlog", "sent_at", "created_at"),)
