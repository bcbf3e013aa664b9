"""Background tasks of certificates: a unit's ZIP of PDFs, and certificates issued
for a campaign's completed records that lack one."""

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.accounts.models import User
from app.database import reading_only
from app.errors import NotAllowed, NotFound
from app.errors import lazy_gettext as _l
from app.errors import lazy_ngettext as _nl
from app.extensions import db
from app.jobs.tasks import Outcome, allowed_unless_refused, task
from app.numbers import lazy_number
from app.records import services as records
from app.records import visibility

from . import archive, services

ZIP_MIME = "application/zip"


def _owner(owner_id: int | None) -> User | None:
    owner = db.session.get(User, owner_id) if owner_id is not None else None
    if owner_id is not None and (owner is None or not owner.active):
        raise NotFound(_l("Tài khoản đã bắt đầu việc này không còn hoạt động."))
    return owner


def _selection(params: dict, owner_id: int | None):
    """The ZIP's campaign and unit, as the page finds them for the owner."""
    return visibility.selection(_owner(owner_id), params["campaign"], params["unit"])


# The owner may still see the ZIP's campaign and unit (as the page).
_in_scope = allowed_unless_refused(_selection)


@task("certificates.zip", _in_scope)
def zip_task(params: dict, owner_id: int | None, progress) -> Outcome:
    """params: campaign (code), unit (id). In the owner's scope, as the page."""
    with reading_only():  # minutes of PDFs must not hold SQLite's write lock
        campaign, unit = _selection(params, owner_id)
        query = services.unit_query(campaign, unit)
        total = db.session.scalar(select(func.count()).select_from(query.subquery()))
        progress.begin(_("Tạo giấy chứng nhận (PDF)"), total)
        path = progress.output("zip")
        with path.open("wb") as out:
            certificates = progress.counted(services.stream(query))
            for chunk in archive.zip_chunks(certificates):
                out.write(chunk)
        name = archive.zip_filename(campaign, unit)
    return Outcome(
        _nl(
            "Đã tạo tệp ZIP gồm %(n)s giấy chứng nhận.",
            "Đã tạo tệp ZIP gồm %(n)s giấy chứng nhận.",
            total,
            n=lazy_number(total),
        ),
        path,
        name,
        ZIP_MIME,
    )


# Certificates issued per commit: the year's serial counter, which every passing
# cadre's submit also needs, is locked for one batch at a time, not the whole job.
ISSUED_PER_COMMIT = 200


@task("certificates.issue_missing", keeps_done=True)  # each batch in its commit
def issue_missing_task(params: dict, owner_id: int | None, progress) -> Outcome:
    """params: campaign (code). By an administrator, or the command line (no owner).
    Issues what lacks a certificate, ISSUED_PER_COMMIT at a time, each batch
    planned again from the data and committed while the run is still the job's
    (progress.commit): a job that stops keeps its batches, and its retry issues
    the rest, nothing twice."""
    with reading_only():  # no write lock before the first batch (SQLite)
        owner = _owner(owner_id)
        if owner is not None and not owner.has_role("admin"):
            raise NotAllowed(_l("Chỉ quản trị viên được cấp bù giấy chứng nhận."))
        campaign = records.get_campaign(params["campaign"])
        progress.begin(
            _("Cấp giấy chứng nhận còn thiếu"), services.missing_count(campaign)
        )
    issued, batch = 0, ISSUED_PER_COMMIT
    while batch == ISSUED_PER_COMMIT:
        batch = services.issue_missing(
            campaign, step=lambda *_: progress.step(), limit=ISSUED_PER_COMMIT
        )
        issued += batch
        progress.commit()
    return Outcome(
        _nl(
            "Đã cấp %(n)s giấy chứng nhận cho đợt %(c)s.",
            "Đã cấp %(n)s giấy chứng nhận cho đợt %(c)s.",
            issued,
            n=lazy_number(issued),
            c=campaign.code,
        )
    )
