"""`flask reminders send|due`: an operator's reminder, and the platform's scheduled
reminders (7 and 2 days before a campaign closes; run `due` daily)."""

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext

from app.accounts import units as unit_services
from app.errors import DomainError
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.jobs import services as jobs
from app.jobs.cli import runs_here
from app.numbers import count
from app.records import services as records
from app.timeutil import utcnow

from . import services
from .jobs import KIND, title
from .models import PENDING, SCHEDULED_2D, SCHEDULED_7D

reminders_cli = AppGroup("reminders", help=_l("Nhắc nhở cán bộ chưa hoàn thành."))

QUEUE = click.option(
    "--queue",
    is_flag=True,
    help=_l(
        "Giao việc gửi thư cho worker (flask jobs worker) thay vì gửi ngay tại đây."
    ),
)
MAIL_OFF = _l(
    "Chưa cấu hình máy chủ thư (MAIL_SERVER): chỉ nhắc trên trang chủ, "
    "không gửi thư điện tử."
)

# What `flask reminders due` says it made, by the reminder's kind.
SCHEDULED_TEXT = {
    SCHEDULED_7D: _l("nhắc 7 ngày trước khi đóng"),
    SCHEDULED_2D: _l("nhắc 2 ngày trước khi đóng"),
}


def _fail(error: DomainError):
    raise click.ClickException(error.message) from None


@reminders_cli.command(
    "send",
    help=_l(
        "Nhắc các cán bộ của một đợt (trong cây đơn vị) chưa hoàn thành: trên trang "
        "chủ của họ, và qua thư điện tử khi đã đặt MAIL_SERVER."
    ),
)
@click.option("--campaign", "campaign_code", required=True, help=_l("Mã đợt."))
@click.option(
    "--unit", "unit_code", help=_l("Mã đơn vị (cả cây con); mặc định: cả đợt.")
)
@click.option("--message", default="", help=_l("Lời nhắn thêm."))
@click.option(
    "--dry-run", is_flag=True, help=_l("Chỉ đếm người sẽ được nhắc; không ghi.")
)
@QUEUE
def send_command(
    campaign_code: str, unit_code: str | None, message: str, dry_run: bool, queue: bool
) -> None:
    """Remind the cadres of a campaign (in a unit's subtree) who have not completed
    it: on their home page, and by email when MAIL_SERVER is set."""
    try:
        campaign = records.get_campaign(campaign_code.strip())
        unit = unit_services.get_unit_by_code(unit_code) if unit_code else None
    except DomainError as error:
        _fail(error)
    info = services.preview(campaign, unit)
    if dry_run:
        try:
            services.check_manual(campaign, message)
        except DomainError as error:
            _fail(error)
        click.echo(
            ngettext(
                "Sẽ nhắc %(n)s cán bộ (%(with_address)s có địa chỉ email); "
                "chưa ghi gì (--dry-run).",
                "Sẽ nhắc %(n)s cán bộ (%(with_address)s có địa chỉ email); "
                "chưa ghi gì (--dry-run).",
                info.total,
                n=count(info.total),
                with_address=count(info.with_address),
            )
        )
        if not info.mail_on:
            click.echo(str(MAIL_OFF))
        return
    try:
        reminder = services.send_manual(campaign, unit, None, message, channel="cli")
    except DomainError as error:
        db.session.rollback()
        _fail(error)
    db.session.commit()
    reminded = services.count_deliveries(reminder)
    click.echo(
        ngettext(
            "Đã nhắc %(n)s cán bộ trên trang chủ.",
            "Đã nhắc %(n)s cán bộ trên trang chủ.",
            reminded,
            n=count(reminded),
        )
    )
    _send_emails([reminder], queue)


@reminders_cli.command(
    "due",
    help=_l(
        "Tạo các lời nhắc định kỳ đã đến hạn (7 và 2 ngày trước khi mỗi đợt đang mở "
        "đóng; mỗi lời nhắc chỉ một lần), rồi gửi mọi thư còn chờ. Chạy hằng ngày."
    ),
)
@QUEUE
def due_command(queue: bool) -> None:
    """Make the scheduled reminders now due (7 and 2 days before each open campaign
    closes; each once), then send every email still pending. Run it daily."""
    made = services.due_scheduled(utcnow())
    db.session.commit()
    for reminder in made:
        click.echo(_made_line(reminder))
    if not made:
        click.echo(_("Không có lời nhắc định kỳ nào đến hạn."))
    _send_emails(services.with_pending_email(), queue)


def _made_line(reminder) -> str:
    """A scheduled reminder made: its campaign, the unit whose own window it is for
    (if any), when it reminds (in words), how many cadres."""
    reminded = services.count_deliveries(reminder)
    kind = SCHEDULED_TEXT.get(reminder.kind, reminder.kind)
    if reminder.unit is not None:
        return ngettext(
            "Đợt %(code)s, đơn vị %(unit)s: %(kind)s, %(n)s cán bộ.",
            "Đợt %(code)s, đơn vị %(unit)s: %(kind)s, %(n)s cán bộ.",
            reminded,
            code=reminder.campaign.code,
            unit=reminder.unit.code,
            kind=kind,
            n=count(reminded),
        )
    return ngettext(
        "Đợt %(code)s: %(kind)s, %(n)s cán bộ.",
        "Đợt %(code)s: %(kind)s, %(n)s cán bộ.",
        reminded,
        code=reminder.campaign.code,
        kind=kind,
        n=count(reminded),
    )


def _send_emails(reminders, queue: bool) -> None:
    """Send the reminders' pending emails as jobs (here, or on the workers)."""
    if not services.mail_configured():
        click.echo(str(MAIL_OFF))
        return
    pending = [r for r in reminders if services.count_deliveries(r, PENDING)]
    failed, here = [], runs_here(queue) if pending else not queue
    for reminder in pending:
        job = jobs.submit(
            KIND, title(reminder), None, {"reminder": reminder.id}, here=here
        )
        if not here:
            click.echo(_("Đã giao việc %(id)s cho worker.", id=job.id))
        elif job.state != "finished":
            failed.append(job.message or _("Việc không hoàn thành."))
        else:
            click.echo(job.message)
    if failed:
        raise click.ClickException("\n".join(failed))
