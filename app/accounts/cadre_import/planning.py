"""Planning a cadre import: what each row would do (create, update, unchanged or an
error), read from the database in a few bulk queries; nothing is written."""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY

from app.errors import InvalidInput, NotAllowed
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.vntext import split_name

from .. import history, services
from ..models import N_, Assignment, RoleAssignment, Unit, UnitVersion, User
from ..permissions import scope_paths
from .checking import CREATE, ERROR, UNCHANGED, UPDATE, PlannedRow, check_row
from .reading import CadreRows

# One message for every code this import may not use (another account's username,
# or a cadre outside the importer's scope): it says nothing of who holds the code.
# The Vietnamese text (N_), translated when a row is given it (_l below).
UNUSABLE_CODE = N_(
    "mã cán bộ này không dùng được trong phạm vi của bạn (đã được dùng cho một tài "
    "khoản khác); nếu cán bộ chuyển đến từ đơn vị khác, hãy đề nghị quản trị viên "
    "chuyển cán bộ"
)


@dataclass
class ImportPlan:
    source: str
    root: Unit
    rows: list[PlannedRow]
    file: CadreRows
    # The day the units, positions and categories of the file take effect.
    effective: date | None = None

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
        """Every error (and warning) as "file:line: message", in the reader's
        language (Vietnamese outside a request)."""
        found = []
        for r in self.rows:
            for message in r.errors + (r.warnings if warnings else []):
                found.append(f"{self.source}:{r.line}: {message}")
        return found


def plan_import(
    rows: CadreRows, root_unit: Unit, viewer: User | None, effective=None
) -> ImportPlan:
    """Decide, row by row, what importing `rows` under `root_unit` would do, the
    units, positions and categories taking effect on `effective` (today by default).

    `viewer` None means no scope limit (the operator's CLI). Raises NotAllowed when
    `root_unit` is outside the viewer's HR scope, InvalidInput when it is inactive
    or the day is out of bounds. Writes nothing.
    """
    day = history.effective(effective)
    scope = scope_paths(viewer, "hr") if viewer is not None else None
    if not root_unit.in_subtrees(scope):
        raise NotAllowed(
            _l("Đơn vị “%(code)s” nằm ngoài phạm vi của bạn.", code=root_unit.code)
        )
    if not root_unit.active:
        raise InvalidInput(
            _l("Đơn vị “%(code)s” đã ngừng hoạt động.", code=root_unit.code)
        )
    codes = [r.employee_code for r in rows if r.employee_code]
    existing = {
        u.employee_code: u for u in fetch(CADRE_COLUMNS, User.employee_code, codes)
    }
    lowered = [c.lower() for c in codes]
    usernames = set(fetch(select(User.username), User.username, lowered))
    unit_codes = [r.values.get("unit_code", "").strip() for r in rows]
    units = {u.code: u for u in fetch(select(Unit), Unit.code, unit_codes)}
    unit_ids = [u.unit_id for u in existing.values()]
    current = {u.id: u for u in fetch(select(Unit), Unit.id, unit_ids)}
    protected = _protected_accounts(viewer, [u.id for u in existing.values()])
    later = _later_assignments([u.id for u in existing.values()], day)
    existing_units = _units_on(list(units.values()) + [root_unit], day)
    dissolving = services.dissolving_units([u.id for u in units.values()], day)
    seen: dict[str, int] = {}
    planned = []
    for row in rows:
        plan = PlannedRow(row=row)
        check_row(plan, root_unit, units, seen, day > history.vn_today())
        if not plan.errors:
            _decide(plan, existing, usernames, current, root_unit, scope)
        if not plan.errors:
            _check_day(plan, day, later, existing_units)
            _check_dissolving(plan, dissolving)
        if plan.action == UPDATE and plan.user_id in protected:
            plan.errors.append(
                _l(
                    "tài khoản của mã cán bộ này có vai trò quản lý (giảng viên, cán "
                    "bộ tổ chức hoặc quản trị); chỉ quản trị viên được thay đổi"
                )
            )
        plan.action = ERROR if plan.errors else plan.action
        planned.append(plan)
    return ImportPlan(rows.source, root_unit, planned, rows, day)


def _later_assignments(user_ids: list[int], day: date) -> dict[int, date]:
    """{user id: the latest start of its assignments after `day`}."""
    query = select(Assignment.user_id, Assignment.valid_from).where(
        Assignment.valid_from > day
    )
    found: dict[int, date] = {}
    for user_id, start in fetch(query, Assignment.user_id, user_ids):
        found[user_id] = max(start, found.get(user_id, start))
    return found


def _units_on(units: list[Unit], day: date) -> set[int]:
    """Ids among `units` that exist on `day`."""
    query = select(UnitVersion.unit_id).where(UnitVersion.valid_on(day))
    return set(fetch(query, UnitVersion.unit_id, [u.id for u in units]))


def _check_day(plan: PlannedRow, day: date, later: dict, units: set[int]) -> None:
    """Errors for a row the effective day does not fit: a new cadre dated in the
    future, a unit that does not exist that day, a cadre changed after that day."""
    shown = history.format_day(day)
    if plan.action == CREATE and day > history.vn_today():
        plan.errors.append(
            _l(
                "cán bộ mới: ngày hiệu lực %(day)s là ngày tương lai; hãy nhập cán bộ "
                "mới với ngày hiệu lực không muộn hơn hôm nay",
                day=shown,
            )
        )
    unit = plan.values.get("unit")
    if unit is not None and unit.id not in units and plan.action != UNCHANGED:
        plan.errors.append(
            _l(
                "đơn vị “%(code)s” không tồn tại vào ngày %(day)s",
                code=unit.code,
                day=shown,
            )
        )
    if plan.action == UPDATE and plan.user_id in later:
        plan.errors.append(
            _l(
                "cán bộ đã có thay đổi công tác từ ngày %(changed)s, sau ngày hiệu lực "
                "%(day)s",
                changed=history.format_day(later[plan.user_id]),
                day=shown,
            )
        )


def _check_dissolving(plan: PlannedRow, dissolving: dict) -> None:
    """An error for a row putting a cadre from the effective day in a unit
    dissolved later (services.dissolving_units)."""
    unit = plan.values.get("unit")
    moves = plan.action == CREATE or "Đơn vị" in plan.changes
    if unit is not None and unit.id in dissolving and moves:
        plan.errors.append(
            _l(
                "đơn vị “%(code)s” giải thể từ ngày %(day)s: không xếp cán bộ vào "
                "đơn vị này",
                code=unit.code,
                day=history.format_day(dissolving[unit.id]),
            )
        )


def _protected_accounts(viewer: User | None, user_ids: list[int]) -> set[int]:
    """Ids among `user_ids` whose accounts `viewer` may not change: for an HR
    officer, those holding any role but learner (the rule of
    accounts.permissions.can_manage_account). The operator's CLI (None) and
    administrators may change any."""
    if viewer is None or viewer.has_role("admin"):
        return set()
    privileged = select(RoleAssignment.user_id).where(RoleAssignment.role != "learner")
    return set(fetch(privileged, RoleAssignment.user_id, user_ids))


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


def fetch(query, column, keys: list, chunk: int = 900) -> list:
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


def _decide(plan, existing, usernames, current, root: Unit, scope) -> None:
    """Create, update or unchanged; `current` maps unit ids to the existing cadres'
    units (read by id: no lazy load per cadre)."""
    code = plan.row.employee_code
    user = existing.get(code)
    if user is None:
        if code.lower() in usernames:
            plan.errors.append(_l(UNUSABLE_CODE))
        plan.values["unit"] = plan.values["unit"] or root
        plan.action = CREATE
        return
    unit = current[user.unit_id]
    if not unit.in_subtrees(scope):
        plan.errors.append(_l(UNUSABLE_CODE))
        return
    plan.user_id = user.id
    if plan.values["unit"] is None and not unit.in_subtree(root.path):
        plan.values["unit"] = root
    plan.changes = _changes(user, unit, plan.values)
    plan.action = UPDATE if plan.changes else UNCHANGED


def _changes(user, current: Unit, values: dict) -> dict[str, tuple[str, str]]:
    """{label: (before, after)}; the labels are msgids (N_) the preview page
    translates."""
    changes = {}
    name, given = values["full_name"], values["given_name"]
    if name != user.full_name:
        changes[N_("Họ và tên")] = (user.full_name, name)
    renamed = given or name != user.full_name
    new_given = split_name(name, given).given if renamed else None
    if new_given is not None and new_given != user.given_name:
        changes[N_("Tên")] = (user.given_name, new_given)
    unit = values["unit"]
    if unit is not None and unit.id != user.unit_id:
        changes[N_("Đơn vị")] = (current.code, unit.code)
    for label, key in ((N_("Chức vụ"), "position"), (N_("Email"), "email")):
        old, new = getattr(user, key) or "", values[key]
        if new is not None and new != old:
            changes[label] = (old, new)
    if values["category"] is not None and values["category"] != user.category:
        changes[N_("Loại")] = (user.category, values["category"])
    if values["active"] is not None and values["active"] != user.active:
        yes_no = {True: _("có"), False: _("không")}
        changes[N_("Đang làm việc")] = (yes_no[user.active], yes_no[values["active"]])
    return changes
