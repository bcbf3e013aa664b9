"""`flask units …` commands for dated changes and the tree of a day, `flask cadres
list`, `flask users move` (app.accounts.history's rules)."""

from pathlib import Path

import click
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from app.errors import DomainError
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.numbers import count

from . import asof, history, restructure, services
from . import units as unit_services
from .cli_base import _day, cadres_cli, effective_option, fail, units_cli, users_cli
from .models import Unit, User

decision_option = click.option(
    "--decision", default="", help=_l("Số, ngày quyết định (ghi vào lịch sử).")
)


def _unit(code: str):
    return unit_services.get_unit_by_code(code)


def _done(message: str, day) -> None:
    db.session.commit()
    if day is None:
        click.echo(message + ".")
    elif day > history.vn_today():
        click.echo(
            _(
                "%(message)s (có hiệu lực từ %(day)s; áp dụng vào ngày đó bằng "
                "`flask units apply-due`).",
                message=message,
                day=history.format_day(day),
            )
        )
    else:
        click.echo(
            _(
                "%(message)s (có hiệu lực từ %(day)s).",
                message=message,
                day=history.format_day(day),
            )
        )


@units_cli.command(
    "apply-due",
    help=_l(
        "Áp dụng các thay đổi đã đến ngày có hiệu lực (chạy lại không sao; chạy "
        "hằng ngày)."
    ),
)
def apply_due() -> None:
    """Apply the changes whose effective day has come (idempotent; run daily)."""
    counts = history.apply_due()
    db.session.commit()
    click.echo(
        _(
            "Đã áp dụng: %(units)s đơn vị chuyển, %(cadres)s cán bộ chuyển, "
            "%(followed)s cán bộ theo đơn vị kế thừa.",
            **{key: count(value) for key, value in counts.items()},
        )
    )


@units_cli.command(
    "tree",
    help=_l("In cây đơn vị tại một ngày: mã, mã hành chính, tên, thụt lề theo cấp."),
)
@click.option(
    "--as-of", "as_of", callback=_day, help=_l("Ngày YYYY-MM-DD (mặc định nay).")
)
@click.option("--root", "root_code", default=None, help=_l("Mã đơn vị gốc."))
def tree(as_of, root_code) -> None:
    """Print the unit tree of a day: code, administrative code, name, indented."""
    day = as_of or history.vn_today()
    try:
        root = _unit(root_code) if root_code else None
    except DomainError as error:
        fail(error.message)
    if root is not None and asof.unit_as_of(root.id, day) is None:
        fail(
            _(
                "Đơn vị “%(code)s” không có trong cơ cấu vào ngày %(day)s.",
                code=root.code,
                day=history.format_day(day),
            )
        )
    versions = asof.tree_as_of(day, root)
    click.echo(_("Cơ cấu tại ngày %(day)s:", day=history.format_day(day)))
    codes = dict(db.session.execute(select(Unit.id, Unit.code)).all())
    top = min((v.depth for v in versions), default=0)
    for version in versions:
        admin = f" [{version.admin_code}]" if version.admin_code else ""
        click.echo(
            f"{'  ' * (version.depth - top)}{codes[version.unit_id]}{admin} "
            f"{version.name}"
        )


def _dated(change):
    """Run `change()` (a function returning a message), then commit or fail."""
    try:
        return change()
    except DomainError as error:
        fail(error.message)


@units_cli.command(
    "rename",
    help=_l("Đổi tên đơn vị CODE thành NAME từ ngày --effective."),
)
@click.argument("code")
@click.argument("name")
@effective_option
@decision_option
def rename(code, name, effective, decision) -> None:
    """Rename unit CODE to NAME from --effective."""
    _dated(
        lambda: unit_services.rename_unit(_unit(code), name, None, effective, decision)
    )
    _done(_("Đã đổi tên %(code)s", code=code), effective)


@units_cli.command(
    "recode",
    help=_l("Đặt mã hành chính ADMIN_CODE cho đơn vị CODE từ ngày --effective."),
)
@click.argument("code")
@click.argument("admin_code")
@effective_option
@decision_option
def recode(code, admin_code, effective, decision) -> None:
    """Give unit CODE the administrative code ADMIN_CODE from --effective."""
    _dated(
        lambda: unit_services.recode_unit(
            _unit(code), admin_code, None, effective, decision
        )
    )
    _done(_("Đã đổi mã hành chính của %(code)s", code=code), effective)


@units_cli.command(
    "move",
    help=_l(
        "Chuyển đơn vị CODE (cùng cây con) về dưới --parent, hoặc lên cấp cao nhất "
        "với --top, từ ngày --effective."
    ),
)
@click.argument("code")
@click.option("--parent", "parent_code", default="", help=_l("Mã cấp trên mới."))
@click.option(
    "--top", is_flag=True, help=_l("Đưa lên cấp cao nhất (không có cấp trên).")
)
@effective_option
@decision_option
def move(code, parent_code, top, effective, decision) -> None:
    """Move unit CODE (with its subtree) under --parent, or to the top level with
    --top, from --effective."""
    if bool(parent_code) == top:
        raise click.UsageError(_("Cần đúng một trong --parent MÃ hoặc --top."))
    _dated(
        lambda: unit_services.move_unit(
            _unit(code),
            _unit(parent_code) if parent_code else None,
            None,
            effective,
            decision,
        )
    )
    _done(_("Đã chuyển %(code)s", code=code), effective)


def _restructure(code, into, kind, effective, decision, mapping):
    def run():
        source = _unit(code)
        successors = [_unit(c) for c in into]
        cadre_map = {}
        if mapping is not None:
            text = mapping.read_text(encoding="utf-8-sig")
            cadre_map = restructure.parse_cadre_map(text, successors)
        day = history.effective(effective)
        if kind == "merge" and len(successors) == 1:
            unit_services._check_merge(source, successors[0], day)
        change = restructure.plan(source, successors, day, kind, cadre_map)
        return restructure.apply(change, decision)

    moved = _dated(run)
    _done(
        ngettext(
            "Xong: %(n)s cán bộ chuyển sang đơn vị tiếp nhận",
            "Xong: %(n)s cán bộ chuyển sang đơn vị tiếp nhận",
            moved,
            n=count(moved),
        ),
        effective,
    )


_map_option = click.option(
    "--map",
    "mapping",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help=_l("Tệp dòng “mã cán bộ; mã đơn vị tiếp nhận” (mặc định: đơn vị đầu tiên)."),
)


@units_cli.command(
    "merge",
    help=_l(
        "Sáp nhập đơn vị CODE vào một hoặc nhiều đơn vị (--into, đơn vị đầu tiên là "
        "đơn vị chính)."
    ),
)
@click.argument("code")
@click.option("--into", multiple=True, required=True, help=_l("Mã đơn vị tiếp nhận."))
@_map_option
@effective_option
@decision_option
def merge(code, into, mapping, effective, decision) -> None:
    """Merge unit CODE into one or more units (--into, the first is primary)."""
    _restructure(code, into, "merge", effective, decision, mapping)


@units_cli.command(
    "split",
    help=_l(
        "Chia đơn vị CODE thành nhiều đơn vị (--into từ hai lần trở lên, đơn vị đầu "
        "tiên là đơn vị chính)."
    ),
)
@click.argument("code")
@click.option("--into", multiple=True, required=True, help=_l("Mã đơn vị tiếp nhận."))
@_map_option
@effective_option
@decision_option
def split(code, into, mapping, effective, decision) -> None:
    """Split unit CODE into several units (--into twice or more, first primary)."""
    _restructure(code, into, "split", effective, decision, mapping)


@units_cli.command(
    "dissolve",
    help=_l("Giải thể đơn vị CODE (bị từ chối khi còn cán bộ hoặc đơn vị con)."),
)
@click.argument("code")
@effective_option
@decision_option
def dissolve(code, effective, decision) -> None:
    """Dissolve unit CODE (refused while it has cadres or child units)."""
    _restructure(code, (), "dissolve", effective, decision, None)


@users_cli.command(
    "move",
    help=_l(
        "Đổi đơn vị, chức vụ và/hoặc loại cán bộ của USERNAME (phần không chỉ định "
        "giữ nguyên) từ ngày --effective."
    ),
)
@click.argument("username")
@click.option("--unit", "unit_code", default=None, help=_l("Mã đơn vị mới."))
@click.option("--position", default=None, help=_l("Chức vụ mới."))
@click.option("--category", default=None, help=_l("Loại cán bộ mới."))
@effective_option
def move_user(username, unit_code, position, category, effective) -> None:
    """Give USERNAME a new unit, position and/or category (what is not given stays)
    from --effective."""
    if unit_code is None and position is None and category is None:
        raise click.UsageError(
            _("Cần ít nhất một trong --unit, --position, --category.")
        )
    _dated(
        lambda: services.reassign(
            services.get_user_by_username(username),
            unit=_unit(unit_code) if unit_code is not None else None,
            position=position,
            category=category,
            effective=effective,
        )
    )
    _done(_("Đã ghi công tác mới của %(username)s", username=username), effective)


@cadres_cli.command(
    "list",
    help=_l("Liệt kê cán bộ của cây đơn vị tại một ngày (phân cách bằng tab)."),
)
@click.option("--unit", "unit_code", required=True, help=_l("Mã đơn vị (cả cấp dưới)."))
@click.option(
    "--as-of", "as_of", callback=_day, help=_l("Ngày YYYY-MM-DD (mặc định nay).")
)
def list_cadres(unit_code, as_of) -> None:
    """List the cadres of a unit's subtree on a day (tab-separated)."""
    day = as_of or history.vn_today()
    try:
        unit = _unit(unit_code)
    except DomainError as error:
        fail(error.message)
    rows = db.session.execute(
        asof.cadres_as_of(unit, day).order_by(User.name_sort, User.id)
    ).all()
    click.echo(
        _(
            "Cán bộ tại ngày %(day)s: %(n)s",
            day=history.format_day(day),
            n=count(len(rows)),
        )
    )
    for user, assignment, version in rows:
        click.echo(
            "\t".join(
                [
                    user.employee_code or user.username,
                    user.full_name,
                    version.name,
                    assignment.position,
                    assignment.category,
                ]
            )
        )
