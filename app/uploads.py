"""Uploads: the one size limit (`max_bytes`, the UPLOAD_MAX_BYTES setting) and the
files waiting between a preview and its confirmation (cadre files, question files):
the bytes sit in a private folder (the instance folder by default) under a random
token bound to the uploader, and are deleted once used or after a time to live.
Confirming parses them again: the confirm form carries no data."""

import json
import re
import secrets
import time
from pathlib import Path

from flask import Flask, abort, current_app, request
from flask_login import current_user

from app.errors import DomainError
from app.errors import lazy_gettext as _l
from app.extensions import csrf
from app.numbers import number

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32}$")
DEFAULT_MAX_BYTES = 10_000_000  # default of the UPLOAD_MAX_BYTES setting
FORM_OVERHEAD = 64 * 1024  # multipart boundaries, the CSRF token and other fields


def takes_upload(view):
    """Mark a view that receives a file: its request body may be as large as an
    upload (MAX_CONTENT_LENGTH); every other request's is held to MAX_FORM_BYTES
    (limit_request_bodies), before the CSRF check or anything reads it.

    The app-wide CSRF check, which reads the body, is left to the view: it checks
    who may upload there first (a learner's body to an admin's upload page is
    refused unread), then the token, with check_token or its FlaskForm."""
    view.takes_upload = True
    return csrf.exempt(view)


def limit_request_bodies(app: Flask) -> None:
    """Bound every request body before anything reads it (413 otherwise): a
    signed-in user's to an upload page (uploads.takes_upload) to the largest upload
    allowed, MAX_CONTENT_LENGTH; any other request's to MAX_FORM_BYTES."""
    app.config["MAX_CONTENT_LENGTH"] = max_bytes(app.config) + FORM_OVERHEAD

    @app.before_request
    def limit_body():
        view = app.view_functions.get(request.endpoint)
        uploads = getattr(view, "takes_upload", False)
        if not (uploads and current_user.is_authenticated):
            request.max_content_length = app.config["MAX_FORM_BYTES"]
            refuse_a_long_chunked_body()


def refuse_a_long_chunked_body() -> None:
    """A body sent in chunks (no Content-Length, as a proxy or a client may send
    one) is read only up to the request's limit, where Werkzeug stops without a
    word and a form would be read cut short (a 400 for its missing CSRF token):
    read it here, within the limit, and refuse one that reaches it (413), as a
    body that says its length is. Upload pages read theirs after their checks."""
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    if request.content_length is not None or not chunked:
        return
    request.get_data(cache=True, parse_form_data=False)
    if getattr(request.stream, "is_exhausted", False):
        abort(413)


def check_token() -> None:
    """The CSRF check an upload view does itself once it has checked who may
    upload there (takes_upload): refused as any other form is (400)."""
    csrf.protect()


def max_bytes(config=None) -> int:
    """The largest file an upload page or `flask cadres import` accepts, in bytes:
    the UPLOAD_MAX_BYTES setting of `config` (the current app's by default)."""
    config = current_app.config if config is None else config
    value = config.get("UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)
    limit = int(value) if not isinstance(value, bool) else -1
    if limit <= 0:
        raise ValueError(f"UPLOAD_MAX_BYTES must be a positive number, not {value!r}")
    return limit


class FileTooBig(DomainError):
    """An uploaded file past the one limit (max_bytes)."""

    status = 413


def read_upload(upload) -> bytes:
    """The bytes of an uploaded file (a form's FileStorage), read no further than
    the one limit allows (max_bytes: a byte more tells it is past it): every
    upload page reads its file here. FileTooBig past the limit."""
    limit = max_bytes()
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise FileTooBig(
            _l("Tệp quá lớn (tối đa %(limit)s).", limit=megabytes(limit, 0))
        )
    return data


def megabytes(size: int, digits: int = 1) -> str:
    """A size as people read it, in the page's language: "850 kB", "50,0 MB"
    ("50.0 MB" in English)."""
    if size < 1_000_000:
        return f"{size / 1000:.0f} kB"
    return f"{number(size / 1e6, digits)} MB"


class UploadStore:
    def __init__(self, name: str, dir_setting: str | None = None):
        self.name, self.dir_setting = name, dir_setting

    def folder(self, create: bool = False) -> Path:
        configured = current_app.config.get(self.dir_setting or "")
        folder = Path(configured or Path(current_app.instance_path) / self.name)
        if create:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return folder

    def ttl(self) -> int:
        return int(current_app.config.get("CADRE_IMPORT_TTL_SECONDS", 3600))

    def store(self, data: bytes, **meta) -> str:
        folder = self.folder(create=True)
        self.purge(folder)
        token = secrets.token_urlsafe(24)
        (folder / f"{token}.bin").write_bytes(data)
        meta = meta | {"kind": self.name, "user_id": current_user.id, "at": time.time()}
        (folder / f"{token}.json").write_text(json.dumps(meta))
        return token

    def purge(self, folder: Path) -> None:
        """Delete uploads older than the time to live (previews never confirmed)."""
        cutoff = time.time() - self.ttl()
        for path in folder.iterdir():
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except FileNotFoundError:  # another worker purged it first
                pass

    def load(
        self, token: str, owner_id: int | None = None
    ) -> tuple[dict, bytes] | None:
        """The stored upload of `token`; None when unknown or expired; 404 when it
        belongs to someone else than `owner_id` (by default the signed-in user)."""
        meta = self._meta(token, owner_id)
        if meta is None:
            return None
        try:
            data = (self.folder() / f"{token}.bin").read_bytes()
        except FileNotFoundError:
            return None
        return meta, data

    def kept(self, token: str, owner_id: int | None = None) -> bool:
        """Is the upload of `token` still kept (as `load` would find it), without
        reading its bytes."""
        meta = self._meta(token, owner_id)
        return meta is not None and (self.folder() / f"{token}.bin").is_file()

    def _meta(self, token: str, owner_id: int | None) -> dict | None:
        """The upload's description, when it is this store's, of `owner_id` (404
        otherwise: load) and within its time to live (removed past it)."""
        if not TOKEN_RE.match(token):
            return None
        try:
            meta = json.loads((self.folder() / f"{token}.json").read_text())
        except (FileNotFoundError, ValueError):
            return None
        if meta.get("kind") != self.name:  # another store's upload in a shared folder
            return None
        if meta.get("user_id") != (
            owner_id if owner_id is not None else current_user.id
        ):
            abort(404)
        if time.time() - meta.get("at", 0) > self.ttl():
            self.discard(token)
            return None
        return meta

    def discard(self, token: str) -> None:
        folder = self.folder()
        for suffix in (".bin", ".json"):
            (folder / f"{token}{suffix}").unlink(missing_ok=True)
