"""Background tasks of reports: a campaign's records as CSV or XLSX past the size
that downloads at once (EXPORT_JOB_ROWS), and the annual report's workbook. Each
re-checks the owner's scope as the page that started it did."""

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.accounts.models import User
from app.accounts.report_access import ReportAccess
from app.accounts.rollup import Structure, today
from app.database import reading_only
from app.errors import NotFound
from app.errors import lazy_gettext as _l
from app.errors import lazy_ngettext as _nl
from app.extensions import db
from app.jobs.tasks import Outcome, allowed_unless_refused, task
from app.numbers import lazy_number
from app.records import rows, visibility

from . import access as report_access
from . import annual, asof, exports

CSV_MIME = "text/csv"  # werkzeug adds "; charset=utf-8" to a text/* type
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _selection(params: dict, owner_id: int | None, structure: Structure | None = None):
    """The job's campaign and unit, as its owner may open them now (`structure`:
    the tree the job reads anyway, if any: ReportAccess reads none for a unit
    alive today, today's for a former one)."""
    owner = db.session.get(User, owner_id) if owner_id is not None else None
    if owner is None or not owner.active:
        raise NotFound(_l("Tài khoản đã bắt đầu việc này không còn hoạt động."))
    access = ReportAccess.of(owner, structure)
    return report_access.selection(owner, params["campaign"], params["unit"], access)


# The owner may still see the job's campaign and unit (as the page).
in_scope = allowed_unless_refused(_selection)


def count_rows(query) -> int:
    return db.session.scalar(
        select(func.count()).select_from(query.order_by(None).subquery())
    )


def _as_of(params: dict) -> asof.AsOf | None:
    """The as-of choice the page passed on, if any."""
    if not params.get("as_of"):
        return None
    return asof.parse_as_of(params["as_of"], params.get("attribution"))


@task("records.csv", in_scope)
def records_csv(params: dict, owner_id: int | None, progress) -> Outcome:
    return _records(params, owner_id, progress, "csv")


@task("records.xlsx", in_scope)
def records_xlsx(params: dict, owner_id: int | None, progress) -> Outcome:
    return _records(params, owner_id, progress, "xlsx")


def _records(params, owner_id, progress, extension: str) -> Outcome:
    with reading_only():  # a long read must not hold SQLite's write lock
        as_of, stated = _as_of(params), None
        structure = Structure.on(as_of.day) if as_of else None  # once
        campaign, unit = _selection(params, owner_id, structure)
        if as_of is None:
            query = rows.export_query(campaign, unit)
        else:
            query = exports.as_of_query(campaign, unit, as_of, structure)
        total = count_rows(query)
        progress.begin(_("Xuất kết quả bồi dưỡng"), total)
        path = progress.output(extension)
        if as_of is None:
            records = progress.counted(rows.stream_rows(query))
        else:
            stated = exports.stated_header(as_of)
            with_unit = exports.with_unit_of_day(query, as_of, structure)
            records = progress.counted(with_unit)
        if extension == "csv":
            with path.open("w", encoding="utf-8", newline="") as out:
                sep = exports.separator(params.get("sep"))
                for chunk in exports.csv_chunks(records, sep, stated):
                    out.write(chunk)
        else:
            with path.open("wb") as out:
                exports.write_xlsx(records, out, campaign.code, stated)
        name = exports.export_filename(campaign, unit, extension)
    mime = CSV_MIME if extension == "csv" else XLSX_MIME
    said = _nl(
        "Đã xuất %(n)s dòng.", "Đã xuất %(n)s dòng.", total, n=lazy_number(total)
    )
    return Outcome(said, path, name, mime)


@task("annual.xlsx", in_scope)
def annual_workbook(params: dict, owner_id: int | None, progress) -> Outcome:
    with reading_only():
        as_of = _as_of(params)
        structure = Structure.on(as_of.day if as_of else today())  # once
        campaign, unit = _selection(params, owner_id, structure)
        progress.begin(_("Tổng hợp báo cáo năm"), 2)
        owner = db.session.get(User, owner_id)
        report = annual.annual_report(
            campaign,
            unit,
            as_of=as_of,
            campaigns=visibility.visible_campaigns(owner),
            structure=structure,
        )
        progress.step()
        path = progress.output("xlsx")
        path.write_bytes(annual.annual_xlsx(report))
        progress.step()
        name = annual.annual_filename(report, "xlsx")
    return Outcome(_l("Đã lập báo cáo năm."), path, name, XLSX_MIME)
