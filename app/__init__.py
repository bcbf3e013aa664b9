"""VHCV — the civil-service culture training platform. `create_app` builds the app."""

from pathlib import Path

from flask import Flask, current_app, redirect, request, session, url_for
from flask_login import current_user
from markupsafe import Markup

from app.config import DEV_SECRET, Config
from app.extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(config: type | dict | None = None) -> Flask:
    """Build the app from `config` (a class or mapping), else from the environment."""
    app = Flask(__name__, instance_relative_config=True)
    load_config(app, config)
    refuse_default_secret(app)
    register_extensions(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_template_helpers(app)
    register_commands(app)
    from app.errors import register_error_handlers
    from app.security import register_security_headers

    register_error_handlers(app)
    register_security_headers(app)
    from app.quizzes.fastpath import AutosaveFastPath

    app.wsgi_app = AutosaveFastPath(app)
    return app


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


def register_extensions(app: Flask) -> None:
    from app.accounts.sessions import SlidingSessionInterface

    app.session_interface = SlidingSessionInterface()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    # Only routes decorated with @limiter.limit are limited, and their decorator
    # checks them. With no default, application or meta limits, Flask-Limiter's own
    # check of every request finds nothing to do, at a twentieth of the attempt
    # page. (A limit on a whole blueprint would need that check back.)
    hooks = app.before_request_funcs.get(None, [])
    limits = ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META")
    if limiter._check_request_limit in hooks and not any(
        app.config.get(name) for name in limits
    ):
        hooks.remove(limiter._check_request_limit)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    from app.accounts.services import load_session_user

    login_manager.user_loader(load_session_user)
    from app.database import configure_sqlite

    configure_sqlite(app)


def select_locale() -> str:
    config = current_app.config
    chosen = session.get("language")
    return chosen if chosen in config["LANGUAGES"] else config["BABEL_DEFAULT_LOCALE"]


def register_blueprints(app: Flask) -> None:
    from app import (
        accounts,
        api,
        audit,
        authoring,
        certificates,
        courses,
        main,
        quizzes,
        records,
        reports,
    )

    app.register_blueprint(main.bp)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(courses.bp)
    app.register_blueprint(quizzes.bp)
    app.register_blueprint(records.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(certificates.bp)
    app.register_blueprint(authoring.bp)


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
            "quizzes.autosave",
        }
        if request.endpoint in allowed:  # checked first: these need no user load
            return None
        if current_user.is_authenticated and current_user.must_change_password:
            return redirect(url_for("accounts.change_password"))
        return None


def register_template_helpers(app: Flask) -> None:
    from app.timeutil import format_vn_date

    app.jinja_env.filters["vn_date"] = format_vn_date
    app.jinja_env.filters["vn_datetime"] = lambda d: format_vn_date(d, with_time=True)

    app.jinja_env.globals["site_nav"] = site_nav
    install_template_gettext(app)

    @app.context_processor
    def inject_globals():
        from flask_babel import get_locale, get_translations

        return {
            "current_language": str(get_locale()),
            "request_translations": get_translations(),
            "org_name": app.config["ORG_NAME"],
        }


def install_template_gettext(app: Flask) -> None:
    """Templates' _(), gettext() and ngettext(), with the semantics of Jinja's
    "newstyle" gettext that Flask-Babel installs (autoescaped, %-formatted), in one
    call instead of three, through the translations `inject_globals` puts in each
    render's context instead of a lookup per string: together they were half the
    render of the attempt page."""
    from flask_babel import get_translations
    from jinja2 import pass_context

    def translations(context):
        found = context.get("request_translations")  # None outside render_template
        return found if found is not None else get_translations()

    @pass_context
    def gettext(context, string, **variables):
        text = translations(context).ugettext(string)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    @pass_context
    def ngettext(context, singular, plural, num, **variables):
        variables.setdefault("num", num)
        text = translations(context).ungettext(singular, plural, num)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    app.jinja_env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext)


def site_nav():
    """_site_nav.html for this language, endpoint and set of roles, rendered once."""
    from flask import render_template
    from flask_babel import get_locale
    from markupsafe import Markup

    roles = (
        frozenset(current_user.role_names) if current_user.is_authenticated else None
    )
    key = (str(get_locale()), request.endpoint, roles)
    cache = current_app.extensions.setdefault("vhcv_site_nav", {})
    if key not in cache:
        cache[key] = Markup(render_template("_site_nav.html"))
    return cache[key]


def register_commands(app: Flask) -> None:
    from app.accounts.cli import cadres_cli, units_cli, users_cli
    from app.api.cli import api_tokens_cli
    from app.certificates.cli import certificates_cli
    from app.content.cli import content_cli, quizzes_cli
    from app.demo import demo_cli
    from app.quizzes.cli import attempts_cli
    from app.reports.cli import reports_cli

    app.cli.add_command(content_cli)
    app.cli.add_command(quizzes_cli)
    app.cli.add_command(attempts_cli)
    app.cli.add_command(units_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(cadres_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(reports_cli)
    app.cli.add_command(api_tokens_cli)
    app.cli.add_command(certificates_cli)


__all__ = ["create_app"]
