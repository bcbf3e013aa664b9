"""What the public contest pages show, read once and kept in the cache for a short
while as plain data (never a rendered page): the contest, its rounds and, for the
rounds that have closed, the latest stored ranking's top places and prize list."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import defer, lazyload, selectinload

from app.accounts.models import User
from app.accounts.scope import in_any_subtree
from app.extensions import cache, db
from app.quizzes import attempts
from app.quizzes.models import Attempt, Quiz
from app.quizzes.windows import quiz_window
from app.timeutil import utcnow

from .models import (
    PRIZE_LEVELS,
    Contest,
    ContestRound,
    Prize,
    Ranking,
    RankingEntry,
    RankingUnit,
)
from .participation import RUNNING, UnitGroup, round_state, unit_groups
from .prizes import level_label
from .results import UnitResult, by_participation
from .sync import current_rounds

PAGE_SECONDS = 60
TOP_PLACES = 10


@dataclass(frozen=True)
class Placing:
    rank: int
    name: str
    unit: str
    right_answers: int
    prediction: int | None
    time_used_seconds: float
    tied: bool


@dataclass(frozen=True)
class PrizeLine:
    level: str
    name: str
    unit: str
    rank: int
    right_answers: int


@dataclass(frozen=True)
class Results:
    version: int
    computed_at: datetime
    participants: int
    question_count: int
    perfect_count: int  # the number the predictions were measured against
    top: tuple[Placing, ...]
    prizes: tuple[PrizeLine, ...]
    units: tuple[UnitResult, ...] = ()  # kept with the ranking, by participation


@dataclass(frozen=True)
class RoundInfo:
    number: int
    code: str
    title: str
    quiz_id: int
    quiz_code: str
    opens_at: datetime
    closes_at: datetime
    time_limit_minutes: int
    attempts_allowed: int
    question_count: int
    prediction: str
    prizes: tuple[tuple[str, int], ...]
    results: Results | None  # read only once the round had closed

    def state(self, now: datetime) -> str:
        return round_state(self.opens_at, self.closes_at, now)


@dataclass(frozen=True)
class ContestPage:
    id: int
    code: str
    title: str
    organiser: str
    description_html: str
    rules_html: str
    targets: tuple[str, ...]  # unit names
    target_paths: tuple[str, ...]
    rounds: tuple[RoundInfo, ...]
    groups: tuple[UnitGroup, ...]  # the rows of the participation counts

    def admits(self, user: User) -> bool:
        """Whether `user` is a participant: a cadre of a target unit's subtree."""
        unit = user.unit
        return unit is not None and in_any_subtree(unit.path, self.target_paths)

    def running(self, now: datetime) -> RoundInfo | None:
        return next((r for r in self.rounds if r.state(now) == RUNNING), None)


def prize_labels(page: ContestPage) -> dict[str, str]:
    """The name of each prize level the page shows (“Giải Nhất”, a tie pending
    the council's decision…), translated once per request, not once per row."""
    levels = {level for r in page.rounds for level, _count in r.prizes}
    for r in page.rounds:
        if r.results is not None:
            levels.update(p.level for p in r.results.prizes)
    return {level: level_label(level) for level in levels}


def _key(code: str) -> str:
    return f"contest-page:{code}"


def contest_page(code: str) -> ContestPage | None:
    """The page of the active contest `code` (None if there is none), from the
    cache when it was read in the last PAGE_SECONDS."""
    found = cache.get(_key(code))
    if found is None:
        found = load_contest_page(code)
        if found is not None:
            cache.set(_key(code), found, timeout=PAGE_SECONDS)
    return found


def forget_contest_page(code: str) -> None:
    """After an edit: the next view reads the contest anew."""
    cache.delete(_key(code))


def load_contest_page(code: str, now: datetime | None = None) -> ContestPage | None:
    now = now or utcnow()
    contest = db.session.scalar(
        select(Contest).where(Contest.code == code, Contest.active.is_(True))
    )
    if contest is None:
        return None
    targets = [t.unit for t in contest.targets]
    rows = current_rounds(contest)
    closed = [r.id for r in rows if quiz_window(r.quiz).has_closed(now)]
    results = _results(closed)
    rounds = tuple(_round_info(r, results.get(r.id)) for r in rows)
    return ContestPage(
        id=contest.id,
        code=contest.code,
        title=contest.title,
        organiser=contest.organiser,
        description_html=contest.description_html,
        rules_html=contest.rules_html,
        targets=tuple(u.name for u in targets),
        target_paths=tuple(u.path for u in targets),
        rounds=rounds,
        groups=tuple(unit_groups([u.id for u in targets])),
    )


def _round_info(row: ContestRound, results: Results | None) -> RoundInfo:
    quiz = row.quiz
    return RoundInfo(
        number=row.number,
        code=row.code,
        title=row.title,
        quiz_id=quiz.id,
        quiz_code=quiz.code,
        opens_at=quiz.opens_at,
        closes_at=quiz.closes_at,
        time_limit_minutes=quiz.time_limit_seconds // 60,
        attempts_allowed=quiz.attempts_allowed,
        question_count=quiz.question_count,
        prediction=quiz.prediction_prompt or "",
        prizes=tuple((level, int(row.prizes.get(level, 0))) for level in PRIZE_LEVELS),
        results=results,
    )


def _results(round_ids: list[int]) -> dict[int, Results]:
    """The latest ranking (highest version) of each of these rounds, if any."""
    if not round_ids:
        return {}
    latest = _latest_rankings(round_ids)
    ids = [r.id for r in latest.values()]
    top = _top_placings(ids)
    prizes = _prize_lines(ids)
    units = _unit_lines(ids)
    order = {level: n for n, level in enumerate(PRIZE_LEVELS)}
    return {
        round_id: Results(
            version=r.version,
            computed_at=r.computed_at,
            participants=r.participants,
            question_count=r.question_count,
            perfect_count=r.perfect_count,
            top=tuple(top[r.id]),
            prizes=tuple(sorted(prizes[r.id], key=lambda p: order.get(p.level, 9))),
            units=tuple(by_participation(units[r.id])),
        )
        for round_id, r in latest.items()
    }


def _latest_rankings(round_ids: list[int]) -> dict[int, Ranking]:
    """The ranking of the highest version of each round that has one, by round
    id."""
    latest: dict[int, Ranking] = {}
    for ranking in db.session.scalars(
        select(Ranking).where(Ranking.round_id.in_(round_ids))
    ):
        if (
            ranking.round_id not in latest
            or ranking.version > latest[ranking.round_id].version
        ):
            latest[ranking.round_id] = ranking
    return latest


def _top_placings(ids: list[int]) -> dict[int, list[Placing]]:
    """The first TOP_PLACES places of each of these rankings, by ranking id, with
    the names kept when they were ranked."""
    top: dict[int, list[Placing]] = {i: [] for i in ids}
    for entry in db.session.scalars(
        select(RankingEntry)
        .where(RankingEntry.ranking_id.in_(ids), RankingEntry.rank <= TOP_PLACES)
        .order_by(RankingEntry.ranking_id, RankingEntry.rank, RankingEntry.name_sort)
    ):
        top[entry.ranking_id].append(
            Placing(
                entry.rank,
                entry.full_name,
                entry.unit_name,
                entry.right_answers,
                entry.prediction,
                entry.time_used_seconds,
                entry.tied,
            )
        )
    return top


def _prize_lines(ids: list[int]) -> dict[int, list[PrizeLine]]:
    """The prizes of each of these rankings, by rank, by ranking id, with the
    names kept when they were ranked."""
    prizes: dict[int, list[PrizeLine]] = {i: [] for i in ids}
    for prize, entry in db.session.execute(
        select(Prize, RankingEntry)
        .join(RankingEntry, RankingEntry.id == Prize.entry_id)
        .where(Prize.ranking_id.in_(ids))
        .order_by(RankingEntry.rank, RankingEntry.name_sort)
    ):
        prizes[prize.ranking_id].append(
            PrizeLine(
                prize.level,
                entry.full_name,
                entry.unit_name,
                entry.rank,
                entry.right_answers,
            )
        )
    return prizes


def _unit_lines(ids: list[int]) -> dict[int, list[UnitResult]]:
    """The rows per unit kept with each of these rankings (results.freeze_units;
    a ranking made before they were kept has none here), by ranking id: labels
    and counts only, no Unit row (the page's data is cached)."""
    units: dict[int, list[UnitResult]] = {i: [] for i in ids}
    for row in db.session.scalars(
        select(RankingUnit)
        .where(RankingUnit.ranking_id.in_(ids))
        .order_by(RankingUnit.position)
    ):
        units[row.ranking_id].append(
            UnitResult(
                None,
                row.label,
                row.participants,
                row.cadres,
                row.right_sum,
                row.perfect,
            )
        )
    return units


@dataclass(frozen=True)
class ListedContest:
    """A contest as the list of contests shows it: its current rounds' span."""

    code: str
    title: str
    organiser: str
    rounds: int
    opens_at: datetime | None
    closes_at: datetime | None


def contest_list() -> list[ListedContest]:
    """The active contests, latest first: two queries (the contests, then their
    rounds with their quizzes), their long texts left unread."""
    query = (
        select(Contest)
        .where(Contest.active.is_(True))
        .order_by(Contest.id.desc())
        .options(
            defer(Contest.description_md),
            defer(Contest.description_html),
            defer(Contest.rules_md),
            defer(Contest.rules_html),
            lazyload(Contest.targets),
            selectinload(Contest.rounds)
            .joinedload(ContestRound.quiz)
            .defer(Quiz.prediction_prompt),
        )
    )
    listed = []
    for contest in db.session.scalars(query):
        rounds = current_rounds(contest)
        listed.append(
            ListedContest(
                contest.code,
                contest.title,
                contest.organiser,
                len(rounds),
                rounds[0].quiz.opens_at if rounds else None,
                rounds[-1].quiz.closes_at if rounds else None,
            )
        )
    return listed


def start_refusals(user: User, page: ContestPage, now: datetime) -> dict[int, str]:
    """Why `user`, a participant, may not start the round running at `now` (by its
    quiz id; none when it may, or has an attempt open to resume): the attempt
    core's own reasons, its attempts used up (extra ones granted counted)."""
    running = page.running(now)
    if running is None:
        return {}
    quiz = db.session.get(Quiz, running.quiz_id)
    if quiz is None or attempts.open_attempt(user, quiz) is not None:
        return {}
    check = attempts.check_start(user, quiz, now)
    return {} if check.allowed else {quiz.id: " ".join(check.reasons)}


def own_attempts(user: User, page: ContestPage) -> dict[int, list[Attempt]]:
    """The user's attempts (previews aside) at each round's quiz, by quiz id."""
    ids = [r.quiz_id for r in page.rounds]
    found: dict[int, list[Attempt]] = {i: [] for i in ids}
    for attempt in db.session.scalars(
        select(Attempt)
        .where(
            Attempt.user_id == user.id,
            Attempt.quiz_id.in_(ids),
            Attempt.preview.is_(False),
        )
        .order_by(Attempt.number)
    ):
        found[attempt.quiz_id].append(attempt)
    return found
