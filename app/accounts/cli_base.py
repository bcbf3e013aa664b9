"""The `flask units`, `flask users` and `flask cadres` groups and their shared
helpers."""

import click
from flask.cli import AppGroup

from app.errors import DomainError
from app.extensions import db

from . import history

units_cli = AppGroup("units", help="Quản lý cây đơn vị (units tree).")
users_cli = AppGroup("users", help="Quản lý tài khoản (user accounts).")
cadres_cli = AppGroup("cadres", help="Nhập danh sách cán bộ (cadres) từ CSV/XLSX.")


def fail(message: str) -> None:
    """Roll back and exit non-zero with `message` on stderr."""
    db.session.rollback()
    raise click.ClickException(message)


def _day(ctx, param, value):
    """A --effective / --as-of option: YYYY-MM-DD within history.check_day's
    bounds, or None."""
    try:
        return history.parse_day(value)
    except DomainError as error:
        raise click.BadParameter(str(error.message)) from None


def effective_option(function):
    return click.option(
        "--effective",
        callback=_day,
        default=None,
        help="Ngày có hiệu lực YYYY-MM-DD (mặc định hôm nay).",
    )(function)
