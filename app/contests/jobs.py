"""Background task of contests: ranking a round (with its prizes) or the whole
contest, started from the ranking page by a trainer or administrator in scope, or
by `flask contests rank` / `rank-due` (no owner). Re-checks the owner's scope as
the page did."""

from flask_babel import gettext as _

from app.accounts.models import User
from app.errors import DomainError, NotAllowed, NotFound
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.jobs.tasks import Outcome, task

from . import access, lookup, ranking
from .pages import forget_contest_page


def _owner(owner_id: int | None) -> User | None:
    owner = db.session.get(User, owner_id) if owner_id is not None else None
    if owner_id is not None and (owner is None or not owner.active):
        raise NotFound(_l("Tài khoản đã bắt đầu việc này không còn hoạt động."))
    return owner


def _target(params: dict):
    """(contest, round or None) of the params: {"round": code} or {"contest": code}."""
    if params.get("round"):
        round_ = lookup.get_round_by_code(params["round"])
        return round_.contest, round_
    return lookup.get_contest(params.get("contest", "")), None


def still_allowed(params: dict, owner_id: int | None) -> bool:
    try:
        contest, _round = _target(params)
        return access.in_scope(_owner(owner_id), contest, access.RANKERS)
    except DomainError:
        return False


@task("contests.rank", still_allowed)
def rank_task(params: dict, owner_id: int | None, progress) -> Outcome:
    """params: round (code) or contest (code), reason (for a late correction)."""
    owner = _owner(owner_id)
    contest, round_ = _target(params)
    if not access.in_scope(owner, contest, access.RANKERS):
        raise NotAllowed(_l("Bạn không có quyền xếp hạng cuộc thi này."))
    progress.begin(_("Xếp hạng cuộc thi"))
    reason = params.get("reason", "")
    with progress.holding():  # the stages, and the entries written (PostgreSQL)
        if round_ is not None:
            result = ranking.rank_round(round_, owner, reason, progress=progress)
        else:
            result = ranking.rank_contest(contest, owner, reason, progress=progress)
    # The public page's cached copy goes once the ranking is committed: its
    # results show at once, not up to PAGE_SECONDS later.
    return Outcome(result.summary, then=lambda: forget_contest_page(contest.code))
