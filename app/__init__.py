"""VHCV — the civil-service culture training platform. `create_app` builds the app."""

import importlib
from pathlib import Path

from flask import (
    Flask,
    current_app,
    has_request_context,
    redirect,
    request,
    url_for,
)
from flask_login import current_user

from app.config import DEFAULT_PUBLIC_URL, DEV_SECRET, Config, public_url_missing
from app.errors import lazy_gettext as _l
from app.extensions import (
    babel,
    cache,
    csrf,
    db,
    limiter,
    login_manager,
    mail,
    migrate,
)
from app.uploads import limit_request_bodies


def create_app(config: type | dict | None = None) -> Flask:
    """Build the app from `config` (a class or mapping), else from the environment."""
    app = Flask(__name__, instance_relative_config=True)
    load_config(app, config)
    refuse_default_secret(app)
    warn_missing_public_url(app)
    warn_limits_per_process(app)
    limit_request_bodies(app)  # first: before the CSRF check reads a body
    refuse_nul_characters(app)
    register_extensions(app)
    register_url_converters(app)
    register_blueprints(app)
    connect_signal_receivers()
    register_request_hooks(app)
    register_template_helpers(app)
    register_commands(app)
    from app.errors import register_error_handlers
    from app.security import register_security_headers

    register_error_handlers(app)
    register_security_headers(app)
    mount_autosave(app)
    trust_proxies(app)
    return app


def mount_autosave(app: Flask) -> None:
    """The attempt page's autosave, a small WSGI app of its own at /autosave."""
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    from app.quizzes.autosave import AutosaveApp

    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/autosave": AutosaveApp(app)})


def trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, take the client's address and scheme
    from their X-Forwarded-* headers (and only from as many as there are)."""
    count = app.config["TRUSTED_PROXIES"]
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def load_config(app: Flask, config: type | dict | None) -> None:
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'vhcv.sqlite3'}"
        )
    if (
        app.config.get("REDIS_URL")
        and app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    ):
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
    if app.config.get("REDIS_URL") and app.config["CACHE_TYPE"] == "SimpleCache":
        app.config["CACHE_TYPE"] = "RedisCache"
        app.config.setdefault("CACHE_REDIS_URL", app.config["REDIS_URL"])


def refuse_nul_characters(app: Flask) -> None:
    """A NUL character in the path, the query string or a form is refused (400)
    before any view sees it: no text of ours holds one, and PostgreSQL refuses it in
    a query (it would be a 500 there, and pass on SQLite). The JSON API refuses it
    per parameter; an upload page's form is read by the page, within its limit."""
    from app.errors import InvalidInput

    @app.before_request
    def no_nul():
        if request.blueprint == "api":  # names the parameter itself (app.api)
            return
        view = app.view_functions.get(request.endpoint)
        read_form = request.method == "POST" and not getattr(view, "takes_upload", 0)
        posted = request.form.lists() if read_form else ()  # an upload reads its own
        if (
            "\x00" in request.path
            or b"%00" in request.query_string
            or b"\x00" in request.query_string
            or any("\x00" in value for _, values in posted for value in values)
        ):
            raise InvalidInput(_l("Địa chỉ hoặc biểu mẫu có ký tự không hợp lệ (NUL)."))


def refuse_default_secret(app: Flask) -> None:
    """Outside debug and tests, starting with the development secret is an error."""
    if app.config["SECRET_KEY"] == DEV_SECRET and not (app.debug or app.testing):
        raise RuntimeError(
            "SECRET_KEY is the built-in development value. Set the SECRET_KEY "
            "environment "
            "variable to a long random string (python -c 'import secrets; "
            "print(secrets.token_hex(32))'), or set FLASK_DEBUG=1 for local "
            "development."
        )


def warn_limits_per_process(app: Flask) -> None:
    """Outside debug and tests, rate limits kept in a process's memory (no
    REDIS_URL) are logged at start: with several gunicorn workers or servers each
    counts alone, and the sign-in limit is multiplied by their number (limits has
    no SQL storage to share them through the database)."""
    config = app.config
    if config["RATELIMIT_STORAGE_URI"].startswith("memory://") and not (
        config.get("DEBUG") or config.get("TESTING")
    ):
        app.logger.warning(
            "Rate limits are counted in this process's memory (REDIS_URL is not "
            "set): with several workers or servers each counts alone. Set "
            "REDIS_URL for limits shared by all (deploy/README.md)."
        )


def warn_missing_public_url(app: Flask) -> None:
    """Outside debug and tests, an unset VHCV_PUBLIC_URL is logged at start and
    shown to administrators (base.html): certificates would carry a QR code and a
    link to DEFAULT_PUBLIC_URL, which nobody else can open."""
    app.config["PUBLIC_URL_MISSING"] = public_url_missing(app.config)
    if app.config["PUBLIC_URL_MISSING"]:
        app.logger.warning(
            "VHCV_PUBLIC_URL is not set: certificate QR codes and verification "
            "links will point at %s. Set it to the site's public address "
            "(e.g. https://vhcv.example.gov.vn).",
            DEFAULT_PUBLIC_URL,
        )


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    cache.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    mail.init_app(app)
    login_manager.login_view = "accounts.login"
    # Flashed as a plain str in the reader's language (a lazy string cannot be kept
    # in the session).
    login_manager.login_message = _l("Vui lòng đăng nhập để tiếp tục.")
    login_manager.localize_callback = str
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    from app.accounts.services import load_session_user

    login_manager.user_loader(load_session_user)
    from app.database import configure_sqlite

    configure_sqlite(app)


def register_url_converters(app: Flask) -> None:
    from app.database import IdConverter

    app.url_map.converters["int"] = IdConverter


def select_locale() -> str:
    """The reader's language (its cookie, set by the language switch); the default
    outside a request (a job, a command)."""
    config = current_app.config
    if not has_request_context():
        return config["BABEL_DEFAULT_LOCALE"]
    chosen = request.cookies.get(config["LANGUAGE_COOKIE_NAME"])
    return chosen if chosen in config["LANGUAGES"] else config["BABEL_DEFAULT_LOCALE"]


def register_blueprints(app: Flask) -> None:
    """Each blueprint is `bp` in its package's views module (a views/ package where
    a blueprint has several route modules); importing it loads its routes. Nothing
    else imports a views module."""
    from app.accounts.views import bp as accounts_bp
    from app.api.openapi import init_api
    from app.authoring.views import bp as authoring_bp
    from app.certificates.views import bp as certificates_bp
    from app.contests.staff_views import bp as contest_staff_bp
    from app.contests.views import bp as contests_bp
    from app.courses.views import bp as courses_bp
    from app.jobs.views import bp as jobs_bp
    from app.main.views import bp as main_bp
    from app.quizzes.views import bp as quizzes_bp
    from app.records.views import bp as records_bp
    from app.reminders.views import bp as reminders_bp
    from app.reports.views import bp as reports_bp
    from app.rewards.views import bp as rewards_bp

    for blueprint in (
        main_bp,
        accounts_bp,
        courses_bp,
        quizzes_bp,
        records_bp,
        reports_bp,
        rewards_bp,
        certificates_bp,
        authoring_bp,
        jobs_bp,
        reminders_bp,
        contest_staff_bp,
        contests_bp,
    ):
        app.register_blueprint(blueprint)
    init_api(app)  # the JSON API's blueprint, with its OpenAPI document


# The modules whose receivers answer app.signals (they connect when imported).
SIGNAL_RECEIVERS = (
    "app.quizzes.services",  # course_quizzes_asked
    # module_read, attempt_finished, user_moved, cadres_changed,
    # unit_campaign_asked, quiz_campaigns_asked
    "app.records.receivers",
    "app.certificates.services",  # record_completed, attempt_certificate_asked
    # module_read, attempt_started/finished, record_completed, certificate_issued
    "app.xapi.services",
    "app.contests.services",  # content_parts_asked
)


# The modules that register background tasks (app.jobs.tasks.task).
TASK_MODULES = (
    "app.accounts.jobs",  # cadres.import
    "app.reports.jobs",  # records.csv, records.xlsx, annual.xlsx
    "app.certificates.jobs",  # certificates.zip, certificates.issue_missing
    "app.reminders.jobs",  # reminders.send
    "app.xapi.jobs",  # xapi.send
    "app.contests.jobs",  # contests.rank
    "app.rewards.jobs",  # rewards.candidates_xlsx
)


# The modules that tell the audit log how to name their targets, and the fields a
# settings change lists (app.audit.targets).
AUDIT_TARGET_NAMES = (
    "app.reports.audit_targets",  # campaigns, modules, quizzes, units, users…
    "app.contests.audit_names",  # contest, ranking
    "app.reminders.audit_names",  # reminder
    "app.rewards.audit_names",  # nomination, rewardperiod
    "app.authoring.audit_names",  # the fields of a quiz, contest or round change
)


def connect_signal_receivers() -> None:
    """Import every module holding signal receivers, background tasks or audit
    target names, rather than count on some view importing it: a signal nobody
    hears would go unnoticed."""
    for name in SIGNAL_RECEIVERS + TASK_MODULES + AUDIT_TARGET_NAMES:
        importlib.import_module(name)


def register_request_hooks(app: Flask) -> None:
    @app.before_request
    def force_password_change():
        """A user with a temporary password may only change it or sign out."""
        allowed = {
            "accounts.change_password",
            "accounts.logout",
            "static",
            "main.set_language",
            "main.health",
        }
        if request.endpoint in allowed:  # checked first: these need no user load
            return None
        if current_user.is_authenticated and current_user.must_change_password:
            return redirect(url_for("accounts.change_password"))
        return None


def register_template_helpers(app: Flask) -> None:
    from app import numbers
    from app.accounts.days import day_range
    from app.deadlines import days_left_text
    from app.timeutil import duration, format_vn_date
    from app.vntext import vn_number, vn_percent, vn_score

    app.jinja_env.filters["vn_date"] = format_vn_date
    # Pages write numbers in the reader's language; papers (printed or sent to
    # Vietnamese offices) always the Vietnamese way, with the vn_… filters.
    # (numbers.page_filter: a constant's "{{ 100|percent(0) }}" too)
    app.jinja_env.filters["number"] = numbers.page_filter(numbers.number)
    app.jinja_env.filters["percent"] = numbers.page_filter(numbers.percent)
    app.jinja_env.filters["score"] = numbers.page_filter(numbers.score)
    app.jinja_env.filters["vn_number"] = vn_number
    app.jinja_env.filters["vn_percent"] = vn_percent
    app.jinja_env.filters["vn_score"] = vn_score
    app.jinja_env.filters["vn_datetime"] = lambda d: format_vn_date(d, with_time=True)
    app.jinja_env.filters["days_left"] = days_left_text
    app.jinja_env.filters["duration"] = duration  # mm:ss, a contest's time used
    app.jinja_env.globals["in_vietnamese"] = numbers.in_vietnamese
    app.jinja_env.globals["day_range"] = day_range  # a date input's min and max

    @app.context_processor
    def inject_globals():
        from flask_babel import get_locale

        return {
            "current_language": str(get_locale()),
            "org_name": app.config["ORG_NAME"],
            "public_url_missing": app.config["PUBLIC_URL_MISSING"],
            "default_public_url": DEFAULT_PUBLIC_URL,
        }


def register_commands(app: Flask) -> None:
    from app.accounts.cli import cadres_cli, units_cli, users_cli
    from app.api.cli import api_tokens_cli
    from app.backup.cli import backup_cli
    from app.certificates.cli import certificates_cli
    from app.content.cli import content_cli
    from app.content.cli_quizzes import quizzes_cli
    from app.contests.cli import contests_cli
    from app.demo.cli import demo_cli
    from app.jobs.cli import jobs_cli
    from app.quizzes.cli import accommodations_cli, attempts_cli
    from app.records.cli import campaigns_cli
    from app.reminders.cli import reminders_cli
    from app.reports.cli import reports_cli
    from app.rewards.cli import rewards_cli
    from app.xapi.cli import xapi_cli

    app.cli.add_command(content_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(quizzes_cli)
    app.cli.add_command(attempts_cli)
    app.cli.add_command(accommodations_cli)
    app.cli.add_command(units_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(cadres_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(reports_cli)
    app.cli.add_command(api_tokens_cli)
    app.cli.add_command(certificates_cli)
    app.cli.add_command(campaigns_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(xapi_cli)
    app.cli.add_command(contests_cli)
    app.cli.add_command(rewards_cli)


__all__ = ["create_app"]
