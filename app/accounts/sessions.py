"""The session cookie: Flask's signed cookie, with a sign-in that lasts
PERMANENT_SESSION_LIFETIME from the last activity, renewed at most every
SESSION_REFRESH_SECONDS instead of on every response.

Flask renews a permanent session's cookie on every request; signing and sending it
again was a tenth of the cost of a page (and of every autosave of a quiz). Renewing
once a few minutes keeps the sliding lifetime, give or take that interval, so a
cadre busy with a quiz is never signed out under it.

Between two renewals a browser sends the same cookie with every request, so each
process keeps the cookies it has verified (the signature checked, the payload
decoded) and checks only their age the next time.
"""

import threading
import time

from flask import Flask
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature


class SlidingSession(SecureCookieSession):
    signed_at: float | None = None  # when the cookie read in was signed


_SCALARS = (str, int, float, bool, type(None))


class SlidingSessionInterface(SecureCookieSessionInterface):
    session_class = SlidingSession
    verified_max = 4096  # cookies kept verified per process (first in, first out)

    def __init__(self):
        # (keys, cookie) → (payload, signed at); payloads of scalars only, as
        # a list in a payload (flashed messages) is changed in place.
        self.verified: dict[tuple, tuple[dict, float]] = {}
        self.verified_lock = threading.Lock()

    def open_session(self, app: Flask, request) -> SlidingSession | None:
        if not app.secret_key:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        fallbacks = tuple(app.config.get("SECRET_KEY_FALLBACKS") or ())
        key = (app.secret_key, fallbacks, value)
        known = self.verified.get(key)
        if known is None:
            try:
                data, signed = self.get_signing_serializer(app).loads(
                    value, max_age=max_age, return_timestamp=True
                )
            except BadSignature:
                return self.session_class()
            known = (data, signed.timestamp())
            if all(isinstance(v, _SCALARS) for v in data.values()):
                with self.verified_lock:
                    if len(self.verified) >= self.verified_max:
                        del self.verified[next(iter(self.verified))]
                    self.verified[key] = known
        data, signed_at = known
        if not 0 <= time.time() - signed_at <= max_age:  # as itsdangerous decides
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at
        return session

    def should_set_cookie(self, app: Flask, session) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        return signed_at is None or (
            time.time() - signed_at >= app.config["SESSION_REFRESH_SECONDS"]
        )
