"""The `flask units`, `flask users` and `flask cadres` groups and their shared
helpers."""

import click
from flask.cli import AppGroup

from app.errors import DomainError
from app.errors import lazy_gettext as _l
from app.extensions import db

from . import history

units_cli = AppGroup(
    "units", help=_l("Quản lý cây đơn vị và các thay đổi theo ngày hiệu lực.")
)
users_cli = AppGroup("users", help=_l("Quản lý tài khoản người dùng."))
cadres_cli = AppGroup(
    "cadres", help=_l("Danh sách cán bộ: nhập từ CSV/XLSX, liệt kê theo ngày.")
)


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
        help=_l("Ngày có hiệu lực YYYY-MM-DD (mặc định hôm nay)."),
    )(function)
