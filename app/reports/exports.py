"""Exports of training records for a unit subtree and a campaign: CSV (UTF-8 with a
BOM so Excel reads Vietnamese) and XLSX, streamed row by row from one query.

Nothing here holds the whole export in memory: rows come from the database in
batches (`yield_per`), CSV is yielded in chunks, XLSX is written by XlsxWriter in
constant-memory mode to an anonymous temporary file that is then read back in
chunks.
"""

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

import xlsxwriter
from sqlalchemy import Select

from app.accounts.models import CATEGORIES, Unit, User
from app.extensions import db
from app.records.models import (
    COMPLETED,
    IN_PROGRESS,
    NOT_STARTED,
    Campaign,
    TrainingRecord,
)
from app.timeutil import format_vn_date, to_vn
from app.vntext import fold

from .queries import record_rows

BOM = "\ufeff"
BATCH = 2000  # rows fetched per round trip
CSV_CHUNK_ROWS = 500  # rows per yielded CSV chunk
FILE_CHUNK_BYTES = 64 * 1024  # read size when streaming the XLSX back

HEADER = (
    "Mã cán bộ",
    "Họ và tên",
    "Đơn vị",
    "Loại",
    "Trạng thái",
    "Điểm cao nhất",
    "Đạt",
    "Ngày hoàn thành",
    "Số giấy chứng nhận",
)
COLUMN_WIDTHS = (14, 30, 36, 18, 14, 13, 8, 16, 20)

# Exports are Vietnamese documents for Sở Nội vụ, whatever the screen language.
STATUS_LABELS = {
    NOT_STARTED: "Chưa bắt đầu",
    IN_PROGRESS: "Đang học",
    COMPLETED: "Hoàn thành",
}
YES, NO = "Có", "Không"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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


def export_query(campaign: Campaign, root: Unit) -> Select:
    """The records of `root`'s subtree in `campaign`, as plain columns (no ORM
    objects), sorted the Vietnamese way, with the serial of the valid certificate."""
    # Imported here: the certificates package imports the reports views (a cycle).
    from app.certificates.models import Certificate

    return (
        record_rows(campaign.id, root)
        .with_only_columns(
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
        )
        .outerjoin(
            Certificate,
            (Certificate.record_id == TrainingRecord.id)
            & Certificate.revoked_at.is_(None),
        )
    )


def iter_rows(campaign: Campaign, root: Unit) -> Iterator[ExportRow]:
    """The export rows of `root`'s subtree, streamed (the query is built now)."""
    return stream_rows(export_query(campaign, root))


def stream_rows(query: Select) -> Iterator[ExportRow]:
    """Run an export_query in batches of BATCH rows; never a full list."""
    result = db.session.execute(query.execution_options(yield_per=BATCH))
    try:
        for values in result:
            yield to_export_row(values)
    finally:
        result.close()


def to_export_row(values) -> ExportRow:
    """An ExportRow from a row of export_query."""
    code, name, unit_code, unit_name, category, *rest, serial = values
    row = ExportRow(code or "", name, unit_code, unit_name, category, *rest)
    row.certificate_serial = serial or ""
    return row


def format_score(value: float | None) -> str:
    """85.0 -> "85", 85.25 -> "85.3", None -> ""."""
    if value is None:
        return ""
    return f"{round(value, 1):g}"


def _cell(text: str) -> str:
    """Text Excel must not run as a formula (CSV injection) gets a leading '."""
    return f"'{text}" if text[:1] in FORMULA_STARTS else text


def csv_values(row: ExportRow) -> tuple[str, ...]:
    return (
        _cell(row.employee_code),
        _cell(row.full_name),
        _cell(row.unit_name),
        row.category_label,
        row.status_label,
        format_score(row.best_percent),
        YES if row.passed else NO,
        format_vn_date(row.completed_at),
        row.certificate_serial,
    )


def csv_chunks(rows: Iterable[ExportRow]) -> Iterator[str]:
    """CSV text in chunks; the first starts with the BOM and the header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(HEADER)
    for count, row in enumerate(rows, 1):
        writer.writerow(csv_values(row))
        if count % CSV_CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_xlsx(
    rows: Iterable[ExportRow], target: Path | BinaryIO, title: str = "Kết quả"
) -> int:
    """Write `rows` as XLSX to `target` (a path or a binary file) in constant
    memory; returns the count.

    Completion dates are real dates (Vietnam day) shown as dd/mm/yyyy.
    """
    target = str(target) if isinstance(target, Path) else target
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True})
    sheet = workbook.add_worksheet(_sheet_name(title))
    bold = workbook.add_format({"bold": True, "bg_color": "#F2E6E6", "border": 1})
    day = workbook.add_format({"num_format": "dd/mm/yyyy"})
    score = workbook.add_format({"num_format": "0.0"})
    for column, width in enumerate(COLUMN_WIDTHS):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, HEADER, bold)
    count = 0
    for count, row in enumerate(rows, 1):
        _write_xlsx_row(sheet, count, row, day, score)
    sheet.autofilter(0, 0, max(count, 1), len(HEADER) - 1)
    workbook.close()
    return count


def _write_xlsx_row(sheet, index: int, row: ExportRow, day, score) -> None:
    sheet.write_string(index, 0, row.employee_code)
    sheet.write_string(index, 1, row.full_name)
    sheet.write_string(index, 2, row.unit_name)
    sheet.write_string(index, 3, row.category_label)
    sheet.write_string(index, 4, row.status_label)
    if row.best_percent is not None:
        sheet.write_number(index, 5, row.best_score, score)
    sheet.write_string(index, 6, YES if row.passed else NO)
    if row.completed_at is not None:
        sheet.write_datetime(index, 7, to_vn(row.completed_at).date(), day)
    sheet.write_string(index, 8, row.certificate_serial)


def _sheet_name(title: str) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet1"


def xlsx_chunks(rows: Iterable[ExportRow], title: str) -> Iterator[bytes]:
    """Write `rows` to an anonymous temporary file, then yield it in chunks; the
    file is gone as soon as the reading ends, however it ends."""
    with tempfile.TemporaryFile(prefix="vhcv-export-", suffix=".xlsx") as file:
        write_xlsx(rows, file, title)
        file.seek(0)
        while chunk := file.read(FILE_CHUNK_BYTES):
            yield chunk


def export_filename(campaign: Campaign, root: Unit, extension: str) -> str:
    return f"Kết quả {campaign.code} - {root.name}.{extension}"


def content_disposition(filename: str) -> str:
    """An attachment header with an ASCII fallback and the UTF-8 name (RFC 6266)."""
    stem, dot, extension = filename.rpartition(".")
    ascii_stem = re.sub(r"[^a-z0-9_]+", "-", fold(stem or filename)).strip("-")
    fallback = f"{ascii_stem or 'export'}{dot}{extension if stem else ''}"
    return (
        f'attachment; filename="{fallback}"; '
        f"filename*=UTF-8''{quote(filename, safe='')}"
    )
