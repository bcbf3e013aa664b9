"""Configuration read from the environment. No production secret has a default."""

import os
from pathlib import Path

DEV_SECRET = "dev-only-insecure-secret"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:5000"


def public_url(config) -> str:
    """The site's public base URL (VHCV_PUBLIC_URL, else DEFAULT_PUBLIC_URL), with
    no trailing slash."""
    return (config.get("VHCV_PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/")


def public_url_missing(config) -> bool:
    """True when VHCV_PUBLIC_URL is unset outside debug and tests: certificates
    would then point their QR code at DEFAULT_PUBLIC_URL."""
    unset = not (config.get("VHCV_PUBLIC_URL") or "").strip()
    return unset and not (config.get("DEBUG") or config.get("TESTING"))


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env(*names: str, default: str) -> str:
    """The value of the first of `names` that is set and not empty, else `default`."""
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    return default


class Config:
    # Signs session cookies and CSRF tokens; the app refuses DEV_SECRET outside debug.
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET)
    # SQLAlchemy URL; unset means an SQLite file in the instance folder.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    # Redis for shared rate-limit counters across workers; memory storage when unset.
    REDIS_URL = os.environ.get("REDIS_URL")
    # Seconds SQLite waits for a lock before failing (WAL mode lets readers go on).
    SQLITE_BUSY_TIMEOUT_MS = int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", "10000"))
    # Cookies: HttpOnly and SameSite always; Secure when served over HTTPS.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE")
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE")
    # A signed-in session lasts a working day, then the cadre signs in again.
    PERMANENT_SESSION_LIFETIME = int(
        os.environ.get("SESSION_LIFETIME_SECONDS", "28800")
    )
    # Vietnamese first; English is the second catalogue.
    BABEL_DEFAULT_LOCALE = "vi"
    LANGUAGES = ("vi", "en")
    # The reader's language is a cookie of its own, written only by the language
    # switch: in the session, a response to a request sent before the switch (an
    # autosave, an offline copy's fetch) would bring back the session without it.
    LANGUAGE_COOKIE_NAME = "vhcv_language"
    LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600
    # Dates on screen and in exports are in Vietnam time.
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    # Failed sign-ins allowed per client address (an office behind one NAT shares it).
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "20 per minute;100 per hour")
    # Failed sign-ins allowed per username, from any address.
    LOGIN_USER_RATE_LIMIT = os.environ.get(
        "LOGIN_USER_RATE_LIMIT", "5 per minute;20 per hour"
    )
    # Wrong current passwords allowed per user on the password change (/password).
    PASSWORD_CHECK_RATE_LIMIT = os.environ.get(
        "PASSWORD_CHECK_RATE_LIMIT", "5 per minute;20 per hour"
    )
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted
    # (werkzeug ProxyFix); 0 when clients connect directly.
    TRUSTED_PROXIES = int(os.environ.get("VHCV_TRUSTED_PROXIES", "0"))
    # Flask-Caching: cached query results (never whole pages); in the process by
    # default, in Redis when REDIS_URL is set (create_app), shared by the servers.
    CACHE_TYPE = "SimpleCache"
    CACHE_DEFAULT_TIMEOUT = 60
    CACHE_KEY_PREFIX = "vhcv-cache:"
    # Flask-Limiter's storage; set from REDIS_URL in create_app.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # "N per minute" means at most N in any 60 seconds: a fixed window let twice N
    # through across a minute's boundary (and made the limit tests flaky).
    RATELIMIT_STRATEGY = "moving-window"
    # Set on every app: Flask-Limiter keeps the last app's value on its one
    # instance, so an app made with limits off would switch them off for the next.
    RATELIMIT_ENABLED = True
    # Password hashing method for werkzeug.security.generate_password_hash.
    PASSWORD_HASH_METHOD = "scrypt"
    # Minimum length of a new password.
    PASSWORD_MIN_LENGTH = 8
    # Rows per page in lists.
    PAGE_SIZE = 50
    # Folder of course content (Markdown files, the source of truth in git).
    COURSES_DIR = os.environ.get(
        "VHCV_COURSES_DIR", str(Path(__file__).resolve().parent.parent / "courses")
    )
    # Folder of question banks and quiz definitions.
    QUIZZES_DIR = os.environ.get(
        "VHCV_QUIZZES_DIR", str(Path(__file__).resolve().parent.parent / "quizzes")
    )
    # Code of the unit that owns content loaded by `flask content sync` when it has no
    # owner yet: trainers of that unit's subtree may author it. Unset: admin only.
    CONTENT_OWNER = os.environ.get("VHCV_CONTENT_OWNER")
    # The largest body of a request that sends no file (any form: sign-in, editors…).
    MAX_FORM_BYTES = int(os.environ.get("VHCV_MAX_FORM_BYTES", "1000000"))
    # Requests per API token (app/api), whatever the address; 429 + Retry-After past it.
    API_RATE_LIMIT = os.environ.get("VHCV_API_RATE_LIMIT", "600 per minute")
    # Autosaves allowed per attempt (a cadre ticks a box at most a few times a second),
    # counted as Flask-Limiter counts (RATELIMIT_STRATEGY, its storage).
    AUTOSAVE_RATE_LIMIT = os.environ.get("AUTOSAVE_RATE_LIMIT", "120 per minute")
    # Seconds after an attempt's deadline in which a save still counts (latency).
    ATTEMPT_GRACE_SECONDS = int(os.environ.get("VHCV_ATTEMPT_GRACE_SECONDS", "10"))
    # Share of a module's estimated minutes that must pass before "read" is accepted.
    MIN_READING_FRACTION = float(os.environ.get("VHCV_MIN_READING_FRACTION", "0.5"))
    # Reports of reading time a cadre's module pages may send (one every 20 s per
    # visible page, one more each time a page is hidden).
    READING_REPORT_RATE_LIMIT = os.environ.get(
        "VHCV_READING_REPORT_RATE_LIMIT", "30 per minute"
    )
    # Largest uploaded file (cadre list, question file; also `flask cadres import`).
    UPLOAD_MAX_BYTES = int(
        _env("VHCV_UPLOAD_MAX_BYTES", "VHCV_CADRE_IMPORT_MAX_BYTES", default="10000000")
    )
    # Uploads between preview and confirmation: how long they wait, where they wait.
    CADRE_IMPORT_TTL_SECONDS = 3600
    CADRE_IMPORT_DIR = os.environ.get("VHCV_CADRE_IMPORT_DIR")  # default: instance/
    # Background jobs (app/jobs): "rq" runs them on RQ workers (`flask jobs worker`)
    # through Redis (JOBS_REDIS_URL, else REDIS_URL), "thread" in threads of the app
    # server, "inline" in the request that starts them (tests, debugging). Unset: rq
    # when a Redis URL is set, else thread.
    JOBS_RUNNER = os.environ.get("VHCV_JOBS_RUNNER", "")
    JOBS_REDIS_URL = os.environ.get("VHCV_JOBS_REDIS_URL")
    JOBS_THREADS = int(os.environ.get("VHCV_JOBS_THREADS", "2"))
    # Where results wait for their download: a folder every app server and worker
    # shares (several servers: a shared mount). Default: instance/jobs.
    JOBS_DIR = os.environ.get("VHCV_JOBS_DIR")
    # How long a result may be downloaded; then it is removed.
    JOBS_RESULT_TTL_SECONDS = int(
        os.environ.get("VHCV_JOBS_RESULT_TTL_SECONDS", "86400")
    )
    # A running job with no progress for this long has lost its worker: failed.
    JOBS_STALL_SECONDS = int(os.environ.get("VHCV_JOBS_STALL_SECONDS", "120"))
    # A job still queued after this long was lost by its queue: failed, retryable.
    JOBS_QUEUE_PATIENCE_SECONDS = int(
        os.environ.get("VHCV_JOBS_QUEUE_PATIENCE_SECONDS", "1800")
    )
    # The longest a job may run (RQ stops it; a thread's job stops at its next step).
    JOBS_TIMEOUT_SECONDS = int(os.environ.get("VHCV_JOBS_TIMEOUT_SECONDS", "3600"))
    # Exports past these sizes run as jobs (smaller ones download at once).
    EXPORT_JOB_ROWS = int(os.environ.get("VHCV_EXPORT_JOB_ROWS", "5000"))
    ZIP_JOB_CERTIFICATES = int(os.environ.get("VHCV_ZIP_JOB_CERTIFICATES", "200"))
    # Ed25519 key signing the certificates' offline payload; default instance/.
    CERT_SIGNING_KEY = os.environ.get("VHCV_CERT_SIGNING_KEY")
    # `flask backup restore`: the largest database dump it unpacks from a backup.
    BACKUP_MAX_BYTES = int(os.environ.get("VHCV_BACKUP_MAX_BYTES", str(50 * 10**9)))
    # Name of the platform's operator shown in the footer.
    ORG_NAME = os.environ.get("VHCV_ORG_NAME", "Sở Nội vụ")
    # Certificates: the superior body printed above the issuer ("" to leave it out).
    VHCV_CERT_PARENT_BODY = os.environ.get(
        "VHCV_CERT_PARENT_BODY", "ỦY BAN NHÂN DÂN TỈNH AN GIANG"
    )
    # Certificates: the issuing body (cơ quan cấp).
    VHCV_CERT_ISSUING_BODY = os.environ.get("VHCV_CERT_ISSUING_BODY", "SỞ NỘI VỤ")
    # Certificates: the place in "<place>, ngày … tháng … năm …".
    VHCV_CERT_PLACE = os.environ.get("VHCV_CERT_PLACE", "An Giang")
    # Certificates: the signing authority line, e.g. "KT. GIÁM ĐỐC" ("" allowed).
    VHCV_CERT_SIGNER_AUTHORITY = os.environ.get(
        "VHCV_CERT_SIGNER_AUTHORITY", "KT. GIÁM ĐỐC"
    )
    # Certificates: the signer's title under the authority line.
    VHCV_CERT_SIGNER_TITLE = os.environ.get("VHCV_CERT_SIGNER_TITLE", "PHÓ GIÁM ĐỐC")
    # Certificates: the signer's name ("" leaves the line blank for a wet signature).
    VHCV_CERT_SIGNER_NAME = os.environ.get("VHCV_CERT_SIGNER_NAME", "")
    # Email (Flask-Mailman's names): the SMTP server reminders are sent through.
    # Unset MAIL_SERVER: reminders are shown in the app only, and no email is sent.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT") or "25")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")  # STARTTLS after connecting
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")  # SMTP over TLS from the start (465)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    # The From of every email, e.g. "Sở Nội vụ <no-reply@example.org>".
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER") or None
    # Seconds to wait for the SMTP server before an email counts as failed.
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT") or "30")
    # Annual report: the place in "<place>, ngày …" ("": from the top unit's name,
    # "Ủy ban nhân dân tỉnh An Giang" → An Giang, else VHCV_CERT_PLACE).
    VHCV_REPORT_PLACE = os.environ.get("VHCV_REPORT_PLACE", "")
    # Annual report: after "Kính gửi:" ("": Sở Nội vụ + the top unit's province).
    VHCV_REPORT_RECIPIENT = os.environ.get("VHCV_REPORT_RECIPIENT", "")
    # Annual report: the ký hiệu after "Số: …/BC-" ("": a blank to fill in).
    VHCV_REPORT_SYMBOL = os.environ.get("VHCV_REPORT_SYMBOL", "")
    # Audit log: the most rows one CSV download holds (the newest first).
    AUDIT_CSV_MAX_ROWS = int(os.environ.get("VHCV_AUDIT_CSV_MAX_ROWS", "50000"))
    # Public base URL of this site; the certificate's QR code and verification link
    # point at /verify/… here. Unset: DEFAULT_PUBLIC_URL, with a warning at start
    # (log and a banner for administrators) outside debug and tests.
    VHCV_PUBLIC_URL = os.environ.get("VHCV_PUBLIC_URL", "")
    # xAPI: the LRS's endpoint (statements go to <url>/statements). Unset: no
    # statement is queued at all (app/xapi); set it before the events to be told.
    XAPI_LRS_URL = os.environ.get("XAPI_LRS_URL", "")
    XAPI_LRS_USERNAME = os.environ.get("XAPI_LRS_USERNAME") or None
    XAPI_LRS_PASSWORD = os.environ.get("XAPI_LRS_PASSWORD") or None
    # Statements per POST, and seconds to wait for the LRS's answer.
    XAPI_BATCH_SIZE = int(os.environ.get("XAPI_BATCH_SIZE") or "100")
    XAPI_TIMEOUT_SECONDS = float(os.environ.get("XAPI_TIMEOUT_SECONDS") or "10")
    # One "answered" statement per question, queued when an attempt finishes.
    XAPI_SEND_ANSWERS = _bool("XAPI_SEND_ANSWERS")
    # The cadre as their email (mbox) when they have one, rather than an account
    # named by their user id on VHCV_PUBLIC_URL: personal data sent to the LRS.
    XAPI_ACTOR_MBOX = _bool("XAPI_ACTOR_MBOX")


class TestConfig(Config):
    TESTING = True
    # Set per run by tests/conftest.py (in-memory SQLite or TEST_DATABASE_URL).
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SECRET_KEY = "test-secret"
    # Cheap hashing keeps the suite fast; never used outside tests.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"
    RATELIMIT_STORAGE_URI = "memory://"
    REDIS_URL = None
    JOBS_REDIS_URL = None
    JOBS_RUNNER = "inline"  # tests of the other runners set theirs
    JOBS_DIR = None  # instance/jobs of the test app, a temporary folder (conftest)
    MAIL_SERVER = None  # tests of email set a local SMTP server (aiosmtpd)
    MAIL_BACKEND = "smtp"  # Flask-Mailman would use its in-memory one in tests
    WTF_CSRF_ENABLED = True


def per_process_limits_problem(workers: int, environ) -> str | None:
    """Why a gunicorn of `workers` processes must not start with this environment,
    or None: several workers counting rate limits each in its own memory (no
    REDIS_URL) would multiply the sign-in limit by their number. One worker (`make
    run`) is fine; VHCV_LIMITS_PER_PROCESS=1 accepts it knowingly (the benchmarks,
    whose limits never refuse)."""
    if workers <= 1 or environ.get("REDIS_URL"):
        return None
    if environ.get("VHCV_LIMITS_PER_PROCESS") == "1":
        return None
    return (
        f"VHCV: {workers} workers but no REDIS_URL: each would count the sign-in and "
        "API rate limits alone, multiplying them. Set REDIS_URL (deploy/README.md), "
        "or run one worker, or set VHCV_LIMITS_PER_PROCESS=1 to accept it."
    )
