"""The order of a contest ranking (thể lệ): the one definition of its key, of how
equal keys share a rank, and of "every answer right"."""

from datetime import datetime

from sqlalchemy import false


def is_all_right(right, questions: int):
    """Every question right: `right` (a number, or a SQL column: then a SQL
    condition) at least `questions`, the ranking's number of questions
    (Ranking.question_count: the round's draw, fixed once someone has started
    it). Nobody has every answer right of a round without questions."""
    if questions <= 0:
        return False if isinstance(right, int | float) else false()
    return right >= questions


def entry_key(right: int, gap: int | None, seconds: float, submitted: datetime):
    """Right answers, most first; then the prediction gap, smallest first, with no
    prediction after every one given; then the time used, shortest first; then the
    submission, earliest first. Smaller keys rank first. Times count in whole
    seconds, as every page and paper shows them: two cadres shown with the same
    time are tied, never ranked apart by a fraction nobody can see."""
    return (
        -right,
        gap is None,
        gap or 0,
        int(seconds),
        submitted.replace(microsecond=0),
    )


def row_key(row: dict):
    """entry_key of a ranking entry's row (a dict of RankingEntry's columns)."""
    return entry_key(
        row["right_answers"],
        row["prediction_gap"],
        row["time_used_seconds"],
        row["submitted_at"],
    )


def assign_ranks(rows: list[dict], key=row_key) -> list[dict]:
    """Sort `rows` by `key` (user id within a tie, which means nothing) and give each
    its `rank` and `tied`: equal keys share the rank of the first (1, 2, 2, 4)."""
    rows.sort(key=lambda row: (key(row), row["user_id"]))
    start = 0
    while start < len(rows):
        end, first = start + 1, key(rows[start])
        while end < len(rows) and key(rows[end]) == first:
            end += 1
        for row in rows[start:end]:
            row["rank"] = start + 1
            row["tied"] = end - start > 1
        start = end
    return rows
