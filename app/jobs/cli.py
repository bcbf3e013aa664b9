"""`flask jobs worker|sweep|list|retry`: the RQ worker process, removing expired
results, what is queued or running, and running again a failed job (one started
from the command line has no page with "Thử lại")."""

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from app.errors import DomainError
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.numbers import count
from app.timeutil import utcnow

from . import runner, services
from .messages import shown, title
from .models import FAILED, FINISHED, QUEUED, RUNNING, Job

# A command's `--queue`: its job goes to the workers instead of running here
# (runs_here says what happens where there are none).
QUEUE_OPTION = click.option(
    "--queue",
    is_flag=True,
    help=_l("Giao cho worker (flask jobs worker) thay vì chạy ngay tại đây."),
)

jobs_cli = AppGroup(
    "jobs",
    help=_l("Việc chạy nền: worker, dọn kết quả hết hạn, danh sách, chạy lại."),
)


@jobs_cli.command(
    "worker",
    help=_l(
        "Chạy các việc nền từ hàng đợi Redis (JOBS_REDIS_URL hoặc REDIS_URL) cho "
        "đến khi dừng: một worker RQ tách một tiến trình riêng cho mỗi việc."
    ),
)
@click.option("--burst", is_flag=True, help=_l("Chạy hết hàng đợi rồi dừng."))
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


@jobs_cli.command(
    "sweep",
    help=_l(
        "Xóa các kết quả đã quá thời hạn lưu (chạy bằng cron ở nơi không có worker)."
    ),
)
def sweep_command() -> None:
    """Remove results past their time (run it from cron where no worker runs)."""
    removed = services.sweep()
    click.echo(
        ngettext(
            "Đã xóa %(n)s kết quả hết hạn.",
            "Đã xóa %(n)s kết quả hết hạn.",
            removed,
            n=count(removed),
        )
    )


@jobs_cli.command(
    "list",
    help=_l(
        "Liệt kê các việc nền đang chờ, đang chạy hoặc thất bại (mới nhất trước), "
        "mỗi việc với trạng thái như trang của nó hiển thị (việc bị treo hoặc bị "
        "hàng đợi làm mất được tính là thất bại)."
    ),
)
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


@jobs_cli.command(
    "retry",
    help=_l(
        "Chạy lại một việc nền đã thất bại (mã việc lấy từ `flask jobs list`), như "
        "nút “Thử lại” trên trang của việc: việc bắt đầu từ dòng lệnh không có trang."
    ),
)
@click.argument("job_id")
@QUEUE_OPTION
def retry_command(job_id: str, queue: bool) -> None:
    """Run a failed job again (its id from `flask jobs list`), as its page's
    "Thử lại" does: a job started from the command line has no page. Here, or
    on the workers with --queue."""
    job = db.session.get(Job, job_id.strip())
    if job is None:
        raise click.ClickException(_("Không tìm thấy việc này."))
    here = runs_here(queue)
    try:
        services.retry(job, here=here)
    except DomainError as error:
        raise click.ClickException(str(error.message)) from None
    if not here:
        click.echo(_("Đã giao việc %(id)s cho worker.", id=job.id))
    elif job.state != FINISHED:
        raise click.ClickException(title(job) + ": " + str(shown(job.message or "")))
    else:
        click.echo(shown(job.message or ""))


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
