"""Courses, modules, their immutable versions, and each cadre's reading progress."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import UTCDateTime, utcnow


class Course(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(Text, default="")
    # Số tiết (class periods) the course counts for.
    periods: Mapped[int] = mapped_column(default=1)
    # Folder under courses/ the files come from (images are served from it).
    folder: Mapped[str] = mapped_column(String(120), default="")
    intro_html: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The unit whose trainers may author it (its subtree's trainers); None: admin only.
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)

    modules: Mapped[list["Module"]] = relationship(
        back_populates="course", order_by="Module.order"
    )


class Module(db.Model):
    """A module's identity; what it says lives in its versions."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    order: Mapped[int] = mapped_column(default=1)
    # False once its file is gone: kept for the records that point at it.
    active: Mapped[bool] = mapped_column(default=True)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("module_version.id", use_alter=True)
    )
    # content_hash of the file as last synced or exported: the base of the three-way
    # rule by which `flask content sync` never overwrites a newer browser edit.
    synced_hash: Mapped[str] = mapped_column(String(64), default="")
    # Its file in the course folder ("03-giao-tiep-ung-xu.md"); part of content_hash.
    filename: Mapped[str] = mapped_column(String(200), default="")

    course: Mapped[Course] = relationship(back_populates="modules")
    current_version: Mapped["ModuleVersion | None"] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )


class ModuleVersion(db.Model):
    """One published text of a module, rendered and sanitised once. Never edited."""

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(String(255))
    minutes: Mapped[int] = mapped_column(default=5)
    objectives: Mapped[list] = mapped_column(JSON, default=list)
    sources: Mapped[list] = mapped_column(JSON, default=list)
    body_md: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    toc: Mapped[list] = mapped_column(JSON, default=list)
    content_hash: Mapped[str] = mapped_column(String(64))
    # Where the text came from: "file" (flask content sync) or "browser".
    origin: Mapped[str] = mapped_column(String(20), default="file")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    module: Mapped[Module] = relationship(foreign_keys=[module_id])

    __table_args__ = (
        UniqueConstraint("module_id", "number", name="uq_module_version"),
    )


class ModuleDraft(db.Model):
    """A trainer's unpublished edit of a module (one per module). Learners never see
    it; publishing turns it into a new ModuleVersion and deletes it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"), unique=True)
    # The published version the draft started from (None for a new module).
    base_version_id: Mapped[int | None] = mapped_column(ForeignKey("module_version.id"))
    title: Mapped[str] = mapped_column(String(255))
    minutes: Mapped[int] = mapped_column(default=5)
    objectives: Mapped[list] = mapped_column(JSON, default=list)
    sources: Mapped[list] = mapped_column(JSON, default=list)
    body_md: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    module: Mapped[Module] = relationship()
    base_version: Mapped[ModuleVersion | None] = relationship()


class ModuleProgress(db.Model):
    """A cadre's reading of one module version: opened, time spent, completed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("module_version.id"))
    first_opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seconds_spent: Mapped[int] = mapped_column(default=0)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    version: Mapped[ModuleVersion] = relationship()

    __table_args__ = (
        UniqueConstraint("user_id", "version_id", name="uq_progress_user_version"),
    )

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None
