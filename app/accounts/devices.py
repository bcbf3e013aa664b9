"""Browsers known to an account (OWASP's "device cookies", against lockout): a
browser that has signed in to an account keeps a signed cookie naming it. Its wrong
guesses for that account are counted against a limit of its own, not the
username's, so anyone who fills the username's limit from elsewhere (five wrong
passwords a minute is enough to keep an administrator out all day) does not lock
the account's owner out of the browser it signs in with.

An account is named in the cookie by a keyed hash of its username and its current
password hash: no later user of a shared computer can read a username from it, and
a password changed or reset (by its owner or by an officer) makes every browser
that knew the old one unknown again, so cookies gathered with an old password buy
no guesses against the new one. The cookie holds no session: signing out keeps
it; a forged or altered one is ignored (it is signed with the app's secret key).
What it cannot hide: a later user of a shared computer who fills a username's
limit from elsewhere can tell from a guess made here (judged, not refused) that
this browser is known to that account — the price of not locking its owner out."""

import hashlib
import hmac
import secrets

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from app.extensions import db

from .models import User

COOKIE = "vhcv_device"
MAX_AGE = 365 * 24 * 3600  # a browser not used for a year is unknown again
KEPT_ACCOUNTS = 5  # a shared office computer: the last few who signed in on it


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="vhcv-device")


def _read() -> dict | None:
    """The request's device cookie, {"d": its id, "u": [marks]}, if valid."""
    value = request.cookies.get(COOKIE)
    if not value:
        return None
    try:
        data = _signer().loads(value, max_age=MAX_AGE)
    except BadSignature:
        return None
    valid = isinstance(data, dict) and isinstance(data.get("d"), str)
    return data if valid and isinstance(data.get("u"), list) else None


def _mark(username: str, password_hash: str) -> str:
    """An account as the cookie keeps it: a keyed hash of its username and its
    current password hash, not the name."""
    key = current_app.secret_key.encode()
    account = f"{username}\n{password_hash}".encode()
    return hmac.new(key, account, hashlib.sha256).hexdigest()[:32]


def known_device(username: str) -> str | None:
    """The id of this browser when it has signed in to the account `username`
    (as posted) with its current password, within MAX_AGE; else None."""
    data = _read()
    if data is None:  # most sign-ins: no query
        return None
    password_hash = db.session.scalar(
        select(User.password_hash).where(User.username == username.strip())
    )
    if not password_hash:
        return None
    return data["d"] if _mark(username.strip(), password_hash) in data["u"] else None


def remember(response: Response, user: User) -> None:
    """After a successful sign-in of `user`: this browser is known to it."""
    data = _read() or {"d": secrets.token_urlsafe(16), "u": []}
    mark = _mark(user.username, user.password_hash)
    marks = [m for m in data["u"] if m != mark][-(KEPT_ACCOUNTS - 1) :]
    data["u"] = [*marks, mark]
    response.set_cookie(
        COOKIE,
        _signer().dumps(data),
        max_age=MAX_AGE,
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        httponly=True,
        samesite="Lax",
    )
