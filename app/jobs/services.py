"""Starting jobs and finding them again: a job is its owner's alone (anyone else,
administrators included, gets 404), as the page that started it was in the owner's
scope."""

import secrets
from datetime import datetime
from pathlib import Path

from flask import current_app, flash, redirect, url_for
from flask_babel import gettext as _
from sqlalchemy import select, update

from app.errors import DomainError, LazyMessage, NotFound
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.timeutil import utcnow

from . import messages, results, runner
from .models import EXPIRED, FAILED, FINISHED, QUEUED, RUNNING, TITLE_LENGTH, Job
from .progress import jobs_dir
from .tasks import INPUT_KEPT, STILL_ALLOWED

NO_SUCH_JOB = _l("Không tìm thấy việc này.")
GONE = _l("Kết quả đã hết hạn và đã được xóa; hãy chạy lại việc này.")
NOT_RETRYABLE = _l(
    "Chỉ chạy lại được việc đã lỗi, bị gián đoạn hoặc có tệp kết quả đã hết hạn."
)


def submit(
    kind: str,
    title: str | LazyMessage,
    owner_id: int | None,
    params: dict,
    here: bool = False,
) -> Job:
    """Create the job, commit, and hand it to its runner (`here`: run it in this
    process now, as a command of the command line does). `title` is a lazy message
    (_l), kept as text in the default language and as its parts, so that it is
    shown in the reader's language (messages.title), or text."""
    if kind not in runner.TASKS:
        raise ValueError(f"no task named {kind!r}")
    # A reload or a second click, or a timer's command queueing work (no owner)
    # while the last one's still runs: the same job, not another.
    if owner_id is not None or not here:
        same_owner = (
            Job.owner_id == owner_id if owner_id is not None else Job.owner_id.is_(None)
        )
        for running in db.session.scalars(
            select(Job).where(
                same_owner, Job.kind == kind, Job.state.in_((QUEUED, RUNNING))
            )
        ):
            if running.params == params and shown_state(running, utcnow()) != FAILED:
                return running
    job = Job(
        id=secrets.token_hex(16),
        kind=kind,
        title=messages.stored(title)[:TITLE_LENGTH],
        title_parts=messages.parts(title),
        owner_id=owner_id,
        params=params,
        state=QUEUED,
        created_at=utcnow(),
    )
    db.session.add(job)
    job_id = job.id
    db.session.commit()
    if here:
        runner.run_isolated(current_app._get_current_object(), job_id)
        db.session.expire_all()
    else:
        runner.dispatch(job_id, 1)
    return job


def started(job: Job):
    """The answer of a page that started `job`: the job's page, with a word."""
    flash(
        _(
            "Đã bắt đầu: %(title)s. Bạn có thể rời trang này và quay lại sau ở "
            "“Việc của tôi”.",
            title=messages.title(job),
        ),
        "info",
    )
    return redirect(url_for("jobs.show", job_id=job.id))


def get_own(user, job_id: str) -> Job:
    job = db.session.get(Job, job_id) if len(job_id) <= 32 else None
    if job is None or job.owner_id != user.id:
        raise NotFound(NO_SUCH_JOB)
    return job


def my_jobs(user, limit: int = 100) -> list[Job]:
    return db.session.scalars(
        select(Job)
        .where(Job.owner_id == user.id)
        .order_by(Job.created_at.desc(), Job.id)
        .limit(limit)
    ).all()


def stall_seconds() -> int:
    return current_app.config["JOBS_STALL_SECONDS"]


def shown_state(job: Job, now: datetime) -> str:
    """The state the officer sees: a running job that has stalled (no heartbeat,
    and not a live thread of this process: runner.running_here) is failed, and so
    is a job still queued after JOBS_QUEUE_PATIENCE_SECONDS that its queue no
    longer holds (lost when Redis or an app server restarted); one that still
    waits its turn behind others stays queued (runner.still_waiting). A finished
    job whose result is past its time is expired, whether or not the sweep has
    removed it yet."""
    if job.state == FINISHED and job.expires_at is not None and job.expires_at <= now:
        return EXPIRED
    if job.stalled(now, stall_seconds()) and not _alive_here(job, now):
        return FAILED
    patience = current_app.config["JOBS_QUEUE_PATIENCE_SECONDS"]
    if job.state == QUEUED and (now - job.created_at).total_seconds() > patience:
        return job.state if runner.still_waiting(job) else FAILED
    return job.state


def sweep(now=None, before_writing=None) -> int:
    """results.sweep, failing the jobs whose process died as their page shows
    them (shown_state)."""
    return results.sweep(now, before_writing, shown_state)


def _alive_here(job: Job, now: datetime) -> bool:
    """Its thread runs in this process and has not yet had the time a job is given
    (JOBS_TIMEOUT_SECONDS, the RQ workers' limit): a thread hung past it is shown
    stalled and may be retried."""
    started = job.started_at or job.created_at
    limit = current_app.config["JOBS_TIMEOUT_SECONDS"]
    return runner.running_here(job) and (now - started).total_seconds() <= limit


def retryable(job: Job, state: str) -> bool:
    """May `job`, shown in `state` (shown_state), be run again from its page or
    "Việc của tôi": failed (or stalled, or lost by its queue: "Thử lại"), or
    expired with a file for its result ("Chạy lại": an export, a ZIP, a workbook
    — a task that makes a file only reads, so running it again writes nothing).
    A job that wrote (an import, a ranking, reminders) is not run again once it
    has finished, nor a failed one whose input is gone (INPUT_KEPT: an import's
    upload discarded when it failed), which could only fail again."""
    if state == EXPIRED:
        return job.result_name is not None
    kept = INPUT_KEPT.get(job.kind)
    return state == FAILED and (kept is None or kept(job.params, job.owner_id))


def still_allowed(job: Job) -> bool:
    """May `job`'s owner still have what it makes (STILL_ALLOWED: the unit still
    in its scope): asked before its download or a run again, and before the
    pages offer one."""
    allowed = STILL_ALLOWED.get(job.kind)
    return allowed is None or allowed(job.params, job.owner_id)


def retry(job: Job, here: bool = False) -> Job:
    """Queue a failed (or stalled) job again from the start, or an expired one
    (its file removed) with the same parameters: retryable (`here`: run it in this
    process now, as `flask jobs retry` does where no worker takes it). DomainError
    when it is not (queued, running, finished in its time), NotFound when its
    owner may no longer have what it makes (STILL_ALLOWED, as its download)."""
    now = utcnow()
    state = shown_state(job, now)
    if not retryable(job, state):
        raise DomainError(NOT_RETRYABLE)
    if not still_allowed(job):
        raise NotFound(NO_SUCH_JOB)
    job_id, runs, old_file = job.id, job.runs, job.result_file
    if state == FAILED:
        was = Job.state.in_((FAILED, RUNNING, QUEUED))
    else:  # expired, whether or not the sweep has removed its file yet
        was = (Job.state == EXPIRED) | (
            (Job.state == FINISHED) & (Job.expires_at <= now)
        )
    queued = db.session.execute(
        update(Job)
        .where(Job.id == job.id, was)
        .values(
            state=QUEUED,
            done=0,
            total=None,
            stage=None,
            message=None,
            message_parts=None,
            result_file=None,
            result_name=None,
            result_mime=None,
            finished_at=None,
            expires_at=None,
            created_at=utcnow(),  # queued anew: its patience starts again
        )
    ).rowcount
    db.session.commit()
    if queued != 1:
        raise DomainError(NOT_RETRYABLE)
    if old_file:  # expired, not yet swept: no finished job holds it any more
        (jobs_dir() / old_file).unlink(missing_ok=True)
    if here:
        runner.run_isolated(current_app._get_current_object(), job_id)
        db.session.expire_all()
    else:
        runner.dispatch(job_id, runs + 1)
    return job


def result_path(job: Job, now: datetime) -> Path:
    """The file of a finished job still within its time; DomainError (410) when
    it has expired, NotFound when the job has no file."""
    state = shown_state(job, now)
    if state == EXPIRED or (state == FINISHED and not job.result_file):
        raise Gone(GONE)
    if state != FINISHED:
        raise NotFound(NO_SUCH_JOB)
    if not still_allowed(job):
        raise NotFound(NO_SUCH_JOB)
    path = jobs_dir() / job.result_file
    if not path.is_file():
        raise Gone(GONE)
    return path


class Gone(DomainError):
    status = 410
