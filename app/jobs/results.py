"""Results that expire: removed past JOBS_RESULT_TTL_SECONDS (the job stays listed
as expired), with the rows of jobs ended long ago and the files of jobs that died."""

import re
import time
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from app.extensions import db
from app.timeutil import utcnow

from .messages import lost as lost_reason
from .messages import parts, stored
from .models import EXPIRED, FAILED, FINISHED, QUEUED, RUNNING, Job
from .progress import jobs_dir

KEEP_ROWS_DAYS = 30


def sweep(now=None, before_writing=None, shown=None) -> int:
    """Remove the results past their time (the job stays listed as expired), fail
    the jobs whose process died (lost_jobs; only given `shown`, the state a job's
    page shows: services.sweep passes services.shown_state, which this module
    cannot import — the runner's sweep after each job passes none), remove the
    rows of jobs ended more than KEEP_ROWS_DAYS ago, and leftovers of jobs that
    died. Returns the number of results removed. Writes only when there is
    something to change, after calling `before_writing` (a GET view's
    start_writing on SQLite)."""
    now = now or utcnow()
    folder = jobs_dir()
    expired = db.session.execute(
        select(Job.id, Job.result_file).where(
            Job.state == FINISHED, Job.expires_at <= now
        )
    ).all()
    lost = lost_jobs(now, shown) if shown is not None else []
    old = now - timedelta(days=KEEP_ROWS_DAYS)
    # rows of jobs without a result file left (a finished one keeps its row until
    # its result has expired above: its file is never orphaned), and of finished
    # jobs that made none (an import: nothing expires, its row goes at last)
    no_file = (Job.state == FINISHED) & Job.expires_at.is_(None)
    ended_long_ago = (Job.state.in_((FAILED, EXPIRED)) | no_file, Job.finished_at < old)
    stale = db.session.scalar(select(select(Job.id).where(*ended_long_ago).exists()))
    removed = 0
    if expired or stale or lost:
        if before_writing is not None:
            before_writing()
        removed = _expire(dict(expired), now, folder)
        _fail_lost(lost, now)
        db.session.execute(Job.__table__.delete().where(*ended_long_ago))
        db.session.commit()
    if folder.is_dir():
        _remove_leftovers(folder)
    return removed


def _expire(files: dict, now: datetime, folder) -> int:
    """Set expired the jobs of `files` (id → result file) still finished past their
    time, and remove their files: only those, as a job run again meanwhile
    ("Chạy lại", services.retry) writes its new result under the same name. How
    many."""
    if not files:
        return 0
    still = db.session.scalars(
        update(Job)
        .where(Job.id.in_(list(files)), Job.state == FINISHED, Job.expires_at <= now)
        .values(state=EXPIRED, result_file=None)
        .returning(Job.id)
    ).all()
    for job_id in still:
        if files[job_id]:
            (folder / files[job_id]).unlink(missing_ok=True)
    return len(still)


# What a lost job's row must still hold to be failed: no heartbeat, claim or retry
# since it was read.
FENCE = ("id", "state", "runs", "created_at", "heartbeat_at")


def lost_jobs(now: datetime, shown_state) -> list[dict]:
    """The jobs still queued or running in their rows that their page already
    showed failed (`shown_state`, services.shown_state: stalled, or lost by their
    queue) JOBS_TIMEOUT_SECONDS ago: no run lasts longer, so none of them can
    still end. Each as its kind and the FENCE columns as read."""
    then = now - timedelta(seconds=current_app.config["JOBS_TIMEOUT_SECONDS"])
    active = db.session.scalars(select(Job).where(Job.state.in_((QUEUED, RUNNING))))
    return [
        {name: getattr(job, name) for name in (*FENCE, "kind")}
        for job in active
        if shown_state(job, then) == FAILED
    ]


def _fail_lost(lost: list[dict], now: datetime) -> None:
    """End the `lost` jobs (lost_jobs) as failed with the reason their page gave
    (messages.lost), each only while its row is as it was read; their rows then
    go KEEP_ROWS_DAYS later with the other ended ones."""
    for row in lost:
        reason = lost_reason(row["kind"])
        db.session.execute(
            update(Job)
            .where(*(_same(getattr(Job, name), row[name]) for name in FENCE))
            .values(
                state=FAILED,
                message=stored(reason),
                message_parts=parts(reason),
                finished_at=now,
                stage=None,
            )
        )


def _same(column, value):
    return column.is_(None) if value is None else column == value


# A job's file: its part while it runs, "<job id>.<suffix>" once moved into place.
JOB_FILE = re.compile(r"[0-9a-f]{32}(-[0-9]+)?\.[a-z0-9]+(\.part)?")


def _remove_leftovers(folder) -> None:
    """Remove the files of jobs that died, older than a job may run: parts, and
    results moved into place by a run killed before its commit (no finished job
    holds them). Files not named as a job's are left alone."""
    cutoff = time.time() - current_app.config["JOBS_TIMEOUT_SECONDS"] - 3600
    held = set(
        db.session.scalars(
            select(Job.result_file).where(
                Job.state == FINISHED, Job.result_file.is_not(None)
            )
        )
    )
    for path in folder.iterdir():
        if path.name in held or not JOB_FILE.fullmatch(path.name):
            continue
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            pass
