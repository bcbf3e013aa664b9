"""Read-only report queries over training records, always inside a unit subtree.

Aggregates run in SQL over one record per cadre (no per-row Python loop). Every
function takes the subtree root; callers get it from the viewer's scope.
"""

from dataclasses import dataclass

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import aliased

from app.accounts.models import Unit, User
from app.extensions import db
from app.records.models import COMPLETED, IN_PROGRESS, NOT_STARTED, TrainingRecord
from app.vntext import fold


@dataclass
class SummaryRow:
    """Counts for a set of records: a subtree, or one child unit's subtree."""

    unit: Unit | None
    total: int
    completed: int
    in_progress: int
    not_started: int
    passed: int
    mean_score: float | None
    direct_only: bool = False  # the parent's own cadres, not its children's

    @property
    def completion_percent(self) -> float:
        return round(100 * self.completed / self.total, 1) if self.total else 0.0

    @property
    def pass_percent(self) -> float:
        return round(100 * self.passed / self.total, 1) if self.total else 0.0


def _aggregates():
    record = TrainingRecord
    return (
        func.count(record.id),
        func.coalesce(func.sum(case((record.status == COMPLETED, 1), else_=0)), 0),
        func.coalesce(func.sum(case((record.status == IN_PROGRESS, 1), else_=0)), 0),
        func.coalesce(func.sum(case((record.status == NOT_STARTED, 1), else_=0)), 0),
        func.coalesce(func.sum(case((record.passed.is_(True), 1), else_=0)), 0),
        func.avg(record.best_percent),
    )


def _row(unit, values, direct_only=False) -> SummaryRow:
    total, completed, in_progress, not_started, passed, mean = values
    return SummaryRow(
        unit,
        int(total),
        int(completed),
        int(in_progress),
        int(not_started),
        int(passed),
        round(float(mean), 1) if mean is not None else None,
        direct_only,
    )


def subtree_summary(campaign_id: int, root: Unit) -> SummaryRow:
    """Totals for every record whose cadre is now in `root`'s subtree."""
    values = db.session.execute(
        select(*_aggregates())
        .join(Unit, Unit.id == TrainingRecord.unit_id)
        .where(
            TrainingRecord.campaign_id == campaign_id,
            Unit.path.startswith(root.path, autoescape=True),
        )
    ).one()
    return _row(root, values)


def children_summary(campaign_id: int, parent: Unit) -> list[SummaryRow]:
    """One row per child unit of `parent` (each its whole subtree), then a row for
    the cadres directly in `parent`, when there are any. One grouped query each."""
    child, member = aliased(Unit), aliased(Unit)
    grouped = db.session.execute(
        select(child.id, *_aggregates())
        .select_from(child)
        .join(member, member.path.like(child.path + "%"))
        .join(
            TrainingRecord,
            (TrainingRecord.unit_id == member.id)
            & (TrainingRecord.campaign_id == campaign_id),
        )
        .where(child.parent_id == parent.id)
        .group_by(child.id)
    ).all()
    by_id = {row[0]: row[1:] for row in grouped}
    children = db.session.scalars(
        select(Unit).where(Unit.parent_id == parent.id).order_by(Unit.name)
    ).all()
    rows = [_row(c, by_id[c.id]) for c in children if c.id in by_id]
    direct = db.session.execute(
        select(*_aggregates()).where(
            TrainingRecord.campaign_id == campaign_id,
            TrainingRecord.unit_id == parent.id,
        )
    ).one()
    if direct[0]:
        rows.append(_row(parent, direct, direct_only=True))
    return rows


def ranking(campaign_id: int, parent: Unit) -> list[SummaryRow]:
    """Child units by completion rate, best first (ties: more cadres first)."""
    rows = [r for r in children_summary(campaign_id, parent) if not r.direct_only]
    return sorted(rows, key=lambda r: (-r.completion_percent, -r.total, r.unit.name))


def record_rows(
    campaign_id: int, root: Unit, status: str | None = None, text: str | None = None
) -> Select:
    """(TrainingRecord, User, Unit) rows in `root`'s subtree, sorted the Vietnamese
    way, filtered by status and by a diacritic-insensitive name or code search."""
    query = (
        select(TrainingRecord, User, Unit)
        .join(User, User.id == TrainingRecord.user_id)
        .join(Unit, Unit.id == TrainingRecord.unit_id)
        .where(
            TrainingRecord.campaign_id == campaign_id,
            Unit.path.startswith(root.path, autoescape=True),
        )
    )
    if status in (COMPLETED, IN_PROGRESS, NOT_STARTED):
        query = query.where(TrainingRecord.status == status)
    if text and text.strip():
        folded = fold(text)
        query = query.where(
            User.name_search.contains(folded, autoescape=True)
            | User.employee_code.ilike(f"{text.strip()}%")
        )
    return query.order_by(User.name_sort, User.id)
