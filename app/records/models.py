"""Campaigns (đợt bồi dưỡng) and each cadre's training record in them."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Unit, User
from app.extensions import db
from app.timeutil import UTCDateTime, utcnow

NOT_STARTED, IN_PROGRESS, COMPLETED = "not_started", "in_progress", "completed"
STATUSES = (NOT_STARTED, IN_PROGRESS, COMPLETED)


class Campaign(db.Model):
    """The annual training: a course and a final quiz, a window, target units and
    categories. Completion = every module read + the quiz passed inside the window."""

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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    targets: Mapped[list["CampaignTarget"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now <= self.closes_at

    def days_left(self, now: datetime) -> int:
        return max(0, (self.closes_at - now).days)


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
    )
