"""Running jobs: on RQ workers through Redis, in threads of the app server, or in the
request that starts them (JOBS_RUNNER), always through `run`, which claims the job,
calls its task with a Progress, and ends it in the same transaction as the task's
writes.

Whatever kills a job midway (an exception, a worker's SIGKILL, a server restart)
leaves it visibly failed and nothing of it kept: its database writes were never
committed, its file was never renamed into place. A retry runs it again from the
start; the task's writes being re-planned from the data (an import, certificates
issued for what lacks one), nothing is written twice. A task that commits as it
goes (tasks.KEEPS_DONE) keeps the batches it committed, and says so.
"""

import logging
import os
import threading
import time
from datetime import timedelta

from flask import Flask, current_app
from rq.timeouts import JobTimeoutException
from sqlalchemy import select, update

from app.errors import DomainError
from app.extensions import db
from app.timeutil import utcnow

from .messages import NOT_HANDED, broken, lost, parts, stored, too_long
from .models import FAILED, FINISHED, QUEUED, RUNNING, Job
from .progress import Progress, Superseded, TooLong
from .results import sweep
from .tasks import TASKS

log = logging.getLogger(__name__)
QUEUE_NAME = "vhcv"


# --- Where jobs run ------------------------------------------------------------------


def runner_mode(config=None) -> str:
    config = config if config is not None else current_app.config
    mode = config.get("JOBS_RUNNER") or ("rq" if redis_url(config) else "thread")
    if mode not in ("rq", "thread", "inline"):
        raise ValueError(f"JOBS_RUNNER must be rq, thread or inline, not {mode!r}")
    return mode


def redis_url(config=None) -> str | None:
    config = config if config is not None else current_app.config
    return config.get("JOBS_REDIS_URL") or config.get("REDIS_URL")


def queue(config=None):
    from redis import Redis
    from rq import Queue

    return Queue(QUEUE_NAME, connection=Redis.from_url(redis_url(config)))


def dispatch(job_id: str, run_number: int) -> None:
    """Hand the committed, queued job `job_id` to its runner (`run_number`: its runs
    so far + 1); a job that cannot be handed over is failed with the reason. Called
    with no transaction open: an inline run shares the connection of an in-memory
    SQLite database."""
    try:
        _hand_over(job_id, run_number)
    except Exception:
        log.exception("job %s could not be handed to its runner", job_id)
        fail(job_id, NOT_HANDED)


def _hand_over(job_id: str, run_number: int) -> None:
    app = current_app._get_current_object()
    mode = runner_mode(app.config)
    if mode == "rq":
        queue(app.config).enqueue_call(
            "app.jobs.runner.run_on_worker",
            args=(job_id,),
            job_id=f"{job_id}-{run_number}",
            timeout=app.config["JOBS_TIMEOUT_SECONDS"],
            result_ttl=0,  # the result is the job row and its file, not RQ's
            failure_ttl=app.config["JOBS_RESULT_TTL_SECONDS"],
        )
    elif mode == "thread":
        thread = threading.Thread(
            target=_run_in_thread, args=(app, job_id), name=f"job-{job_id}", daemon=True
        )
        _threads[job_id] = thread
        thread.start()
    else:
        run_isolated(app, job_id)


def running_here(job: Job) -> bool:
    """True when `job` is in the hands of a thread of this process that is still
    alive (the thread runner): it is running or waiting for a slot, even when its
    heartbeat is late — on SQLite a long write holds the one write lock the
    heartbeat also needs."""
    thread = _threads.get(job.id)
    return runner_mode() == "thread" and thread is not None and thread.is_alive()


def still_waiting(job: Job) -> bool:
    """True when the queued `job` is still in the hands of its runner: its RQ job
    (this run's) waits in Redis or is being started, or its thread in this process
    is alive (waiting for a slot). False when the queue has lost it (Redis or the
    app server restarted) or cannot be asked: then nothing will run it."""
    mode = runner_mode()
    if mode == "thread":
        return running_here(job)
    if mode != "rq":
        return False
    from redis import Redis
    from rq.exceptions import NoSuchJobError
    from rq.job import Job as QueuedJob

    try:
        queued = QueuedJob.fetch(
            f"{job.id}-{job.runs + 1}", connection=Redis.from_url(redis_url())
        )
        status = queued.get_status()
    except NoSuchJobError:
        return False
    except Exception:
        log.warning("could not ask the queue about job %s", job.id, exc_info=True)
        return False
    return status in ("queued", "deferred", "scheduled", "started")


_threads: dict[str, threading.Thread] = {}
_slots: dict[int, threading.BoundedSemaphore] = {}
_slots_lock = threading.Lock()


def _run_in_thread(app: Flask, job_id: str) -> None:
    """Run the job once a slot is free, given JOBS_TIMEOUT_SECONDS from its start
    as an RQ worker's job is. A thread cannot be stopped from outside safely (an
    exception raised into it lands anywhere: inside the database driver, a
    `finally`, while it holds a lock), so the job stops itself: its Progress
    raises TooLong at its first step past the limit, and a job that ends past it
    is failed all the same; either way nothing of it is kept. A step that never
    returns is shown stalled past the limit (services.shown_state)."""
    with _slots_lock:
        slots = _slots.setdefault(
            id(app), threading.BoundedSemaphore(app.config["JOBS_THREADS"])
        )
    try:
        with slots:
            run_isolated(app, job_id, app.config["JOBS_TIMEOUT_SECONDS"])
    finally:
        _threads.pop(job_id, None)


def wait_for_threads(timeout: float = 30.0) -> None:
    """Wait for the jobs running in threads of this process (tests, shutdown)."""
    deadline = time.monotonic() + timeout
    for thread in list(_threads.values()):
        thread.join(max(0.0, deadline - time.monotonic()))


def run_isolated(app: Flask, job_id: str, time_limit: float | None = None) -> None:
    """Run the job in an app context of its own (its own session and `g`)."""
    with app.app_context():
        try:
            run(job_id, time_limit)
        finally:
            db.session.remove()


def run_on_worker(job_id: str) -> None:
    """RQ's entry point, in the work horse forked by `flask jobs worker`: the
    forked process must not share the parent's database connections."""
    app = current_app._get_current_object()
    with app.app_context():
        db.engine.dispose(close=False)
    run_isolated(app, job_id)


def horse_killed(rq_job, pid, status, rusage) -> None:
    """`flask jobs worker`'s handler of a work horse killed midway (SIGKILL, out of
    memory): the job is failed at once rather than when it stalls."""
    job_id = (rq_job.args or [None])[0] if rq_job is not None else None
    if job_id:
        run_number = rq_job.id.rsplit("-", 1)[-1] if rq_job.id else ""
        with db.engine.connect() as connection:  # not the session's (SQLite)
            kind = connection.scalar(select(Job.kind).where(Job.id == job_id))
        fail(job_id, lost(kind), int(run_number) if run_number.isdigit() else None)


# --- Running one job ---------------------------------------------------------------


def run(job_id: str, time_limit: float | None = None) -> bool:
    """Claim the queued job `job_id` and run its task, failed past `time_limit`
    seconds (a thread's; RQ stops its own). False when it was not queued
    (finished, running elsewhere, unknown).

    Every write about the job names its run (`Job.runs`): a run that was given up
    for stalled and retried, if it was in fact alive, can end neither the new run
    nor keep its own writes."""
    job = _claim(job_id)
    if job is None:
        return False
    progress = Progress(job, time_limit)
    try:
        with progress.beating():
            outcome = TASKS[job.kind](dict(job.params), job.owner_id, progress)
        progress.in_time()  # ended late: RQ would have stopped it
        _finish(job, progress, outcome)
    except Superseded:
        _undo(progress)
        return True
    except DomainError as error:
        _undo(progress)
        fail(job_id, error, job.runs)
        return True
    except (JobTimeoutException, TooLong):  # stopped at JOBS_TIMEOUT_SECONDS
        log.warning("job %s (%s) ran past its time limit", job_id, job.kind)
        _undo(progress)
        minutes = current_app.config["JOBS_TIMEOUT_SECONDS"] // 60
        fail(job_id, too_long(minutes, job.kind), job.runs)
        return True
    except Exception:
        log.exception("job %s (%s) failed", job_id, job.kind)
        _undo(progress)
        fail(job_id, broken(job.kind), job.runs)
        return True
    if outcome.then is not None:
        outcome.then()
    sweep()
    return True


def _finish(job: Job, progress: Progress, outcome) -> None:
    """End the job as finished with the task's `outcome`, its file moved into
    place, in one commit with the task's writes. Superseded (nothing committed)
    when this run was given up meanwhile."""
    final = progress.final_path(outcome.file) if outcome.file else None
    now = utcnow()
    ttl = timedelta(seconds=current_app.config["JOBS_RESULT_TTL_SECONDS"])
    ended = db.session.execute(
        update(Job)
        .where(Job.id == job.id, Job.state == RUNNING, Job.runs == job.runs)
        .values(
            state=FINISHED,
            message=stored(outcome.message),
            message_parts=parts(outcome.message),
            result_file=final.name if final else None,
            result_name=outcome.name,
            result_mime=outcome.mime,
            done=progress.done if progress.total is None else progress.total,
            total=progress.total,
            stage=None,
            finished_at=now,
            heartbeat_at=now,
            # a result without a file (an import's counts) stays to be read
            expires_at=now + ttl if final is not None else None,
        )
    ).rowcount
    if ended != 1:  # this run was given up meanwhile: keep nothing of it
        raise Superseded()
    if final is not None:
        # Into place before the commit (no finished job without its file); if
        # the commit fails, discard() removes it again.
        os.replace(outcome.file, final)
        progress.moved(outcome.file, final)
    db.session.commit()  # the task's writes and the job's end, together
    progress.kept()


def _undo(progress: Progress) -> None:
    """Roll back the task's writes and remove the files it wrote."""
    db.session.rollback()
    progress.discard()


def _claim(job_id: str) -> Job | None:
    """Take the queued job: its run number is the one this claim wrote (RETURNING),
    not whatever the row says when it is read again (a retry may come between)."""
    now = utcnow()
    run_number = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == QUEUED)
        .values(
            state=RUNNING,
            runs=Job.runs + 1,
            done=0,
            stage=None,
            message=None,
            message_parts=None,
            started_at=now,
            heartbeat_at=now,
        )
        .returning(Job.runs)
    ).scalar_one_or_none()
    db.session.commit()
    if run_number is None:
        return None
    job = db.session.get(Job, job_id)
    db.session.expunge(job)  # a plain record from here on; the task has the session
    db.session.commit()  # no transaction left open (on SQLite it would write-lock)
    job.runs = run_number
    return job


def fail(job_id: str, message, run_number: int | None = None) -> None:
    """End the job as failed with `message` (in a transaction of its own); only
    while it is at run `run_number`, when given, and running: a retry queued since
    (its runs not counted up until it is claimed) is not that run's to fail.
    `message` (text, a lazy message or a DomainError) is stored in the default
    language (jobs.messages)."""
    text, kept = stored(message), parts(message)
    condition = [Job.id == job_id, Job.state.in_((QUEUED, RUNNING))]
    if run_number is not None:
        condition = [Job.id == job_id, Job.state == RUNNING, Job.runs == run_number]
    with db.engine.begin() as connection:
        connection.execute(
            update(Job)
            .where(*condition)
            .values(
                state=FAILED,
                message=text,
                message_parts=kept,
                finished_at=utcnow(),
                stage=None,
            )
        )
