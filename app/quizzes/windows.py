"""When a cadre may take a quiz, and for how long: the one home of these rules.

- The **window**: the quiz's own (a campaign sets it), or the window of the deepest
  unit of the cadre's branch that has one (a commune opening a week later).
- The **accommodation**: extra time (minutes and/or a percentage of the time limit)
  and extra attempts granted to one cadre for one quiz, for the round of the quiz
  it was granted in: a campaign created on the quiz since lapses it (`in_force`).
- The **deadline** of an attempt: the earliest of its start plus the (accommodated)
  time limit and the close of the cadre's window. A change of either applies to the
  attempts started afterwards and to the open ones (`refit.refit_open_attempts`).
- The **targets**: a quiz with target units may be taken only by the cadres of
  their subtrees (`is_targeted`).
- The **seal**: a sealed quiz (a contest round) shows no score, pass or fail, mark
  or right answer to anyone until every window of it has closed
  (`results_visible`, the one gate every page, download and statement goes through).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, delete, exists, func, not_, or_, select, true
from sqlalchemy.orm import aliased

from app.accounts import scope
from app.accounts.models import Unit, User
from app.extensions import db
from app.signals import quiz_campaigns_asked
from app.timeutil import utcnow

from .models import Accommodation, Attempt, Quiz, QuizTarget, QuizWindow


@dataclass(frozen=True)
class Window:
    opens_at: datetime | None
    closes_at: datetime | None
    unit_id: int | None = None  # the unit whose own window this is; None: the quiz's

    def is_open(self, now: datetime) -> bool:
        """Attempts may start now: from its opening (included) to its close
        (excluded); a missing end is no bound. In a query: window_open_sql."""
        return not self.not_yet_open(now) and not self.has_closed(now)

    def not_yet_open(self, now: datetime) -> bool:
        return self.opens_at is not None and now < self.opens_at

    def has_closed(self, now: datetime) -> bool:
        """Closed at `now`: at its close instant, too. In a query: window_closed_sql."""
        return self.closes_at is not None and now >= self.closes_at

    def holds(self, moment: datetime) -> bool:
        """`moment` lies inside the window (its ends included)."""
        after_open = self.opens_at is None or self.opens_at <= moment
        return after_open and (self.closes_at is None or moment <= self.closes_at)


def window_closed_sql(closes_at, now: datetime):
    """Window.has_closed as an SQL condition on a close column (`closes_at`):
    for a query picking the windows closed, or (negated) those not closed yet."""
    return and_(closes_at.is_not(None), closes_at <= now)


def window_open_sql(opens_at, closes_at, now: datetime):
    """Window.is_open as an SQL condition on a window's two columns: for a query
    picking what is open at `now`."""
    opened = or_(opens_at.is_(None), opens_at <= now)
    return and_(opened, not_(window_closed_sql(closes_at, now)))


def quiz_window(quiz: Quiz) -> Window:
    """The quiz's own window (a unit's own one aside: window_of_unit)."""
    return Window(quiz.opens_at, quiz.closes_at)


def _branch_ids(unit: Unit) -> list[int]:
    """Ids of `unit` and its ancestors, root first (read off its path)."""
    return scope.path_ids(unit.path)


def window_for(user: User, quiz: Quiz) -> Window:
    """The window in which `user` may take `quiz`."""
    return window_of_unit(quiz, user.unit)


def window_of_unit(quiz: Quiz, unit: Unit | None) -> Window:
    """The window of `quiz` for the cadres of `unit`: the deepest unit window of
    its branch, else the quiz's."""
    branch = _branch_ids(unit) if unit is not None else []
    own = {
        row.unit_id: row
        for row in db.session.scalars(
            select(QuizWindow).where(
                QuizWindow.quiz_id == quiz.id, QuizWindow.unit_id.in_(branch)
            )
        )
    }
    return _deepest(quiz, branch, own)


def window_of_unit_closed_sql(quiz: Quiz, unit_path, now: datetime):
    """window_of_unit(quiz, unit).has_closed(now) as an SQL condition on a unit's
    path column (`unit_path`, e.g. Unit.path): the window of the deepest unit of its
    branch that has one for `quiz` has closed (window_closed_sql), else, when none
    has, the quiz's own window has. For a query picking many cadres at once."""
    own, deeper = aliased(QuizWindow), aliased(QuizWindow)
    at, below = aliased(Unit), aliased(Unit)

    def on_branch(window, unit):  # a window of `quiz`, of a unit of the branch
        on = and_(window.quiz_id == quiz.id, unit.id == window.unit_id)
        return and_(on, scope.subtree_condition(unit_path, unit.path))

    longer = func.length(below.path) > func.length(at.path)  # deeper on the branch
    deeper_one = exists().where(on_branch(deeper, below), longer)
    deepest = ~deeper_one.correlate_except(deeper, below)  # two levels down
    closed = exists().where(
        on_branch(own, at), deepest, window_closed_sql(own.closes_at, now)
    )
    if not quiz_window(quiz).has_closed(now):
        return closed
    return or_(closed, ~exists().where(on_branch(own, at)))


def window_among(quiz: Quiz, unit: Unit, own: dict[int, QuizWindow]) -> Window:
    """window_of_unit with the quiz's unit windows read already (`own`: unit id →
    its QuizWindow), for a caller judging many cadres at once."""
    return _deepest(quiz, _branch_ids(unit), own)


def _deepest(quiz: Quiz, branch: list[int], own: dict[int, QuizWindow]) -> Window:
    """The window of the deepest unit of `branch` (root first) that has one in
    `own` (unit id → its QuizWindow), else the quiz's."""
    unit_id = deepest_with_own(branch, own)
    if unit_id is None:
        return quiz_window(quiz)
    return Window(own[unit_id].opens_at, own[unit_id].closes_at, unit_id)


def deepest_with_own(branch: list[int], own) -> int | None:
    """The rule of unit windows: the deepest unit of `branch` (ids, root first)
    that has its own window in `own` (by unit id), whose window holds for the
    whole subtree below it; None when none has (the quiz's own window holds)."""
    return next((unit_id for unit_id in reversed(branch) if unit_id in own), None)


def round_opened_at(quiz: Quiz) -> datetime | None:
    """When the quiz's current round opened: the earliest opening of its windows,
    its own and each unit's (None: a quiz always open). A later campaign that reuses
    the quiz sets them anew, so an attempt started before belongs to an earlier
    round: it stays in the cadre's history but uses up none of this round's."""
    earliest = db.session.scalar(
        select(func.min(QuizWindow.opens_at)).where(QuizWindow.quiz_id == quiz.id)
    )
    opened = [t for t in (quiz.opens_at, earliest) if t is not None]
    return min(opened) if opened else None


def in_round(quiz: Quiz):
    """SQL condition on Attempt: started in the quiz's current round
    (round_opened_at); always true for a quiz always open."""
    since = round_opened_at(quiz)
    return true() if since is None else Attempt.started_at >= since


def counted(quiz: Quiz):
    """SQL condition on Attempt: one that uses up an attempt of `quiz` (not a
    preview, in its current round)."""
    return and_(Attempt.preview.is_(False), in_round(quiz))


def all_closed(quiz: Quiz, now: datetime) -> bool:
    """Every window of `quiz` — its own and each unit's — has closed at `now`: no
    cadre can be sitting it any more."""
    if not quiz_window(quiz).has_closed(now):
        return False
    later = select(QuizWindow.id).where(
        QuizWindow.quiz_id == quiz.id,
        not_(window_closed_sql(QuizWindow.closes_at, now)),
    )
    return db.session.scalar(later.limit(1)) is None


def grace_period(config=None) -> timedelta:
    """How long after its deadline an attempt still takes a save sent in time (for
    network latency): the one reading of ATTEMPT_GRACE_SECONDS (from `config`, by
    default the current app's)."""
    config = config if config is not None else current_app.config
    return timedelta(seconds=config["ATTEMPT_GRACE_SECONDS"])


def save_cutoff(
    now: datetime | None = None, grace: timedelta | None = None
) -> datetime:
    """The earliest deadline for which a save made at `now` still counts: `now`
    minus the grace (`grace`, else grace_period's, the configured one)."""
    return (now or utcnow()) - (grace if grace is not None else grace_period())


def results_visible(quiz: Quiz, now: datetime | None = None) -> bool:
    """Whether the results of `quiz`'s attempts — score, pass or fail, marks, right
    answers, rankings — may be shown to anyone now. Always for a quiz that is not
    sealed (its review policy then decides what a learner sees); for a sealed one
    only once every window of it has closed (`all_closed`: the quiz's own and each
    unit's, so every cadre's, `window_for`) and the grace of the last saves has
    passed (a save still accepted must not be made knowing the answers); never
    when it has no close."""
    if not quiz.sealed:
        return True
    return all_closed(quiz, save_cutoff(now))


def results_open_at(quiz: Quiz) -> datetime | None:
    """When a sealed quiz's results become visible: the last close of its windows
    (None: it has no close, so they stay sealed)."""
    if quiz.closes_at is None:
        return None
    last = db.session.scalar(
        select(func.max(QuizWindow.closes_at)).where(QuizWindow.quiz_id == quiz.id)
    )
    return max(quiz.closes_at, last) if last is not None else quiz.closes_at


def is_targeted(user: User, quiz: Quiz) -> bool:
    """Whether `user` may take `quiz` by its targets: a quiz with none is open to
    everyone; else the user's unit must lie in the subtree of one of them."""
    paths = db.session.scalars(
        select(Unit.path)
        .join(QuizTarget, QuizTarget.unit_id == Unit.id)
        .where(QuizTarget.quiz_id == quiz.id)
    ).all()  # one query, the targets and their paths
    if not paths:
        return True
    return user.unit is not None and user.unit.in_subtrees(list(paths))


def unit_windows(quiz: Quiz) -> list[QuizWindow]:
    return list(
        db.session.scalars(
            select(QuizWindow)
            .where(QuizWindow.quiz_id == quiz.id)
            .order_by(QuizWindow.id)
        )
    )


def set_unit_window(
    quiz: Quiz, unit: Unit, opens_at: datetime | None, closes_at: datetime | None
) -> QuizWindow | None:
    """Give `unit`'s subtree its own window for `quiz`; both None removes it."""
    row = db.session.scalar(
        select(QuizWindow).where(
            QuizWindow.quiz_id == quiz.id, QuizWindow.unit_id == unit.id
        )
    )
    if opens_at is None and closes_at is None:
        if row is not None:
            db.session.delete(row)
            db.session.flush()
        return None
    if row is None:
        row = QuizWindow(quiz_id=quiz.id, unit_id=unit.id)
        db.session.add(row)
    row.opens_at, row.closes_at = opens_at, closes_at
    db.session.flush()
    return row


def clear_unit_windows(quiz: Quiz) -> None:
    db.session.execute(delete(QuizWindow).where(QuizWindow.quiz_id == quiz.id))


def rounds_begun(quizzes: list[Quiz]) -> dict[int, datetime]:
    """quiz id → when the round of each of `quizzes` its accommodations belong to
    began: the creation of the latest campaign on it (the records answer
    app.signals.quiz_campaigns_asked, for all of them at once); a quiz no campaign
    uses is left out."""
    by_code = {quiz.code: quiz.id for quiz in quizzes}
    begun: dict[int, datetime] = {}
    if not by_code:
        return begun
    for _receiver, answer in quiz_campaigns_asked.send(list(by_code)):
        for code, created in (answer or {}).items():
            quiz_id = by_code[code]
            begun[quiz_id] = max(created, begun.get(quiz_id, created))
    return begun


def in_force(accommodation: Accommodation, begun: dict[int, datetime]) -> bool:
    """Whether `accommodation` applies (`begun`: rounds_begun's, of its quiz): the
    one rule every reader of a grant goes by. A grant belongs to the round it was
    made for: it applies unless a campaign has been created on its quiz since it
    was granted (granted_at >= the latest campaign's created_at; a quiz no campaign
    uses: always). Creating a campaign on a quiz is what begins a new round of it
    (it gives the quiz its window and drops the earlier unit windows:
    records.quiz_holder), so last year's +2 attempts or +50 % do not carry over to
    this year's campaign, where their reason may no longer hold: HR grants them
    again (`accommodations.grant` renews granted_at). Not round_opened_at, the
    start the attempts count from: a grant made in advance, once the campaign is
    created but before its window opens, must apply, and round_opened_at moves
    whenever a window is edited within the round (a commune opening earlier),
    which would lapse grants nobody took back."""
    since = begun.get(accommodation.quiz_id)
    return since is None or accommodation.granted_at >= since


def grant_of(user: User, quiz: Quiz) -> Accommodation | None:
    """`user`'s grant for `quiz`, in force or lapsed: the one row (unique per cadre
    and quiz) that granting renews and removing deletes."""
    return db.session.scalar(
        select(Accommodation).where(
            Accommodation.user_id == user.id, Accommodation.quiz_id == quiz.id
        )
    )


def accommodation_for(user: User, quiz: Quiz) -> Accommodation | None:
    """`user`'s grant for `quiz` if it is in force (in_force), else None: what
    starting an attempt, its time limit and the attempts allowed go by."""
    grant = grant_of(user, quiz)
    if grant is None or not in_force(grant, rounds_begun([quiz])):
        return None
    return grant


def accommodations_in_force(quiz: Quiz, user_ids=None) -> dict[int, Accommodation]:
    """user id → its grant for `quiz` in force (in_force), of `user_ids` (a list or
    a select of them; None: every cadre's), read at once: for a caller judging many
    cadres, as refitting the open attempts or counting who has none left."""
    query = select(Accommodation).where(Accommodation.quiz_id == quiz.id)
    if user_ids is not None:
        query = query.where(Accommodation.user_id.in_(user_ids))
    grants = db.session.scalars(query).all()
    begun = rounds_begun([quiz]) if grants else {}
    return {grant.user_id: grant for grant in grants if in_force(grant, begun)}


def time_limit_seconds(quiz: Quiz, accommodation: Accommodation | None) -> int:
    if accommodation is None:
        return quiz.time_limit_seconds
    return accommodation.time_limit(quiz.time_limit_seconds)


def attempts_allowed(quiz: Quiz, accommodation: Accommodation | None) -> int:
    extra = accommodation.extra_attempts if accommodation is not None else 0
    return quiz.attempts_allowed + extra


def deadline_for(
    quiz: Quiz,
    start: datetime,
    window: Window | None = None,
    accommodation: Accommodation | None = None,
) -> datetime:
    """An attempt started at `start` ends when its time limit runs out or when its
    window closes, whichever is earlier (no `window`: a preview, which ignores it)."""
    deadline = start + timedelta(seconds=time_limit_seconds(quiz, accommodation))
    if window is not None and window.closes_at is not None:
        deadline = min(deadline, window.closes_at)
    return deadline
