"""API tokens: a unit's HR system reads that unit's subtree with one."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Unit
from app.extensions import db
from app.timeutil import UTCDateTime, utcnow


class ApiToken(db.Model):
    """Only the SHA-256 of the token is kept; the token is shown once, at creation.
    `prefix` (its first 8 characters) identifies it in lists and finds it fast."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # The root of the subtree the token may read.
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(8), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    unit: Mapped[Unit] = relationship()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.prefix}…>"
