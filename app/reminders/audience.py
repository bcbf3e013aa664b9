"""Who a reminder reaches: the cadres of a campaign still to finish, in a subtree,
and, for an officer's reminder, only those whose own quiz window is open (the
campaign's, or their unit's own: app.records.campaigns)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, exists, false, or_, select, union_all

from app.accounts.models import Unit, User
from app.accounts.scope import in_subtree
from app.quizzes import services as quizzes
from app.quizzes.models import Quiz, QuizWindow
from app.records.campaigns import unit_windows
from app.records.models import COMPLETED, Campaign, TrainingRecord


@dataclass(frozen=True)
class CampaignWindow(quizzes.Window):
    """One window of a campaign's quiz: the campaign's own (unit None) or a unit's,
    open and closed as every window is (quizzes.Window)."""

    unit: Unit | None = None

    @property
    def key(self) -> int:
        return self.unit.id if self.unit is not None else 0


def campaign_windows(campaign: Campaign) -> list[CampaignWindow]:
    """The campaign's own window, then each unit's own (records.campaigns)."""
    own = CampaignWindow(campaign.opens_at, campaign.closes_at)
    return [own] + [
        CampaignWindow(w.opens_at, w.closes_at, w.unit.id, w.unit)
        for w in unit_windows(campaign)
    ]


def some_window_open_sql(now: datetime, branch: list[int] | None = None):
    """SQL condition on Campaign: a window of it may be open at `now` — its own, or
    a unit's own window of its quiz (of a unit of `branch`, ids, when given: a
    cadre's unit and its ancestors). A unit's window may open before the campaign's
    own does, so `Campaign.opens_at <= now` is no test. It picks the campaigns to
    look at in one query; whether the quiz still holds the campaign's windows (a
    later campaign may have taken it) is campaign_windows' or window_of's to say."""
    unit_window = exists().where(
        Quiz.code == Campaign.quiz_code,
        QuizWindow.quiz_id == Quiz.id,
        quizzes.window_open_sql(QuizWindow.opens_at, QuizWindow.closes_at, now),
    )
    if branch is not None:
        unit_window = unit_window.where(QuizWindow.unit_id.in_(branch))
    own = quizzes.window_open_sql(Campaign.opens_at, Campaign.closes_at, now)
    return or_(own, unit_window)


def inner_paths(window: CampaignWindow, windows: list[CampaignWindow]) -> list[str]:
    """Paths of the other units' windows inside `window`'s scope: their cadres are
    reminded by their own window's reminders, on their own dates."""
    paths = [w.unit.path for w in windows if w.unit is not None and w is not window]
    if window.unit is None:
        return paths
    return [p for p in paths if in_subtree(p, window.unit.path)]


def targets(
    campaign: Campaign,
    unit: Unit | None,
    exclude: list[str] | None = None,
    stuck: set[int] | None = None,
) -> Select:
    """(user id, email) of the cadres to remind of `campaign`: active, with a record
    not completed, in the subtree of `unit` (None: the campaign's whole scope) and
    outside the subtrees of the paths `exclude` (units with a window of their own,
    which get their own scheduled reminders). A cadre who failed the quiz with no
    attempt left, and none open, is left out: there is nothing it can finish
    (`stuck`: those cadres, when the caller has read them once for several
    parts)."""
    query = (
        select(User.id, User.email)
        .select_from(TrainingRecord)
        .join(User, User.id == TrainingRecord.user_id)
        .join(Unit, Unit.id == TrainingRecord.unit_id)
        .where(
            TrainingRecord.campaign_id == campaign.id,
            TrainingRecord.status != COMPLETED,
            User.active.is_(True),
        )
    )
    if unit is not None:
        query = query.where(Unit.in_subtree(unit.path))
    if exclude:
        query = query.where(~Unit.in_subtrees(exclude))
    stuck = out_of_attempts(campaign) if stuck is None else stuck
    if stuck:
        query = query.where(TrainingRecord.user_id.not_in(stuck))
    return query


def out_of_attempts(campaign: Campaign) -> set[int]:
    """The campaign's cadres who failed its quiz with no attempt left
    (quizzes.out_of_attempts: accommodations' extra attempts included)."""
    failed = select(TrainingRecord.user_id).where(
        TrainingRecord.campaign_id == campaign.id,
        TrainingRecord.status != COMPLETED,
        TrainingRecord.passed.is_(False),
        TrainingRecord.attempts > 0,
    )
    return quizzes.out_of_attempts(quizzes.any_quiz(campaign.quiz_code), failed)


def reachable(campaign: Campaign, unit: Unit | None, now: datetime) -> Select:
    """targets() of an officer's reminder: the cadres of `unit`'s subtree (None: the
    campaign's whole scope) whose own quiz window is open at `now` (open_parts, as
    one query)."""
    parts = [query for _window, query in open_parts(campaign, unit, now)]
    if not parts:
        return targets(campaign, unit, stuck=set()).where(false())
    return parts[0] if len(parts) == 1 else union_all(*parts)


def open_parts(
    campaign: Campaign, unit: Unit | None, now: datetime
) -> list[tuple[CampaignWindow, Select]]:
    """Per window open at `now`: the window, and targets() of the part of `unit`'s
    subtree (None: the campaign's whole scope) it governs, its deeper windows'
    units left out (the parts are apart). A commune whose window opens next week,
    or closed yesterday, is not told to finish now."""
    windows = campaign_windows(campaign)
    parts, stuck = [], None
    for window in windows:
        if not window.is_open(now):
            continue
        root = _within(unit, window.unit)
        if root is not False:
            if stuck is None:  # read once for all the parts
                stuck = out_of_attempts(campaign)
            query = targets(campaign, root, inner_paths(window, windows), stuck)
            parts.append((window, query))
    return parts


def _within(one: Unit | None, other: Unit | None) -> "Unit | None | bool":
    """The narrower of two subtrees (None: everything); False when apart."""
    if one is None or other is None:
        return other if one is None else one
    if in_subtree(one.path, other.path):
        return one
    if in_subtree(other.path, one.path):
        return other
    return False
