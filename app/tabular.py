"""Read CSV and XLSX tables into rows keyed by canonical column names: the one table
reader of the application (units files, cadre files).

Pure functions, no Flask, no database. Each row comes with its line number in the file
so that errors can say `file:line: message`. The first row is the header; a header is
matched to its canonical key without case or diacritics (`aliases`).

By default a file is told by its extension and a CSV must be UTF-8 (with or without
BOM). With `detect=True` a file from any office spreadsheet is accepted: its kind is
recognised from its content (UTF-16 text, PDF, Excel 97–2003, archives and binary data
are refused with a clear message), a CSV may be UTF-8, Windows-1258 (Excel's "CSV" in
a Vietnamese locale) or 8-bit legacy-font bytes (read as Windows-1252, the form the
TCVN3/VNI converters expect), and headers typed in a legacy font are repaired. The
cells of the `repair` columns are converted from TCVN3/VNI by `app.legacy_text` (an
XLSX cell's font helps); each row keeps those conversions so the caller can show
"original → converted".
"""

import csv
import functools
import io
import re
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from app.errors import lazy_gettext as _l
from app.errors import lazy_join
from app.errors import lazy_ngettext as _nl
from app.legacy_text import Conversion, fix_text
from app.numbers import lazy_number
from app.packages import PackageRefused, check_unpacked_size, count_elements, parts_but
from app.sheet_scan import measure_sheet
from app.vntext import TYPOGRAPHY, VIETNAMESE_LETTERS, fold, nfc

CSV_SUFFIXES = {".csv", ".txt"}
_BINARY = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Bytes 0x80–0x9F as Windows-1252 shows them; the five it leaves undefined keep their
# Latin-1 code point, so every byte of a legacy file decodes to one character.
_CP1252 = {i: bytes([i]).decode("cp1252", "ignore") or chr(i) for i in range(128, 160)}
_REPAIR_CACHE = 50_000  # names and posts repeat: each distinct cell converted once
MAX_ROWS = 100_000  # data rows of one file (a province's cadres, split by unit)
MAX_COLUMNS = 64  # columns read from a sheet (the files have about ten)
# Cells of one sheet, all parsed by openpyxl (about 9 µs each) even past the columns
# read: 100,000 rows of 16 columns, or 25,000 rows of all 64. Past 100,000, a
# sheet must also take room in the ZIP (app.sheet_scan.MAX_CELLS_PER_BYTE).
MAX_CELLS = MAX_ROWS * MAX_COLUMNS // 4
# Delimiters on one line of a CSV file (its fields, cells with a delimiter quoted).
MAX_LINE_DELIMITERS = 16 * MAX_COLUMNS
MAX_CELL_CHARS = 131_072  # csv's own field limit (its default), an XLSX cell's too
# What openpyxl holds before the first row: every shared string (a 100,000-row list
# has a few hundred thousand distinct texts, its sheet part about 30 MB). Bounded
# before it opens the file: millions of strings in 150 kB of ZIP held a worker 26 s.
MAX_SHARED_STRINGS = 800_000
MAX_PART_BYTES = 48_000_000  # an XML part, so one text (held before its row is read)
SHARED_STRINGS = "xl/sharedStrings.xml"
# The refusals of a file past a limit (lazy: read in the reader's language).
_LONG_CELL = _l("một ô dài quá %(limit)s ký tự", limit=lazy_number(MAX_CELL_CHARS))
_MANY_ROWS = _l(
    "quá %(rows)s dòng; hãy chia tệp theo đơn vị", rows=lazy_number(MAX_ROWS)
)
_MANY_TEXTS = _l(
    "quá %(count)s ô chữ khác nhau; hãy chia tệp theo đơn vị",
    count=lazy_number(MAX_SHARED_STRINGS),
)


class TableError(ValueError):
    """The file cannot be read as a table; the message names the file (and the line)
    and is read in the reader's language: str() of it renders the lazy message
    (Vietnamese outside a request)."""


def _error(source: str, message, line: int | None = None) -> TableError:
    """A TableError "source:line: message" (or "source: message")."""
    where = f"{source}:{line}:" if line is not None else f"{source}:"
    return TableError(lazy_join([where, message]))


class TableRow(NamedTuple):
    """One data row: `values` by canonical key (stripped), `conversions` the legacy
    conversion of each non-empty cell of a `repair` column."""

    line: int
    values: dict[str, str]
    conversions: dict[str, Conversion]


@dataclass
class Table:
    """`encoding` is "xlsx", "utf-8", "cp1258" or "cp1252" (legacy-font bytes)."""

    source: str
    headers: list[str]
    rows: list[TableRow]
    encoding: str = "utf-8"


class _Record(NamedTuple):
    """A row as read: its line, its cells as text, and their font names (XLSX)."""

    line: int
    cells: list[str]
    fonts: list[str | None] | None = None


def read_table(
    data: bytes,
    filename: str,
    aliases: dict[str, str],
    *,
    detect: bool = False,
    repair: Collection[str] = (),
) -> Table:
    """Parse `data` (the bytes of `filename`) into rows keyed by canonical names.

    `aliases` maps a folded header ("ma don vi", "code") to its canonical key. Rows
    whose every cell is blank are skipped. Raises TableError, naming the file, when it
    is not a readable CSV/XLSX table.
    """
    kind = sniff(data, filename) if detect else _kind_by_suffix(filename)
    if kind == "xlsx":
        records = _xlsx_records(data, filename, fonts=bool(detect or repair))
        encoding = "xlsx"
    else:
        text, encoding = (
            decode_csv(data) if detect else (_utf8(data, filename), "utf-8")
        )
        if detect:  # a header typed in TCVN3/VNI
            header, newline, body = text.partition("\n")
            text = fix_text(header).text + newline + body
        records = _csv_records(text, filename)
    if not records:
        raise _error(filename, _l("tệp rỗng, không có dòng tiêu đề"))
    headers = [
        header_key(cell, aliases) for cell in _header_texts(records[0], kind, detect)
    ]
    columns = {key: i for i, key in enumerate(headers) if key}  # a repeated key: last
    convert = functools.lru_cache(maxsize=_REPAIR_CACHE)(fix_text)
    rows = [
        _row(record, columns, repair, convert)
        for record in records[1:]
        if any(cell.strip() for cell in record.cells)
    ]
    return Table(source=filename, headers=headers, rows=rows, encoding=encoding)


def header_key(header: str, aliases: dict[str, str]) -> str:
    """The canonical key of a header cell ("" for an empty one)."""
    folded = fold(header)
    return aliases.get(folded.replace("_", " "), folded)


def require_columns(table: Table, required: list[str], labels: dict[str, str]) -> None:
    """Raise TableError naming every required column the table lacks."""
    missing = [c for c in required if c not in table.headers]
    if missing:
        names, n = ", ".join(labels.get(c, c) for c in missing), len(missing)
        message = _nl("thiếu cột %(names)s", "thiếu cột %(names)s", n, names=names)
        raise _error(table.source, message, 1)


def _header_texts(record: _Record, kind: str, detect: bool) -> list[str]:
    if kind == "xlsx" and detect:  # TCVN3 capitals come from a ".VnTimeH"-style font
        return [
            fix_text(c, f).text for c, f in zip(record.cells, record.fonts, strict=True)
        ]
    return record.cells


def _row(record: _Record, columns: dict[str, int], repair, convert) -> TableRow:
    cells, fonts = record.cells, record.fonts
    values = {
        key: cells[i].strip() if i < len(cells) else "" for key, i in columns.items()
    }
    conversions = {
        key: convert(values[key], (fonts[columns[key]] if fonts else None) or None)
        for key in repair
        if values.get(key)
    }
    return TableRow(record.line, values, conversions)


# --- recognising the file ------------------------------------------------------------


def sniff(data: bytes, source: str) -> str:
    """ "xlsx" or "csv" from the content; TableError for anything else."""
    suffix = Path(source).suffix.lower()
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        raise _error(source, _l("tệp rỗng"))
    if suffix not in CSV_SUFFIXES | {".xlsx"}:
        shown = suffix or _l("(không có)")
        raise _not_table(source, _l("phần mở rộng “%(suffix)s”", suffix=shown))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _error(
            source,
            _l(
                "tệp văn bản UTF-16 (“Unicode Text” của Excel); hãy lưu lại dưới "
                "dạng “CSV UTF-8” hoặc .xlsx"
            ),
        )
    if data.startswith(b"%PDF"):
        raise _not_table(source, _l("đây là tệp PDF"))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _not_table(
            source,
            _l(
                "tệp Excel 97–2003 (.xls) hoặc có mật khẩu; hãy lưu lại dưới dạng .xlsx"
            ),
        )
    if data.startswith(b"PK\x03\x04"):
        if _is_ooxml_workbook(data):
            return "xlsx"
        raise _not_table(source, _l("tệp nén không phải bảng tính Excel"))
    if suffix == ".xlsx":
        raise _not_table(source, _l("tệp .xlsx không đúng cấu trúc Excel"))
    if _BINARY.search(data):
        raise _not_table(source, _l("có dữ liệu nhị phân"))
    return "csv"


def _kind_by_suffix(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        return "xlsx"
    if suffix in CSV_SUFFIXES:
        return "csv"
    raise _error(filename, _l("định dạng không hỗ trợ (dùng .csv hoặc .xlsx)"))


def _not_table(source: str, reason) -> TableError:
    return _error(
        source, _l("không phải tệp CSV hoặc XLSX (%(reason)s)", reason=reason)
    )


def _is_ooxml_workbook(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return False
    return {"[Content_Types].xml", "xl/workbook.xml"} <= names


# --- CSV -----------------------------------------------------------------------------


def decode_csv(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (BOM or not); else Windows-1258 when the whole file
    reads as Vietnamese; else every byte as Windows-1252, the form legacy TCVN3/VNI
    converters expect."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = nfc(data.decode("cp1258"))
    except UnicodeDecodeError:
        text = ""
    if text and _reads_as_vietnamese(text):
        return text, "cp1258"
    return data.decode("latin-1").translate(_CP1252), "cp1252"


def _reads_as_vietnamese(text: str) -> bool:
    other = {c for c in text if ord(c) > 127}
    return bool(other & VIETNAMESE_LETTERS) and other <= VIETNAMESE_LETTERS | TYPOGRAPHY


def _utf8(data: bytes, filename: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _error(
            filename,
            _l(
                "không phải UTF-8 (byte lỗi ở vị trí %(position)s); hãy lưu lại dưới "
                "dạng “CSV UTF-8”",
                position=exc.start,
            ),
        ) from None


def _csv_records(text: str, filename: str) -> list[_Record]:
    """The rows of a CSV text, comma or semicolon (whichever the header has more)."""
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    lines = _bounded_lines(io.StringIO(text, newline=""), delimiter, filename)
    reader = csv.reader(lines, delimiter=delimiter)
    records = []
    try:
        for row in reader:
            records.append(_Record(reader.line_num, row[:MAX_COLUMNS]))
            _check_rows(len(records), filename)
    except csv.Error as exc:
        raise _error(filename, _csv_problem(exc), reader.line_num) from None
    return records


def _bounded_lines(lines, delimiter: str, filename: str):
    """The physical lines, each refused before csv splits it when it holds more than
    MAX_LINE_DELIMITERS delimiters: csv builds every field of a row before its
    columns are cut to MAX_COLUMNS (a 10 MB line of commas took 290 MB). Delimiters
    inside quotes count too: a cell may hold a few, never a thousand."""
    for number, line in enumerate(lines, start=1):
        if line.count(delimiter) > MAX_LINE_DELIMITERS:
            raise _error(
                filename,
                _l(
                    "dòng có quá %(count)s dấu “%(delimiter)s” (quá nhiều cột); hãy "
                    "xóa các cột thừa",
                    count=lazy_number(MAX_LINE_DELIMITERS),
                    delimiter=delimiter,
                ),
                number,
            )
        yield line


def _csv_problem(error: csv.Error):
    """The csv module's English message, in the reader's language where known."""
    text = str(error)
    if "field larger than field limit" in text:
        return _LONG_CELL
    if "new-line character seen in unquoted field" in text:
        return _l("xuống dòng giữa một ô không có dấu ngoặc kép")
    return _l("không đọc được dòng này như CSV (%(reason)s)", reason=text)


def _check_rows(count: int, filename: str) -> None:
    if count > MAX_ROWS + 1:  # the header and MAX_ROWS rows
        raise _error(filename, _MANY_ROWS)


# --- XLSX ----------------------------------------------------------------------------


def _xlsx_records(data: bytes, filename: str, fonts: bool) -> list[_Record]:
    """The rows of the first sheet; with `fonts`, each cell's font name too."""
    from openpyxl import load_workbook

    try:
        check_unpacked_size(data, part_limit=MAX_PART_BYTES)
        # Any part may be a sheet (its relationships name it) and openpyxl parses
        # the styles, the workbook and the manifest whole: each is measured as a
        # sheet, all but the shared strings (counted by their <si>).
        parts = parts_but(data, SHARED_STRINGS)
        rows = max(
            (count_elements(data, m, b"row", MAX_ROWS + 1) for m in parts), default=0
        )
        texts = count_elements(data, SHARED_STRINGS, b"si", MAX_SHARED_STRINGS)
        _check_rows(rows, filename)
        if texts > MAX_SHARED_STRINGS:
            raise _error(filename, _MANY_TEXTS)
        for member in parts:  # cells, rows' width: read by expat, kept none
            measure_sheet(data, member, MAX_CELLS)
    except PackageRefused as refused:
        raise _error(filename, refused) from None  # its message, read when shown
    except zipfile.BadZipFile:
        raise _unreadable_xlsx(filename, "BadZipFile") from None
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        records = []
        rows = book.worksheets[0].iter_rows(max_col=MAX_COLUMNS)
        for line, cells in enumerate(rows, start=1):
            texts = [cell_text(c.value) for c in cells]
            if any(len(text) > MAX_CELL_CHARS for text in texts):
                raise _error(filename, _LONG_CELL, line)
            records.append(
                _Record(line, texts, [_font(c) for c in cells] if fonts else None)
            )
            _check_rows(line, filename)
        book.close()
    except TableError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise _unreadable_xlsx(filename, exc.__class__.__name__) from None
    return records


def _unreadable_xlsx(filename: str, reason: str) -> TableError:
    return _error(filename, _l("không đọc được tệp Excel (%(reason)s)", reason=reason))


def cell_text(value) -> str:
    """A cell's value as text: "" for an empty cell, 2001 for the number 2001.0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _font(cell) -> str | None:
    return getattr(getattr(cell, "font", None), "name", None)
