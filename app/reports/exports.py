"""Exports of training records for a unit subtree and a campaign: CSV (UTF-8 with a
BOM so Excel reads Vietnamese) and XLSX, streamed row by row from one query (the
rows themselves: app.records.rows).

Nothing here holds the whole export in memory: rows come from the database in
batches (`yield_per`), CSV is yielded in chunks, XLSX is written by XlsxWriter in
constant-memory mode to an anonymous temporary file that is then read back in
chunks.
"""

import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import xlsxwriter
from sqlalchemy import Select, select

from app import downloads
from app.accounts.models import Unit, User, shared_name_labels
from app.accounts.rollup import ROLLED_UP, Structure
from app.downloads import SEPARATORS as SEPARATORS
from app.downloads import csv_cell
from app.downloads import separator as separator  # the jobs read it here
from app.extensions import db
from app.records.asof import at_time_unit
from app.records.models import Campaign, TrainingRecord
from app.records.rows import ExportRow, export_columns, name_order, to_export_row
from app.timeutil import format_vn_date, to_vn

from .asof import AsOf

# CSV separators (",", ";") and the officer's remembered choice: app.downloads.
CSV_CHUNK_ROWS = 500  # rows per yielded CSV chunk
FILE_CHUNK_BYTES = 64 * 1024  # read size when streaming the XLSX back

HEADER = (
    "Mã cán bộ",
    "Họ và tên",
    "Mã đơn vị",
    "Đơn vị",
    "Loại",
    "Trạng thái",
    "Điểm cao nhất",
    "Đạt",
    "Ngày hoàn thành",
    "Số giấy chứng nhận",
)
COLUMN_WIDTHS = (14, 30, 12, 40, 18, 14, 13, 8, 16, 20)

YES, NO = "Có", "Không"

# Every workbook of the app: a text is never read as a formula, a number or a URL,
# whoever typed it (a cadre's name "=HYPERLINK(…)", a campaign title "@…"); the code
# writes numbers and dates with write_number/write_datetime where it means them.
XLSX_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}


def format_score(value: float | None, sep: str = ",") -> str:
    """85.0 -> "85", 85.25 -> "85.3" ("85,3" in a CSV of ";"), None -> ""."""
    if value is None:
        return ""
    return downloads.decimal_mark(f"{round(value, 1):g}", sep)


def csv_values(row: ExportRow, sep: str = ",") -> tuple[str, ...]:
    return (
        csv_cell(row.employee_code),
        csv_cell(row.full_name),
        csv_cell(row.unit_code),
        csv_cell(row.unit_name),
        row.category_label,
        row.status_label,
        format_score(row.best_percent, sep),
        YES if row.passed else NO,
        format_vn_date(row.completed_at),
        row.certificate_serial,
    )


def csv_chunks(
    rows: Iterable, delimiter: str = ",", stated: str | None = None
) -> Iterator[str]:
    """CSV text in chunks (downloads.csv_chunks), fields separated by `delimiter`
    ("," or ";"). With `stated` (an as-of export), rows are (ExportRow, unit name
    of the day) and the last column, headed `stated`, holds the name."""
    if stated:
        header = (*HEADER, stated)
        cells = ((*csv_values(row, delimiter), csv_cell(name)) for row, name in rows)
    else:
        header, cells = HEADER, (csv_values(row, delimiter) for row in rows)
    return downloads.csv_chunks(header, cells, delimiter, CSV_CHUNK_ROWS)


def write_xlsx(
    rows: Iterable,
    target: Path | BinaryIO,
    title: str = "Kết quả",
    stated: str | None = None,
) -> int:
    """Write `rows` as XLSX to `target` (a path or a binary file) in constant
    memory; returns the count. `stated`: as csv_chunks.

    Completion dates are real dates (Vietnam day) shown as dd/mm/yyyy.
    """
    target = str(target) if isinstance(target, Path) else target
    workbook = xlsxwriter.Workbook(target, XLSX_OPTIONS | {"constant_memory": True})
    sheet = workbook.add_worksheet(_sheet_name(title))
    bold = workbook.add_format({"bold": True, "bg_color": "#F2E6E6", "border": 1})
    day = workbook.add_format({"num_format": "dd/mm/yyyy"})
    score = workbook.add_format({"num_format": "0.0"})
    for column, width in enumerate(COLUMN_WIDTHS):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(1, 0)
    header = (*HEADER, stated) if stated else HEADER
    if stated:
        sheet.set_column(len(HEADER), len(HEADER), 40)
    for column, heading in enumerate(header):
        sheet.write_string(0, column, heading, bold)
    count = 0
    for count, row in enumerate(rows, 1):
        if stated:
            row, unit_name = row
            sheet.write_string(count, len(HEADER), unit_name)
        _write_xlsx_row(sheet, count, row, day, score)
    sheet.autofilter(0, 0, max(count, 1), len(header) - 1)
    workbook.close()
    return count


def _write_xlsx_row(sheet, index: int, row: ExportRow, day, score) -> None:
    sheet.write_string(index, 0, row.employee_code)
    sheet.write_string(index, 1, row.full_name)
    sheet.write_string(index, 2, row.unit_code)
    sheet.write_string(index, 3, row.unit_name)
    sheet.write_string(index, 4, row.category_label)
    sheet.write_string(index, 5, row.status_label)
    if row.best_percent is not None:
        sheet.write_number(index, 6, row.best_score, score)
    sheet.write_string(index, 7, YES if row.passed else NO)
    if row.completed_at is not None:
        sheet.write_datetime(index, 8, to_vn(row.completed_at).date(), day)
    sheet.write_string(index, 9, row.certificate_serial)


def _sheet_name(title: str) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet1"


def xlsx_chunks(
    rows: Iterable, title: str, stated: str | None = None
) -> Iterator[bytes]:
    """Write `rows` to an anonymous temporary file, then yield it in chunks; the
    file is gone as soon as the reading ends, however it ends."""
    with tempfile.TemporaryFile(prefix="vhcv-export-", suffix=".xlsx") as file:
        write_xlsx(rows, file, title, stated)
        file.seek(0)
        while chunk := file.read(FILE_CHUNK_BYTES):
            yield chunk


def as_of_records(
    campaign: Campaign,
    root: Unit,
    as_of: AsOf,
    structure: Structure | None = None,
    own_only: bool = False,
) -> Select:
    """Select of (TrainingRecord, User, the record's unit at the time): the
    campaign's records the dashboard of `as_of` counts for `root` — those whose
    unit at the time rolls up into `root`'s subtree today (Structure.scope_of:
    former Kiên Giang's records for An Giang (mới), even of cadres who have left
    since); `own_only`: those it counts for `root` itself (its "(trực thuộc)"
    row: the unit at the time, or its successor on the day, is `root`)."""
    structure = structure or Structure.on(as_of.day)
    unit_then = at_time_unit(campaign, as_of.day)
    scope = set(structure.scope_of(root))
    if own_only:
        rolled = as_of.attribution == ROLLED_UP
        scope = {
            u for u in scope if (structure.successor(u) if rolled else u) == root.id
        }
    return (
        select(TrainingRecord, User, unit_then.label("unit_then"))
        .join(User, User.id == TrainingRecord.user_id)
        .where(TrainingRecord.campaign_id == campaign.id, unit_then.in_(sorted(scope)))
    )


def as_of_query(
    campaign: Campaign, root: Unit, as_of: AsOf, structure: Structure | None = None
) -> Select:
    """The export of `root` as of a day: the records of as_of_records, as
    records.rows.export_columns with, last, their unit at the time (built now: the
    campaign need not be loaded while streaming); `structure`: of `as_of`'s day,
    when the caller has it."""
    records = as_of_records(campaign, root, as_of, structure)
    unit_then = records.selected_columns.unit_then
    query = records.join(Unit, Unit.id == TrainingRecord.unit_id)
    return export_columns(name_order(query)).add_columns(unit_then)


def with_unit_of_day(
    query, as_of: AsOf, structure: Structure | None = None
) -> Iterator[tuple[ExportRow, str]]:
    """Each row of an as_of_query with the name, on the report's day, of the unit
    its record counts for (at the time, or its successor then); `structure`: of
    `as_of`'s day, when the caller has it (the query's)."""
    structure = structure or Structure.on(as_of.day)
    labels = shared_name_labels()
    result = db.session.execute(query.execution_options(yield_per=500))
    try:
        for values in result:
            row = to_export_row(values[:-1])
            row.unit_name = labels.get(row.unit_code, row.unit_name)
            unit_id = values[-1]
            if as_of.attribution == ROLLED_UP:
                unit_id = structure.successor(unit_id)
            place = structure.place(unit_id)
            yield row, place.name if place else ""
    finally:
        result.close()


def stated_header(as_of: AsOf) -> str:
    """The extra column's heading, which states the day and the attribution."""
    return f"Đơn vị ghi nhận ({as_of.statement.rstrip('.')})"


def export_filename(campaign: Campaign, root: Unit, extension: str) -> str:
    return f"Kết quả {campaign.code} - {root.name}.{extension}"
