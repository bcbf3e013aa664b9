"""Finding contests, rounds and ranking versions (a missing one is NotFound)."""

from sqlalchemy import select

from app.errors import NotFound
from app.errors import lazy_gettext as _l
from app.extensions import db

from .models import Contest, ContestRound, Ranking, RankingEntry

NO_CONTEST = _l("Không tìm thấy cuộc thi này.")
NO_ROUND = _l("Không tìm thấy đợt thi này.")
NO_RANKING = _l("Không tìm thấy bảng xếp hạng này.")


def get_contest(code: str) -> Contest:
    contest = db.session.scalar(select(Contest).where(Contest.code == code))
    if contest is None:
        raise NotFound(NO_CONTEST)
    return contest


def get_round(contest: Contest, number: int) -> ContestRound:
    round_ = db.session.scalar(
        select(ContestRound).where(
            ContestRound.contest_id == contest.id, ContestRound.number == number
        )
    )
    if round_ is None:
        raise NotFound(NO_ROUND)
    return round_


def get_round_by_code(code: str) -> ContestRound:
    round_ = db.session.scalar(select(ContestRound).where(ContestRound.code == code))
    if round_ is None:
        raise NotFound(NO_ROUND)
    return round_


def _of_round(round_: ContestRound | None):
    if round_ is None:
        return Ranking.round_id.is_(None)
    return Ranking.round_id == round_.id


def latest(contest: Contest, round_: ContestRound | None) -> Ranking | None:
    """The newest version of the round's ranking (of the whole contest's, for
    None)."""
    return db.session.scalar(
        select(Ranking)
        .where(Ranking.contest_id == contest.id, _of_round(round_))
        .order_by(Ranking.version.desc())
        .limit(1)
    )


def versions(contest: Contest, round_: ContestRound | None) -> list[Ranking]:
    """Every version of the round's (contest's) ranking, newest first."""
    return list(
        db.session.scalars(
            select(Ranking)
            .where(Ranking.contest_id == contest.id, _of_round(round_))
            .order_by(Ranking.version.desc())
        )
    )


def get_version(
    contest: Contest, round_: ContestRound | None, version: int | None
) -> Ranking:
    """The version asked for (the latest for None); NotFound when there is none."""
    if version is None:
        ranking = latest(contest, round_)
    else:
        ranking = db.session.scalar(
            select(Ranking).where(
                Ranking.contest_id == contest.id,
                _of_round(round_),
                Ranking.version == version,
            )
        )
    if ranking is None:
        raise NotFound(NO_RANKING)
    return ranking


def counted_attempt(quiz_id: int, user_id: int) -> dict | None:
    """The attempt of `user_id` that the latest ranking of the round of quiz
    `quiz_id` counts, as {"attempt_id": id} (None: the user is not in it): the one
    its rule picked (candidates.best_attempts) and stored with the entry. None for
    a quiz of no round, or a round not ranked yet."""
    round_ = db.session.scalar(
        select(ContestRound).where(ContestRound.quiz_id == quiz_id)
    )
    ranking = latest(round_.contest, round_) if round_ is not None else None
    if ranking is None:
        return None
    return {
        "attempt_id": db.session.scalar(
            select(RankingEntry.attempt_id).where(
                RankingEntry.ranking_id == ranking.id,
                RankingEntry.user_id == user_id,
            )
        )
    }
