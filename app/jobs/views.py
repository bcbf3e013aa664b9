"""The officer's jobs: "Việc của tôi", one job's page (its progress bar refreshes
itself, with the page script or without it), its download, and a retry (of a
failed job, or of an expired one whose file was removed)."""

import json

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_login import current_user, login_required

from app.database import start_writing
from app.errors import DomainError, NotFound
from app.extensions import db
from app.timeutil import utcnow

from . import messages, services
from .forms import RetryForm
from .models import FINISHED

bp = Blueprint("jobs", __name__, url_prefix="/jobs")
# A job's stored message in the reader's language (jobs.messages.shown).
bp.add_app_template_filter(messages.shown, "job_message")
# How a job ended, in the reader's language (jobs.messages.outcome).
bp.add_app_template_filter(messages.outcome, "job_outcome")
# What a job is, in the reader's language (jobs.messages.title).
bp.add_app_template_filter(messages.title, "job_title")


@bp.get("/")
@login_required
def index():
    now = utcnow()
    services.sweep(now, start_writing)  # results past their time go, job or not
    jobs = services.my_jobs(current_user)
    asked: dict = {}  # an officer's jobs of one unit ask the same question once
    return render_template(
        "jobs/index.html",
        jobs=[_with_state(job, now, asked) for job in jobs],
        form=RetryForm(),
        kept_for=messages.lifetime(current_app.config["JOBS_RESULT_TTL_SECONDS"]),
    )


def _with_state(job, now, asked: dict) -> tuple:
    """(job, the state its officer sees, whether it may be run again: by its
    state, and only while the officer may still have what it makes; whether the
    officer may still have it: its download is offered only then). `asked`: the
    answers of still_allowed by kind and parameters, for a list of jobs."""
    state = services.shown_state(job, now)
    retryable = services.retryable(job, state)
    # asked only where it decides something: a download or a run again offered
    if not (retryable or (state == FINISHED and job.result_file)):
        return job, state, False, True
    key = (job.kind, json.dumps(job.params, sort_keys=True))
    if key not in asked:
        asked[key] = services.still_allowed(job)
    return job, state, retryable and asked[key], asked[key]


@bp.get("/<job_id>")
@login_required
def show(job_id: str):
    job, state, retryable, allowed = _with_state(
        services.get_own(current_user, job_id), utcnow(), {}
    )
    return render_template(
        "jobs/job.html",
        job=job,
        state=state,
        retryable=retryable,
        allowed=allowed,
        lost_message=messages.lost(job.kind),
        progress=messages.progress_texts(job),
        form=RetryForm(),
    )


@bp.get("/<job_id>.json")
@login_required
def status(job_id: str):
    job = services.get_own(current_user, job_id)
    state = services.shown_state(job, utcnow())
    percent_text, count_text = messages.progress_texts(job)
    return jsonify(
        state=state,
        done=job.done,
        total=job.total,
        stage=messages.shown(job.stage),
        percent=job.percent,
        percent_text=percent_text,  # what the page writes, in the reader's
        count_text=count_text,  # language: "50 %", "20 / 40 (50 %)"
    )


@bp.get("/<job_id>/download")
@login_required
def download(job_id: str):
    job = services.get_own(current_user, job_id)
    path = services.result_path(job, utcnow())
    return send_file(
        path,
        mimetype=job.result_mime or "application/octet-stream",
        as_attachment=True,
        download_name=job.result_name or path.name,
        max_age=0,
    )


@bp.post("/<job_id>/retry")
@login_required
def retry(job_id: str):
    """Run the job again: "Thử lại" of a failed one, "Chạy lại" of an expired one
    (services.retry)."""
    job = services.get_own(current_user, job_id)
    form = RetryForm()
    if form.validate_on_submit():
        try:
            services.retry(job)
        except NotFound:  # its owner may no longer have it: as another's job
            raise
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
    return redirect(url_for("jobs.show", job_id=job.id))
