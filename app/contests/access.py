"""Who may see a contest's rankings and papers, and who may rank it.

Staff see a contest when its owner unit lies in the subtree of a unit where they
hold the role: trainers and HR officers see its rankings and papers, trainers (and
administrators) may also rank it. Administrators see and rank every contest; a
contest without an owner unit is theirs alone. Out of scope is NotFound (no leak).
"""

from app.accounts.models import Unit, User
from app.accounts.permissions import scope_paths
from app.errors import NotFound
from app.extensions import db

from .lookup import NO_CONTEST, get_contest
from .models import Contest

VIEWERS = ("trainer", "hr")
RANKERS = ("trainer",)


def in_scope(user: User | None, contest: Contest, roles=VIEWERS) -> bool:
    """`user` holds one of `roles` over the contest's owner unit (or is admin);
    None (the command line) may do everything."""
    if user is None:
        return True
    if not user.active:
        return False
    paths = scope_paths(user, *roles)
    if paths is None:
        return True
    if contest.owner_unit_id is None:
        return False
    owner = db.session.get(Unit, contest.owner_unit_id)
    return owner is not None and owner.in_subtrees(paths)


def get_scoped_contest(user: User, code: str, roles=VIEWERS) -> Contest:
    """The contest `code` if `user` may see it as one of `roles`; else NotFound."""
    contest = get_contest(code)
    if not in_scope(user, contest, roles):
        raise NotFound(NO_CONTEST)
    return contest


def sees_rankings(user: User, contest_id: int) -> bool:
    """May the signed-in `user` open the staff pages of the contest `contest_id`
    (its rankings and papers): the public page links them for it."""
    contest = db.session.get(Contest, contest_id)
    return contest is not None and in_scope(user, contest)
