"""The cells of an .xlsx worksheet, measured before openpyxl reads it.

openpyxl (read-only) parses a sheet row by row, but each row whole: every cell of a
row is built before `max_col` drops the ones past the columns read, and whatever
the sheet holds outside its rows stays in memory to the end. One row of three
million empty cells (13 kB of ZIP) held a worker 12 s and 1 GB. So a sheet is read
once by expat (no tree, nothing kept per element) and refused, as soon as a limit is
passed, when it has too many cells (or too many for the bytes it takes in the ZIP:
a sheet no spreadsheet writes), a row too large, or too much outside its rows.

Elements are told by their local name (any namespace, any prefix): a row nested in a
row counts into the outer one, as openpyxl would hold it. Pure, no Flask (messages
are lazy_gettext, read when shown).
"""

import io
import zipfile
from typing import NamedTuple
from xml.parsers import expat

from app.errors import lazy_gettext as _l
from app.numbers import lazy_number
from app.packages import PackageRefused

# What one row may hold, everything in it (a cell is <c>, <v>, or <c>, <is>, <t>):
# four elements for each of Excel's 16,384 columns (XFD), about 20 MB in openpyxl.
MAX_ROW_ELEMENTS = 4 * 16_384
# Elements outside the rows (columns, merged cells, links, formatting), which
# openpyxl keeps until the end of the sheet.
MAX_OTHER_ELEMENTS = 400_000
# Cells for each byte of the sheet's compressed part. A list typed in Excel has
# about one cell in 3 to 5 bytes (20,000 cadres of 8 columns, 8 more of them
# formatted and empty: 0.2 to 0.3 a byte); 100,000 rows of 16 empty cells are 80
# a byte (27 kB), and openpyxl would take 17 s over them. Past FREE_CELLS (about
# 1 s in openpyxl), a sheet that dense is refused.
MAX_CELLS_PER_BYTE = 4
FREE_CELLS = 100_000
_CHUNK = 1 << 16


class SheetCounts(NamedTuple):
    rows: int
    cells: int


class _Stop(Exception):
    """Raised from expat's handlers to stop reading at the first limit passed."""

    def __init__(self, message):
        self.message = message


def measure_sheet(data: bytes, member: str, max_cells: int) -> SheetCounts:
    """The rows and cells of the worksheet part `member` of the .xlsx in `data`
    (0, 0 when there is none). Raises PackageRefused at the first limit passed
    (more than `max_cells` cells, or past FREE_CELLS more than MAX_CELLS_PER_BYTE
    a byte of the compressed part, a row too large, too much outside the rows); a
    part that is no well-formed XML is measured up to its error (openpyxl stops
    there too)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            info = archive.getinfo(member)
        except KeyError:
            return SheetCounts(0, 0)
        dense = max(FREE_CELLS, MAX_CELLS_PER_BYTE * info.compress_size)
        counter = _SheetCounter(max_cells, dense, info.compress_size)
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = counter.start
        parser.EndElementHandler = counter.end
        parser.StartDoctypeDeclHandler = counter.doctype
        with archive.open(info) as stream:
            try:
                while chunk := stream.read(_CHUNK):
                    parser.Parse(chunk, False)
                parser.Parse(b"", True)
            except _Stop as stop:
                raise PackageRefused(stop.message) from None
            except expat.ExpatError:
                pass
    return SheetCounts(counter.rows, counter.cells)


class _SheetCounter:
    """expat's handlers for one sheet: counts as it goes, keeps nothing per
    element, and stops (_Stop) at the first limit passed."""

    def __init__(self, max_cells: int, dense: int, compressed: int) -> None:
        self.max_cells, self.dense, self.compressed = max_cells, dense, compressed
        self.rows = self.cells = self.other = 0
        self.depth = 0
        self.row_depth = 0  # depth of the open row, 0 outside rows
        self.row_size = self.row_line = 0

    def start(self, name: str, attributes) -> None:
        self.depth += 1
        local = name.rpartition(" ")[2]
        if self.row_depth:
            self.row_size += 1
            if self.row_size > MAX_ROW_ELEMENTS:
                raise _Stop(_wide_row(self.row_line))
        elif local == "row":
            self.row_depth, self.row_size = self.depth, 0
            self.rows += 1
            number = attributes.get("r", "")
            digits = number.isdigit() and len(number) < 8
            self.row_line = int(number) if digits else self.rows
            return
        else:
            self.other += 1
            if self.other > MAX_OTHER_ELEMENTS:
                raise _Stop(_too_much_else())
        if local == "c":
            self.cells += 1
            if self.cells > self.max_cells:
                raise _Stop(_too_many_cells(self.max_cells))
            if self.cells > self.dense:
                raise _Stop(_too_dense(self.dense, self.compressed))

    def end(self, name: str) -> None:
        if self.depth == self.row_depth:
            self.row_depth = 0
        self.depth -= 1

    def doctype(self, *args) -> None:  # entities could multiply what is counted
        raise _Stop(_l("bảng tính có khai báo DOCTYPE, không được hỗ trợ"))


def _wide_row(line: int):
    return _l(
        "dòng %(line)s có quá nhiều ô (Excel có tối đa 16.384 cột); hãy xóa các cột "
        "thừa",
        line=line,
    )


def _too_many_cells(limit: int):
    return _l(
        "quá %(count)s ô trong một trang tính; hãy chia tệp theo đơn vị hoặc xóa các "
        "cột thừa",
        count=lazy_number(limit),
    )


def _too_dense(cells: int, compressed: int):
    return _l(
        "trang tính có hơn %(count)s ô trong %(size)s kB nén, quá dày so với một "
        "danh sách thật; hãy sao chép dữ liệu sang một tệp mới",
        count=lazy_number(cells),
        size=lazy_number(max(1, compressed // 1000)),
    )


def _too_much_else():
    return _l(
        "trang tính có quá %(count)s phần tử ngoài các dòng dữ liệu; hãy sao chép dữ "
        "liệu sang một tệp mới",
        count=lazy_number(MAX_OTHER_ELEMENTS),
    )
