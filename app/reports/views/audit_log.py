"""The audit log page, for administrators: who did what to whom, filterable.

Here rather than in app.audit: the page joins the events with the users who acted,
and app.audit sits below app.accounts (whose services record events), so it may not
import the account models. Reports read any domain's rows.
"""

from datetime import date

from flask import current_app, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.database import int_arg
from app.extensions import db
from app.security import role_required
from app.timeutil import vn_day_end, vn_day_start

from .blueprint import bp


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def filtered_events(action: str, actor: str, since: date | None, until: date | None):
    """Audit rows, newest first, narrowed by action prefix, actor username and days."""
    query = (
        select(AuditEvent)
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    if action:
        query = query.where(AuditEvent.action.startswith(action, autoescape=True))
    if actor:
        query = query.join(User, User.id == AuditEvent.actor_id).where(
            User.username == actor.strip()
        )
    if since:
        query = query.where(AuditEvent.at >= vn_day_start(since))
    if until:
        query = query.where(AuditEvent.at <= vn_day_end(until))
    return query


@bp.get("/admin/audit")
@role_required("admin")
def audit_log():
    args = request.args
    filters = {
        "action": args.get("action", ""),
        "actor": args.get("actor", ""),
        "since": args.get("since", ""),
        "until": args.get("until", ""),
    }
    query = filtered_events(
        filters["action"],
        filters["actor"],
        _day(filters["since"]),
        _day(filters["until"]),
    )
    page = db.paginate(
        query,
        page=int_arg("page", 1),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    actions = db.session.scalars(
        select(AuditEvent.action).distinct().order_by(AuditEvent.action)
    )
    return render_template(
        "reports/audit_log.html", page=page, filters=filters, actions=list(actions)
    )
