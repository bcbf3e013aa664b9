"""The cadre import's write, as a background job: it reads the upload kept since the
preview, checks it again against the data of now, and writes it all or nothing (the
runner commits it with the job's end). A retry plans again: rows already written
are "unchanged", nothing is written twice."""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.database import reading_only
from app.errors import DomainError, NotFound, lazy_join
from app.errors import lazy_gettext as _l
from app.errors import lazy_ngettext as _nl
from app.extensions import db
from app.jobs.tasks import Outcome, task
from app.numbers import lazy_number
from app.uploads import UploadStore

from . import cadre_import
from .models import User
from .permissions import get_scoped_unit

UPLOADS = UploadStore("cadre_imports", "CADRE_IMPORT_DIR")
EXPIRED = _l(
    "Bản xem trước đã hết hạn hoặc đã được nhập. Hãy tải tệp lên lại để xem trước."
)
NEW_WARNINGS = _l(
    "Có cảnh báo mới so với lúc xem trước; chưa nhập gì. Hãy tải tệp lên lại để "
    "xem các cảnh báo và xác nhận."
)
RACED = _l("Dữ liệu vừa thay đổi trong lúc nhập; chưa nhập gì. Hãy thử lại.")
SHOWN_ERRORS = 5


def stored_day(meta: dict):
    """The effective day kept with an upload (None: today)."""
    text = meta.get("effective")
    return date.fromisoformat(text) if text else None


def upload_kept(params: dict, owner_id: int | None) -> bool:
    """Is the upload the import reads still kept (a failed import that discarded
    it cannot be tried again: its officer uploads the file anew)."""
    return owner_id is not None and UPLOADS.kept(params["token"], owner_id)


@task("cadres.import", input_kept=upload_kept)
def import_task(params: dict, owner_id: int | None, progress) -> Outcome:
    """params: token (the upload kept since the preview), accept_warnings."""
    owner = db.session.get(User, owner_id) if owner_id is not None else None
    if owner is None or not owner.active:
        raise NotFound(_l("Tài khoản đã bắt đầu việc này không còn hoạt động."))
    token = params["token"]
    stored = UPLOADS.load(token, owner_id=owner.id)
    if stored is None:
        raise DomainError(EXPIRED)
    meta, data = stored
    progress.begin(_("Đọc và kiểm tra tệp"), 3)
    with reading_only():  # checking reads; the write below is one short transaction
        unit = get_scoped_unit(owner, meta["unit_id"], "hr")
        rows = cadre_import.parse_cadre_file(data, meta["filename"])
        progress.step()
        plan = cadre_import.plan_import(rows, unit, owner, effective=stored_day(meta))
        progress.step()
    if plan.has_errors:  # the data changed since the preview
        UPLOADS.discard(token)
        errors = [
            _l("dòng %(n)d: %(e)s", n=r.row.line, e=lazy_join(r.errors, "; "))
            for r in plan.rows
            if r.errors
        ]
        raise DomainError(
            _l(
                "Dữ liệu đã thay đổi từ lúc xem trước; chưa nhập gì. Hãy tải tệp lên "
                "lại để xem trước. %(errors)s",
                errors=lazy_join(errors[:SHOWN_ERRORS], "; "),
            )
        )
    if plan.has_warnings and not params.get("accept_warnings"):  # new since the preview
        UPLOADS.discard(token)
        raise DomainError(NEW_WARNINGS)
    progress.begin(_("Ghi dữ liệu"), 3, done=2)  # the file read and checked
    try:
        with progress.holding():
            counts = cadre_import.apply_import(plan, owner)
            db.session.flush()
    except IntegrityError:  # another import created the same code meanwhile
        raise DomainError(RACED) from None
    return Outcome(_imported(plan.source, counts), then=lambda: UPLOADS.discard(token))


def _imported(source: str, counts: dict):
    """What an import did, from apply_import's counts (a lazy message)."""
    return _l(
        "Đã nhập %(file)s: %(created)s, %(updated)s cập nhật "
        "(%(moved)s chuyển đơn vị), %(unchanged)s không đổi.",
        file=source,
        created=_nl(
            "%(n)s cán bộ mới",
            "%(n)s cán bộ mới",
            counts["created"],
            n=lazy_number(counts["created"]),
        ),
        updated=lazy_number(counts["updated"]),
        moved=lazy_number(counts["moved"]),
        unchanged=lazy_number(counts["unchanged"]),
    )
