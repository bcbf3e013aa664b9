"""Who may act on which units and people: scope filters on queries, and who may
manage an account. A scope is the subtrees of the units where the user holds a role
(app.accounts.scope holds the subtree rule itself); administrators are unrestricted.
"""

from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager

from app.errors import NotAllowed, NotFound
from app.errors import lazy_gettext as _l
from app.extensions import db

from .models import Unit, User


def scope_paths(user: User, *roles: str) -> list[str] | None:
    """Unit paths whose subtrees `user` may act on as any of `roles`.

    Returns None when the user is an admin (no restriction) and [] when it holds
    none of the roles (nothing visible).
    """
    if user.has_role("admin"):
        return None
    return [a.unit.path for a in user.roles if a.role in roles and a.unit is not None]


def scoped_units(viewer: User, *roles: str) -> Select:
    """Units the viewer may see as one of `roles` (hr by default)."""
    roles = roles or ("hr",)
    return select(Unit).where(Unit.in_subtrees(scope_paths(viewer, *roles)))


def scoped_users(viewer: User, *roles: str) -> Select:
    """People the viewer may see as one of `roles` (hr by default), as a query."""
    roles = roles or ("hr",)
    return (
        select(User)
        .join(User.unit)
        .options(contains_eager(User.unit))  # lists show the unit: no query per row
        .where(Unit.in_subtrees(scope_paths(viewer, *roles)))
    )


def get_scoped_user(viewer: User, user_id: int, *roles: str) -> User:
    """The user `user_id` if the viewer may see it; else NotFound (no leak)."""
    user = db.session.scalar(scoped_users(viewer, *roles).where(User.id == user_id))
    if user is None:
        raise NotFound(_l("Không tìm thấy cán bộ này trong phạm vi của bạn."))
    return user


def get_scoped_unit(viewer: User, unit_id: int, *roles: str) -> Unit:
    unit = db.session.scalar(scoped_units(viewer, *roles).where(Unit.id == unit_id))
    if unit is None:
        raise NotFound(_l("Không tìm thấy đơn vị này trong phạm vi của bạn."))
    return unit


def can_manage_account(actor: User, target: User) -> bool:
    """Whether `actor` may reset the password of, lock, unlock, move or otherwise
    change the account `target`.

    Administrators may manage any account. An HR officer may manage only accounts
    inside its HR subtree whose every role is learner: an account holding any other
    role (trainer, hr, admin) is managed by administrators alone, so that no HR
    officer can take over an account with more power than a learner's.
    """
    if actor.has_role("admin"):
        return True
    if target.role_names - {"learner"}:
        return False
    return target.unit.in_subtrees(scope_paths(actor, "hr"))


def get_manageable_user(actor: User, user_id: int) -> User:
    """The user `user_id` if `actor` may manage its account.

    Raises NotFound when the actor may not even see it (no leak of its existence) and
    NotAllowed when it may see it but not manage it (an account with a privileged
    role)."""
    target = get_scoped_user(actor, user_id)
    if not can_manage_account(actor, target):
        raise NotAllowed(
            _l(
                "Tài khoản này có vai trò quản lý (giảng viên, cán bộ tổ chức hoặc "
                "quản trị); chỉ quản trị viên được thay đổi."
            )
        )
    return target
