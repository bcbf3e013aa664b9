"""A cadre's quiz attempts and each attempt's review, for HR officers and trainers
within their subtree, and administrators (app.reports.attempts)."""

from flask import current_app, render_template, request
from flask_login import current_user

from app.database import int_arg
from app.extensions import db
from app.security import role_required

from .. import attempts
from .blueprint import bp


@bp.get("/reports/attempts")
@role_required("hr", "trainer", "admin")
def attempt_finder():
    """Find a cadre of the viewer's subtree, to open its attempts."""
    text = request.args.get("q", "")
    page = db.paginate(
        attempts.people_query(current_user, text),
        page=int_arg("page", 1),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return render_template("reports/attempt_finder.html", page=page, q=text)


@bp.get("/reports/cadres/<int:user_id>/attempts")
@role_required("hr", "trainer", "admin")
def cadre_attempts(user_id: int):
    person = attempts.scoped_person(current_user, user_id)
    return render_template(
        "reports/cadre_attempts.html",
        person=person,
        attempts=attempts.cadre_attempts(person),
        report_page=attempts.sees_report_page(current_user, person),
    )


@bp.get("/reports/attempts/<int:attempt_id>")
@role_required("hr", "trainer", "admin")
def attempt_review(attempt_id: int):
    attempt = attempts.scoped_attempt(current_user, attempt_id)
    return render_template(
        "reports/attempt_review.html",
        info=attempts.attempt_review(attempt, viewer=current_user),
    )
