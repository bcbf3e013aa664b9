"""Background task of rewards: the candidates' workbook of a campaign or a period
past the size that downloads at once (EXPORT_JOB_ROWS rows). It re-checks what the
page that started it checked: the owner an active HR officer or administrator, the
campaign visible to it, the unit inside its scope."""

from flask_babel import gettext as _

from app.accounts.models import Unit, User
from app.accounts.scope import in_any_subtree
from app.database import reading_only
from app.errors import NotAllowed, NotFound
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.jobs.tasks import Outcome, allowed_unless_refused, task
from app.numbers import lazy_number
from app.records import visibility
from app.records.asof import as_of_from

from . import exports, periods, services

KIND = "rewards.candidates_xlsx"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_IN_SCOPE = _l("Không tìm thấy đơn vị này trong phạm vi của bạn.")


def _selection(params: dict, owner_id: int | None):
    """(target, unit, the scope's paths) as the candidates page finds them for
    the owner; NotFound / NotAllowed as it would answer. Without a unit, the
    paths are the owner's subtrees when the page started the job (params
    "scope"), while the owner's scope of now still holds them all."""
    owner = db.session.get(User, owner_id) if owner_id is not None else None
    if owner is None or not owner.active:
        raise NotFound(_l("Tài khoản đã bắt đầu việc này không còn hoạt động."))
    if not (owner.has_role("hr") or owner.has_role("admin")):
        raise NotAllowed(_l("Bạn không có quyền xem danh sách này."))
    if params["kind"] == "periods":
        target = periods.get_period(params["code"])
    else:
        target = visibility.pick_campaign(owner, params["code"])
    unit = None
    if params.get("unit") is not None:
        unit = db.session.get(Unit, params["unit"])
        if unit is None:
            raise NotFound(NOT_IN_SCOPE)
    paths = services.scope_of(owner, unit)
    if unit is None and "scope" in params:
        started_for = params["scope"]
        if paths is not None and (
            started_for is None
            or not all(in_any_subtree(path, paths) for path in started_for)
        ):
            raise NotFound(NOT_IN_SCOPE)
        paths = started_for
    return target, unit, paths


# The owner may still see the list (checked again at each download).
in_scope = allowed_unless_refused(_selection)


@task(KIND, in_scope)
def candidates_workbook(params: dict, owner_id: int | None, progress) -> Outcome:
    """params: kind ("campaigns" or "periods"), code, unit (id or None), as_of
    and attribution (the page's, app.records.asof; absent: today, at the time)."""
    with reading_only():
        target, unit, paths = _selection(params, owner_id)
        as_of = as_of_from(params)
        progress.begin(_("Lập danh sách ứng viên khen thưởng"), 2)
        collectives, individuals = services.candidate_lists(target, paths, as_of)
        progress.step()
        path = progress.output("xlsx")
        data = exports.candidates_xlsx(target, collectives, individuals, as_of)
        path.write_bytes(data)
        progress.step()
        name = exports.filename("Ứng viên khen thưởng", target, "xlsx", unit)
    rows = len(collectives) + len(individuals)
    return Outcome(
        _l("Đã lập danh sách %(n)s dòng.", n=lazy_number(rows)), path, name, XLSX_MIME
    )
