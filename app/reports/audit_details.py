"""An audit event's details as people read them: each key by its Vietnamese label,
the ids of units and users by their names (loaded for a page in one query per
kind), the fields a settings change lists by their form's labels (registered in
app.audit.targets), and None, True/False and lists in words.

A key without a label is shown as itself, and an id whose row is gone as “#id”:
nothing recorded is hidden. tests/reports/test_audit_details.py checks that every
key recorded by audit.record( in app/ has a label.
"""

from collections.abc import Iterable
from datetime import date

from flask_babel import gettext
from sqlalchemy import select

from app.accounts.models import CATEGORIES, Unit, User
from app.audit import targets
from app.audit.models import AuditEvent
from app.errors import lazy_gettext as _l
from app.extensions import db

# The details recorded as an ISO day (a change's effective date).
DATE_KEYS = frozenset({"day", "effective"})

# The keys of the details recorded in app/, and those of the dicts some record
# (campaign.updated's before/after, reward.rule_set's old/new, cadres.imported's
# conversions).
DETAIL_LABELS = {
    "added": _l("Đã thêm"),
    "after": _l("Sau khi sửa"),
    "attempts_ended": _l("Số lượt làm bài phải kết thúc"),
    "before": _l("Trước khi sửa"),
    "cadres": _l("Số cán bộ"),
    "campaign": _l("Đợt bồi dưỡng"),
    "campaigns": _l("Các đợt bồi dưỡng"),
    "categories": _l("Loại cán bộ"),
    "category": _l("Loại cán bộ"),
    "channel": _l("Thực hiện qua"),
    "closes_at": _l("Đóng lúc"),
    "code": _l("Mã"),
    "conversions": _l("Chữ đã chuyển bảng mã"),
    "conversions_total": _l("Tổng số chữ đã chuyển bảng mã"),
    "created": _l("Số mục tạo mới"),
    "day": _l("Ngày"),
    "decision": _l("Quyết định"),
    "effective": _l("Ngày hiệu lực"),
    "email": _l("Gửi kèm thư điện tử"),
    "encoding": _l("Bảng mã"),
    "extra_attempts": _l("Số lượt làm bài thêm"),
    "extra_minutes": _l("Số phút thêm"),
    "extra_percent": _l("Thời gian thêm (%)"),
    "field": _l("Cột"),
    "fields": _l("Các mục đã đổi"),
    "file": _l("Tệp"),
    "followed": _l("Số cán bộ theo đơn vị kế thừa"),
    "forced_change": _l("Buộc đổi mật khẩu khi đăng nhập"),
    "format": _l("Định dạng"),
    "kind": _l("Loại"),
    "line": _l("Dòng"),
    "min_campaigns": _l("Số đợt tối thiểu"),
    "moved": _l("Số cán bộ chuyển đơn vị"),
    "name": _l("Tên khóa"),
    "new": _l("Giá trị mới"),
    "new_unit": _l("Đơn vị mới"),
    "old": _l("Giá trị cũ"),
    "old_unit": _l("Đơn vị cũ"),
    "opens_at": _l("Mở lúc"),
    "origin": _l("Nguồn"),
    "original": _l("Chữ gốc"),
    "participants": _l("Số người dự thi"),
    "perfect": _l("Số bài đạt điểm tối đa"),
    "person_first_percent": _l("Điểm lần làm bài đầu của cá nhân (%)"),
    "position": _l("Chức vụ"),
    "prefix": _l("Tiền tố khóa"),
    "quiz": _l("Bài kiểm tra"),
    "reason": _l("Lý do"),
    "removed": _l("Đã bỏ"),
    "replaces": _l("Thay cho giấy số"),
    "reverted_to": _l("Trở lại phiên bản"),
    "round": _l("Đợt thi"),
    "rows": _l("Số dòng"),
    "serial": _l("Số hiệu"),
    "sha256": _l("Mã băm SHA-256 của tệp"),
    "targets": _l("Đơn vị áp dụng"),
    "target_code": _l("Mã đợt xét"),
    "text": _l("Chữ sau khi chuyển"),
    "title": _l("Tên gọi"),
    "unchanged": _l("Số mục không đổi"),
    "unit": _l("Đơn vị"),
    "unit_completion_percent": _l("Tỷ lệ cán bộ hoàn thành của đơn vị (%)"),
    "unit_min_cadres": _l("Số cán bộ tối thiểu của đơn vị"),
    "unit_pass_percent": _l("Tỷ lệ cán bộ đạt của đơn vị (%)"),
    "units": _l("Số đơn vị"),
    "updated": _l("Số mục cập nhật"),
    "user": _l("Cán bộ"),
    "user_id": _l("Cán bộ"),
    "username": _l("Tên đăng nhập"),
    "version": _l("Phiên bản"),
    "while_open": _l("Khi đợt thi đang mở"),
}

# Details whose value is the id of a unit or a user: by key, and by action and key
# (elsewhere `unit` is a unit's code, and `targets` a list of them: "unit_code").
ID_KEYS = {"old_unit": "unit", "new_unit": "unit", "user_id": "user"}
ID_KEYS_OF_ACTION = {("user.reassigned", "unit"): "unit"}
CODE_KEYS = {"unit": "unit_code", "targets": "unit_code"}


def _unit_name(unit: Unit) -> str:
    return f"{unit.display_name} ({unit.code})"


def _units_by_code(codes: set) -> dict[str, str]:
    query = select(Unit).where(Unit.code.in_(codes))
    return {unit.code: _unit_name(unit) for unit in db.session.scalars(query)}


ID_LOADERS = {
    "unit": targets.rows(Unit, _unit_name),
    "unit_code": _units_by_code,
    "user": targets.rows(
        User, lambda u: f"{u.full_name} ({u.employee_code or u.username})"
    ),
}


def detail_label(key) -> str:
    """The key's label; the key itself without one."""
    label = DETAIL_LABELS.get(key)
    return str(label) if label is not None else str(key)


def id_kind(action: str, key: str, value=None) -> str | None:
    """The kind of id ("unit", "user", or "unit_code" for a unit's code or a list
    of them) the detail `key` of `action` holds as `value`."""
    kind = ID_KEYS_OF_ACTION.get((action, key)) or ID_KEYS.get(key)
    if kind is None and _codes(value):
        return CODE_KEYS.get(key)
    return kind


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _codes(value) -> list[str]:
    """The unit codes a detail holds: a code, or a list of codes."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return []


def detail_names(events: Iterable[AuditEvent]) -> dict[tuple[str, int], str]:
    """{(kind, id): name} for the ids of units and users in the details of
    `events`, one query per kind. A row gone from the database is left out."""
    wanted: dict[str, set[int]] = {}
    for event in events:
        if not isinstance(event.detail, dict):
            continue
        for key, value in event.detail.items():
            kind = id_kind(event.action, key, value)
            if kind == "unit_code":
                wanted.setdefault(kind, set()).update(_codes(value))
            elif kind is not None and _is_id(value):
                wanted.setdefault(kind, set()).add(value)
    names = {}
    for kind, ids in wanted.items():
        for row_id, name in ID_LOADERS[kind](ids).items():
            names[(kind, row_id)] = name
    return names


def detail_items(event: AuditEvent, names: dict) -> list[tuple[str, str]]:
    """(label, value in words) of each detail of `event`, as recorded in order."""
    if not isinstance(event.detail, dict):
        return [("", str(event.detail))] if event.detail else []
    return [
        (detail_label(key), _value(event.action, key, value, names))
        for key, value in event.detail.items()
    ]


def detail_text(event: AuditEvent, names: dict) -> str:
    """The details on one line ("Đơn vị cũ: …; Đơn vị mới: …"), for the CSV."""
    return "; ".join(
        f"{label}: {text}" if label else text
        for label, text in detail_items(event, names)
    )


def _value(action: str, key: str, value, names: dict) -> str:
    kind = id_kind(action, key, value)
    if kind == "unit_code":  # a code whose unit is gone stays as it was recorded
        return ", ".join(names.get((kind, code), code) for code in _codes(value))
    if kind is not None and _is_id(value):
        return names.get((kind, value), f"#{value}")
    fields = targets.FIELD_LABELS.get(action)
    if key == "fields" and fields and isinstance(value, list):
        return ", ".join(
            str(fields.get(v, v)) if isinstance(v, str) else detail_value(v)
            for v in value
        )
    if key == "category" and isinstance(value, str) and value in CATEGORIES:
        return gettext(CATEGORIES[value])
    if key in DATE_KEYS and isinstance(value, str):
        return _vn_day(value)
    return detail_value(value)


def _vn_day(value: str) -> str:
    """An ISO day as recorded ("2025-07-01") as people write it (01/07/2025)."""
    try:
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return value


def detail_value(value) -> str:
    """A detail's value in words: "—" for none, có/không, a list's items joined, a
    dict's keys by their labels (not 'None', 'True' or "['a', 'b']" as Python
    writes them)."""
    if value is None or value == [] or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_l("có") if value else _l("không"))
    if isinstance(value, list | tuple):
        return ", ".join(detail_value(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(
            f"{detail_label(k)}: {detail_value(v)}" for k, v in value.items()
        )
    return str(value)
