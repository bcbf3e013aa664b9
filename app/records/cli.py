"""`flask campaigns`: changes to a running campaign made on purpose, and audited;
the check of campaigns sharing a quiz."""

import click
from flask.cli import AppGroup

from app.errors import DomainError
from app.extensions import db

from . import quiz_holder, services

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


@campaigns_cli.command("check")
def check_command() -> None:
    """List the campaigns not yet closed whose quiz another campaign holds (a
    database written before one campaign at a time was the rule): their cadres can
    take the quiz only in the holder's window; close them (each campaign's page,
    "Đóng đợt bồi dưỡng"). Exits with an error when there is one."""
    conflicts = quiz_holder.running_conflicts()
    for row in conflicts:
        names = ", ".join(c.code for c in row.others)
        which = "các đợt" if len(row.others) > 1 else "đợt"
        click.echo(
            f"Bài kiểm tra “{row.quiz_code}” theo thời gian làm bài của đợt "
            f"{row.holder.code}; {which} {names} cũng dùng bài này mà chưa kết thúc. "
            f"Hãy đóng {which} {names} (trang của đợt, “Đóng đợt bồi dưỡng”)."
        )
    if conflicts:
        raise click.ClickException(
            f"{len(conflicts)} bài kiểm tra dùng cho nhiều đợt chưa kết thúc."
        )
    click.echo("Mỗi bài kiểm tra dùng cho nhiều nhất một đợt chưa kết thúc.")
