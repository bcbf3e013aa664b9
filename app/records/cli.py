"""`flask campaigns`: changes to a running campaign made on purpose, and audited."""

import click
from flask.cli import AppGroup

from app.errors import DomainError
from app.extensions import db

from . import services

campaigns_cli = AppGroup("campaigns", help="Đợt bồi dưỡng.")


@campaigns_cli.command("require-modules")
@click.argument("code")
def require_modules_command(code: str) -> None:
    """Make campaign CODE require every module its course has now (after a module
    was published). Records already completed stay completed; audited."""
    try:
        campaign = services.get_campaign(code.strip())
    except DomainError as error:
        raise click.ClickException(error.message) from None
    added = services.require_current_modules(campaign)
    db.session.commit()
    if added:
        click.echo(f"Đợt {campaign.code} nay yêu cầu thêm: {', '.join(added)}.")
    else:
        click.echo(f"Đợt {campaign.code} đã yêu cầu đủ các học phần hiện có.")
