import click
from flask.cli import AppGroup

from app.errors import DomainError
from app.extensions import db

from .data import DEMO_ACCOUNTS
from .seed import seed_demo

demo_cli = AppGroup("demo", help="Dữ liệu minh họa (demo data).")


@demo_cli.command("seed")
def seed() -> None:
    """Create the demo province, cadres and accounts (safe to run again)."""
    try:
        result = seed_demo()
    except DomainError as error:  # e.g. its quiz is another running campaign's
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(
        f"Demo: {result.units_created} đơn vị mới, {result.cadres_created} cán bộ mới, "
        f"{result.accounts_created} tài khoản mới."
    )
    for username, password, role in DEMO_ACCOUNTS:
        click.echo(f"  {role:8} {username} / {password}  (chỉ dùng để thử)")
