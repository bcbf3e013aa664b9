"""How many have taken part in a round so far, per unit: the only live figure the
public contest page shows while a round runs (no score, no ranking).

`count_participation` is the query itself: one grouped query on the round's
attempts (the attempt table's (quiz_id, user_id, number) index serves it) whose few
rows, one per unit with participants, are added up here into the groups of the
contest page. `participation_counts` is what the page calls: the same, kept in the
cache (Flask-Caching) for at most PARTICIPATION_SECONDS, so a crowd on the page costs
one query a minute."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from app.accounts.models import Unit, User, unit_labels
from app.accounts.scope import in_subtree
from app.extensions import cache, db
from app.quizzes.models import Attempt
from app.quizzes.windows import Window
from app.vntext import text_sort_key

PARTICIPATION_SECONDS = 60
# A round's state at a given moment (chưa mở, đang diễn ra, đã kết thúc).
NOT_OPEN, RUNNING, CLOSED = "not_open", "running", "closed"


def round_state(opens_at: datetime | None, closes_at: datetime | None, now) -> str:
    """A round's state at `now` from its quiz's window (the public page's and the
    staff's): NOT_OPEN before it opens, CLOSED once it has closed, else RUNNING."""
    window = Window(opens_at, closes_at)
    if window.not_yet_open(now):
        return NOT_OPEN
    return CLOSED if window.has_closed(now) else RUNNING


@dataclass(frozen=True)
class UnitGroup:
    """A row of the counts: a unit, and the subtree it stands for. A contest's
    groups are its target units' children, and each target for its own cadres
    (`own`: shown as the results per unit show it, "… (cán bộ trực thuộc)")."""

    unit_id: int
    name: str
    path: str
    own: bool = False


@dataclass(frozen=True)
class UnitCount:
    name: str
    count: int
    own: bool = False  # a target's own cadres (the page adds the words)


@dataclass(frozen=True)
class Participation:
    round_code: str
    total: int
    units: tuple[UnitCount, ...]  # most participants first
    counted_at: datetime


def unit_groups(target_ids: list[int]) -> list[UnitGroup]:
    """The rows the counts of a contest with these targets are shown in."""
    rows = db.session.execute(
        select(Unit.id, Unit.name, Unit.code, Unit.path).where(
            (Unit.id.in_(target_ids)) | (Unit.parent_id.in_(target_ids)),
            Unit.active.is_(True),
        )
    ).all()
    labels = unit_labels()
    return [
        UnitGroup(i, labels.get(code, name), path, own=i in target_ids)
        for i, name, code, path in rows
    ]


def count_participation(
    quiz_id: int, round_code: str, groups: list[UnitGroup], now: datetime
) -> Participation:
    """Participants (cadres with at least one attempt, previews aside) of the
    round whose quiz is `quiz_id`, per group and in all: one grouped query. A
    cadre counts where the cadre is today; one since moved out of the contest's
    targets is in no group and in no total (the total is the sum of the rows)."""
    rows = db.session.execute(
        select(Unit.path, func.count(func.distinct(Attempt.user_id)))
        .join(User, User.id == Attempt.user_id)
        .join(Unit, Unit.id == User.unit_id)
        .where(Attempt.quiz_id == quiz_id, Attempt.preview.is_(False))
        .group_by(Unit.path)
    ).all()
    deepest_first = sorted(groups, key=lambda g: len(g.path), reverse=True)
    counts = dict.fromkeys((g.unit_id for g in groups), 0)
    total = 0
    for path, count in rows:
        group = next((g for g in deepest_first if in_subtree(path, g.path)), None)
        if group is not None:  # a cadre since moved out of the targets: not counted
            counts[group.unit_id] += count
            total += count
    named = {g.unit_id: g for g in groups}
    units = sorted(
        (UnitCount(named[i].name, n, named[i].own) for i, n in counts.items()),
        key=lambda u: (-u.count, text_sort_key(u.name)),
    )
    return Participation(round_code, total, tuple(units), now)


def participation_counts(contest, now: datetime) -> Participation | None:
    """The counts of the round of `contest` (a pages.ContestPage) running at
    `now` (None when none is), computed at most once every PARTICIPATION_SECONDS
    for all the app's servers: the cache holds count_participation's result, never
    a page."""
    running = next((r for r in contest.rounds if r.state(now) == RUNNING), None)
    if running is None:
        return None
    key = f"contest-participation:{running.quiz_id}"
    found = cache.get(key)
    if found is None:
        found = count_participation(
            running.quiz_id, running.code, list(contest.groups), now
        )
        cache.set(key, found, timeout=PARTICIPATION_SECONDS)
    return found
