"""Training records of a unit subtree as rows: the (record, cadre, unit) rows the
HR pages page through, and the flat export rows (with the serial of the valid
certificate) that the CSV/XLSX exports and the JSON API read. Sorted the Vietnamese
way; streamed in batches, never a full list.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select

from app.accounts.models import CATEGORIES, Unit, User, shared_name_labels
from app.accounts.services import search_users
from app.extensions import db

from .models import (
    COMPLETED,
    IN_PROGRESS,
    NOT_STARTED,
    Campaign,
    Certificate,
    TrainingRecord,
)

BATCH = 2000  # rows fetched per round trip

# Exports are Vietnamese documents for Sở Nội vụ, whatever the screen language.
STATUS_LABELS = {
    NOT_STARTED: "Chưa bắt đầu",
    IN_PROGRESS: "Đang học",
    COMPLETED: "Hoàn thành",
}


@dataclass(slots=True)
class ExportRow:
    """One training record as exported (CSV, XLSX and the JSON API)."""

    employee_code: str
    full_name: str
    unit_code: str
    unit_name: str
    category: str
    status: str
    best_percent: float | None
    passed: bool
    completed_at: datetime | None
    certificate_serial: str = ""  # of the valid certificate, "" when none

    @property
    def category_label(self) -> str:
        return CATEGORIES.get(self.category, self.category)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def best_score(self) -> float | None:
        return round(self.best_percent, 1) if self.best_percent is not None else None


def name_order(query: Select) -> Select:
    """Order by the Vietnamese sort key; it is ASCII digits, so the byte order of
    the "C" collation is right and much cheaper than a locale on PostgreSQL."""
    column = User.name_sort
    if db.engine.dialect.name == "postgresql":
        column = column.collate("C")
    return query.order_by(column, User.id)


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
            Unit.in_subtree(root.path),
        )
    )
    if status in (COMPLETED, IN_PROGRESS, NOT_STARTED):
        query = query.where(TrainingRecord.status == status)
    return name_order(search_users(query, text))


def export_query(campaign: Campaign, root: Unit) -> Select:
    """The records of `root`'s subtree in `campaign`, as plain columns (no ORM
    objects), sorted the Vietnamese way, with the serial of the valid certificate."""
    return export_columns(record_rows(campaign.id, root))


def export_columns(query: Select) -> Select:
    """A Select of (TrainingRecord, User, Unit of the cadre now) turned into an
    export's plain columns (to_export_row), with the valid certificate's serial;
    its conditions and order are kept."""
    return query.with_only_columns(
        User.employee_code,
        User.full_name,
        Unit.code,
        Unit.name,
        User.category,
        TrainingRecord.status,
        TrainingRecord.best_percent,
        TrainingRecord.passed,
        TrainingRecord.completed_at,
        Certificate.serial,
    ).outerjoin(
        Certificate,
        (Certificate.record_id == TrainingRecord.id) & Certificate.revoked_at.is_(None),
    )


def iter_rows(campaign: Campaign, root: Unit) -> Iterator[ExportRow]:
    """The export rows of `root`'s subtree, streamed (the query is built now)."""
    return stream_rows(export_query(campaign, root))


def stream_rows(query: Select) -> Iterator[ExportRow]:
    """Run an export_query in batches of BATCH rows; never a full list. Units whose
    name another unit shares are named with their parent (Unit.display_name)."""
    labels = shared_name_labels()
    result = db.session.execute(query.execution_options(yield_per=BATCH))
    try:
        for values in result:
            row = to_export_row(values)
            row.unit_name = labels.get(row.unit_code, row.unit_name)
            yield row
    finally:
        result.close()


def to_export_row(values) -> ExportRow:
    """An ExportRow from a row of export_query."""
    code, name, unit_code, unit_name, category, *rest, serial = values
    row = ExportRow(code or "", name, unit_code, unit_name, category, *rest)
    row.certificate_serial = serial or ""
    return row
