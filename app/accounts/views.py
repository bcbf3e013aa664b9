"""Sign-in, sign-out, password change, and the scoped list of cadres."""

from flask import (
    Blueprint,
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

from app.database import int_arg
from app.errors import DomainError
from app.extensions import db, limiter
from app.security import role_required, safe_next_url

from . import services
from .forms import ChangePasswordForm, EmptyForm, LoginForm, MoveCadreForm
from .models import CATEGORIES
from .permissions import (
    can_manage_account,
    get_manageable_user,
    get_scoped_unit,
    get_scoped_user,
    scoped_users,
)
from .units import get_unit_by_code

bp = Blueprint("accounts", __name__)


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
    return redirect(url_for("accounts.login"))


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


@bp.get("/cadres")
@role_required("hr", "admin")
def cadres():
    text = request.args.get("q", "")
    category = request.args.get("category", "")
    query = services.search_users(scoped_users(current_user), text)
    if category in CATEGORIES:
        query = query.where(services.User.category == category)
    page = db.paginate(
        services.vietnamese_order(query),
        page=int_arg("page", 1),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return render_template(
        "accounts/cadres.html",
        page=page,
        q=text,
        category=category,
        categories=CATEGORIES,
    )


@bp.get("/cadres/<int:user_id>")
@role_required("hr", "admin")
def cadre(user_id: int):
    person = get_scoped_user(current_user, user_id)
    return render_template(
        "accounts/cadre.html",
        person=person,
        can_manage=can_manage_account(current_user, person),
        form=EmptyForm(),
        move_form=MoveCadreForm(),
    )


@bp.post("/cadres/<int:user_id>/active")
@role_required("hr", "admin")
def set_active(user_id: int):
    person = get_manageable_user(current_user, user_id)
    active = request.form.get("active") == "1"
    services.set_active(person, active, actor=current_user)
    db.session.commit()
    flash(_("Đã mở lại tài khoản.") if active else _("Đã khóa tài khoản."), "success")
    return redirect(url_for("accounts.cadre", user_id=person.id))


@bp.post("/cadres/<int:user_id>/move")
@role_required("hr", "admin")
def move(user_id: int):
    person = get_manageable_user(current_user, user_id)
    form = MoveCadreForm()
    if form.validate_on_submit():
        try:
            unit = get_unit_by_code(form.unit_code.data)
            unit = get_scoped_unit(current_user, unit.id)  # only inside the scope
            services.move_user(person, unit, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Đã chuyển sang %(name)s.", name=unit.name), "success")
    return redirect(url_for("accounts.cadre", user_id=person.id))


@bp.post("/cadres/<int:user_id>/reset-password")
@role_required("hr", "admin")
def reset_password(user_id: int):
    person = get_manageable_user(current_user, user_id)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("accounts.cadre", user_id=person.id))
    temporary = services.reset_password(person, actor=current_user)
    db.session.commit()
    return render_template(
        "accounts/password_reset.html", person=person, temporary=temporary
    )
