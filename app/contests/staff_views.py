"""The staff pages of contests' rankings: a contest's rounds and rankings, a
round's full ranking (ties visible, every version, prizes, results per unit) with
"Xếp hạng lại", the whole contest's ranking, and the papers (prize list XLSX, the
printable announcement). Trainers and HR officers whose subtree holds the contest's
owner unit, and administrators; ranking is for trainers and administrators. A
contest out of scope is a 404.

The public contest page (/contests/<code>) is another blueprint's."""

import secrets

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user

from app.audit import services as audit
from app.database import int_arg, start_writing
from app.downloads import content_disposition
from app.errors import DomainError
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.jobs import services as jobs
from app.security import CSP, not_from_other_sites, role_required

from . import access, lookup, papers, prizes, ranking, results
from .forms import RankForm

bp = Blueprint("contest_staff", __name__)

STAFF = ("trainer", "hr", "admin")
RANKERS = ("trainer", "admin")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _contest(code: str, roles=access.VIEWERS):
    return access.get_scoped_contest(current_user, code, roles)


@bp.get("/contests/<code>/manage/rankings")
@role_required(*STAFF)
def overview(code: str):
    contest = _contest(code)
    return render_template(
        "contest_staff/overview.html",
        contest=contest,
        rounds=ranking.overview(contest),
        overall=lookup.latest(contest, None),
        may_rank=access.in_scope(current_user, contest, access.RANKERS),
    )


@bp.get("/contests/<code>/rounds/<int:number>/ranking")
@role_required(*STAFF)
def round_ranking(code: str, number: int):
    contest = _contest(code)
    round_ = lookup.get_round(contest, number)
    return _ranking_page(contest, round_, RankForm())


@bp.post("/contests/<code>/rounds/<int:number>/ranking")
@role_required(*RANKERS)
def rank_round(code: str, number: int):
    contest = _contest(code, access.RANKERS)
    round_ = lookup.get_round(contest, number)
    form = RankForm()
    if not form.validate_on_submit():
        return _ranking_page(contest, round_, form), 400
    reason = (form.reason.data or "").strip()
    try:
        ranking.check_round(round_, reason)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".round_ranking", code=code, number=number))
    params = {"round": round_.code} | ({"reason": reason} if reason else {})
    job = jobs.submit(
        "contests.rank",
        _l("Xếp hạng %(title)s", title=round_.title),
        current_user.id,
        params,
    )
    return jobs.started(job)


@bp.get("/contests/<code>/manage/ranking")
@role_required(*STAFF)
def contest_ranking(code: str):
    contest = _contest(code)
    return _ranking_page(contest, None, RankForm())


@bp.post("/contests/<code>/manage/ranking")
@role_required(*RANKERS)
def rank_contest(code: str):
    contest = _contest(code, access.RANKERS)
    form = RankForm()
    if not form.validate_on_submit():
        return _ranking_page(contest, None, form), 400
    reason = (form.reason.data or "").strip()
    params = {"contest": contest.code} | ({"reason": reason} if reason else {})
    job = jobs.submit(
        "contests.rank",
        _l("Xếp hạng %(title)s", title=contest.title),
        current_user.id,
        params,
    )
    return jobs.started(job)


def _ranking_page(contest, round_, form):
    every = lookup.versions(contest, round_)
    version = int_arg("version")
    shown = lookup.get_version(contest, round_, version) if every else None
    page, number, pages = (
        results.entry_page(shown, int_arg("page", 1)) if shown else ([], 1, 1)
    )
    return render_template(
        "contest_staff/ranking.html",
        contest=contest,
        round=round_,
        closed=ranking.is_closed(round_) if round_ is not None else True,
        versions=every,
        shown=shown,
        latest=every[0] if every else None,
        entries=page,
        page=number,
        pages=pages,
        prizes=prizes.prize_list(shown) if shown and round_ is not None else [],
        outdated=bool(shown and round_ and prizes.outdated(shown, round_)),
        units=results.by_participation(results.unit_results(contest, shown))
        if shown
        else [],
        form=form,
        may_rank=access.in_scope(current_user, contest, access.RANKERS),
        duration=papers.duration,
        submitted=papers.submitted,
        level_label=prizes.level_label,
    )


def _round_version(code: str, number: int):
    contest = _contest(code)
    round_ = lookup.get_round(contest, number)
    return contest, round_, lookup.get_version(contest, round_, int_arg("version"))


@bp.get("/contests/<code>/rounds/<int:number>/prizes.xlsx")
@role_required(*STAFF)
@not_from_other_sites
def prizes_xlsx(code: str, number: int):
    contest, round_, shown = _round_version(code, number)
    data = papers.prize_xlsx(contest, round_, shown)
    start_writing()  # SQLite: the audit row is this GET's write
    audit.record(
        "contests.prizes_exported",
        actor=current_user,
        target=shown,
        code=round_.code,
        version=shown.version,
    )
    db.session.commit()
    response = Response(data, mimetype=XLSX_MIME)
    response.headers["Content-Disposition"] = content_disposition(
        papers.filename(contest, round_, shown, "xlsx")
    )
    return response


@bp.get("/contests/<code>/rounds/<int:number>/announcement")
@role_required(*STAFF)
def announcement(code: str, number: int):
    contest, round_, shown = _round_version(code, number)
    nonce = secrets.token_urlsafe(16)
    page = render_template(
        "contest_staff/announcement.html",
        paper=papers.announcement(contest, round_, shown),
        duration=papers.duration,
        nonce=nonce,
    )
    response = Response(page, mimetype="text/html")
    # The print stylesheet is inline, as the annual report's.
    response.headers["Content-Security-Policy"] = CSP.replace(
        "style-src 'self'", f"style-src 'self' 'nonce-{nonce}'"
    )
    return response
