"""Units (a tree kept as a materialised path), their history, users and roles.

`Unit` and `User.unit_id` are the structure of today. Its history, dated by the day a
change takes effect (Vietnam calendar days; a change may be dated in the past or the
future), is in `UnitVersion` (what a unit was called, where it sat, from when to
when), `UnitSuccession` (where a merged, split or dissolved unit's cadres and records
went) and `Assignment` (which unit, position and category a cadre had, from when to
when). History rows are only ever added, or closed by setting `valid_to`.
"""

from datetime import date, datetime

from flask import has_request_context, request
from flask_login import UserMixin
from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    func,
    or_,
    select,
)
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship

from app.extensions import db
from app.timeutil import UTCDateTime, utcnow
from app.vntext import text_sort_key

from . import scope


def N_(text: str) -> str:
    """Marks a label for extraction (pybabel -k N_); templates translate it."""
    return text


UNIT_KINDS = {
    "province": N_("Tỉnh / thành phố"),
    "department": N_("Sở, ban, ngành"),
    "commune": N_("Xã, phường, đặc khu"),
    "district": N_("Huyện (trước 01/7/2025)"),
    "office": N_("Phòng, chi cục, đơn vị"),
    "team": N_("Tổ, bộ phận"),
    "agency": N_("Cơ quan, đơn vị khác"),
}

CATEGORIES = {
    "can_bo": N_("Cán bộ"),
    "cong_chuc": N_("Công chức"),
    "vien_chuc": N_("Viên chức"),
    "luc_luong_vu_trang": N_("Lực lượng vũ trang"),
    "nguoi_lao_dong": N_("Người lao động"),
}

ROLES = ("learner", "trainer", "hr", "admin")
SCOPED_ROLES = ("trainer", "hr")


class Unit(db.Model):
    """A cơ quan, đơn vị. `path` is "/<root id>/…/<own id>/": a subtree is a
    prefix."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(20), default="agency")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    path: Mapped[str] = mapped_column(String(400), default="")
    depth: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped["Unit | None"] = relationship(
        remote_side=[id], foreign_keys=[parent_id]
    )
    successor: Mapped["Unit | None"] = relationship(
        remote_side=[id], foreign_keys=[successor_id]
    )

    __table_args__ = (
        Index("ix_unit_path", "path", postgresql_ops={"path": "text_pattern_ops"}),
        Index("ix_unit_parent_id", "parent_id"),
    )

    @property
    def kind_label(self) -> str:
        return UNIT_KINDS.get(self.kind, self.kind)

    @property
    def display_name(self) -> str:
        """The name, with its parent's ("Văn phòng Sở — Sở Nội vụ") when another
        unit has the same name. One query per request (see unit_labels)."""
        return unit_labels().get(self.code, self.name)

    @property
    def sort_key(self) -> tuple[str, str]:
        """Vietnamese dictionary order of the name (app.vntext), then the code."""
        return text_sort_key(self.name), self.code

    @hybrid_method
    def in_subtree(self, root: str) -> bool:
        """True when this unit is the unit at path `root` or lies below it; in SQL
        `root` may also be a path column (see app.accounts.scope)."""
        return scope.in_subtree(self.path, root)

    @in_subtree.expression
    def in_subtree(cls, root):
        return scope.subtree_condition(cls.path, root)

    @hybrid_method
    def in_subtrees(self, roots: list[str] | None) -> bool:
        """True when this unit lies in the subtree of one of the paths `roots`;
        None means no restriction, [] means none."""
        return scope.in_any_subtree(self.path, roots)

    @in_subtrees.expression
    def in_subtrees(cls, roots):
        return scope.any_subtree_condition(cls.path, roots)

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


def shared_name_labels() -> dict[str, str]:
    """{unit code: "Name — Parent name"} for every unit whose name another unit
    also has; a root keeps its name alone. One query over the unit table."""
    parent = aliased(Unit)
    shared = select(Unit.name).group_by(Unit.name).having(func.count(Unit.id) > 1)
    rows = db.session.execute(
        select(Unit.code, Unit.name, parent.name)
        .outerjoin(parent, parent.id == Unit.parent_id)
        .where(Unit.name.in_(shared.scalar_subquery()))
    )
    return {code: f"{name} — {above}" if above else name for code, name, above in rows}


def unit_labels() -> dict[str, str]:
    """shared_name_labels(), computed once per request (each call outside one)."""
    if not has_request_context():
        return shared_name_labels()
    labels = getattr(request, "_vhcv_unit_labels", None)
    if labels is None:
        labels = shared_name_labels()
        request._vhcv_unit_labels = labels
    return labels


class UnitEvent(db.Model):
    """History of a unit: created, renamed, moved, merged, imported. Never rewritten."""

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    old_value: Mapped[str | None] = mapped_column(String(400))
    new_value: Mapped[str | None] = mapped_column(String(400))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])


class UnitVersion(db.Model):
    """A unit as it was from `valid_from` (inclusive) to `valid_to` (exclusive; None:
    still so): its official name, administrative code, kind, parent and the
    materialised path of the tree of that time ("/<root id>/…/<own id>/", as
    Unit.path). A rename, a move (of the unit or of an ancestor) or a change of code
    closes the unit's version and opens another; a merge, split or dissolution closes
    it with no successor version."""

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(255))
    # Mã đơn vị hành chính (Decision 19/2025/QĐ-TTg codes), when the unit has one.
    admin_code: Mapped[str | None] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20), default="agency")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    path: Mapped[str] = mapped_column(String(400), default="")
    depth: Mapped[int] = mapped_column(default=0)
    # What opened this version: create, rename, move, recode, import, migrate.
    change: Mapped[str] = mapped_column(String(20), default="create")
    # The decision that made the change (số, ngày quyết định), when recorded.
    decision: Mapped[str] = mapped_column(String(255), default="")

    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])

    __table_args__ = (
        Index("ix_unit_version_unit", "unit_id", "valid_from"),
        Index(
            "ix_unit_version_path",
            "path",
            "valid_from",
            postgresql_ops={"path": "text_pattern_ops"},
        ),
    )

    @hybrid_method
    def valid_on(self, day: date) -> bool:
        """In force on the calendar day `day`: from valid_from (inclusive) to
        valid_to (exclusive). The one as-of rule, in Python and in SQL."""
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)

    @valid_on.expression
    def valid_on(cls, day):
        return (cls.valid_from <= day) & or_(cls.valid_to.is_(None), cls.valid_to > day)


class UnitSuccession(db.Model):
    """On `valid_from`, the unit `predecessor` ended and (part of) its cadres and
    records went to `successor`: a merge (one successor, or several), a split
    (several). Records counted "rolled up" follow the `primary` successor only, so
    that none counts twice (app.accounts.rollup); the history of an ended unit may be
    seen from every unit it went into (app.accounts.asof.later_units); cadres go
    where their assignments say."""

    id: Mapped[int] = mapped_column(primary_key=True)
    predecessor_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    successor_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(10))  # merge | split
    primary: Mapped[bool] = mapped_column(default=True)
    decision: Mapped[str] = mapped_column(String(255), default="")

    __table_args__ = (
        UniqueConstraint("predecessor_id", "successor_id", name="uq_unit_succession"),
    )


class User(UserMixin, db.Model):
    """A cadre and, when it has a password, an account. Names are stored NFC."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    employee_code: Mapped[str | None] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    given_name: Mapped[str] = mapped_column(String(100), default="")
    name_sort: Mapped[str] = mapped_column(String(400), default="", index=True)
    name_search: Mapped[str] = mapped_column(String(200), default="", index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    position: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str] = mapped_column(String(30), default="cong_chuc")
    email: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(default=True)
    # Bumped on password change so other sessions of the user end.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    unit: Mapped[Unit] = relationship()
    roles: Mapped[list["RoleAssignment"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="select"
    )

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def role_names(self) -> set[str]:
        return {r.role for r in self.roles}

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names.intersection(roles))

    def role_units(self, role: str) -> list["Unit"]:
        """The units the user holds `role` over, in the order it was given them
        (the first is its default unit: reports, nominations)."""
        given = sorted(self.roles, key=lambda a: a.id or 0)
        return [a.unit for a in given if a.role == role and a.unit is not None]

    @property
    def category_label(self) -> str:
        return CATEGORIES.get(self.category, self.category)

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class Assignment(db.Model):
    """A cadre's unit, position and category from `valid_from` (inclusive) to
    `valid_to` (exclusive; None: still so). User.unit_id, position and category are
    the assignment valid today."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    position: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str] = mapped_column(String(30), default="cong_chuc")
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    __table_args__ = (
        Index("ix_assignment_user", "user_id", "valid_from"),
        Index("ix_assignment_unit", "unit_id", "valid_from", "valid_to", "user_id"),
        # The assignments closed after a day (reports as of a day, app.reports).
        Index("ix_assignment_closed", "valid_to", "valid_from", "user_id", "unit_id"),
    )

    @hybrid_method
    def valid_on(self, day: date) -> bool:
        """In force on the calendar day `day`: from valid_from (inclusive) to
        valid_to (exclusive). The one as-of rule, in Python and in SQL."""
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)

    @valid_on.expression
    def valid_on(cls, day):
        return (cls.valid_from <= day) & or_(cls.valid_to.is_(None), cls.valid_to > day)


class RoleAssignment(db.Model):
    """One role of a user; trainer and hr act inside the subtree of `unit`."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))

    user: Mapped[User] = relationship(back_populates="roles")
    unit: Mapped[Unit | None] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("user_id", "role", "unit_id", name="uq_role_assignment"),
    )
