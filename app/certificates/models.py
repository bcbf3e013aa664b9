"""Certificates (giấy chứng nhận) and the per-year serial counter.

A certificate is an immutable snapshot taken at issue: the PDF is drawn from these
columns on demand, so it never changes when a cadre, unit or course does. Only the
revocation columns are ever written after issue.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.accounts.models import User
from app.extensions import db
from app.records.models import Campaign, TrainingRecord
from app.timeutil import UTCDateTime, utcnow

SERIAL_PREFIX = "VHCV"


class SerialCounter(db.Model):
    """The last serial number given in a year; its row lock serialises issuers."""

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)


class Certificate(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(32), unique=True)  # VHCV-2026-000123
    year: Mapped[int] = mapped_column()  # year of issue (Vietnam time)
    number: Mapped[int] = mapped_column()  # the serial's number within the year
    # Public verification code: secrets.token_urlsafe(16), 128 random bits.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("training_record.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)

    # The snapshot (immutable).
    full_name: Mapped[str] = mapped_column(String(200))
    unit_name: Mapped[str] = mapped_column(String(255))
    course_title: Mapped[str] = mapped_column(String(255))
    campaign_title: Mapped[str] = mapped_column(String(255))
    periods: Mapped[int] = mapped_column()
    score_percent: Mapped[float] = mapped_column()
    passed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    parent_body: Mapped[str] = mapped_column(String(255), default="")
    issuing_body: Mapped[str] = mapped_column(String(255))
    place: Mapped[str] = mapped_column(String(120))
    signer_authority: Mapped[str] = mapped_column(String(120), default="")
    signer_title: Mapped[str] = mapped_column(String(120))
    signer_name: Mapped[str] = mapped_column(String(200), default="")

    # Revocation (the only columns written after issue).
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The certificate this one was reissued in place of.
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id"))

    record: Mapped[TrainingRecord] = relationship(
        backref=backref("certificates", order_by="Certificate.id")
    )
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    campaign: Mapped[Campaign] = relationship()
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
    replaces: Mapped["Certificate | None"] = relationship(remote_side=[id])

    __table_args__ = (
        UniqueConstraint("year", "number", name="uq_certificate_year_number"),
        # At most one valid certificate per record, whatever the races.
        Index(
            "uq_certificate_valid_record",
            "record_id",
            unique=True,
            sqlite_where=db.text("revoked_at IS NULL"),
            postgresql_where=db.text("revoked_at IS NULL"),
        ),
        Index("ix_certificate_record_id", "record_id"),
    )

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None


def format_serial(year: int, number: int) -> str:
    return f"{SERIAL_PREFIX}-{year}-{number:06d}"
