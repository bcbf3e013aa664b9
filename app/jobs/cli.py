"""`flask jobs worker|sweep|list`: the RQ worker process, removing expired
results, and what is queued or running."""

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from app.extensions import db
from app.timeutil import utcnow

from . import runner, services
from .messages import title
from .models import FAILED, QUEUED, RUNNING, Job

jobs_cli = AppGroup(
    "jobs", help="Việc chạy nền: worker, dọn kết quả hết hạn, danh sách."
)


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Chạy hết hàng đợi rồi dừng.")
def worker_command(burst: bool) -> None:
    """Run jobs from the Redis queue (JOBS_REDIS_URL or REDIS_URL) until stopped:
    an RQ worker that forks a process per job."""
    from redis import Redis
    from rq import Worker

    url = runner.redis_url()
    if not url:
        raise click.ClickException(
            _(
                "Chưa đặt REDIS_URL (hoặc VHCV_JOBS_REDIS_URL): "
                "không có hàng đợi để chạy."
            )
        )
    connection = Redis.from_url(url)
    worker = Worker(
        [runner.QUEUE_NAME],
        connection=connection,
        work_horse_killed_handler=runner.horse_killed,
    )
    services.sweep()
    db.session.remove()
    worker.work(burst=burst, with_scheduler=False)


@jobs_cli.command("sweep")
def sweep_command() -> None:
    """Remove results past their time (run it from cron where no worker runs)."""
    removed = services.sweep()
    click.echo(
        ngettext(
            "Đã xoá %(n)s kết quả hết hạn.",
            "Đã xoá %(n)s kết quả hết hạn.",
            removed,
            n=removed,
        )
    )


@jobs_cli.command("list")
def list_command() -> None:
    """Jobs queued, running or failed (newest first), each in the state its page
    shows (services.shown_state: stalled, or lost by its queue, is failed)."""
    now = utcnow()
    jobs = db.session.scalars(
        select(Job)
        .where(Job.state.in_((QUEUED, RUNNING, FAILED)))
        .order_by(Job.created_at.desc())
        .limit(200)
    )
    for job in jobs:
        state = services.shown_state(job, now)
        progress = f"{job.done}/{job.total}" if job.total else str(job.done)
        click.echo(f"{job.id}  {state:<8} {progress:>12}  {job.kind}  {title(job)}")


def runs_here(queue: bool) -> bool:
    """Whether a command's job runs in the command's own process: without
    `--queue`, and with it when the jobs do not go to RQ's workers (no REDIS_URL,
    or JOBS_RUNNER thread or inline: a thread of the command would end with it,
    the job never run), which it says. Ask it when there is a job to submit."""
    here = not queue or runner.runner_mode() != "rq"
    if queue and here:
        click.echo(
            _(
                "Việc chạy nền không giao cho worker (không có REDIS_URL, hoặc "
                "JOBS_RUNNER không phải rq): chạy ngay tại đây."
            ),
            err=True,
        )
    return here
