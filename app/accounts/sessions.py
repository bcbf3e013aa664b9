"""The session cookie: Flask's signed cookie, with a sign-in that lasts
PERMANENT_SESSION_LIFETIME from the last activity, renewed at most every
SESSION_REFRESH_SECONDS instead of on every response.

Flask renews a permanent session's cookie on every request; signing and sending it
again was a tenth of the cost of a page (and of every autosave of a quiz). Renewing
once a few minutes keeps the sliding lifetime, give or take that interval, so a
cadre busy with a quiz is never signed out under it.
"""

import time

from flask import Flask
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature


class SlidingSession(SecureCookieSession):
    signed_at: float | None = None  # when the cookie read in was signed


class SlidingSessionInterface(SecureCookieSessionInterface):
    session_class = SlidingSession

    def open_session(self, app: Flask, request) -> SlidingSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(
                value, max_age=max_age, return_timestamp=True
            )
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at.timestamp()
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
