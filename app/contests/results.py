"""What a frozen ranking says, read for the pages and papers: its entries with their
people (a page at a time), and the results per unit.

Per unit (the units right under each of the contest's targets, and the target's own
cadres as a row of their own): participants (entries of the ranking whose unit,
when ranked, lies in the unit's subtree), cadres in scope (active users in the
subtree), the participation rate, the mean right answers and the number of
perfect scores — counted when the ranking is made and kept with it (RankingUnit),
so that a frozen ranking's figures stay as they were. Two grouped queries (entries
by unit, cadres by unit), rolled up in Python over units, never over people. The
collective prizes go by participation rate: `by_participation` orders the rows for
the council, which decides.
"""

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from sqlalchemy import case, func, select

from app.accounts.models import Unit, User, unit_labels
from app.accounts.scope import path_ids
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.vntext import text_sort_key

from .models import Contest, Prize, Ranking, RankingEntry, RankingUnit
from .order import is_all_right

PER_PAGE = 100


@dataclass
class EntryRow:
    rank: int
    tied: bool
    full_name: str
    unit_name: str
    right_answers: int
    prediction: int | None
    prediction_gap: int | None
    time_used_seconds: float
    submitted_at: datetime | None
    level: str | None  # its prize (app.contests.prizes), if any


def entry_page(ranking: Ranking, page: int = 1, per_page: int = PER_PAGE):
    """One page of the ranking's entries in rank order, and the number of pages,
    with the names kept when it was ranked."""
    total = ranking.participants
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    query = (
        select(
            RankingEntry.rank,
            RankingEntry.tied,
            RankingEntry.full_name,
            RankingEntry.unit_name,
            RankingEntry.right_answers,
            RankingEntry.prediction,
            RankingEntry.prediction_gap,
            RankingEntry.time_used_seconds,
            RankingEntry.submitted_at,
            Prize.level,
        )
        .outerjoin(Prize, Prize.entry_id == RankingEntry.id)
        .where(RankingEntry.ranking_id == ranking.id)
        .order_by(RankingEntry.rank, RankingEntry.name_sort, RankingEntry.user_id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = [EntryRow(*row) for row in db.session.execute(query)]
    return rows, page, pages


@dataclass
class UnitResult:
    unit: Unit
    label: str
    participants: int = 0
    cadres: int = 0
    right_sum: int = 0
    perfect: int = 0

    @property
    def rate(self) -> float:
        """Participants per cadre in scope, in percent (0 without cadres)."""
        return round(100 * self.participants / self.cadres, 1) if self.cadres else 0.0

    @property
    def mean_right(self) -> float | None:
        return (
            round(self.right_sum / self.participants, 2) if self.participants else None
        )


def unit_results(contest: Contest, ranking: Ranking) -> list[UnitResult]:
    """The rows per unit of `ranking`: those kept with it when it was ranked
    (freeze_units), or, for a ranking made before they were kept, counted now."""
    kept = db.session.execute(
        select(RankingUnit, Unit)
        .join(Unit, Unit.id == RankingUnit.unit_id)
        .where(RankingUnit.ranking_id == ranking.id)
        .order_by(RankingUnit.position)
    ).all()
    if kept:
        return [
            UnitResult(unit, r.label, r.participants, r.cadres, r.right_sum, r.perfect)
            for r, unit in kept
        ]
    return count_units(contest, ranking)


def freeze_units(contest: Contest, ranking: Ranking) -> None:
    """Keep the ranking's rows per unit as they stand now (its entries flushed):
    the unit tree, the names and the cadres in scope of the day it is ranked.
    One bulk insert; the caller commits."""
    rows = [
        {
            "ranking_id": ranking.id,
            "position": position,
            "unit_id": row.unit.id,
            "label": row.label,
            "participants": row.participants,
            "cadres": row.cadres,
            "right_sum": row.right_sum,
            "perfect": row.perfect,
        }
        for position, row in enumerate(count_units(contest, ranking))
    ]
    if rows:
        db.session.execute(RankingUnit.__table__.insert(), rows)


def count_units(contest: Contest, ranking: Ranking) -> list[UnitResult]:
    """The rows per unit under the contest's targets, in the targets' order, each
    target's children by name, counted now."""
    roots = [target.unit for target in contest.targets]
    units = db.session.scalars(
        select(Unit).where(Unit.in_subtrees([root.path for root in roots]))
    ).all()
    rows: dict[tuple[int, int | None], UnitResult] = {}
    labels = unit_labels()
    for root in roots:
        children = sorted(
            (u for u in units if u.parent_id == root.id), key=lambda u: u.sort_key
        )
        for child in children:
            rows[(root.id, child.id)] = UnitResult(
                child, labels.get(child.code, child.name)
            )
        name = labels.get(root.code, root.name)
        own = str(_l("%(name)s (cán bộ trực thuộc)", name=name))
        rows[(root.id, None)] = UnitResult(root, own)
    row_of = {u.id: _row_key(u, roots) for u in units}
    for unit_id, count, right, perfect in _entry_counts(ranking):
        if unit_id in row_of:
            row = rows[row_of[unit_id]]
            row.participants += count
            row.right_sum += int(right or 0)
            row.perfect += int(perfect or 0)
    for unit_id, count in _cadre_counts([root.path for root in roots]):
        rows[row_of[unit_id]].cadres += count
    return [
        row
        for (root_id, child), row in rows.items()
        if child is not None or row.cadres or row.participants
    ]


def by_participation(rows: list[UnitResult]) -> list[UnitResult]:
    """The rows for the collective prizes: highest participation rate first (the
    exact fraction, not the rounded percent shown), then more participants, then
    name in Vietnamese dictionary order."""
    return sorted(rows, key=lambda r: (*participation_key(r), text_sort_key(r.label)))


def participation_key(row: UnitResult) -> tuple:
    """The rank of a row for the collective prizes: rows with equal keys are tied."""
    rate = Fraction(row.participants, row.cadres) if row.cadres else Fraction(0)
    return -rate, -row.participants


def top_by_participation(rows: list[UnitResult], count: int) -> list[UnitResult]:
    """The first `count` rows with participants by_participation, and every row
    tied with the last of them (the council decides among a tie, never the
    alphabet)."""
    ordered = [row for row in by_participation(rows) if row.participants]
    if count <= 0 or len(ordered) <= count:
        return ordered if count > 0 else []
    last = participation_key(ordered[count - 1])
    end = count
    while end < len(ordered) and participation_key(ordered[end]) == last:
        end += 1
    return ordered[:end]


def _row_key(unit: Unit, roots: list[Unit]) -> tuple[int, int | None]:
    """The row a unit counts in: under the first target holding it, the child of
    the target on its branch (None: the target's own)."""
    for root in roots:
        if unit.in_subtree(root.path):
            below = path_ids(unit.path)[len(path_ids(root.path)) :]
            return root.id, below[0] if below else None
    raise ValueError(unit)


def _entry_counts(ranking: Ranking):
    right = is_all_right(RankingEntry.right_answers, ranking.question_count)
    perfect = case((right, 1), else_=0)
    return db.session.execute(
        select(
            RankingEntry.unit_id,
            func.count(),
            func.sum(RankingEntry.right_answers),
            func.sum(perfect),
        )
        .where(RankingEntry.ranking_id == ranking.id)
        .group_by(RankingEntry.unit_id)
    ).all()


def _cadre_counts(paths: list[str]):
    return db.session.execute(
        select(User.unit_id, func.count())
        .join(Unit, Unit.id == User.unit_id)
        .where(User.active.is_(True), Unit.in_subtrees(paths))
        .group_by(User.unit_id)
    ).all()


def totals(rows: list[UnitResult]) -> UnitResult:
    """The sum of the rows (the targets' whole subtrees)."""
    total = UnitResult(rows[0].unit if rows else None, str(_l("Tổng cộng")))
    for row in rows:
        total.participants += row.participants
        total.cadres += row.cadres
        total.right_sum += row.right_sum
        total.perfect += row.perfect
    return total
