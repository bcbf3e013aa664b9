"""Checking one row of a cadre file into its PlannedRow: its values (unit, category,
email, active) as errors, and what a person should look at (uncertain conversions,
odd characters, a given name that does not end the full name) as warnings. No
writes."""

import re
from dataclasses import dataclass, field

from app.errors import excerpt
from app.errors import lazy_gettext as _l
from app.vntext import TYPOGRAPHY, VIETNAMESE_LETTERS, fold

from ..models import CATEGORIES, Unit
from .reading import LABELS, TEXT_FIELDS, CadreRow

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"


@dataclass
class PlannedRow:
    """What importing one row will do. `changes` maps a field label to (old, new);
    `errors` and `warnings` are lazy messages, read in the reader's language."""

    row: CadreRow
    action: str = CREATE
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    user_id: int | None = None  # the existing cadre, for an update

    @property
    def line(self) -> int:
        return self.row.line


_TRUE = {"co", "c", "yes", "y", "1", "true", "x", "dang lam viec"}
_FALSE = {"khong", "k", "no", "n", "0", "false", "nghi", "da nghi"}
_CATEGORY_KEYS = {fold(k.replace("_", " ")): k for k in CATEGORIES} | {
    fold(label): k for k, label in CATEGORIES.items()
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NAME_CHARS = VIETNAMESE_LETTERS | set(" -'’.")


def check_row(
    plan: PlannedRow, root: Unit, units: dict, seen: dict, ahead: bool = False
) -> None:
    """The row's own errors and warnings; `ahead`: the import takes effect after
    today (a unit not in force today may be by then: planning checks the day)."""
    row, errors = plan.row, plan.errors
    code, name = row.employee_code, row.text["full_name"]
    if not code:
        errors.append(_l("thiếu mã cán bộ"))
    elif len(code) > 40 or " " in code:
        errors.append(
            _l(
                "mã cán bộ “%(code)s” không hợp lệ (tối đa 40 ký tự, không dấu cách)",
                code=excerpt(code),
            )
        )
    elif code.casefold() in seen:
        errors.append(
            _l(
                "mã cán bộ “%(code)s” trùng với dòng %(line)s",
                code=code,
                line=seen[code.casefold()],
            )
        )
    else:
        seen[code.casefold()] = row.line
    if not name:
        errors.append(_l("thiếu họ và tên"))
    elif len(name) > 200:
        errors.append(_l("họ và tên dài quá 200 ký tự"))
    values = plan.values
    values["full_name"] = name
    values["given_name"] = row.text["given_name"] or None
    values["position"] = row.text["position"] or None
    values["unit"] = _row_unit(row, root, units, errors, ahead)
    values["category"] = _category(row.values.get("category", ""), errors)
    values["email"] = _email(row.values.get("email", ""), errors)
    values["active"] = _active(row.values.get("active", ""), errors)
    if values["position"] and len(values["position"]) > 200:
        errors.append(_l("chức vụ dài quá 200 ký tự"))
    warn(plan)


def _row_unit(
    row: CadreRow, root: Unit, units: dict, errors: list, ahead: bool
) -> Unit | None:
    code = row.values.get("unit_code", "").strip()
    if not code:
        return None
    unit = units.get(code)
    if unit is None:
        errors.append(_l("không có đơn vị mã “%(code)s”", code=excerpt(code)))
    elif not unit.in_subtree(root.path):
        errors.append(
            _l(
                "đơn vị “%(code)s” nằm ngoài phạm vi nhập (%(root)s – %(name)s)",
                code=code,
                root=root.code,
                name=root.name,
            )
        )
    elif not unit.active and not ahead:
        errors.append(
            _l("đơn vị “%(code)s” đã ngừng hoạt động (đã sáp nhập)", code=code)
            if unit.successor_id is not None
            else _l(
                "đơn vị “%(code)s” không hoạt động hôm nay (đã giải thể, hoặc chưa "
                "đến ngày thành lập)",
                code=code,
            )
        )
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
        errors.append(
            _l(
                "loại “%(value)s” không hợp lệ; dùng: %(accepted)s",
                value=excerpt(value),
                accepted=accepted,
            )
        )
    return key


def _email(value: str, errors: list) -> str | None:
    value = value.strip()
    if value and (len(value) > 200 or not _EMAIL.match(value)):
        errors.append(_l("email “%(value)s” không hợp lệ", value=excerpt(value)))
    return value or None


def _active(value: str, errors: list) -> bool | None:
    folded = fold(value)
    if not folded:
        return None
    if folded in _TRUE | _FALSE:
        return folded in _TRUE
    errors.append(
        _l(
            "“đang làm việc” phải là có/không (yes/no, 1/0), không phải “%(value)s”",
            value=excerpt(value),
        )
    )
    return None


def warn(plan: PlannedRow) -> None:
    for fix in plan.row.fixes:
        if not fix.confident:
            plan.warnings.append(
                _l(
                    "%(field)s: chuyển mã %(encoding)s chưa chắc chắn “%(original)s” → "
                    "“%(text)s”; hãy kiểm tra",
                    field=LABELS[fix.field],
                    encoding=_encoding_label(fix.encoding),
                    original=excerpt(fix.original),
                    text=excerpt(fix.text),
                )
            )
    for key in plan.row.doubtful:
        plan.warnings.append(
            _l(
                "%(field)s “%(text)s”: không chắc đây là Unicode hay bảng mã cũ "
                "(TCVN3/VNI); đã giữ nguyên, hãy kiểm tra",
                field=LABELS[key],
                text=excerpt(plan.row.text[key]),
            )
        )
    for key in TEXT_FIELDS:
        text = plan.row.text[key]
        odd = "".join(sorted({c for c in text if _is_odd(key, c)}))
        if odd:
            plan.warnings.append(
                _l(
                    "%(field)s “%(text)s” có ký tự lạ “%(odd)s”; hãy kiểm tra (có thể "
                    "là bảng mã cũ TCVN3/VNI chưa nhận ra)",
                    field=LABELS[key],
                    text=excerpt(text),
                    odd=excerpt(odd),
                )
            )
    given, name = plan.values["given_name"], plan.values["full_name"]
    if given and name and not (name == given or name.endswith(" " + given)):
        plan.warnings.append(
            _l(
                "tên “%(given)s” không phải phần cuối của “%(name)s”",
                given=excerpt(given),
                name=excerpt(name),
            )
        )


def _is_odd(key: str, char: str) -> bool:
    """A character unusual in a Vietnamese name (any field: outside ASCII, not a
    Vietnamese letter and not common typography)."""
    if char in TYPOGRAPHY or char in VIETNAMESE_LETTERS:
        return False
    return char not in _NAME_CHARS if key != "position" else ord(char) > 127


def _encoding_label(encoding: str) -> str:
    return {"tcvn3": "TCVN3", "vni": "VNI", "cp1258": "Windows-1258"}.get(
        encoding, encoding
    )
