"""`flask units …` and `flask users …` commands for operators."""

from pathlib import Path

import click
from flask.cli import AppGroup

from app.errors import DomainError, ImportRejected
from app.extensions import db
from app.tabular import TableError

from . import services
from . import units as unit_services
from .importing import read_unit_rows

units_cli = AppGroup("units", help="Quản lý cây đơn vị (units tree).")
users_cli = AppGroup("users", help="Quản lý tài khoản (user accounts).")


def fail(message: str) -> None:
    """Roll back and exit non-zero with `message` on stderr."""
    db.session.rollback()
    raise click.ClickException(message)


@units_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_units(file: Path) -> None:
    """Import units from FILE (CSV or XLSX with columns code, name, parent code, kind).

    All or nothing: on any problem nothing is written and every problem is listed.
    """
    try:
        rows = read_unit_rows(file.read_bytes(), str(file))
        counts = unit_services.import_units(rows, str(file))
    except ImportRejected as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        fail(error.message)
    except (TableError, DomainError) as error:
        fail(str(getattr(error, "message", error)))
    db.session.commit()
    click.echo(
        f"Đơn vị: {counts['created']} tạo mới, {counts['updated']} cập nhật, "
        f"{counts['unchanged']} không đổi."
    )


def _parse_roles(values: tuple[str, ...]) -> list[services.RoleSpec]:
    specs = []
    for value in values or ("learner",):
        role, _, unit_code = value.partition("@")
        unit = unit_services.get_unit_by_code(unit_code) if unit_code else None
        specs.append(services.RoleSpec(role=role.strip(), unit=unit))
    return specs


@users_cli.command("create")
@click.option("--username", required=True, help="Tên đăng nhập.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Mật khẩu (hỏi khi không truyền vào).",
)
@click.option("--full-name", required=True, help="Họ và tên, ví dụ “Nguyễn Văn An”.")
@click.option("--unit", "unit_code", required=True, help="Mã đơn vị công tác.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    help="Vai trò, lặp lại được: learner, admin, trainer@MÃ_ĐƠN_VỊ, hr@MÃ_ĐƠN_VỊ.",
)
@click.option("--employee-code", default=None, help="Mã cán bộ (duy nhất).")
@click.option(
    "--no-force-change",
    is_flag=True,
    help="Không bắt đổi mật khẩu ở lần đăng nhập đầu.",
)
def create_user(
    username, password, full_name, unit_code, roles, employee_code, no_force_change
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
        )
    except DomainError as error:
        fail(error.message)
    db.session.commit()
    click.echo(
        f"Đã tạo tài khoản {user.username} ({', '.join(sorted(user.role_names))})."
    )


@users_cli.command("set-password")
@click.argument("username")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Mật khẩu mới (hỏi khi không truyền vào).",
)
@click.option(
    "--force-change", is_flag=True, help="Bắt đổi mật khẩu ở lần đăng nhập sau."
)
def set_password(username, password, force_change) -> None:
    """Set USERNAME's password (ends its other sessions)."""
    try:
        user = services.get_user_by_username(username)
        services.set_password(user, password, must_change=force_change)
    except DomainError as error:
        fail(error.message)
    db.session.commit()
    click.echo(f"Đã đặt mật khẩu cho {user.username}.")
