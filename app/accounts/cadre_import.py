"""Cadre import: read a CSV/XLSX list of cadres, plan it, then apply it all or nothing.

`parse_cadre_file` (bytes → rows; no database) → `plan_import` (reads the database,
writes nothing: one action and its messages per row) → `apply_import` (creates and
updates in the session, flushes; the caller commits once). Re-importing the same file
plans every row as "unchanged". Names typed in the legacy TCVN3 or VNI encodings are
converted by `app.legacy_text` and every conversion is kept on its row so the preview
can show "original → converted"; an uncertain one is a warning that needs explicit
acceptance, never a silent guess.
"""

import functools
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import any_, bindparam, insert, select
from sqlalchemy.dialects.postgresql import ARRAY

from app import audit
from app.errors import ImportRejected, InvalidInput, NotAllowed
from app.extensions import db
from app.legacy_text import fix_text
from app.records import services as records
from app.security import scope_paths
from app.tabular import Table, TableError, read_table
from app.vntext import clean_text, fold, nfc, split_name

from . import services
from .models import CATEGORIES, RoleAssignment, Unit, User

MAX_BYTES = 10_000_000  # default of the CADRE_IMPORT_MAX_BYTES setting
AUDITED_CONVERSIONS = 2000  # legacy-encoding conversions kept in the audit event

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
    "employee_code": "mã cán bộ (employee_code)",
    "full_name": "họ và tên (full_name)",
    "unit_code": "mã đơn vị (unit)",
    "position": "chức vụ (position)",
    "category": "loại (category)",
    "email": "email",
    "given_name": "tên (given_name)",
    "active": "đang làm việc (active)",
}
# Free-text fields that may be typed in a legacy encoding.
TEXT_FIELDS = ("full_name", "given_name", "position")

_TRUE = {"co", "c", "yes", "y", "1", "true", "x", "dang lam viec"}
_FALSE = {"khong", "k", "no", "n", "0", "false", "nghi", "da nghi"}
_CATEGORY_KEYS = {fold(k.replace("_", " ")): k for k in CATEGORIES} | {
    fold(label): k for k, label in CATEGORIES.items()
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_BINARY = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _vietnamese_letters() -> frozenset[str]:
    bases = "abcdefghijklmnopqrstuvwxyzăâđêôơư"
    tones = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
    letters = set()
    for base in bases + bases.upper():
        for tone in tones:
            letter = nfc(base + tone)
            if len(letter) == 1:
                letters.add(letter)
    return frozenset(letters)


_LETTERS = _vietnamese_letters()
_NAME_CHARS = _LETTERS | set(" -'’.")
_TYPOGRAPHY = set("\u00a0–—‘’“”…•·°№₫")
# Bytes 0x80–0x9F as Windows-1252 shows them; the five it leaves undefined keep their
# Latin-1 code point, so every byte of a legacy file decodes to one character.
_CP1252 = {i: bytes([i]).decode("cp1252", "ignore") or chr(i) for i in range(128, 160)}


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


def max_bytes(config) -> int:
    return int(config.get("CADRE_IMPORT_MAX_BYTES", MAX_BYTES))


def too_big_message(size: int, limit: int) -> str:
    return (
        f"Tệp quá lớn ({_megabytes(size)}); giới hạn là {_megabytes(limit, 0)}. "
        "Hãy chia danh sách thành nhiều tệp."
    )


def _megabytes(size: int, digits: int = 1) -> str:
    if size < 1_000_000:
        return f"{size / 1000:.0f} kB"
    return f"{size / 1e6:.{digits}f} MB".replace(".", ",")


# --- reading -------------------------------------------------------------------------


def parse_cadre_file(data: bytes, filename: str) -> CadreRows:
    """Rows of a cadre file (CSV comma/semicolon, UTF-8 with or without BOM, or a
    legacy 8-bit CSV; or XLSX, first sheet, header in the first row).

    Raises TableError naming the file when it is empty, not a CSV/XLSX table, or
    lacks a required column (or has one twice).
    """
    source = Path(filename).name or "tệp"
    kind = _sniff(data, source)
    if kind == "xlsx":
        table, encoding = _xlsx_table(data, source), "xlsx"
    else:
        text, encoding = _decode_csv(data)
        header, newline, body = text.partition("\n")
        text = fix_text(header).text + newline + body  # a header typed in TCVN3/VNI
        table = read_table(text.encode("utf-8"), source, COLUMNS)
    _check_headers(table)
    convert = functools.lru_cache(maxsize=50_000)(fix_text)  # names, posts repeat
    rows = [
        _make_row(line, values, convert)
        for line, values in table.rows
        if any(values.get(key) for key in LABELS)
    ]
    if not rows:
        raise TableError(f"{source}: không có dòng cán bộ nào dưới dòng tiêu đề")
    ignored = [h for h in table.headers if h and h not in LABELS]
    return CadreRows(rows, source, encoding, hashlib.sha256(data).hexdigest(), ignored)


def _not_table(source: str, reason: str) -> TableError:
    return TableError(f"{source}: không phải tệp CSV hoặc XLSX ({reason})")


def _sniff(data: bytes, source: str) -> str:
    """ "xlsx" or "csv" from the content; TableError for anything else."""
    suffix = Path(source).suffix.lower()
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        raise TableError(f"{source}: tệp rỗng")
    if suffix not in {".csv", ".txt", ".xlsx"}:
        raise _not_table(source, f"phần mở rộng “{suffix or '(không có)'}”")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TableError(
            f"{source}: tệp văn bản UTF-16 (“Unicode Text” của Excel); hãy lưu lại "
            "dưới dạng “CSV UTF-8” hoặc .xlsx"
        )
    if data.startswith(b"%PDF"):
        raise _not_table(source, "đây là tệp PDF")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _not_table(
            source,
            "tệp Excel 97–2003 (.xls) hoặc có mật khẩu; hãy lưu lại dưới dạng .xlsx",
        )
    if data.startswith(b"PK\x03\x04"):
        if _is_ooxml_workbook(data):
            return "xlsx"
        raise _not_table(source, "tệp nén không phải bảng tính Excel")
    if suffix == ".xlsx":
        raise _not_table(source, "tệp .xlsx không đúng cấu trúc Excel")
    if _BINARY.search(data):
        raise _not_table(source, "có dữ liệu nhị phân")
    return "csv"


def _is_ooxml_workbook(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return False
    return {"[Content_Types].xml", "xl/workbook.xml"} <= names


def _decode_csv(data: bytes) -> tuple[str, str]:
    """UTF-8 (BOM or not); else Windows-1258 when the whole file reads as Vietnamese;
    else every byte as Windows-1252, the form legacy TCVN3/VNI converters expect."""
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
    return bool(other & _LETTERS) and other <= _LETTERS | _TYPOGRAPHY


def _header_key(header: str) -> str:
    folded = fold(header)
    return COLUMNS.get(folded.replace("_", " "), folded)


def _xlsx_table(data: bytes, source: str) -> Table:
    """The first sheet as a Table; the font of each free-text cell rides along in the
    values as "<key>@font" (TCVN3 capitals come from a separate ".VnTimeH" font)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet_rows = book.worksheets[0].iter_rows()
        header_cells = next(sheet_rows, ())
        keys = [
            _header_key(fix_text(_cell_text(c.value), _font(c)).text)
            for c in header_cells
        ]
        rows = []
        for line, cells in enumerate(sheet_rows, start=2):
            values = {}
            for key, cell in zip(keys, cells, strict=False):
                if not key or cell.value is None:
                    continue
                values[key] = _cell_text(cell.value).strip()
                if key in TEXT_FIELDS:
                    values[f"{key}@font"] = _font(cell)
            if any(values.get(k) for k in keys if k):
                rows.append((line, values))
        book.close()
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise TableError(
            f"{source}: không đọc được tệp Excel ({exc.__class__.__name__})"
        ) from None
    if not keys:
        raise TableError(f"{source}: tệp rỗng, không có dòng tiêu đề")
    return Table(source=source, headers=keys, rows=rows)


def _font(cell) -> str | None:
    return getattr(getattr(cell, "font", None), "name", None)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_headers(table: Table) -> None:
    missing = [k for k in ("employee_code", "full_name") if k not in table.headers]
    if missing:
        found = ", ".join(f"“{h[:30]}”" for h in table.headers[:12] if h) or "không có"
        raise TableError(
            f"{table.source}:1: thiếu cột {', '.join(LABELS[k] for k in missing)}; "
            f"dòng đầu tiên phải là dòng tiêu đề (tiêu đề đọc được: {found})"
        )
    known = [h for h in table.headers if h in LABELS]
    twice = sorted({h for h in known if known.count(h) > 1})
    if twice:
        names = ", ".join(LABELS[h] for h in twice)
        raise TableError(f"{table.source}:1: cột {names} xuất hiện hơn một lần")


def _make_row(line: int, values: dict[str, str], convert=fix_text) -> CadreRow:
    row = CadreRow(line=line, values=values, text={})
    for key in TEXT_FIELDS:
        raw = values.get(key, "")
        if not raw:
            row.text[key] = ""
            continue
        conversion = convert(raw, values.get(f"{key}@font") or None)
        text = clean_text(conversion.text)
        if conversion.encoding:
            fix = TextFix(key, raw, text, conversion.encoding, conversion.confident)
            row.fixes.append(fix)
        elif not conversion.confident:
            row.doubtful.append(key)
        row.text[key] = text
    return row


# --- planning ------------------------------------------------------------------------

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"


@dataclass
class PlannedRow:
    """What importing one row will do. `changes` maps a field label to (old, new)."""

    row: CadreRow
    action: str = CREATE
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    user_id: int | None = None  # the existing cadre, for an update

    @property
    def line(self) -> int:
        return self.row.line


@dataclass
class ImportPlan:
    source: str
    root: Unit
    rows: list[PlannedRow]
    file: CadreRows

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "rows": len(self.rows),
            "created": self.count(CREATE),
            "updated": self.count(UPDATE),
            "unchanged": self.count(UNCHANGED),
            "errors": self.count(ERROR),
            "warnings": sum(1 for r in self.rows if r.warnings),
            "converted": sum(1 for r in self.rows if r.row.fixes),
        }

    @property
    def has_errors(self) -> bool:
        return any(r.errors for r in self.rows)

    @property
    def has_warnings(self) -> bool:
        return any(r.warnings for r in self.rows)

    def problems(self, warnings: bool = False) -> list[str]:
        """Every error (and warning) as "file:line: message"."""
        found = []
        for r in self.rows:
            for message in r.errors + (r.warnings if warnings else []):
                found.append(f"{self.source}:{r.line}: {message}")
        return found


def plan_import(rows: CadreRows, root_unit: Unit, viewer: User | None) -> ImportPlan:
    """Decide, row by row, what importing `rows` under `root_unit` would do.

    `viewer` None means no scope limit (the operator's CLI). Raises NotAllowed when
    `root_unit` is outside the viewer's HR scope, InvalidInput when it is inactive.
    Writes nothing.
    """
    scope = scope_paths(viewer, "hr") if viewer is not None else None
    if not root_unit.in_subtrees(scope):
        raise NotAllowed(f"Đơn vị “{root_unit.code}” nằm ngoài phạm vi của bạn.")
    if not root_unit.active:
        raise InvalidInput(f"Đơn vị “{root_unit.code}” đã ngừng hoạt động.")
    codes = [r.employee_code for r in rows if r.employee_code]
    existing = {
        u.employee_code: u for u in _fetch(CADRE_COLUMNS, User.employee_code, codes)
    }
    lowered = [c.lower() for c in codes]
    usernames = set(_fetch(select(User.username), User.username, lowered))
    unit_codes = [r.values.get("unit_code", "").strip() for r in rows]
    units = {u.code: u for u in _fetch(select(Unit), Unit.code, unit_codes)}
    unit_ids = [u.unit_id for u in existing.values()]
    current = {u.id: u for u in _fetch(select(Unit), Unit.id, unit_ids)}
    protected = _protected_accounts(viewer, [u.id for u in existing.values()])
    seen: dict[str, int] = {}
    planned = []
    for row in rows:
        plan = PlannedRow(row=row)
        _check_row(plan, root_unit, units, seen)
        if not plan.errors:
            _decide(plan, existing, usernames, current, root_unit, scope)
        if plan.action == UPDATE and plan.user_id in protected:
            plan.errors.append(
                "tài khoản của mã cán bộ này có vai trò quản lý (giảng viên, cán bộ "
                "tổ chức hoặc quản trị); chỉ quản trị viên được thay đổi"
            )
        plan.action = ERROR if plan.errors else plan.action
        planned.append(plan)
    return ImportPlan(rows.source, root_unit, planned, rows)


def _protected_accounts(viewer: User | None, user_ids: list[int]) -> set[int]:
    """Ids among `user_ids` whose accounts `viewer` may not change: for an HR
    officer, those holding any role but learner (see security.can_manage_account).
    The operator's CLI (None) and administrators may change any."""
    if viewer is None or viewer.has_role("admin"):
        return set()
    privileged = select(RoleAssignment.user_id).where(RoleAssignment.role != "learner")
    return set(_fetch(privileged, RoleAssignment.user_id, user_ids))


# What planning compares; plain rows, so 20,000 cadres load without the ORM's cost.
CADRE_COLUMNS = select(
    User.id,
    User.employee_code,
    User.full_name,
    User.given_name,
    User.unit_id,
    User.position,
    User.category,
    User.email,
    User.active,
)


def _fetch(query, column, keys: list, chunk: int = 900) -> list:
    """`query` restricted to `column` IN `keys`, in chunks so that 20,000 codes
    stay under every database's limit on bound parameters. Entities for a
    one-entity query, else rows."""
    keys = sorted({k for k in keys if k})
    run = (
        db.session.scalars
        if len(query.column_descriptions) == 1
        else db.session.execute
    )
    if db.engine.dialect.name == "postgresql":
        # One array parameter: no chunks, and a good plan even right after a bulk
        # insert, when stale statistics make a long IN (...) list very slow.
        keys_param = bindparam("keys", keys, type_=ARRAY(column.type))
        return list(run(query.where(column == any_(keys_param))))
    found = []
    for i in range(0, len(keys), chunk):
        found += run(query.where(column.in_(keys[i : i + chunk])))
    return found


def _check_row(plan: PlannedRow, root: Unit, units: dict, seen: dict) -> None:
    row, errors = plan.row, plan.errors
    code, name = row.employee_code, row.text["full_name"]
    if not code:
        errors.append("thiếu mã cán bộ")
    elif len(code) > 40 or " " in code:
        errors.append(
            f"mã cán bộ “{code}” không hợp lệ (tối đa 40 ký tự, không dấu cách)"
        )
    elif code.casefold() in seen:
        errors.append(f"mã cán bộ “{code}” trùng với dòng {seen[code.casefold()]}")
    else:
        seen[code.casefold()] = row.line
    if not name:
        errors.append("thiếu họ và tên")
    elif len(name) > 200:
        errors.append("họ và tên dài quá 200 ký tự")
    values = plan.values
    values["full_name"] = name
    values["given_name"] = row.text["given_name"] or None
    values["position"] = row.text["position"] or None
    values["unit"] = _row_unit(row, root, units, errors)
    values["category"] = _category(row.values.get("category", ""), errors)
    values["email"] = _email(row.values.get("email", ""), errors)
    values["active"] = _active(row.values.get("active", ""), errors)
    if values["position"] and len(values["position"]) > 200:
        errors.append("chức vụ dài quá 200 ký tự")
    _warn(plan)


def _row_unit(row: CadreRow, root: Unit, units: dict, errors: list) -> Unit | None:
    code = row.values.get("unit_code", "").strip()
    if not code:
        return None
    unit = units.get(code)
    if unit is None:
        errors.append(f"không có đơn vị mã “{code}”")
    elif not unit.in_subtree(root.path):
        errors.append(
            f"đơn vị “{code}” nằm ngoài phạm vi nhập ({root.code} – {root.name})"
        )
    elif not unit.active:
        errors.append(f"đơn vị “{code}” đã ngừng hoạt động (đã sáp nhập)")
    else:
        return unit
    return None


def _category(value: str, errors: list) -> str | None:
    if not value.strip():
        return None
    key = value.strip() if value.strip() in CATEGORIES else None
    key = key or _CATEGORY_KEYS.get(fold(value.replace("_", " ")))
    if key is None:
        accepted = ", ".join(f"{k} / {label}" for k, label in CATEGORIES.items())
        errors.append(f"loại “{value}” không hợp lệ; dùng: {accepted}")
    return key


def _email(value: str, errors: list) -> str | None:
    value = value.strip()
    if value and (len(value) > 200 or not _EMAIL.match(value)):
        errors.append(f"email “{value}” không hợp lệ")
    return value or None


def _active(value: str, errors: list) -> bool | None:
    folded = fold(value)
    if not folded:
        return None
    if folded in _TRUE | _FALSE:
        return folded in _TRUE
    errors.append(
        f"“đang làm việc” phải là có/không (yes/no, 1/0), không phải “{value}”"
    )
    return None


def _warn(plan: PlannedRow) -> None:
    for fix in plan.row.fixes:
        if not fix.confident:
            plan.warnings.append(
                f"{LABELS[fix.field]}: chuyển mã {_encoding_label(fix.encoding)} chưa "
                f"chắc chắn “{fix.original}” → “{fix.text}”; hãy kiểm tra"
            )
    for key in plan.row.doubtful:
        plan.warnings.append(
            f"{LABELS[key]} “{plan.row.text[key]}”: không chắc đây là Unicode hay bảng "
            "mã cũ (TCVN3/VNI); đã giữ nguyên, hãy kiểm tra"
        )
    for key in TEXT_FIELDS:
        text = plan.row.text[key]
        odd = "".join(sorted({c for c in text if _is_odd(key, c)}))
        if odd:
            plan.warnings.append(
                f"{LABELS[key]} “{text}” có ký tự lạ “{odd}”; hãy kiểm tra (có thể là "
                "bảng mã cũ TCVN3/VNI chưa nhận ra)"
            )
    given, name = plan.values["given_name"], plan.values["full_name"]
    if given and name and not (name == given or name.endswith(" " + given)):
        plan.warnings.append(f"tên “{given}” không phải phần cuối của “{name}”")


def _is_odd(key: str, char: str) -> bool:
    """A character unusual in a Vietnamese name (any field: outside ASCII, not a
    Vietnamese letter and not common typography)."""
    if char in _TYPOGRAPHY or char in _LETTERS:
        return False
    return char not in _NAME_CHARS if key != "position" else ord(char) > 127


def _encoding_label(encoding: str) -> str:
    return {"tcvn3": "TCVN3", "vni": "VNI", "cp1258": "Windows-1258"}.get(
        encoding, encoding
    )


def _decide(plan, existing, usernames, current, root: Unit, scope) -> None:
    """Create, update or unchanged; `current` maps unit ids to the existing cadres'
    units (read by id: no lazy load per cadre)."""
    code = plan.row.employee_code
    user = existing.get(code)
    if user is None:
        if code.lower() in usernames:
            plan.errors.append(
                f"tên đăng nhập “{code.lower()}” (mã cán bộ viết thường) đã được dùng "
                "bởi một tài khoản khác"
            )
        plan.values["unit"] = plan.values["unit"] or root
        plan.action = CREATE
        return
    unit = current[user.unit_id]
    if not unit.in_subtrees(scope):
        plan.errors.append("mã cán bộ đã thuộc đơn vị khác ngoài phạm vi")
        return
    plan.user_id = user.id
    if plan.values["unit"] is None and not unit.in_subtree(root.path):
        plan.values["unit"] = root
    plan.changes = _changes(user, unit, plan.values)
    plan.action = UPDATE if plan.changes else UNCHANGED


def _changes(user, current: Unit, values: dict) -> dict[str, tuple[str, str]]:
    changes = {}
    name, given = values["full_name"], values["given_name"]
    if name != user.full_name:
        changes["Họ và tên"] = (user.full_name, name)
    renamed = given or name != user.full_name
    new_given = split_name(name, given).given if renamed else None
    if new_given is not None and new_given != user.given_name:
        changes["Tên"] = (user.given_name, new_given)
    unit = values["unit"]
    if unit is not None and unit.id != user.unit_id:
        changes["Đơn vị"] = (current.code, unit.code)
    for label, key in (("Chức vụ", "position"), ("Email", "email")):
        old, new = getattr(user, key) or "", values[key]
        if new is not None and new != old:
            changes[label] = (old, new)
    if values["category"] is not None and values["category"] != user.category:
        changes["Loại"] = (user.category, values["category"])
    if values["active"] is not None and values["active"] != user.active:
        yes_no = {True: "có", False: "không"}
        changes["Đang làm việc"] = (yes_no[user.active], yes_no[values["active"]])
    return changes


# --- applying ------------------------------------------------------------------------


def apply_import(plan: ImportPlan, actor: User | None) -> dict[str, int]:
    """Write `plan` in the current transaction (flushes; the caller commits): create
    the new cadres (username = employee code lower-cased, no password: HR gives one by
    a reset), update the changed ones, give everyone in a campaign's scope a record.

    Raises ImportRejected, writing nothing, when any row has an error.
    """
    if plan.has_errors:
        problems = plan.problems()
        raise ImportRejected(
            f"{plan.source}: {len(problems)} lỗi, không nhập gì.", problems
        )
    created = _create_all([r for r in plan.rows if r.action == CREATE])
    updates = [r for r in plan.rows if r.action == UPDATE]
    users = _fetch(select(User), User.id, [r.user_id for r in updates])
    by_id = {u.id: u for u in users}
    moved = sum(_update(by_id[r.user_id], r, actor) for r in updates)
    db.session.flush()
    for campaign in records.list_campaigns():
        records.ensure_records(campaign)
    conversions = [
        {
            "line": r.line,
            "code": r.row.employee_code,
            "field": f.field,
            "original": f.original,
            "text": f.text,
            "encoding": f.encoding,
        }
        for r in plan.rows
        for f in r.row.fixes
    ]
    counts = {
        "created": created,
        "updated": plan.count(UPDATE),
        "unchanged": plan.count(UNCHANGED),
        "moved": moved,
    }
    audit.record(
        "cadres.imported",
        actor=actor,
        target=plan.root,
        file=plan.source,
        sha256=plan.file.sha256,
        encoding=plan.file.encoding,
        rows=len(plan.rows),
        **counts,
        conversions=conversions[:AUDITED_CONVERSIONS],
        conversions_total=len(conversions),
    )
    db.session.flush()
    return counts


def _create_all(rows: list[PlannedRow]) -> int:
    """Insert the new cadres and their learner role in two bulk INSERTs."""
    if not rows:
        return 0
    named = User()  # transient: set_name computes the name columns on it
    values = []
    for planned in rows:
        row = planned.values
        services.set_name(named, row["full_name"], row["given_name"])
        values.append(
            {
                "username": planned.row.employee_code.lower(),
                "employee_code": planned.row.employee_code,
                "full_name": named.full_name,
                "given_name": named.given_name,
                "name_sort": named.name_sort,
                "name_search": named.name_search,
                "unit_id": row["unit"].id,
                "position": row["position"] or "",
                "category": row["category"] or "cong_chuc",
                "email": row["email"],
                "active": True if row["active"] is None else row["active"],
                "must_change_password": True,
            }
        )
    db.session.execute(insert(User.__table__), values)  # one executemany
    codes = [v["employee_code"] for v in values]
    ids = _fetch(select(User.id), User.employee_code, codes)
    roles = [{"user_id": i, "role": "learner", "unit_id": None} for i in ids]
    db.session.execute(insert(RoleAssignment.__table__), roles)
    return len(ids)


def _update(user: User, planned: PlannedRow, actor: User | None) -> bool:
    """Apply one row's changes to `user`; True when the cadre moved to another
    unit."""
    values, changes = planned.values, planned.changes
    if "Họ và tên" in changes or "Tên" in changes:
        services.set_name(user, values["full_name"], values["given_name"])
    for key in ("position", "email", "category"):
        if values[key] is not None:
            setattr(user, key, values[key])
    if "Đang làm việc" in changes:
        services.set_active(user, values["active"], actor=actor)
    if "Đơn vị" in changes:
        services.move_user(user, values["unit"], actor=actor)
        return True
    return False
