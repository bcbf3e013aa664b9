"""HR dashboard pages (scoped to the officer's subtree)."""

from flask import current_app, render_template, request
from flask_login import current_user

from app.accounts.permissions import can_manage_account, get_scoped_user, scope_paths
from app.accounts.report_access import ReportAccess
from app.accounts.rollup import Structure
from app.database import int_arg
from app.downloads import chosen_separator
from app.records.visibility import pick_campaign, visible_campaigns
from app.security import role_required

from .. import asof, queries, yearly
from .. import charts as chart_data
from ..dashboard import (
    ReportScope,
    cadre_detail,
    export_endpoints,
    person_campaigns,
    ranked,
    record_page,
    record_page_as_of,
    report_scope,
)
from .blueprint import as_of_arg, bp, explicit_as_of_arg


def _scope(access: ReportAccess) -> ReportScope:
    return report_scope(
        current_user,
        request.args.get("campaign"),
        int_arg("unit"),
        access,
    )


@bp.get("/reports/")
@role_required("hr", "admin")
def dashboard():
    as_of = as_of_arg()
    structure = Structure.on(as_of.day)  # the tree of the day, once
    access = ReportAccess.of(current_user, structure)
    scope = _scope(access)
    summary, rows, charts, years = None, [], None, []
    if scope.campaign is not None:
        # the moves since the day: read once, for the table and both charts
        moves = chart_data.dashboard_moves(scope.campaign, structure)
        result = asof.figures(
            scope.campaign, scope.unit, as_of, structure, access, moves
        )
        summary = asof.summary_row(result)
        rows = asof.children_rows(result)
        charts = chart_data.dashboard_charts(
            scope.campaign, scope.unit, summary.total, structure, moves
        )
        years = yearly.year_over_year(
            scope.campaigns,
            scope.campaign,
            scope.unit,
            structure,
            result.subtree.get(scope.unit.id),
        )
    return render_template(
        "reports/dashboard.html",
        scope=scope,
        summary=summary,
        rows=rows,
        charts=charts,
        as_of=as_of,
        attributions=asof.ATTRIBUTION_LABELS,
        years=years,
        year_chart=yearly.year_chart(years),
        exports=export_endpoints(),
        csv_sep=chosen_separator(),
    )


@bp.get("/reports/cadres")
@role_required("hr", "admin")
def cadres():
    """The cadres of the unit in view; as of a day when the request says so (the
    dashboard's links always do): the records its dashboard of that day counts."""
    as_of = explicit_as_of_arg()
    structure = Structure.on(as_of.day) if as_of else None  # today's: if needed
    scope = _scope(ReportAccess.of(current_user, structure))
    status, text = request.args.get("status", ""), request.args.get("q", "")
    direct = request.args.get("direct") == "1"
    filters = {"status": status, "q": text, "direct": 1 if direct else None}
    page, number = None, int_arg("page", 1)
    size = current_app.config["PAGE_SIZE"]
    if scope.campaign is not None and as_of is not None:
        paths = scope_paths(current_user, "hr")
        page = record_page_as_of(
            scope.campaign, scope.unit, as_of, structure, filters, number, size, paths
        )
    elif scope.campaign is not None:
        page = record_page(
            scope.campaign, scope.unit, status, text, number, size, direct
        )
    return render_template(
        "reports/cadres.html",
        scope=scope,
        page=page,
        filters=filters,
        as_of=as_of,
        keep=as_of.args if as_of else {},
    )


@bp.get("/reports/cadres/<int:user_id>")
@role_required("hr", "admin")
def cadre(user_id: int):
    person = get_scoped_user(current_user, user_id, "hr")
    visible = visible_campaigns(current_user)  # once: both choices need it
    campaigns = person_campaigns(current_user, person, visible)
    code = request.args.get("campaign")
    campaign = pick_campaign(current_user, code, campaigns, visible)
    detail = cadre_detail(person, campaign) if campaign else None
    return render_template(
        "reports/cadre.html",
        person=person,
        campaign=campaign,
        campaigns=campaigns,
        detail=detail,
        certificate_actions=can_manage_account(current_user, person),
    )


@bp.get("/reports/ranking")
@role_required("hr", "admin")
def ranking():
    as_of = as_of_arg()
    structure = Structure.on(as_of.day)
    access = ReportAccess.of(current_user, structure)
    scope = _scope(access)
    rows = []
    if scope.campaign is not None:
        result = asof.figures(scope.campaign, scope.unit, as_of, structure, access)
        rows = ranked(queries.ranking(asof.children_rows(result)))
    return render_template(
        "reports/ranking.html",
        scope=scope,
        rows=rows,
        as_of=as_of,
        attributions=asof.ATTRIBUTION_LABELS,
    )
