"""HR officers' pages for the cadres of their scope: the list, a cadre, and the
account actions (lock, unlock, move, reset the password)."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.database import int_arg
from app.errors import DomainError, NotFound
from app.extensions import db
from app.security import role_required

from .. import asof, history, services
from ..forms import EmptyForm, MoveCadreForm, flash_refused
from ..models import CATEGORIES, Assignment, Unit
from ..permissions import (
    can_manage_account,
    get_manageable_user,
    get_scoped_unit,
    get_scoped_user,
    scope_paths,
    scoped_users,
)
from ..units import get_unit_by_code
from .blueprint import bp
from .unit_changes import as_of_arg


@bp.get("/cadres")
@role_required("hr", "admin")
def cadres():
    text = request.args.get("q", "")
    category = request.args.get("category", "")
    day = as_of_arg()
    if day is not None:
        return _cadres_as_of(day, text, category)
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


def _cadres_as_of(day, text: str, category: str):
    """The cadres of the viewer's scope as assigned on `day` (the scope rule of a
    past day: app.accounts.asof.past_scope_ids), with that day's unit, position
    and category; `?unit=CODE`: those of that unit's subtree of the day only."""
    roots = scope_paths(current_user, "hr")
    unit = _unit_of_the_past(request.args.get("unit", ""), roots)
    query = asof.cadres_as_of(unit, day, roots)
    query = services.search_users(query, text)
    if category in CATEGORIES:
        query = query.where(Assignment.category == category)
    page = db.paginate(
        services.vietnamese_order(query),
        page=int_arg("page", 1),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return render_template(
        "accounts/cadres_as_of.html",
        page=page,
        rows=db.session.execute(
            services.vietnamese_order(query)
            .limit(page.per_page)
            .offset((page.page - 1) * page.per_page)
        ).all(),
        day=day,
        q=text,
        category=category,
        categories=CATEGORIES,
        unit=unit,
        unit_then=asof.unit_as_of(unit.id, day) if unit is not None else None,
    )


def _unit_of_the_past(code: str, roots: list[str] | None) -> Unit | None:
    """The unit `code` names (None when empty) if it is in the viewer's scope of
    a past day (accounts.asof.past_scope_ids); NotFound otherwise, as for a unit of
    another scope (the list stays limited to the scope's cadres in any case)."""
    if not code.strip():
        return None
    unit = db.session.scalar(select(Unit).where(Unit.code == code.strip()))
    allowed = asof.past_scope_ids(roots)
    if unit is None or (allowed is not None and unit.id not in allowed):
        raise NotFound(_("Không tìm thấy đơn vị này trong phạm vi của bạn."))
    return unit


@bp.get("/cadres/<int:user_id>")
@role_required("hr", "admin")
def cadre(user_id: int):
    return _cadre_page(get_scoped_user(current_user, user_id))


def _cadre_page(person, move_form: MoveCadreForm | None = None):
    """The cadre's page; `move_form`: a refused move shown again as typed."""
    return render_template(
        "accounts/cadre.html",
        person=person,
        can_manage=can_manage_account(current_user, person),
        assignments=_assignments(person),
        categories=CATEGORIES,
        form=EmptyForm(),
        move_form=move_form or MoveCadreForm(formdata=None),
    )


@bp.post("/cadres/<int:user_id>/active")
@role_required("hr", "admin")
def set_active(user_id: int):
    person = get_manageable_user(current_user, user_id)
    back = redirect(url_for("accounts.cadre", user_id=person.id))
    if request.form.get("active") not in ("0", "1"):  # each button sends one
        flash(_("Yêu cầu không hợp lệ."), "error")
        return back
    active = request.form.get("active") == "1"
    services.set_active(person, active, actor=current_user)
    db.session.commit()
    flash(_("Đã mở lại tài khoản.") if active else _("Đã khóa tài khoản."), "success")
    return back


@bp.post("/cadres/<int:user_id>/move")
@role_required("hr", "admin")
def move(user_id: int):
    person = get_manageable_user(current_user, user_id)
    form = MoveCadreForm()
    if not form.validate_on_submit():
        flash_refused(form)
        return _cadre_page(person, form), 400
    field = form.effective  # the field a refusal is about, step by step
    try:
        history.effective(form.effective.data)
        field = form.unit_code
        unit = get_unit_by_code(form.unit_code.data)
        unit = get_scoped_unit(current_user, unit.id)  # only inside the scope
        services.move_user(
            person, unit, actor=current_user, effective=form.effective.data
        )
    except DomainError as error:
        db.session.rollback()
        flash_refused(form, error, field)
        return _cadre_page(person, form), 400
    db.session.commit()
    day = form.effective.data
    if day is not None and day > history.vn_today():
        flash(
            _(
                "Đã ghi: chuyển sang %(name)s từ ngày %(day)s.",
                name=unit.name,
                day=history.format_day(day),
            ),
            "success",
        )
    else:
        flash(_("Đã chuyển sang %(name)s.", name=unit.name), "success")
    return redirect(url_for("accounts.cadre", user_id=person.id))


def _assignments(person) -> list[tuple[Assignment, str]]:
    """The cadre's assignments, latest first, with the unit's name of its first
    day."""
    rows = db.session.scalars(
        select(Assignment)
        .where(Assignment.user_id == person.id)
        .order_by(Assignment.valid_from.desc(), Assignment.id.desc())
    ).all()
    units = {
        u.id: u
        for u in db.session.scalars(
            select(Unit).where(Unit.id.in_(sorted({a.unit_id for a in rows})))
        )
    }
    names = asof.place_names_on((units[a.unit_id], a.valid_from) for a in rows)
    return [(a, names[a.unit_id, a.valid_from]) for a in rows]


@bp.get("/cadres/<int:user_id>/reset-password")
@role_required("hr", "admin")
def reset_password_preview(user_id: int):
    """The confirm step of a temporary password; changes nothing."""
    person = get_manageable_user(current_user, user_id)
    return render_template(
        "confirm.html",
        title=_("Cấp mật khẩu tạm thời cho %(name)s?", name=person.full_name),
        effects=[
            _("tạo một mật khẩu tạm thời, hiện một lần duy nhất trên trang sau;"),
            _(
                "mật khẩu hiện tại của %(u)s không dùng được nữa và các phiên đăng "
                "nhập đang mở của người này kết thúc;",
                u=person.username,
            ),
            _("người dùng phải đổi mật khẩu ở lần đăng nhập tiếp theo;"),
            _("ghi thao tác vào nhật ký."),
        ],
        action=url_for("accounts.reset_password", user_id=person.id),
        button=_("Cấp mật khẩu tạm thời"),
        cancel=url_for("accounts.cadre", user_id=person.id),
    )


@bp.post("/cadres/<int:user_id>/reset-password")
@role_required("hr", "admin")
def reset_password(user_id: int):
    person = get_manageable_user(current_user, user_id)
    if request.form.get("confirm") != "1":
        return redirect(url_for("accounts.reset_password_preview", user_id=person.id))
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("accounts.cadre", user_id=person.id))
    temporary = services.reset_password(person, actor=current_user)
    db.session.commit()
    return render_template(
        "accounts/password_reset.html", person=person, temporary=temporary
    )
