"""Reading a cadre file: bytes → CadreRows (no database).

The table itself is read by `app.tabular` (content sniffing, encoding detection,
legacy-font repair of the free-text columns); this module checks the columns and turns
each table row into a CadreRow holding its NFC text and the conversions made.
"""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import lazy_gettext as _l
from app.errors import lazy_join
from app.errors import lazy_ngettext as _nl
from app.legacy_text import Conversion
from app.tabular import Table, TableError, TableRow, read_table
from app.uploads import megabytes
from app.vntext import clean_text

COLUMNS = {
    "ma can bo": "employee_code",
    "ma cb": "employee_code",
    "ma so can bo": "employee_code",
    "ma nhan vien": "employee_code",
    "employee code": "employee_code",
    "employee id": "employee_code",
    "ho va ten": "full_name",
    "ho ten": "full_name",
    "full name": "full_name",
    "name": "full_name",
    "ma don vi": "unit_code",
    "ma dv": "unit_code",
    "unit": "unit_code",
    "unit code": "unit_code",
    "chuc vu": "position",
    "chuc danh": "position",
    "position": "position",
    "loai": "category",
    "loai can bo": "category",
    "category": "category",
    "email": "email",
    "e-mail": "email",
    "thu dien tu": "email",
    "ten": "given_name",
    "given name": "given_name",
    "dang lam viec": "active",
    "active": "active",
}
LABELS = {
    "employee_code": _l("mã cán bộ (employee_code)"),
    "full_name": _l("họ và tên (full_name)"),
    "unit_code": _l("mã đơn vị (unit)"),
    "position": _l("chức vụ (position)"),
    "category": _l("loại (category)"),
    "email": "email",
    "given_name": _l("tên (given_name)"),
    "active": _l("đang làm việc (active)"),
}
# Free-text fields that may be typed in a legacy encoding.
TEXT_FIELDS = ("full_name", "given_name", "position")
REQUIRED = ("employee_code", "full_name")


@dataclass
class TextFix:
    """A field whose text was converted from a legacy encoding."""

    field: str
    original: str
    text: str
    encoding: str
    confident: bool


@dataclass
class CadreRow:
    """One data row: `values` as read (after decoding the file), `text` the free-text
    fields after legacy conversion and NFC, `fixes` the conversions made."""

    line: int
    values: dict[str, str]
    text: dict[str, str]
    fixes: list[TextFix] = field(default_factory=list)
    doubtful: list[str] = field(default_factory=list)  # fields of unsure encoding

    @property
    def employee_code(self) -> str:
        return clean_text(self.values.get("employee_code", ""))


class CadreRows(list):
    """The rows of one cadre file (a list of CadreRow) and how it was read.

    `encoding` is "utf-8", "xlsx", "cp1258" (Excel's ANSI CSV in a Vietnamese
    locale) or "cp1252" (bytes of a legacy-font file, converted cell by cell)."""

    def __init__(self, rows, source: str, encoding: str, sha256: str, ignored):
        super().__init__(rows)
        self.source = source
        self.encoding = encoding
        self.sha256 = sha256
        self.ignored = ignored


def parse_cadre_file(data: bytes, filename: str) -> CadreRows:
    """Rows of a cadre file (CSV comma/semicolon, UTF-8 with or without BOM, or a
    legacy 8-bit CSV; or XLSX, first sheet, header in the first row).

    Raises TableError naming the file when it is empty, not a CSV/XLSX table, or
    lacks a required column (or has one twice).
    """
    source = Path(filename).name or "tệp"
    table = read_table(data, source, COLUMNS, detect=True, repair=TEXT_FIELDS)
    check_headers(table)
    rows = [
        make_row(row)
        for row in table.rows
        if any(row.values.get(key) for key in LABELS)
    ]
    if not rows:
        raise TableError(
            lazy_join([f"{source}:", _l("không có dòng cán bộ nào dưới dòng tiêu đề")])
        )
    ignored = [h for h in table.headers if h and h not in LABELS]
    digest = hashlib.sha256(data).hexdigest()
    return CadreRows(rows, source, table.encoding, digest, ignored)


def too_big_message(size: int, limit: int):
    """Why a cadre file of `size` bytes is refused (the limit is uploads.max_bytes);
    a lazy message, read in the reader's language."""
    return _l(
        "Tệp quá lớn (%(size)s); giới hạn là %(limit)s. Hãy chia danh sách thành "
        "nhiều tệp.",
        size=megabytes(size),
        limit=megabytes(limit, 0),
    )


def check_headers(table: Table) -> None:
    """TableError when a required column is missing or a known one is repeated."""
    missing = [k for k in REQUIRED if k not in table.headers]
    if missing:
        found = ", ".join(f"“{h[:30]}”" for h in table.headers[:12] if h)
        message = _nl(
            "thiếu cột %(columns)s; dòng đầu tiên phải là dòng tiêu đề (tiêu đề đọc "
            "được: %(found)s)",
            "thiếu cột %(columns)s; dòng đầu tiên phải là dòng tiêu đề (tiêu đề đọc "
            "được: %(found)s)",
            len(missing),
            columns=lazy_join([LABELS[k] for k in missing], ", "),
            found=found or _l("không có"),
        )
        raise TableError(lazy_join([f"{table.source}:1:", message]))
    known = [h for h in table.headers if h in LABELS]
    twice = sorted({h for h in known if known.count(h) > 1})
    if twice:
        names = lazy_join([LABELS[h] for h in twice], ", ")
        message = _nl(
            "cột %(names)s xuất hiện hơn một lần",
            "cột %(names)s xuất hiện hơn một lần",
            len(twice),
            names=names,
        )
        raise TableError(lazy_join([f"{table.source}:1:", message]))


def make_row(row: TableRow) -> CadreRow:
    """The CadreRow of a table row: each free-text field in NFC after its legacy
    conversion (kept as a TextFix), or marked doubtful when its encoding is unsure."""
    cadre = CadreRow(line=row.line, values=row.values, text={})
    for key in TEXT_FIELDS:
        conversion: Conversion | None = row.conversions.get(key)
        if conversion is None:  # an empty cell
            cadre.text[key] = ""
            continue
        text = clean_text(conversion.text)
        if conversion.encoding:
            cadre.fixes.append(
                TextFix(
                    key,
                    conversion.original,
                    text,
                    conversion.encoding,
                    conversion.confident,
                )
            )
        elif not conversion.confident:
            cadre.doubtful.append(key)
        cadre.text[key] = text
    return cadre
