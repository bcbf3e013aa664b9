"""Browsers known to a username (OWASP's "device cookies", against lockout): a
browser that has signed in as a user keeps a signed cookie naming that username.
Its wrong guesses for that username are counted against a limit of its own, not
the username's, so anyone who fills the username's limit from elsewhere (five
wrong passwords a minute is enough to keep an administrator out all day) does not
lock the account's owner out of the browser it signs in with. The cookie holds no
session and no secret of the account, and no username a later user of a shared
computer could read (each is kept as a keyed hash): signing out keeps it; a forged
or altered one is ignored (it is signed with the app's secret key)."""

import hashlib
import hmac
import secrets

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "vhcv_device"
MAX_AGE = 365 * 24 * 3600  # a browser not used for a year is unknown again
KEPT_NAMES = 5  # a shared office computer: the last few who signed in on it


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="vhcv-device")


def _read() -> dict | None:
    """The request's device cookie, {"d": its id, "u": [usernames]}, if valid."""
    value = request.cookies.get(COOKIE)
    if not value:
        return None
    try:
        data = _signer().loads(value, max_age=MAX_AGE)
    except BadSignature:
        return None
    valid = isinstance(data, dict) and isinstance(data.get("d"), str)
    return data if valid and isinstance(data.get("u"), list) else None


def _mark(username: str) -> str:
    """`username` as the cookie keeps it: a keyed hash, not the name."""
    key = current_app.secret_key.encode()
    return hmac.new(key, username.encode(), hashlib.sha256).hexdigest()[:32]


def known_device(username: str) -> str | None:
    """The id of this browser when it has signed in as `username` (normalised:
    stripped, lower case) within MAX_AGE; else None."""
    data = _read()
    return data["d"] if data is not None and _mark(username) in data["u"] else None


def remember(response: Response, username: str) -> None:
    """After a successful sign-in as `username`: this browser is known to it."""
    data = _read() or {"d": secrets.token_urlsafe(16), "u": []}
    mark = _mark(username)
    marks = [m for m in data["u"] if m != mark][-(KEPT_NAMES - 1) :]
    data["u"] = [*marks, mark]
    response.set_cookie(
        COOKIE,
        _signer().dumps(data),
        max_age=MAX_AGE,
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        httponly=True,
        samesite="Lax",
    )
