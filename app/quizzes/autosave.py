"""The autosave: a small WSGI app of its own, mounted by create_app at /autosave
(werkzeug DispatcherMiddleware).

The attempt page's script sends one request per choice. It needs no session,
sign-in, CSRF form token or template — the signed token of the page is the proof —
so it does not go through Flask's request machinery: it reads the form,
checks the token, counts the save against the attempt's rate limit (Flask-Limiter's
own rate limiter, `limiter.limiter`, as app.accounts.guesses counts: its storage,
Redis when REDIS_URL is set, and its strategy, the moving window of
RATELIMIT_STRATEGY) and makes the save of one question through
`saving.save_choices` in one transaction on the app's engine.

    POST /autosave/<attempt id>[?lang=<the page's language>]
         t=<token>&position=<n>&seq=<k>&choice=<i>[&choice=<j>…]
    200 {"saved": true, "position", "seq", "stored", "stored_seq", "stored_choices",
         "saved_at", "remaining"}
    400/401/404/405/409/413/429/503 {"saved": false, "error"}
    (401: a token of a session that has ended since: the page keeps the choice)

An error is said in the page's language (its address carries `lang`, one of the
app's LANGUAGES; the default language otherwise).
"""

import json
from dataclasses import dataclass

from flask import Flask
from flask_babel import force_locale
from limits import parse_many
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from app.database import MAX_INT, READS_ONLY
from app.errors import DomainError, NotFound, TimeExpired
from app.errors import lazy_gettext as _l
from app.extensions import db, limiter
from app.security import security_headers

from . import attempts, saving, windows
from .models import seconds_left

MAX_BODY = 4096  # a token, a position and a few choices
# The page keeps the choice and sends it again by itself (attempt.js): not "choose
# again".
TOO_MANY = _l(
    "Quá nhiều lần lưu trong một phút; lựa chọn được giữ và sẽ tự động gửi lại."
)
TOO_BIG = _l("Yêu cầu quá lớn.")
NOT_A_SAVE = _l("Chỉ nhận yêu cầu lưu (POST).")
UNAVAILABLE = _l(
    "Chưa lưu được (máy chủ bận); lựa chọn được giữ và sẽ tự động gửi lại."
)


@dataclass(frozen=True)
class SaveForm:
    token: str
    position: int
    choices: list[int]
    # The page journal's number of the choice (saving.save_choices): None when the
    # request has none, 0 when it is no number from 1 up (refused).
    seq: int | None


def read_form(request: Request) -> SaveForm:
    """The save's fields, read by the page form's rules (saving.read_choices,
    read_seq). A position that is not a number in range reads as 0 (no such
    question): save_choices refuses it, and a save is never taken for another."""
    form = request.form
    return SaveForm(
        token=form.get("t", ""),
        position=saving.form_number(form.get("position", ""), 0),
        choices=saving.read_choices(form.getlist("choice")),
        seq=saving.read_seq(form),
    )


class AutosaveApp:
    """The WSGI app: one instance per Flask app, built by create_app."""

    def __init__(self, app: Flask):
        self.app = app
        config = app.config
        with app.app_context():
            self.engine = db.engine
        self.one_writer = self.engine.dialect.name == "sqlite"
        self.secret = config["SECRET_KEY"]
        self.fallbacks = tuple(config.get("SECRET_KEY_FALLBACKS") or ())
        self.grace = windows.grace_period(config)
        self.headers = [*security_headers(config), ("Cache-Control", "no-store")]
        self.limits = parse_many(config["AUTOSAVE_RATE_LIMIT"])
        self.enabled = config.get("RATELIMIT_ENABLED", True)
        # Flask-Limiter's, as create_app has just set it up for this app
        # (register_extensions runs before mount_autosave); none when the limits
        # are off, for which Flask-Limiter sets up nothing.
        self.limiter = limiter.limiter if self.enabled else None
        self.prefix = config.get("RATELIMIT_KEY_PREFIX") or ""
        self.languages = set(config["LANGUAGES"])
        self.default_language = config["BABEL_DEFAULT_LOCALE"]

    def __call__(self, environ, start_response):
        request = Request(environ)
        request.max_content_length = MAX_BODY
        status, body = self.answer(request)
        if not body["saved"]:
            body = self.said(body, request.args.get("lang", ""))
        response = Response(json.dumps(body), status, mimetype="application/json")
        response.headers.extend(self.headers)
        return response(environ, start_response)

    def answer(self, request: Request) -> tuple[int, dict]:
        attempt_id = _attempt_id(request.path)
        if attempt_id is None:
            return 404, _refused(saving.NOT_YOURS)
        if request.method != "POST":
            return 405, _refused(NOT_A_SAVE)
        try:
            form = read_form(request)
        except RequestEntityTooLarge:
            return 413, _refused(TOO_BIG)
        holder = self.holder(form.token, attempt_id)
        if not self.counted(request, attempt_id, holder):
            return 429, _refused(TOO_MANY)
        if holder is None:
            return 404, _refused(saving.NOT_YOURS)
        if form.seq == 0:
            return 400, _refused(saving.BAD_SEQ)
        return self.save(attempt_id, holder, form)

    def said(self, body: dict, language: str) -> dict:
        """The refusal `body` with its (lazy) error read in `language` when it is
        one of the app's, else in the default one."""
        if language not in self.languages:
            language = self.default_language
        with self.app.app_context(), force_locale(language):
            return {**body, "error": str(body["error"])}

    def holder(self, token: str, attempt_id: int) -> saving.TokenHolder | None:
        try:
            return saving.read_autosave_token(
                self.secret, token, attempt_id, self.fallbacks
            )
        except NotFound:
            return None

    def counted(self, request: Request, attempt_id: int, holder) -> bool:
        """Count the save; False past the limit. The owner's saves count against
        the attempt; the others against the sender's address, so that nobody can
        use up an owner's saves (attempt ids are easy to guess)."""
        if not self.enabled:
            return True
        if holder is None:
            key = f"refused:{request.remote_addr}"
        else:  # a token of an ended session counts apart from the current one's
            key = f"attempt:{attempt_id}:{holder.session_version}"
        ids = [part for part in (self.prefix, "autosave", key) if part]
        return all(self.limiter.hit(limit, *ids) for limit in self.limits)

    def save(self, attempt_id: int, holder, form: SaveForm) -> tuple[int, dict]:
        try:
            slots = self.slots_apart(attempt_id, form.position)
            with self.engine.begin() as connection:
                (result,) = saving.save_choices(
                    connection,
                    attempt_id,
                    holder.user_id,
                    [(form.position, form.choices)],
                    attempts.save_cutoff(grace=self.grace),
                    session_version=holder.session_version,
                    seq=form.seq,
                    slots=slots,
                )
        except DomainError as error:
            if isinstance(error, TimeExpired):
                self.after_refusal(attempt_id, error)
            return error.status, _refused(error)  # its message, read when said
        except SQLAlchemyError:  # e.g. SQLite's lock not had within the timeout
            self.app.logger.exception("autosave of attempt %s failed", attempt_id)
            return 503, _refused(UNAVAILABLE)
        return 200, {
            "saved": True,
            "position": form.position,
            "seq": form.seq,
            "stored": result.stored,  # False: a newer choice is kept (a late retry)
            "stored_seq": result.stored_seq,  # the number the question holds
            # and, when not this save's, its choice (the page shows it)
            "stored_choices": result.stored_choices,
            "saved_at": result.saved_at.isoformat(),
            "remaining": seconds_left(result.deadline_at, result.saved_at),
        }

    def slots_apart(self, attempt_id: int, position: int):
        """On SQLite, which lets one writer in at a time, the question's slot (it
        never changes) is read before the write transaction, in one that takes no
        write lock, so that the lock is held for the claim and the upsert only.
        Elsewhere None: save_choices reads it in the write transaction (one round
        trip fewer)."""
        if not self.one_writer:
            return None
        with self.engine.connect() as connection:
            reading = connection.execution_options(**{READS_ONLY: True})
            slots = saving.read_slots(reading, attempt_id, [position])
            connection.rollback()
        return slots

    def after_refusal(self, attempt_id: int, error: TimeExpired) -> None:
        """A save came too late: log it (saving.log_refused) and grade the attempt
        now rather than at the next request, in one transaction (in the app's
        context: grading sends the records' signal)."""
        with self.app.app_context():
            if isinstance(error, saving.RefusedSave):
                saving.log_refused(db.session.connection(), error)
            attempts.finalise_overdue(attempt_id)
            db.session.commit()


def _attempt_id(path: str) -> int | None:
    """The id of "/<id>" (the path below /autosave), else None."""
    text = path.strip("/")
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    return int(text) if int(text) <= MAX_INT else None


def _refused(message) -> dict:
    """A refusal; its error (a lazy message, or a DomainError) is read in the
    page's language by AutosaveApp.said."""
    return {"saved": False, "error": message}
