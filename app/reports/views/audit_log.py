"""The audit log for administrators: who did what to whom, in words, filterable,
and the filtered log as a CSV download (streamed, at most AUDIT_CSV_MAX_ROWS rows)."""

from flask import current_app, render_template, request
from flask_babel import gettext as _

from app.database import int_arg
from app.downloads import (
    chosen_separator,
    content_disposition,
    remember_separator,
    stream_in_context,
)
from app.extensions import db
from app.security import not_from_other_sites, role_required
from app.timeutil import to_vn, utcnow

from .. import audit_trail as trail
from .blueprint import bp


def _filters() -> tuple[trail.AuditFilters, list[str]]:
    actions = trail.known_actions()
    return trail.parse_filters(request.args, actions), actions


@bp.get("/admin/audit")
@role_required("admin")
def audit_log():
    filters, actions = _filters()
    page = db.paginate(
        trail.filtered_events(filters),
        page=int_arg("page", 1),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return render_template(
        "reports/audit_log.html",
        page=page,
        filters=filters,
        actions=[(code, trail.action_label(code)) for code in actions],
        names=trail.target_names(page.items),
        details=trail.detail_names(page.items),
        trail=trail,
        max_rows=_max_rows(),
        csv_sep=chosen_separator(),
    )


@bp.get("/admin/audit.csv")
@role_required("admin")
@not_from_other_sites
def audit_log_csv():
    filters, _actions = _filters()
    query = trail.filtered_events(filters).limit(_max_rows())
    sep = chosen_separator()  # asked for, or remembered from any CSV download

    def chunks():
        events = db.session.scalars(query.execution_options(yield_per=500))
        yield from trail.csv_chunks(events, sep=sep)
        db.session.close()

    stamp = to_vn(utcnow()).strftime("%Y%m%d-%H%M")
    response = current_app.response_class(
        stream_in_context(chunks), mimetype="text/csv"
    )
    response.headers["Content-Disposition"] = content_disposition(
        _("nhat-ky-%(stamp)s.csv", stamp=stamp)
    )
    return remember_separator(response, sep)


def _max_rows() -> int:
    return current_app.config["AUDIT_CSV_MAX_ROWS"]
