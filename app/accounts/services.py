"""Users, roles and passwords. Operations flush, never commit."""

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from app.audit import services as audit
from app.errors import Conflict, InvalidInput, NotFound
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.signals import user_joined, user_moved, user_recategorised
from app.timeutil import utcnow
from app.vntext import clean_text, fold, sort_key, split_name

from . import history, later
from .models import (
    CATEGORIES,
    ROLES,
    SCOPED_ROLES,
    RoleAssignment,
    Unit,
    UnitSuccession,
    User,
)

# Verified when the username is unknown so a wrong username costs the same time.
_DUMMY_HASH_CACHE: dict[str, str] = {}


@dataclass
class RoleSpec:
    role: str
    unit: Unit | None = None


def hash_password(password: str) -> str:
    return generate_password_hash(
        password, method=current_app.config["PASSWORD_HASH_METHOD"]
    )


def check_password_rules(password: str) -> None:
    """Raise InvalidInput when `password` is too weak to be accepted."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise InvalidInput(
            _l("Mật khẩu phải có ít nhất %(minimum)s ký tự.", minimum=minimum)
        )
    if password.isdigit() or password.isalpha():
        raise InvalidInput(_l("Mật khẩu phải có cả chữ và số hoặc ký tự đặc biệt."))


def set_name(user: User, full_name: str, given: str | None = None) -> None:
    """Store the NFC name and its derived sort and search columns."""
    full_name = clean_text(full_name)
    if not full_name:
        raise InvalidInput(_l("Họ và tên không được để trống."))
    parts = split_name(full_name, given)
    user.full_name = full_name
    user.given_name = parts.given
    user.name_sort = sort_key(parts)
    user.name_search = fold(full_name)


def get_user_by_username(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise NotFound(_l("Không có tài khoản “%(username)s”.", username=username))
    return user


def create_user(
    username: str,
    full_name: str,
    unit: Unit,
    password: str | None = None,
    roles: list[RoleSpec] | None = None,
    employee_code: str | None = None,
    position: str = "",
    category: str = "cong_chuc",
    email: str | None = None,
    must_change_password: bool = True,
    actor: User | None = None,
    effective=None,
) -> User:
    """Add a user (a cadre, and an account when `password` is given), assigned to
    `unit` from `effective` (today by default; not a future day).

    Raises Conflict when the username or employee code is taken, InvalidInput on a
    bad category, role or password.
    """
    username = username.strip()
    if not username:
        raise InvalidInput(_l("Tên đăng nhập không được để trống."))
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise Conflict(
            _l("Tên đăng nhập “%(username)s” đã tồn tại.", username=username)
        )
    if employee_code and db.session.scalar(
        select(User.id).where(User.employee_code == employee_code)
    ):
        raise Conflict(
            _l("Mã cán bộ “%(employee_code)s” đã tồn tại.", employee_code=employee_code)
        )
    if category not in CATEGORIES:
        raise InvalidInput(
            _l("Loại cán bộ “%(category)s” không hợp lệ.", category=category)
        )
    user = User(
        username=username,
        employee_code=employee_code or None,
        unit=unit,
        position=clean_text(position),
        category=category,
        email=email or None,
        must_change_password=must_change_password,
    )
    set_name(user, full_name)
    if password is not None:
        check_password_rules(password)
        user.password_hash = hash_password(password)
    day = history.effective(effective)
    if day > history.vn_today():
        raise InvalidInput(_l("Cán bộ mới không nhận ngày hiệu lực trong tương lai."))
    db.session.add(user)
    for spec in roles or [RoleSpec("learner")]:
        grant_role(user, spec.role, spec.unit)
    refuse_dissolving(unit, day)
    db.session.flush()
    history.assign(user, day, unit=unit, actor=actor)
    audit.record("user.created", actor=actor, target=user, username=username)
    user_joined.send(user)
    return user


def grant_role(user: User, role: str, unit: Unit | None = None) -> RoleAssignment:
    """Give `user` a role; trainer and hr need a unit scope, the others take none."""
    if role not in ROLES:
        raise InvalidInput(
            _l(
                "Vai trò “%(role)s” không hợp lệ; dùng: %(value)s.",
                role=role,
                value=", ".join(ROLES),
            )
        )
    if role in SCOPED_ROLES and unit is None:
        raise InvalidInput(_l("Vai trò “%(role)s” cần một đơn vị phạm vi.", role=role))
    if role not in SCOPED_ROLES:
        unit = None
    for existing in user.roles:
        if existing.role == role and existing.unit_id == (unit.id if unit else None):
            return existing
    assignment = RoleAssignment(role=role, unit=unit)
    user.roles.append(assignment)
    return assignment


def set_password(
    user: User, password: str, must_change: bool = False, actor: User | None = None
) -> None:
    """Replace the password, end the user's other sessions and audit it."""
    check_password_rules(password)
    user.password_hash = hash_password(password)
    user.must_change_password = must_change
    user.session_version += 1
    audit.record(
        "user.password_set", actor=actor, target=user, forced_change=must_change
    )


def reset_password(user: User, actor: User) -> str:
    """Give `user` a random temporary password to change at next sign-in; return it."""
    import secrets

    temporary = f"{secrets.token_urlsafe(6)}-{secrets.randbelow(90) + 10}"
    set_password(user, temporary, must_change=True, actor=actor)
    audit.record("user.password_reset", actor=actor, target=user)
    return temporary


class WrongPassword(InvalidInput):
    """The current password given to change it is not the user's."""


def change_password(user: User, current: str, new: str) -> None:
    """The user changes its own password; WrongPassword when `current` is wrong,
    InvalidInput when `new` is refused."""
    if not user.password_hash or not check_password_hash(user.password_hash, current):
        raise WrongPassword(_l("Mật khẩu hiện tại không đúng."))
    if new == current:
        raise InvalidInput(_l("Mật khẩu mới phải khác mật khẩu hiện tại."))
    set_password(user, new, must_change=False, actor=user)


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None — same cost either way."""
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.password_hash:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


def _dummy_hash() -> str:
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASH_CACHE:
        _DUMMY_HASH_CACHE[method] = generate_password_hash(
            "not-a-password", method=method
        )
    return _DUMMY_HASH_CACHE[method]


def load_session_user(session_id: str) -> User | None:
    """Flask-Login loader: "<id>:<session version>"; a stale version, or a locked
    account, signs out. The roles come in the same query (every page's navigation
    asks for them)."""
    try:
        user_id, version = (int(p) for p in session_id.split(":"))
    except ValueError:
        return None
    user = db.session.get(User, user_id, options=[joinedload(User.roles)])
    if user is None or user.session_version != version or not user.active:
        return None
    return user


def end_sessions(user: User) -> None:
    """End every session of `user` (sign-out): a cookie copied before, on this or
    another device, and the autosave tokens of its open pages stop working."""
    user.session_version += 1


def set_active(user: User, active: bool, actor: User | None = None) -> None:
    """Deactivate (no sign-in, out of new campaigns) or reactivate a cadre."""
    if user.active != active:
        user.active = active
        user.session_version += 1
        audit.record(
            "user.activated" if active else "user.deactivated", actor=actor, target=user
        )
        if active:
            db.session.flush()
            user_joined.send(user)


def move_user(
    user: User, unit: Unit, actor: User | None = None, effective=None
) -> None:
    """Move a cadre to `unit` from `effective` (today by default); its records
    follow (the unit at completion stays)."""
    reassign(user, unit=unit, actor=actor, effective=effective)


def dissolving_units(unit_ids: list[int], day) -> dict[int, object]:
    """{unit id: the day it ends} for those of `unit_ids` whose last version
    (after a later rename or move, if any) ends after `day` with no successor
    (dissolved, recorded ahead): a cadre put there from `day` would be left in
    it. One that ends in a merger or a split is not among them: its cadres follow
    its primary successor (history.apply_due). Two queries."""
    ends = later.ends_after(unit_ids, day)
    if not ends:
        return {}
    went = set(
        db.session.scalars(
            select(UnitSuccession.predecessor_id).where(
                UnitSuccession.predecessor_id.in_(list(ends))
            )
        )
    )
    return {unit_id: end for unit_id, end in ends.items() if unit_id not in went}


def refuse_dissolving(unit: Unit, day) -> None:
    """InvalidInput when `unit` is dissolved after `day` (dissolving_units)."""
    end = dissolving_units([unit.id], day).get(unit.id)
    if end is not None:
        raise InvalidInput(
            _l(
                "Đơn vị “%(code)s” giải thể từ ngày %(day)s: không xếp cán bộ vào "
                "đơn vị này.",
                code=unit.code,
                day=history.format_day(end),
            )
        )


def reassign(
    user: User,
    unit: Unit | None = None,
    position: str | None = None,
    category: str | None = None,
    actor: User | None = None,
    effective=None,
) -> bool:
    """Change a cadre's unit, position or category (None: unchanged) from
    `effective` (today by default): its assignment history gets a new row and, once
    the day has come, the cadre itself changes (a future day is applied by
    `flask units apply-due`). Returns True when the cadre moved unit today."""
    day = history.effective(effective)
    today = day <= history.vn_today()
    if unit is not None and today and not unit.active:
        raise InvalidInput(_l("Đơn vị “%(code)s” đã ngừng hoạt động.", code=unit.code))
    if unit is not None:
        refuse_dissolving(unit, day)
    if category is not None and category not in CATEGORIES:
        raise InvalidInput(
            _l("Loại cán bộ “%(category)s” không hợp lệ.", category=category)
        )
    if position is not None:
        position = clean_text(position)
    old = user.unit_id
    done = history.assign(user, day, unit, position, category, actor=actor)
    if done is None:
        return False
    moved = unit is not None and unit.id != old
    if not today:
        audit.record(
            "user.reassigned",
            actor=actor,
            target=user,
            effective=day.isoformat(),
            unit=done.unit_id,
            position=done.position,
            category=done.category,
        )
        return False
    for changed in history.sync_users([user.id]).recategorised:
        user_recategorised.send(changed)  # may now be in a campaign's scope
    if moved and user.unit_id != old:
        audit.record(
            "user.moved", actor=actor, target=user, old_unit=old, new_unit=unit.id
        )
        user_moved.send(user, old_unit_id=old)
        return True
    return False


def search_users(query: Select, text: str | None) -> Select:
    """Refine a user query by a diacritic- and case-insensitive name or code search."""
    text = (text or "").strip()
    if not text:
        return query
    folded = fold(text)
    return query.where(
        or_(
            User.name_search.contains(folded, autoescape=True),
            # istartswith escapes % and _: "%" must not match every code
            User.employee_code.istartswith(text, autoescape=True),
        )
    )


def vietnamese_order(query: Select) -> Select:
    """Order a user query the Vietnamese way (tên, tên đệm, họ)."""
    return query.order_by(User.name_sort, User.id)
