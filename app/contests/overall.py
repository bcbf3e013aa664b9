"""The whole contest's ranking, made from the latest ranking of each ranked round.

- Contest.overall == "sum": right answers added over the rounds; then fewer rounds
  without a prediction, then the smaller sum of prediction gaps (over the rounds
  with one), then the smaller total time, then the earlier last submission.
- Contest.overall == "best": each participant's best round entry, by the rounds'
  own order (right answers, gap, time, submission), compared as in a round.

Entries equal on every key share a rank and are marked tied, as in a round. Read in
one query over the round entries; the unit is the participant's unit now.
"""

from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db

from .models import OVERALL_BEST, Contest, Ranking, RankingEntry
from .order import entry_key


def combine(contest: Contest, rankings: list[Ranking]) -> tuple[list[dict], int]:
    """The overall entries (not yet ranked) and the number of questions they are
    out of."""
    query = (
        select(
            RankingEntry.user_id,
            User.unit_id,
            RankingEntry.attempt_id,
            RankingEntry.right_answers,
            RankingEntry.prediction,
            RankingEntry.prediction_gap,
            RankingEntry.time_used_seconds,
            RankingEntry.submitted_at,
        )
        .join(User, User.id == RankingEntry.user_id)
        .where(RankingEntry.ranking_id.in_([r.id for r in rankings]))
    )
    per_user: dict[int, list] = {}
    for row in db.session.execute(query):
        per_user.setdefault(row.user_id, []).append(row)
    if contest.overall == OVERALL_BEST:
        rows = [_best(entries) for entries in per_user.values()]
        return rows, max((r.question_count for r in rankings), default=0)
    rows = [_summed(entries) for entries in per_user.values()]
    return rows, sum(r.question_count for r in rankings)


def _best(entries: list) -> dict:
    best = min(
        entries,
        key=lambda e: entry_key(
            e.right_answers, e.prediction_gap, e.time_used_seconds, e.submitted_at
        ),
    )
    return {
        "user_id": best.user_id,
        "unit_id": best.unit_id,
        "attempt_id": best.attempt_id,
        "right_answers": best.right_answers,
        "prediction": best.prediction,
        "prediction_gap": best.prediction_gap,
        "time_used_seconds": best.time_used_seconds,
        "submitted_at": best.submitted_at,
        "missing": 0,
    }


def _summed(entries: list) -> dict:
    gaps = [e.prediction_gap for e in entries if e.prediction_gap is not None]
    return {
        "user_id": entries[0].user_id,
        "unit_id": entries[0].unit_id,
        "attempt_id": None,
        "right_answers": sum(e.right_answers for e in entries),
        "prediction": None,
        "prediction_gap": sum(gaps) if gaps else None,
        "time_used_seconds": sum(e.time_used_seconds for e in entries),
        "submitted_at": max(e.submitted_at for e in entries),
        "missing": len(entries) - len(gaps),
    }


def row_key(contest: Contest):
    """The sort key of the overall entries (smaller ranks first)."""

    def key(row: dict):
        return (
            -row["right_answers"],
            row["missing"],
            row["prediction_gap"] is None,
            row["prediction_gap"] or 0,
            row["time_used_seconds"],
            row["submitted_at"],
        )

    return key
