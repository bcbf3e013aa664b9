"""Read CSV (comma or semicolon, with or without BOM) and XLSX files into rows.

Pure functions, no Flask. Each row comes with its line number in the file so
errors can say `file:line: message`.
"""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from app.vntext import fold


class TableError(ValueError):
    """The file cannot be read as a table; the message names the file."""


@dataclass
class Table:
    source: str
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]]


def read_table(data: bytes, filename: str, aliases: dict[str, str]) -> Table:
    """Parse `data` (the bytes of `filename`) into rows keyed by canonical names.

    `aliases` maps a folded header ("ma don vi", "code") to its canonical key.
    Raises TableError when the file is not a readable CSV/XLSX table.
    """
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        raw_rows = _xlsx_rows(data, filename)
    elif suffix in {".csv", ".txt"}:
        raw_rows = _csv_rows(data, filename)
    else:
        raise TableError(f"{filename}: định dạng không hỗ trợ (dùng .csv hoặc .xlsx)")
    if not raw_rows:
        raise TableError(f"{filename}: tệp rỗng, không có dòng tiêu đề")
    header_line, header = raw_rows[0]
    keys = [aliases.get(fold(h).replace("_", " "), fold(h)) for h in header]
    rows = []
    for line, values in raw_rows[1:]:
        if not any(v.strip() for v in values):
            continue
        padded = list(values) + [""] * (len(keys) - len(values))
        rows.append((line, {k: padded[i].strip() for i, k in enumerate(keys) if k}))
    return Table(source=filename, headers=keys, rows=rows)


def require_columns(table: Table, required: list[str], labels: dict[str, str]) -> None:
    """Raise TableError naming every required column the table lacks."""
    missing = [c for c in required if c not in table.headers]
    if missing:
        names = ", ".join(labels.get(c, c) for c in missing)
        raise TableError(f"{table.source}:1: thiếu cột {names}")


def _csv_rows(data: bytes, filename: str) -> list[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError(
            f"{filename}: không phải UTF-8 (byte lỗi ở vị trí {exc.start}); "
            "hãy lưu lại dưới dạng “CSV UTF-8”"
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise TableError(f"{filename}:{reader.line_num}: {exc}") from None


def _xlsx_rows(data: bytes, filename: str) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise TableError(
            f"{filename}: không đọc được tệp Excel ({exc.__class__.__name__})"
        ) from None
    sheet = book.worksheets[0]
    rows = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        rows.append((number, ["" if v is None else _cell_text(v) for v in values]))
    book.close()
    return rows


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
