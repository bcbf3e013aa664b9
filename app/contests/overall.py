"""The whole contest's ranking, made from the latest ranking of each ranked round.

- Contest.overall == "sum": right answers added over the rounds; then fewer rounds
  without a prediction, then the smaller sum of prediction gaps (over the rounds
  with one), then the smaller total time, then the earlier last submission.
- Contest.overall == "best": each participant's best round entry, by the rounds'
  own order (right answers, gap, time, submission), compared as in a round.

Entries equal on every key share a rank and are marked tied, as in a round. Read in
one query over the round entries; the unit is the one the participant competed for
(its round entry's: the best one's, or the latest round's for the sum). The names
kept with the entries are those of the day it is made.
"""

from sqlalchemy import select

from app.accounts.models import Unit, User
from app.extensions import db

from .candidates import unit_names
from .models import OVERALL_BEST, Contest, Ranking, RankingEntry
from .order import entry_key


def combine(contest: Contest, rankings: list[Ranking]) -> tuple[list[dict], int]:
    """The overall entries (not yet ranked) and the number of questions they are
    out of."""
    query = select(
        RankingEntry.user_id,
        RankingEntry.unit_id,
        RankingEntry.attempt_id,
        RankingEntry.right_answers,
        RankingEntry.prediction,
        RankingEntry.prediction_gap,
        RankingEntry.time_used_seconds,
        RankingEntry.submitted_at,
        User.full_name,
        User.name_sort,
    ).join(User, User.id == RankingEntry.user_id)
    ids = [r.id for r in rankings]
    per_user: dict[int, list] = {}
    for row in db.session.execute(query.where(RankingEntry.ranking_id.in_(ids))):
        per_user.setdefault(row.user_id, []).append(row)
    if contest.overall == OVERALL_BEST:
        rows = [_best(entries) for entries in per_user.values()]
        count = max((r.question_count for r in rankings), default=0)
    else:
        rows = [_summed(entries) for entries in per_user.values()]
        count = sum(r.question_count for r in rankings)
    units = unit_names(Unit.id.in_(list({row["unit_id"] for row in rows})))
    for row in rows:
        row["unit_name"] = units[row["unit_id"]]
    return rows, count


def _names(entry) -> dict:
    return {"full_name": entry.full_name, "name_sort": entry.name_sort}


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
    } | _names(best)


def _summed(entries: list) -> dict:
    gaps = [e.prediction_gap for e in entries if e.prediction_gap is not None]
    latest = max(entries, key=lambda e: e.submitted_at)
    return {
        "user_id": entries[0].user_id,
        "unit_id": latest.unit_id,
        "attempt_id": None,
        "right_answers": sum(e.right_answers for e in entries),
        "prediction": None,
        "prediction_gap": sum(gaps) if gaps else None,
        # whole seconds, as each round counts them: the sum shown is the one ranked
        "time_used_seconds": sum(int(e.time_used_seconds) for e in entries),
        "submitted_at": max(e.submitted_at for e in entries),
        "missing": len(entries) - len(gaps),
    } | _names(latest)


def row_key(contest: Contest):
    """The sort key of the overall entries (smaller ranks first)."""

    def key(row: dict):
        return (
            -row["right_answers"],
            row["missing"],
            row["prediction_gap"] is None,
            row["prediction_gap"] or 0,
            int(row["time_used_seconds"]),
            row["submitted_at"].replace(microsecond=0),
        )

    return key
