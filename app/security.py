"""Role checks, safe redirects and the response headers: nothing of any domain.

Who may act on which units and people (scope filters on queries, account
management) needs the account models and lives in app.accounts.permissions.
"""

from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, request
from flask_login import current_user

from app.extensions import login_manager


def role_required(*roles: str):
    """View decorator: signed in and holding one of `roles`, else 401 redirect / 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles
        return wrapped

    return decorator


def not_from_other_sites(view):
    """View decorator for a GET that does heavy work (an export, a ZIP, a job): a
    request another site's page made the browser send (Fetch Metadata:
    Sec-Fetch-Site "cross-site", which a browser sets and a page cannot) is
    refused with 403, so that no other site can start work in an officer's name.
    Links on VHCV's own pages, typed addresses and bookmarks ("none") pass."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if request.headers.get("Sec-Fetch-Site") == "cross-site":
            abort(403)
        return view(*args, **kwargs)

    return wrapped


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
