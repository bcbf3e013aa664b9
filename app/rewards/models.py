"""The emulation movement's rewards (KH 115 Sóc Trăng III.2, V.1; KH Kiên Giang
III.3.e): the province's candidate rules per campaign, periods gathering several
campaigns (sơ kết, tổng kết) and the nominations (đề nghị khen thưởng) HR officers
make, which go up the unit tree.

A nomination is for a campaign or for a period (exactly one of the two), of a
collective (`unit_id`, no `user_id`) or of an individual (`user_id`, with the unit
it earned the achievement in). It records the officer who made it and the unit it
was made in (`nominating_unit_id`): who sees and may withdraw it follows that unit.
Nominations are never deleted: a withdrawal keeps who, when and why.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Unit, User
from app.extensions import db
from app.records.models import Campaign
from app.timeutil import UTCDateTime, utcnow


def N_(text: str) -> str:
    """Marks a label for extraction (pybabel -k N_); templates translate it."""
    return text


# The province's default rule (the example): a unit with at least 95 % of
# its cadres completed and 90 % passed; a cadre with 100 % on its first attempt.
DEFAULT_COMPLETION, DEFAULT_PASS, DEFAULT_FIRST_SCORE = 95, 90, 100

ANNUAL, SO_KET, TONG_KET = "annual", "so_ket", "tong_ket"
PERIOD_KINDS = {
    ANNUAL: N_("Hằng năm"),
    SO_KET: N_("Sơ kết"),
    TONG_KET: N_("Tổng kết"),
}
COLLECTIVE, INDIVIDUAL = "unit", "person"
NOMINEE_KINDS = {COLLECTIVE: N_("Tập thể"), INDIVIDUAL: N_("Cá nhân")}


class RewardRule(db.Model):
    """The candidate rule of one campaign, set by the province. Without a row, the
    defaults above apply."""

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), unique=True)
    # Collective: completed / cadres and passed / cadres, in whole percent.
    unit_completion_percent: Mapped[int] = mapped_column(default=DEFAULT_COMPLETION)
    unit_pass_percent: Mapped[int] = mapped_column(default=DEFAULT_PASS)
    unit_min_cadres: Mapped[int] = mapped_column(default=0)  # 0: no minimum
    # Individual: score of the first finished (non-preview) attempt, in percent.
    person_first_percent: Mapped[int] = mapped_column(default=DEFAULT_FIRST_SCORE)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    campaign: Mapped[Campaign] = relationship()


class RewardPeriod(db.Model):
    """A review gathering several campaigns: annual, sơ kết (2019–2022), tổng kết
    (2019–2025). `min_campaigns` is the least number of the period's campaigns a
    unit or cadre must have taken part in (and met the rule in every one)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(10), default=SO_KET)
    min_campaigns: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    links: Mapped[list["RewardPeriodCampaign"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def campaigns(self) -> list[Campaign]:
        return sorted((link.campaign for link in self.links), key=lambda c: c.year)

    @property
    def kind_label(self) -> str:
        return PERIOD_KINDS.get(self.kind, self.kind)


class RewardPeriodCampaign(db.Model):
    period_id: Mapped[int] = mapped_column(
        ForeignKey("reward_period.id"), primary_key=True
    )
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id"), primary_key=True
    )

    campaign: Mapped[Campaign] = relationship(lazy="joined")


class Nomination(db.Model):
    """A candidate put forward for a reward (đề nghị khen thưởng)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"))
    period_id: Mapped[int | None] = mapped_column(ForeignKey("reward_period.id"))
    kind: Mapped[str] = mapped_column(String(10))  # unit | person
    # The collective nominated, or the unit the cadre earned the achievement in.
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    achievement: Mapped[str] = mapped_column(Text, default="")  # thành tích
    note: Mapped[str] = mapped_column(Text, default="")  # ghi chú
    nominated_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    nominating_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    withdraw_reason: Mapped[str | None] = mapped_column(Text)
    # "c<campaign id>|p<period id>:<kind>:<unit or user id>" while active, NULL once
    # withdrawn: its unique constraint keeps one active nomination per subject, so
    # two officers nominating at once cannot both succeed (NULLs never collide).
    active_key: Mapped[str | None] = mapped_column(String(60), unique=True)

    campaign: Mapped[Campaign | None] = relationship()
    period: Mapped[RewardPeriod | None] = relationship()
    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    nominated_by: Mapped[User] = relationship(foreign_keys=[nominated_by_id])
    nominating_unit: Mapped[Unit] = relationship(foreign_keys=[nominating_unit_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])

    __table_args__ = (
        CheckConstraint(
            "(campaign_id IS NULL) <> (period_id IS NULL)",
            name="campaign_or_period",
        ),
        Index("ix_nomination_campaign", "campaign_id", "kind"),
        Index("ix_nomination_period", "period_id", "kind"),
    )

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None

    @staticmethod
    def key_for(campaign_id, period_id, kind: str, unit_id, user_id) -> str:
        target = f"c{campaign_id}" if campaign_id is not None else f"p{period_id}"
        subject = user_id if kind == INDIVIDUAL else unit_id
        return f"{target}:{kind}:{subject}"

    @property
    def kind_label(self) -> str:
        return NOMINEE_KINDS.get(self.kind, self.kind)
