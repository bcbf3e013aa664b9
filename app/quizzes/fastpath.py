"""The autosave fast path: a plain WSGI handler in front of Flask for the one request
the attempt page's script sends per choice (`POST /attempts/<id>/autosave`).

The save needs no session, sign-in or CSRF check (the attempt token is the proof; see
`attempts.fast_save`), so Flask's request machinery is all overhead here. A
well-formed urlencoded save is made here by `attempts.fast_save` in one transaction
on the engine.

Anything else is replayed unchanged through the Flask view `quizzes.autosave`, which
runs the same `fast_save` and answers with its message and the lazy finalisation:
another content type, a malformed field, a refused save (bad token, late,
finished), a database error. The tests go through this handler as the
browser does.
"""

import json
import re
from datetime import datetime
from io import BytesIO
from urllib.parse import parse_qsl

from flask import Flask

from app.errors import DomainError
from app.extensions import db
from app.security import security_headers
from app.timeutil import utcnow

from .attempts import fast_save

MAX_BODY = 4096  # a save is a token, a position and a few choices
_TOKEN = re.compile(r"[0-9a-f]{32}")  # attempts.attempt_token


def parse_save(body: bytes) -> tuple[int, list[int], str] | None:
    """(position, choices, token) of a urlencoded save, or None when anything in it
    is unusual (the Flask view then decides)."""
    try:
        fields = parse_qsl(body.decode("ascii"), strict_parsing=True)
        position, choices, token = None, [], None
        for name, value in fields:
            if name == "position" and position is None:
                position = int(value)
            elif name == "choice":
                choices.append(int(value))
            elif name == "t" and token is None:
                token = value
            else:
                return None
    except (UnicodeDecodeError, ValueError):
        return None
    if position is None or token is None or not _TOKEN.fullmatch(token):
        return None
    if not 0 < position <= 10_000 or any(not 0 <= c < 100 for c in choices):
        return None  # out of any attempt: the Flask view answers it
    return position, choices, token


def attempt_id_of(path: str) -> int | None:
    """The attempt id of `/attempts/<id>/autosave`, else None."""
    parts = path.split("/")
    if len(parts) != 4 or parts[0] or parts[1] != "attempts" or parts[3] != "autosave":
        return None
    return int(parts[2]) if parts[2].isdigit() else None


class AutosaveFastPath:
    """WSGI middleware: answers good autosaves itself, passes on everything else."""

    def __init__(self, app: Flask):
        self.app = app
        self.next = app.wsgi_app
        self.secret = app.config["SECRET_KEY"]
        self.grace = int(app.config["ATTEMPT_GRACE_SECONDS"])
        self.headers = [*security_headers(app.config), ("Cache-Control", "no-store")]
        self._engine = None

    @property
    def engine(self):
        if self._engine is None:
            with self.app.app_context():
                self._engine = db.engine
        return self._engine

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST" and environ.get(
            "CONTENT_TYPE", ""
        ).startswith("application/x-www-form-urlencoded"):
            attempt_id = attempt_id_of(environ.get("PATH_INFO", ""))
            if attempt_id is not None:
                return self.autosave(attempt_id, environ, start_response)
        return self.next(environ, start_response)

    def autosave(self, attempt_id: int, environ, start_response):
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if not 0 < length <= MAX_BODY:
            return self.next(environ, start_response)
        body = environ["wsgi.input"].read(length)
        save = parse_save(body)
        if save is not None:
            answer = self.try_save(attempt_id, *save)
            if answer is not None:
                payload = json.dumps(answer).encode()
                start_response(
                    "200 OK",
                    [
                        ("Content-Type", "application/json"),
                        ("Content-Length", str(len(payload))),
                        *self.headers,
                    ],
                )
                return [payload]
        environ["wsgi.input"] = BytesIO(body)  # the Flask view reads it again
        return self.next(environ, start_response)

    def try_save(self, attempt_id, position, choices, token) -> dict | None:
        """The JSON answer of an accepted save; None when refused or failed (the
        transaction is rolled back and Flask answers instead)."""
        now = utcnow()
        try:
            with self.engine.begin() as connection:
                deadline_at = fast_save(
                    attempt_id,
                    position,
                    choices,
                    token,
                    self.secret,
                    now,
                    self.grace,
                    connection,
                )
        except DomainError:  # refused: Flask says why (and finalises if late)
            return None
        except Exception:  # e.g. a lock timeout: Flask retries and reports it
            self.app.logger.exception("autosave fast path failed; replayed")
            return None
        return saved_answer(position, now, deadline_at)


def saved_answer(position: int, now: datetime, deadline_at: datetime) -> dict:
    """The JSON body of an accepted save (both paths)."""
    remaining = max(0, int((deadline_at - now).total_seconds()))
    return {
        "saved": True,
        "position": position,
        "saved_at": now.isoformat(),
        "remaining": remaining,
    }
