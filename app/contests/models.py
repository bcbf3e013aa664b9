"""A contest, its rounds (each a Quiz: window, draw, time limit, attempts, prediction
question), its frozen rankings and the prizes drawn from them."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Unit
from app.extensions import db
from app.quizzes.models import Quiz
from app.timeutil import UTCDateTime, utcnow

# Prize levels, highest first (giải nhất, nhì, ba, khuyến khích).
PRIZE_LEVELS = ("nhat", "nhi", "ba", "khuyen_khich")
# How a contest's overall ranking adds up its rounds.
OVERALL_SUM, OVERALL_BEST = "sum", "best"


class Contest(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(255))
    # The organiser printed on the papers ("Sở Nội vụ tỉnh An Giang").
    organiser: Mapped[str] = mapped_column(String(255), default="")
    description_md: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    rules_md: Mapped[str] = mapped_column(Text, default="")  # thể lệ
    rules_html: Mapped[str] = mapped_column(Text, default="")
    overall: Mapped[str] = mapped_column(String(10), default=OVERALL_SUM)
    # A person wins at most one prize in the whole contest (always one per round).
    one_prize_per_contest: Mapped[bool] = mapped_column(default=False)
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    synced_hash: Mapped[str] = mapped_column(String(64), default="")
    origin: Mapped[str] = mapped_column(String(20), default="file")
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    targets: Mapped[list["ContestTarget"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    rounds: Mapped[list["ContestRound"]] = relationship(
        back_populates="contest", order_by="ContestRound.number"
    )


class ContestTarget(db.Model):
    """A unit whose subtree's cadres are the contest's participants."""

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))

    unit: Mapped[Unit] = relationship(lazy="joined")


class ContestRound(db.Model):
    """One round (đợt thi): its quiz holds the window, draw, time limit, attempts
    allowed and prediction question; `prizes` the number of prizes of each level,
    {"nhat": 1, "nhi": 2, "ba": 3, "khuyen_khich": 10}."""

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"))
    number: Mapped[int] = mapped_column()
    code: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(255))
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"), unique=True)
    prizes: Mapped[dict] = mapped_column(JSON, default=dict)

    contest: Mapped[Contest] = relationship(back_populates="rounds")
    quiz: Mapped[Quiz] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("contest_id", "number", name="uq_contest_round_number"),
    )


class Ranking(db.Model):
    """A frozen ranking of a round (round_id set) or of the whole contest (None).
    Never rewritten: a late correction is a new version, with its reason, audited."""

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("contest_round.id"))
    version: Mapped[int] = mapped_column(default=1)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    computed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    # The questions of the round, and how many participants got every one right
    # (the number the predictions are measured against).
    question_count: Mapped[int] = mapped_column(default=0)
    perfect_count: Mapped[int] = mapped_column(default=0)
    participants: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        UniqueConstraint(
            "contest_id", "round_id", "version", name="uq_ranking_version"
        ),
        # NULLs are distinct in the constraint above: the whole contest's versions
        # (round_id NULL) are kept unique by this one, whatever the races.
        Index(
            "uq_ranking_contest_version",
            "contest_id",
            "version",
            unique=True,
            sqlite_where=text("round_id IS NULL"),
            postgresql_where=text("round_id IS NULL"),
        ),
    )


class RankingEntry(db.Model):
    """One participant's place in a ranking. `rank` is shared by ties (1, 2, 2, 4);
    `unit_id` is the unit the participant competed for: its unit on the day it
    submitted the attempt ranked (its assignment then). The participant's name
    (and its sort key) and the unit's name (with its parent's when another unit
    has the same) are kept as they were when the ranking was made: its pages and
    papers print them so, whoever is renamed later."""

    id: Mapped[int] = mapped_column(primary_key=True)
    ranking_id: Mapped[int] = mapped_column(ForeignKey("ranking.id"))
    rank: Mapped[int] = mapped_column()
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempt.id"))
    right_answers: Mapped[int] = mapped_column()
    prediction: Mapped[int | None] = mapped_column()
    prediction_gap: Mapped[int | None] = mapped_column()
    time_used_seconds: Mapped[float] = mapped_column()
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    tied: Mapped[bool] = mapped_column(default=False)
    # The server defaults are for old servers' inserts during a rollout.
    full_name: Mapped[str] = mapped_column(String(200), server_default="")
    name_sort: Mapped[str] = mapped_column(String(400), server_default="")
    unit_name: Mapped[str] = mapped_column(String(520), server_default="")

    __table_args__ = (Index("ix_ranking_entry_rank", "ranking_id", "rank"),)


class RankingUnit(db.Model):
    """A row of a ranking's results per unit (app.contests.results) as they stood
    when it was ranked — the unit's label, its cadres in scope then, the
    participants, right answers and perfect scores — kept with the ranking, so
    that its pages and papers never change when units or cadres do later."""

    id: Mapped[int] = mapped_column(primary_key=True)
    ranking_id: Mapped[int] = mapped_column(ForeignKey("ranking.id"), index=True)
    position: Mapped[int] = mapped_column()  # the row's order on the page
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    label: Mapped[str] = mapped_column(String(500))
    participants: Mapped[int] = mapped_column(default=0)
    cadres: Mapped[int] = mapped_column(default=0)
    right_sum: Mapped[int] = mapped_column(default=0)
    perfect: Mapped[int] = mapped_column(default=0)


class Prize(db.Model):
    """A prize of a round's ranking (or of the whole contest's) to one person."""

    id: Mapped[int] = mapped_column(primary_key=True)
    ranking_id: Mapped[int] = mapped_column(ForeignKey("ranking.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("ranking_entry.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    level: Mapped[str] = mapped_column(String(20))

    entry: Mapped[RankingEntry] = relationship()

    # At most one prize per person in a ranking (one per round, or per contest).
    __table_args__ = (
        UniqueConstraint("ranking_id", "user_id", name="uq_prize_person"),
    )
