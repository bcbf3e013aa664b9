"""Downloads for HR officers and administrators, inside the viewer's subtree: the
records of a campaign (CSV, XLSX) and the annual report (printable page, XLSX).
Past EXPORT_JOB_ROWS records a file is made by a background job (reports/jobs.py),
and the officer is taken to its page.

Every route takes `?campaign=CODE&unit=ID`, defaulting as the dashboard does (the
newest campaign the viewer may see, the viewer's own unit). A campaign or unit
outside the viewer's scope (app.accounts.report_access: a former unit whose records roll
up into it is inside) is a 404.
"""

import secrets
from collections.abc import Iterator

from flask import Response, current_app, render_template, request
from flask_login import current_user

from app.accounts.models import Unit
from app.accounts.report_access import ReportAccess
from app.accounts.rollup import Structure
from app.audit import services as audit
from app.database import int_arg, start_writing
from app.downloads import (
    chosen_separator,
    content_disposition,
    remember_separator,
    stream_in_context,
)
from app.errors import LazyMessage
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.jobs import services as jobs
from app.records import rows, visibility
from app.records.models import Campaign
from app.security import CSP, not_from_other_sites, role_required

from .. import access as report_access
from .. import annual, asof, exports
from ..counts import records_counted
from ..jobs import count_rows
from .blueprint import as_of_arg, bp, explicit_as_of_arg

CSV_MIME = "text/csv"  # werkzeug adds "; charset=utf-8" to a text/* type
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/reports/export.csv")
@role_required("hr", "admin")
@not_from_other_sites
def export_csv():
    as_of = explicit_as_of_arg()
    structure = _structure(as_of)
    campaign, unit = _selection(ReportAccess.of(current_user, structure))
    sep = chosen_separator()
    query = _export_query(campaign, unit, as_of, structure)
    filename = exports.export_filename(campaign, unit, "csv")
    _audit_export("records.csv", campaign, unit)
    if _large(query):
        # "," is the default: its job's params stay as before (no "sep")
        extra = {"sep": sep} if sep != exports.SEPARATORS[0] else {}
        extra |= as_of.args if as_of else {}
        title = _export_title(campaign, unit, "CSV")
        response = _as_job("records.csv", title, campaign, unit, **extra)
    else:
        stated = exports.stated_header(as_of) if as_of else None
        chunks = stream_in_context(
            lambda: exports.csv_chunks(_rows(query, as_of, structure), sep, stated)
        )
        response = _download(chunks, CSV_MIME, filename)
    return remember_separator(response, sep)


@bp.get("/reports/export.xlsx")
@role_required("hr", "admin")
@not_from_other_sites
def export_xlsx():
    as_of = explicit_as_of_arg()
    structure = _structure(as_of)
    campaign, unit = _selection(ReportAccess.of(current_user, structure))
    query, title = _export_query(campaign, unit, as_of, structure), campaign.code
    filename = exports.export_filename(campaign, unit, "xlsx")
    _audit_export("records.xlsx", campaign, unit)
    if _large(query):
        extra = as_of.args if as_of else {}
        title = _export_title(campaign, unit, "XLSX")
        return _as_job("records.xlsx", title, campaign, unit, **extra)
    stated = exports.stated_header(as_of) if as_of else None
    chunks = stream_in_context(
        lambda: exports.xlsx_chunks(_rows(query, as_of, structure), title, stated)
    )
    return _download(chunks, XLSX_MIME, filename)


@bp.get("/reports/annual")
@role_required("hr", "admin")
def annual_page():
    as_of = as_of_arg()
    access = ReportAccess.of(current_user, Structure.on(as_of.day))
    campaign, unit = _selection(access)
    nonce = secrets.token_urlsafe(16)
    campaigns = visibility.visible_campaigns(current_user)
    report = annual.annual_report(
        campaign, unit, as_of=as_of, campaigns=campaigns, access=access
    )
    page = render_template(
        "reports/annual.html",
        report=report,
        campaigns=campaigns,
        attributions=asof.ATTRIBUTION_LABELS,
        nonce=nonce,
        standalone=False,
    )
    response = Response(page, mimetype="text/html")
    # The print stylesheet is inline (the page is also saved as a file by the CLI).
    response.headers["Content-Security-Policy"] = CSP.replace(
        "style-src 'self'", f"style-src 'self' 'nonce-{nonce}'"
    )
    return response


@bp.get("/reports/annual.xlsx")
@role_required("hr", "admin")
@not_from_other_sites
def annual_xlsx():
    as_of = as_of_arg()
    structure = Structure.on(as_of.day)  # the tree of the day, once
    campaign, unit = _selection(ReportAccess.of(current_user, structure))
    counted = records_counted(campaign, unit, structure)
    if counted > current_app.config["EXPORT_JOB_ROWS"]:
        _audit_export("annual.xlsx", campaign, unit)
        title = _l("Báo cáo năm %(y)s — %(u)s", y=campaign.year, u=unit.name)
        return _as_job("annual.xlsx", title, campaign, unit, **as_of.args)
    report = annual.annual_report(
        campaign,
        unit,
        as_of=as_of,
        campaigns=visibility.visible_campaigns(current_user),
        structure=structure,
    )
    data = annual.annual_xlsx(report)
    _audit_export("annual.xlsx", campaign, unit)
    return _download([data], XLSX_MIME, annual.annual_filename(report, "xlsx"))


def _selection(access: ReportAccess | None = None) -> tuple[Campaign, Unit]:
    """The campaign and unit asked for (defaults as on the dashboard; the unit by
    app.accounts.report_access: a former unit whose records roll up into the scope
    too)."""
    return report_access.selection(
        current_user, request.args.get("campaign"), int_arg("unit"), access
    )


def _audit_export(kind: str, campaign: Campaign, unit: Unit) -> None:
    """Record the export and commit (before the download: one that breaks off was
    still handed out)."""
    start_writing()
    audit.record(
        "report.exported",
        actor=current_user,
        target=unit,
        kind=kind,
        campaign=campaign.code,
        unit=unit.code,
    )
    db.session.commit()


def _large(query) -> bool:
    return count_rows(query) > current_app.config["EXPORT_JOB_ROWS"]


def _export_title(campaign: Campaign, unit: Unit, kind: str) -> LazyMessage:
    """The title of an export's job (the file's name stays Vietnamese)."""
    return _l(
        "Xuất kết quả %(code)s — %(unit)s (%(kind)s)",
        code=campaign.code,
        unit=unit.name,
        kind=kind,
    )


def _as_job(kind: str, title: LazyMessage, campaign: Campaign, unit: Unit, **extra):
    job = jobs.submit(
        kind,
        title,
        current_user.id,
        {"campaign": campaign.code, "unit": unit.id, **extra},
    )
    return jobs.started(job)


def _structure(as_of: asof.AsOf | None) -> Structure | None:
    """The tree of an as-of export's day, read once for the request: the unit
    asked for is opened (ReportAccess), the records chosen and their units named
    by it. None for an export of now (ReportAccess reads today's tree only for a
    former unit)."""
    return Structure.on(as_of.day) if as_of else None


def _export_query(
    campaign: Campaign,
    unit: Unit,
    as_of: asof.AsOf | None,
    structure: Structure | None,
):
    """The records of the unit's subtree now, or, as of a day, those that count
    for it on that day (exports.as_of_query: the dashboard's as-of scope;
    `structure`: _structure's)."""
    if as_of is None:
        return rows.export_query(campaign, unit)
    return exports.as_of_query(campaign, unit, as_of, structure)


def _rows(query, as_of: asof.AsOf | None, structure: Structure | None) -> Iterator:
    """The export's rows (with the unit of the day when `as_of`); the read
    transaction ends before the last chunk goes."""
    if as_of is None:
        yield from rows.stream_rows(query)
    else:
        yield from exports.with_unit_of_day(query, as_of, structure)
    db.session.close()


def _download(body, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = content_disposition(filename)
    return response
