"""Who may do what: role checks, scope filters on queries, safe redirects, headers."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, request
from flask_login import current_user
from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager

from app.errors import NotAllowed, NotFound


def role_required(*roles: str):
    """View decorator: signed in and holding one of `roles`, else 401 redirect / 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from app.extensions import login_manager

                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles
        return wrapped

    return decorator


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
    from app.extensions import db

    user = db.session.scalar(scoped_users(viewer, *roles).where(User.id == user_id))
    if user is None:
        raise NotFound("Không tìm thấy cán bộ này trong phạm vi của bạn.")
    return user


def get_scoped_unit(viewer: User, unit_id: int, *roles: str) -> Unit:
    from app.extensions import db

    unit = db.session.scalar(scoped_units(viewer, *roles).where(Unit.id == unit_id))
    if unit is None:
        raise NotFound("Không tìm thấy đơn vị này trong phạm vi của bạn.")
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
            "Tài khoản này có vai trò quản lý (giảng viên, cán bộ tổ chức hoặc quản "
            "trị); chỉ quản trị viên được thay đổi."
        )
    return target


def safe_next_url(target: str | None, default: str = "/") -> str:
    """`target` if it is a path on this site, else `default` (no open redirects)."""
    if not target:
        return default
    target = target.replace("\\", "/").strip()
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
    ):
        return default
    return target


CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)


def security_headers(config) -> list[tuple[str, str]]:
    """The headers every response of the app carries (static files aside)."""
    headers = [
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]
    if config.get("SESSION_COOKIE_SECURE"):
        headers.append(
            ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        )
    return headers


def register_security_headers(app: Flask) -> None:
    headers = security_headers(app.config)

    @app.after_request
    def add_headers(response):
        for name, value in headers:
            response.headers.setdefault(name, value)
        if request.endpoint != "static" and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response


# Last, as the authoring package imports its views: the models' package imports views
# that import this module, so its names must exist before the models are loaded.
from app.accounts.models import Unit, User  # noqa: E402
