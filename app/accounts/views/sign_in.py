"""Sign-in (with its rate limits), sign-out and password change."""

from flask import (
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.errors import DomainError
from app.extensions import db, limiter
from app.security import safe_next_url

from .. import services
from ..forms import ChangePasswordForm, LoginForm
from .blueprint import bp


def _address_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _username_limit() -> str:
    return current_app.config["LOGIN_USER_RATE_LIMIT"]


def _username_key() -> str:
    """The name being signed in to (empty: the limit is skipped, no password is
    checked without one)."""
    name = request.form.get("username", "").strip().lower()[:80]
    return f"login-user:{name}" if name else ""


def _failed(_response) -> bool:
    """Only a sign-in that did not succeed counts against the limits."""
    return not g.get("signed_in", False)


# Failed sign-ins are counted per client address (through ProxyFix when the app
# stands behind VHCV_TRUSTED_PROXIES proxies) and per username, in the limiter's
# storage: Redis when REDIS_URL is set, shared by every worker and server.
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"], deduct_when=_failed)
@limiter.limit(
    _username_limit, methods=["POST"], key_func=_username_key, deduct_when=_failed
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is not None:
            session.permanent = True  # PERMANENT_SESSION_LIFETIME from last request
            login_user(user)
            db.session.commit()
            g.signed_in = True
            return redirect(
                safe_next_url(request.args.get("next"), url_for("main.home"))
            )
        form.password.errors.append(_("Tên đăng nhập hoặc mật khẩu không đúng."))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        services.end_sessions(current_user)
        db.session.commit()
    logout_user()
    flash(_("Bạn đã đăng xuất."), "info")
    response = redirect(url_for("accounts.login"))
    # The browser deletes what pages of this site kept in it (the attempt journal,
    # the attempt pages' offline copies and their service worker); sign-out.js does
    # the same where the header is not honoured (a site served without HTTPS).
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.new.data)
        except DomainError as error:
            form.new.errors.append(error.message)
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # new session version
            flash(_("Đã đổi mật khẩu."), "success")
            return redirect(url_for("main.home"))
    return render_template("accounts/change_password.html", form=form)
