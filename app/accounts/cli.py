"""`flask units …` and `flask users …` commands for operators."""

from pathlib import Path

import click
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError

from app import uploads
from app.errors import DomainError, ImportRejected
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.numbers import count
from app.tabular import TableError

from . import cadre_import, services
from . import units as unit_services
from .cli_base import (  # noqa: F401  (the groups are registered from here)
    _day,
    cadres_cli,
    effective_option,
    fail,
    units_cli,
    users_cli,
)
from .importing import read_unit_rows
from .models import N_

# The messages of `flask cadres import` too long to write inline.
WARNINGS_UNSEEN = N_("%(summary)s Xem các cảnh báo rồi chạy lại với --accept-warnings.")
CADRES_CHANGED = N_(
    "Dữ liệu cán bộ vừa thay đổi trong lúc nhập; không nhập gì, hãy chạy lại."
)
CADRES_DONE = N_(
    "Cán bộ: %(created)s tạo mới, %(updated)s cập nhật "
    "(%(moved)s chuyển đơn vị), %(unchanged)s không đổi."
)


@units_cli.command(
    "import",
    help=_l(
        "Nhập đơn vị từ tệp FILE (CSV hoặc XLSX với các cột mã, tên, mã cấp trên, "
        "loại). Nhập tất cả hoặc không gì: có lỗi thì không ghi gì và liệt kê mọi "
        "lỗi."
    ),
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@effective_option
def import_units(file: Path, effective) -> None:
    """Import units from FILE (CSV or XLSX with columns code, name, parent code, kind).

    All or nothing: on any problem nothing is written and every problem is listed.
    """
    try:
        rows = read_unit_rows(file.read_bytes(), str(file))
        counts = unit_services.import_units(rows, str(file), effective=effective)
    except ImportRejected as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        fail(error.message)
    except (TableError, DomainError) as error:
        fail(str(getattr(error, "message", error)))
    db.session.commit()
    click.echo(
        _(
            "Đơn vị: %(created)s tạo mới, %(updated)s cập nhật, "
            "%(unchanged)s không đổi.",
            **_written(counts),
        )
    )


def _written(counts: dict, **more: int) -> dict:
    """An import's counts (and `more`) written as a message's values: "1.234"."""
    return {key: count(value) for key, value in {**counts, **more}.items()}


def _parse_roles(values: tuple[str, ...]) -> list[services.RoleSpec]:
    specs = []
    for value in values or ("learner",):
        role, _at, unit_code = value.partition("@")
        unit = unit_services.get_unit_by_code(unit_code) if unit_code else None
        specs.append(services.RoleSpec(role=role.strip(), unit=unit))
    return specs


@users_cli.command(
    "create",
    help=_l("Tạo một tài khoản với vai trò và đơn vị."),
)
@click.option("--username", required=True, help=_l("Tên đăng nhập."))
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help=_l("Mật khẩu (hỏi khi không truyền vào)."),
)
@click.option(
    "--full-name", required=True, help=_l("Họ và tên, ví dụ “Nguyễn Văn An”.")
)
@click.option("--unit", "unit_code", required=True, help=_l("Mã đơn vị công tác."))
@click.option(
    "--role",
    "roles",
    multiple=True,
    help=_l("Vai trò, lặp lại được: learner, admin, trainer@MÃ_ĐƠN_VỊ, hr@MÃ_ĐƠN_VỊ."),
)
@click.option("--employee-code", default=None, help=_l("Mã cán bộ (duy nhất)."))
@click.option(
    "--no-force-change",
    is_flag=True,
    help=_l("Không bắt đổi mật khẩu ở lần đăng nhập đầu."),
)
@effective_option
def create_user(
    username,
    password,
    full_name,
    unit_code,
    roles,
    employee_code,
    no_force_change,
    effective,
) -> None:
    """Create an account with roles and a unit."""
    try:
        unit = unit_services.get_unit_by_code(unit_code)
        user = services.create_user(
            username,
            full_name,
            unit,
            password=password,
            roles=_parse_roles(roles),
            employee_code=employee_code,
            must_change_password=not no_force_change,
            effective=effective,
        )
    except DomainError as error:
        fail(error.message)
    db.session.commit()
    click.echo(
        _(
            "Đã tạo tài khoản %(username)s (%(roles)s).",
            username=user.username,
            roles=", ".join(sorted(user.role_names)),
        )
    )


@users_cli.command(
    "set-password",
    help=_l(
        "Đặt mật khẩu cho USERNAME (kết thúc các phiên đăng nhập khác của tài khoản)."
    ),
)
@click.argument("username")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help=_l("Mật khẩu mới (hỏi khi không truyền vào)."),
)
@click.option(
    "--force-change", is_flag=True, help=_l("Bắt đổi mật khẩu ở lần đăng nhập sau.")
)
def set_password(username, password, force_change) -> None:
    """Set USERNAME's password (ends its other sessions)."""
    try:
        user = services.get_user_by_username(username)
        services.set_password(user, password, must_change=force_change)
    except DomainError as error:
        fail(error.message)
    db.session.commit()
    click.echo(_("Đã đặt mật khẩu cho %(username)s.", username=user.username))


@cadres_cli.command(
    "import",
    help=_l(
        "Nhập cán bộ từ tệp FILE (CSV hoặc XLSX) vào cây đơn vị --unit. Nhập tất cả "
        "hoặc không gì; nhập lại cùng tệp không thay đổi gì. Tên chuyển từ "
        "TCVN3/VNI được in ra, lỗi và cảnh báo được liệt kê dạng tệp:dòng."
    ),
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--unit", "unit_code", required=True, help=_l("Mã đơn vị nhận (gốc)."))
@click.option(
    "--dry-run", is_flag=True, help=_l("Chỉ kiểm tra và in kết quả, không ghi.")
)
@click.option(
    "--accept-warnings",
    is_flag=True,
    help=_l("Nhập dù có cảnh báo (chuyển mã chưa chắc chắn, ký tự lạ) sau khi đã xem."),
)
@effective_option
def import_cadres(
    file: Path, unit_code: str, dry_run: bool, accept_warnings: bool, effective
):
    """Import cadres from FILE (CSV or XLSX) into the subtree of unit --unit.

    All or nothing; re-importing the same file changes nothing. Names converted
    from TCVN3/VNI are printed, errors and warnings are listed as file:line.
    """
    limit = uploads.max_bytes()
    size = file.stat().st_size
    if size > limit:
        fail(f"{file}: {cadre_import.too_big_message(size, limit)}")
    try:
        unit = unit_services.get_unit_by_code(unit_code)
        rows = cadre_import.parse_cadre_file(file.read_bytes(), str(file))
        plan = cadre_import.plan_import(rows, unit, viewer=None, effective=effective)
    except (TableError, DomainError) as error:
        fail(str(getattr(error, "message", error)))
    summary = _print_plan(plan)
    if plan.has_errors:
        fail(_("%(summary)s Không nhập gì.", summary=summary))
    if plan.has_warnings and not accept_warnings and not dry_run:
        fail(_(WARNINGS_UNSEEN, summary=summary))
    if dry_run:
        db.session.rollback()
        click.echo(_("%(summary)s (--dry-run: không ghi gì)", summary=summary))
        return
    try:
        done = cadre_import.apply_import(plan, actor=None)
        db.session.commit()
    except IntegrityError:  # another import created the same code meanwhile
        fail(_(CADRES_CHANGED))
    click.echo(_(CADRES_DONE, **_written(done)))


def _print_plan(plan: cadre_import.ImportPlan) -> str:
    """Print the plan's legacy-encoding conversions, then its errors and warnings
    (on stderr), as file:line; return its one-line summary."""
    for row in plan.rows:
        for fix in row.row.fixes:
            sure = "" if fix.confident else _(" — chưa chắc chắn")
            click.echo(
                f"{plan.source}:{row.line}: “{fix.original}” → “{fix.text}” "
                f"({fix.encoding.upper()}{sure})"
            )
    for problem in plan.problems(warnings=True):
        click.echo(problem, err=True)
    counts = plan.counts
    return ngettext(
        "%(n)s dòng: %(created)s tạo mới, %(updated)s cập nhật, "
        "%(unchanged)s không đổi, %(errors)s lỗi, %(warnings)s cảnh báo, "
        "%(converted)s chuyển mã.",
        "%(n)s dòng: %(created)s tạo mới, %(updated)s cập nhật, "
        "%(unchanged)s không đổi, %(errors)s lỗi, %(warnings)s cảnh báo, "
        "%(converted)s chuyển mã.",
        counts["rows"],
        **_written(counts, n=counts["rows"]),
    )


from . import cli_history  # noqa: E402, F401  (registers more commands)
