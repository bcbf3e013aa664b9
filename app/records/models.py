"""Campaigns (đợt bồi dưỡng), each cadre's training record in them, and the
certificates (giấy chứng nhận) of completed records with their per-year serial
counter.

A certificate is an immutable snapshot taken at issue: the PDF is drawn from these
columns on demand, so it never changes when a cadre, unit or course does. Only the
revocation columns are ever written after issue. Its table lives here, beside the
record it certifies, because the reports and the API list records with the serial of
their certificate; issuing, revoking, drawing and verifying are app.certificates'.
"""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.accounts.models import Unit, User
from app.extensions import db
from app.timeutil import UTCDateTime, utcnow

NOT_STARTED, IN_PROGRESS, COMPLETED = "not_started", "in_progress", "completed"
STATUSES = (NOT_STARTED, IN_PROGRESS, COMPLETED)


class Campaign(db.Model):
    """The annual training: a course and a final quiz, a window, target units and
    categories. Completion = every required module read + the quiz passed inside the
    window; once completed, a record stays completed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(255))
    year: Mapped[int] = mapped_column()
    course_code: Mapped[str] = mapped_column(String(40))
    quiz_code: Mapped[str] = mapped_column(String(60))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Categories of cadre in scope (keys of accounts.models.CATEGORIES); [] = all.
    categories: Mapped[list] = mapped_column(JSON, default=list)
    # Codes of the modules to read: the course's at creation. A module published
    # later is required only after an explicit, audited change
    # (records.services.require_current_modules).
    required_modules: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    targets: Mapped[list["CampaignTarget"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )


class CampaignTarget(db.Model):
    """A unit whose whole subtree the campaign is for."""

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))

    unit: Mapped[Unit] = relationship(lazy="joined")


class TrainingRecord(db.Model):
    """One cadre in one campaign: a summary kept up to date by the events that change
    it, so reports aggregate one row per cadre instead of every attempt."""

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    # The cadre's unit now (moves with the cadre) — what reports group by.
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=NOT_STARTED)
    modules_read: Mapped[int] = mapped_column(default=0)
    modules_total: Mapped[int] = mapped_column(default=0)
    attempts: Mapped[int] = mapped_column(default=0)
    best_percent: Mapped[float | None] = mapped_column()
    passed: Mapped[bool] = mapped_column(default=False)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The unit the cadre belonged to when it completed; never changes afterwards.
    completed_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    campaign: Mapped[Campaign] = relationship()
    user: Mapped[User] = relationship()
    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    completed_unit: Mapped[Unit | None] = relationship(foreign_keys=[completed_unit_id])

    __table_args__ = (
        UniqueConstraint("campaign_id", "user_id", name="uq_record_campaign_user"),
        # Covers the report's grouped query: answered from the index alone.
        Index(
            "ix_record_report",
            "campaign_id",
            "unit_id",
            "status",
            "passed",
            "best_percent",
        ),
        # Covers the reports as of a day (app.reports.counts): by the unit a
        # record was completed in, else the cadre's unit now.
        Index(
            "ix_record_asof",
            "campaign_id",
            "completed_unit_id",
            "unit_id",
            "status",
            "passed",
            "best_percent",
        ),
    )


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
