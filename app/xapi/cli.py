"""`flask xapi send|status`: send the outbox to the LRS now (from cron, say every
minute) or hand it to the job worker; what is waiting and why."""

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from app.config import public_url_missing
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.jobs import services as jobs
from app.jobs.cli import runs_here
from app.numbers import count

from . import sender, services
from .jobs import KIND
from .models import XapiStatement

xapi_cli = AppGroup("xapi", help=_l("Gửi dữ liệu học tập (xAPI) đến LRS."))


@xapi_cli.command(
    "send",
    help=_l(
        "Gửi các bản ghi chưa gửi theo từng lô; bản ghi LRS chưa nhận sẽ chờ lần "
        "gửi sau."
    ),
)
@click.option(
    "--batch", type=click.IntRange(1, 1000), help=_l("Số bản ghi mỗi lần gửi.")
)
@click.option(
    "--queue",
    is_flag=True,
    help=_l("Giao cho worker (flask jobs worker) thay vì gửi ngay."),
)
@click.option(
    "--retry-failed",
    is_flag=True,
    help=_l("Đưa các bản ghi LRS đã từ chối nhiều lần trở lại hàng chờ rồi gửi."),
)
def send_command(batch: int | None, queue: bool, retry_failed: bool) -> None:
    """Send the unsent statements in batches; what the LRS has not taken waits."""
    missing = services.missing_setting()
    if missing:
        raise click.ClickException(missing)
    if retry_failed:
        back = sender.retry_failed()
        db.session.commit()
        click.echo(
            ngettext(
                "Đã đưa %(n)s bản ghi trở lại hàng chờ.",
                "Đã đưa %(n)s bản ghi trở lại hàng chờ.",
                back,
                n=count(back),
            )
        )
    if not runs_here(queue):
        params = {"batch": batch} if batch else {}
        job = jobs.submit(KIND, _l("Gửi dữ liệu học tập (xAPI)"), None, params)
        click.echo(_("Đã giao việc %(id)s cho worker.", id=job.id))
        return
    _echo_sent(sender.send_pending(batch))


def _echo_sent(result) -> None:
    """What a send did: sent, rejected, set aside; the LRS's error stops it."""
    click.echo(
        ngettext(
            "Đã gửi %(n)s bản ghi; còn %(left)s chờ gửi.",
            "Đã gửi %(n)s bản ghi; còn %(left)s chờ gửi.",
            result.sent,
            n=count(result.sent),
            left=count(sender.backlog_count()),
        )
    )
    if result.rejected:
        click.echo(
            ngettext(
                "LRS từ chối %(n)s bản ghi (xem flask xapi status).",
                "LRS từ chối %(n)s bản ghi (xem flask xapi status).",
                len(result.rejected),
                n=count(len(result.rejected)),
            )
        )
    if result.failed:
        click.echo(
            ngettext(
                "%(n)s bản ghi bị LRS từ chối %(max)d lần đã được gác lại.",
                "%(n)s bản ghi bị LRS từ chối %(max)d lần đã được gác lại.",
                result.failed,
                n=count(result.failed),
                max=sender.MAX_REJECTIONS,
            )
        )
    if result.error:
        raise click.ClickException(
            _("LRS không nhận (sẽ gửi lại lần sau): %(error)s", error=result.error)
        )


@xapi_cli.command(
    "status",
    help=_l(
        "Hiện LRS, số bản ghi chờ gửi (bao nhiêu, từ khi nào), các bản ghi bị gác "
        "lại và các lỗi gần nhất."
    ),
)
def status_command() -> None:
    """The LRS, the backlog (how many, since when), the statements set aside and
    the last errors."""
    if public_url_missing(current_app.config):
        raise click.ClickException(services.missing_setting())
    url = (current_app.config.get("XAPI_LRS_URL") or "").strip()
    lrs = sender.endpoint() if url else _("chưa đặt XAPI_LRS_URL")
    click.echo(f"LRS: {lrs}")
    pending, oldest = db.session.execute(
        select(func.count(), func.min(XapiStatement.created_at)).where(sender.waiting())
    ).one()
    sent, last_sent = db.session.execute(
        select(func.count(), func.max(XapiStatement.sent_at)).where(
            XapiStatement.sent_at.is_not(None)
        )
    ).one()
    click.echo(
        _("Chờ gửi: %(n)s", n=count(pending))
        + (
            _(" (cũ nhất: %(when)s UTC)", when=f"{oldest:%Y-%m-%d %H:%M}")
            if oldest
            else ""
        )
    )
    click.echo(
        _("Đã gửi: %(n)s", n=count(sent))
        + (
            _(" (gần nhất: %(when)s UTC)", when=f"{last_sent:%Y-%m-%d %H:%M}")
            if last_sent
            else ""
        )
    )
    _echo_set_aside()
    errors = db.session.execute(
        select(XapiStatement.last_error, func.count())
        .where(XapiStatement.sent_at.is_(None), XapiStatement.last_error.is_not(None))
        .group_by(XapiStatement.last_error)
        .order_by(func.count().desc())
        .limit(5)
    ).all()
    for error, times in errors:
        click.echo(_("Lỗi (%(n)s): %(error)s", n=count(times), error=error))


def _echo_set_aside() -> None:
    """How many statements are set aside, and the last error of the latest."""
    failed = db.session.scalar(select(func.count()).where(sender.set_aside()))
    if not failed:
        return
    last = db.session.scalar(
        select(XapiStatement.last_error)
        .where(sender.set_aside())
        .order_by(XapiStatement.failed_at.desc())
        .limit(1)
    )
    click.echo(
        _(
            "Bị gác lại (LRS từ chối %(max)d lần): %(n)s; lỗi gần nhất: %(error)s. "
            "Gửi lại: flask xapi send --retry-failed",
            max=sender.MAX_REJECTIONS,
            n=count(failed),
            error=last,
        )
    )
