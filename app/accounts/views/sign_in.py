"""Sign-in (with its rate limits), sign-out and password change."""

from flask import (
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from app.errors import DomainError
from app.extensions import db
from app.security import safe_next_url

from .. import devices, services
from ..forms import ChangePasswordForm, LoginForm
from ..guesses import Guesses
from .blueprint import bp


def _username() -> str:
    """The posted username as it is looked up and counted (stripped, lower case)."""
    return request.form.get("username", "").strip().lower()[:80]


def _sign_in_guesses() -> Guesses:
    """Failed sign-ins are counted per client address (through ProxyFix when the
    app stands behind VHCV_TRUSTED_PROXIES proxies) and per username (none without
    one: no password is checked without one), or, from a browser that has signed in
    as that username before, per that browser (devices: guesses from elsewhere do
    not lock the account's owner out)."""
    name = _username()
    device = devices.known_device(request.form.get("username", "")) if name else None
    per_user = f"device:{device}:{name}" if device else f"user:{name}" if name else ""
    return Guesses.of(
        "sign-in",
        ("LOGIN_RATE_LIMIT", f"address:{get_remote_address()}"),
        ("LOGIN_USER_RATE_LIMIT", per_user),
    )


def _refused(form: LoginForm, guesses: Guesses):
    """The sign-in page again, 429, saying how long to wait (Retry-After too)."""
    wait = guesses.retry_after()
    minutes = max(1, -(-wait // 60))
    refused = ngettext(
        "Đã nhập sai mật khẩu quá nhiều lần. Hãy thử lại sau %(num)d phút.",
        "Đã nhập sai mật khẩu quá nhiều lần. Hãy thử lại sau %(num)d phút.",
        minutes,
    )
    page = render_template("accounts/login.html", form=form, refused=refused)
    return page, 429, {"Retry-After": str(max(wait, 1))}


# A wrong password is counted when judged, atomically, and the answer depends on the
# count (app/accounts/guesses.py): guesses sent together get no more "wrong"
# answers than the limits allow. A successful sign-in is not counted.
@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    guesses = _sign_in_guesses() if request.method == "POST" else Guesses(())
    if not guesses.allowed():
        return _refused(form, guesses)
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is None:
            if not guesses.count_wrong():
                return _refused(form, guesses)
            form.password.errors.append(_("Tên đăng nhập hoặc mật khẩu không đúng."))
        elif not guesses.allowed():  # filled meanwhile by guesses sent together
            return _refused(form, guesses)
        else:
            session.permanent = True  # PERMANENT_SESSION_LIFETIME from last request
            login_user(user)
            db.session.commit()
            response = redirect(
                safe_next_url(request.args.get("next"), url_for("main.home"))
            )
            devices.remember(response, user)
            return response
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


def _too_many_guesses(form: ChangePasswordForm, guesses: Guesses):
    """The form again, saying the current password was mistaken too often (429)."""
    form.current.errors = [  # a tuple while the form is not validated
        *form.current.errors,
        _(
            "Bạn đã nhập sai mật khẩu hiện tại quá nhiều lần. "
            "Vui lòng đợi một lát rồi thử lại."
        ),
    ]
    page = render_template("accounts/change_password.html", form=form)
    return page, 429, {"Retry-After": str(guesses.retry_after())}


# The current password asked here is a password check like the sign-in's: someone
# holding another's session could guess it. A wrong one is counted per user in the
# same way (PASSWORD_CHECK_RATE_LIMIT); a right one is not.
@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    guesses = Guesses(())
    if request.method == "POST":
        guesses = Guesses.of(
            "current-password",
            ("PASSWORD_CHECK_RATE_LIMIT", f"user:{current_user.id}"),
        )
    if not guesses.allowed():
        return _too_many_guesses(form, guesses)
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.new.data)
        except services.WrongPassword as error:
            if not guesses.count_wrong():
                return _too_many_guesses(form, guesses)
            form.new.errors.append(error.message)
        except DomainError as error:
            form.new.errors.append(error.message)
        else:
            if not guesses.allowed():  # filled meanwhile by guesses sent together
                db.session.rollback()
                return _too_many_guesses(form, guesses)
            db.session.commit()
            user = current_user._get_current_object()
            login_user(user)  # new session version
            flash(_("Đã đổi mật khẩu."), "success")
            response = redirect(url_for("main.home"))
            devices.remember(response, user)  # known under the new password
            return response
    return render_template("accounts/change_password.html", form=form)
