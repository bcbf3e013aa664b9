import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.errors import DomainError
from app.errors import lazy_gettext as _l
from app.extensions import db

from .data import DEMO_ACCOUNTS
from .seed import seed_demo

demo_cli = AppGroup("demo", help=_l("Dữ liệu minh họa để dùng thử."))


@demo_cli.command(
    "seed",
    help=_l("Tạo tỉnh, cán bộ và tài khoản minh họa (chạy lại nhiều lần vẫn an toàn)."),
)
def seed() -> None:
    """Create the demo province, cadres and accounts (safe to run again)."""
    try:
        result = seed_demo()
    except DomainError as error:  # e.g. its quiz is another running campaign's
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(
        _(
            "Demo: %(units)s đơn vị mới, %(cadres)s cán bộ mới, "
            "%(accounts)s tài khoản mới.",
            units=result.units_created,
            cadres=result.cadres_created,
            accounts=result.accounts_created,
        )
    )
    for username, password, role in DEMO_ACCOUNTS:
        account = f"{role:8} {username} / {password}"
        click.echo("  " + _("%(account)s  (chỉ dùng để thử)", account=account))
