"""The demo province through time: the structure before 1 July 2025 — tỉnh Kiên
Giang with thành phố Rạch Giá, huyện Tân Hiệp and thành phố Phú Quốc and their
wards and communes, and the former tỉnh An Giang with thành phố Long Xuyên — and
the mergers of 1/7/2025 (Kiên Giang + An Giang → tỉnh An Giang, districts dissolved,
wards and communes merged into the new ones, Sở Thông tin và Truyền thông into Sở
Khoa học và Công nghệ). The 2024 campaign, whose records were earned in the old
units, and the 2025 one are app.demo.past's. So the reports as of a day, attributed
at the time or rolled up, and the year-over-year comparison have something to show.

The history is written through app.accounts' services with effective days:
today's units from 1/7/2025 (app.demo.seed), the old ones from HISTORY_START, ended
on 1/7/2025 by dated mergers and splits (app.accounts.restructure); the cadres who
worked in an old unit are created there from HISTORY_START and moved on 1/7/2025.
Each step does nothing when it has been done already. Fictional cadres; the place
names are the real ones of the 2025 arrangement (NQ 202/2025/QH15 for the
provinces).
"""

from datetime import date

from sqlalchemy import select

from app.accounts import restructure, services, units
from app.accounts.models import Unit, UnitSuccession, User
from app.accounts.scope import path_ids
from app.extensions import db

from .data import MERGED

MERGER_DAY = date(2025, 7, 1)
HISTORY_START = date(2019, 1, 1)
PROVINCES_DECISION = "Nghị quyết 202/2025/QH15 ngày 12/6/2025 của Quốc hội"
COMMUNES_DECISION = (
    "Nghị quyết của Ủy ban Thường vụ Quốc hội về sắp xếp các đơn vị hành chính "
    "cấp xã của tỉnh An Giang năm 2025"
)

# The old units: (code, name, kind, parent code, successor code, kind of change).
# A district is split among the new communes; the first successor is the primary.
OLD_UNITS = [
    ("KG", "Ủy ban nhân dân tỉnh Kiên Giang", "province", None, "AG", "merge"),
    ("KG-SNV", "Sở Nội vụ", "department", "KG", "AG-SNV", "merge"),
    ("KG-SKHCN", "Sở Khoa học và Công nghệ", "department", "KG", "AG-SKHCN", "merge"),
    ("KG-RG", "Ủy ban nhân dân thành phố Rạch Giá", "district", "KG", "AG-RG", "split"),
    (
        "KG-RG-VTV",
        "Ủy ban nhân dân phường Vĩnh Thanh Vân",
        "commune",
        "KG-RG",
        "AG-RG",
        "merge",
    ),
    (
        "KG-RG-VL",
        "Ủy ban nhân dân phường Vĩnh Lạc",
        "commune",
        "KG-RG",
        "AG-RG",
        "merge",
    ),
    ("KG-TH", "Ủy ban nhân dân huyện Tân Hiệp", "district", "KG", "AG-TH", "split"),
    (
        "KG-TH-TT",
        "Ủy ban nhân dân thị trấn Tân Hiệp",
        "commune",
        "KG-TH",
        "AG-TH",
        "merge",
    ),
    ("KG-TH-TA", "Ủy ban nhân dân xã Tân Hiệp A", "commune", "KG-TH", "AG-TH", "merge"),
    ("KG-PQ", "Ủy ban nhân dân thành phố Phú Quốc", "district", "KG", "AG-PQ", "merge"),
    (
        "KG-PQ-DD",
        "Ủy ban nhân dân phường Dương Đông",
        "commune",
        "KG-PQ",
        "AG-PQ",
        "merge",
    ),
    ("AGC", "Ủy ban nhân dân tỉnh An Giang", "province", None, "AG", "merge"),
    ("AGC-SNV", "Sở Nội vụ", "department", "AGC", "AG-SNV", "merge"),
    (
        "AGC-LX",
        "Ủy ban nhân dân thành phố Long Xuyên",
        "district",
        "AGC",
        "AG-LX",
        "split",
    ),
    (
        "AGC-LX-MB",
        "Ủy ban nhân dân phường Mỹ Bình",
        "commune",
        "AGC-LX",
        "AG-LX",
        "merge",
    ),
]
# Second successors of the split districts (not primary): part of the staff of
# thành phố Rạch Giá went to đặc khu Phú Quốc's neighbours, and so on.
SPLIT_ALSO = [("KG-RG", "AG-TH"), ("KG-TH", "AG-RG"), ("AGC-LX", "AG-RG")]
# Sở Thông tin và Truyền thông tỉnh Kiên Giang (the demo's merged unit).
OLD_PARENT_OF_MERGED = "KG"
# Where today's cadres worked before 1/7/2025: old units by today's top unit.
BEFORE = {
    "AG-SNV": ["KG-SNV", "AGC-SNV"],
    "AG-SKHCN": ["KG-SKHCN", MERGED[0]],
    "AG-RG": ["KG-RG-VTV", "KG-RG-VL", "KG-RG"],
    "AG-TH": ["KG-TH-TT", "KG-TH-TA", "KG-TH"],
    "AG-PQ": ["KG-PQ-DD", "KG-PQ"],
    "AG-LX": ["AGC-LX-MB", "AGC-LX"],
}


def _find(code: str) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.code == code))


def _decision(unit: Unit) -> str:
    return PROVINCES_DECISION if unit.kind == "province" else COMMUNES_DECISION


def seed_old_units() -> int:
    """The units before 1/7/2025 that are missing, in force from HISTORY_START
    (Sở Thông tin và Truyền thông under Kiên Giang); returns how many were created.
    Run before the cadres (some worked in them) and `end_old_units`."""
    created = 0
    rows = [row[:4] for row in OLD_UNITS]
    rows.append((MERGED[0], MERGED[1], MERGED[2], OLD_PARENT_OF_MERGED))
    for code, name, kind, parent_code in rows:
        if _find(code) is None:
            parent = _find(parent_code) if parent_code else None
            units.create_unit(code, name, kind, parent, effective=HISTORY_START)
            created += 1
    return created


def end_old_units() -> None:
    """On 1/7/2025 each old unit, the deepest first, is merged or split into
    today's units through app.accounts.restructure (its successions, the first
    successor the primary one); a unit already ended is left alone."""
    ends = [(MERGED[0], [MERGED[3]], "merge")]
    also = {}
    for code, successor in SPLIT_ALSO:
        also.setdefault(code, []).append(successor)
    for code, _name, _kind, _parent, successor, change in reversed(OLD_UNITS):
        ends.append((code, [successor, *also.get(code, [])], change))
    for code, successor_codes, change in ends:
        unit = _find(code)
        ended = db.session.scalar(
            select(UnitSuccession.id).where(UnitSuccession.predecessor_id == unit.id)
        )
        if ended is not None:
            continue
        successors = [_find(c) for c in successor_codes]
        plan = restructure.plan(unit, successors, MERGER_DAY, change)
        restructure.apply(plan, _decision(unit))
    db.session.flush()


def unit_before(unit: Unit, number: int) -> Unit | None:
    """The old unit where the cadre numbered `number`, in `unit` today, worked
    before 1/7/2025; None when `unit` is new that day (no predecessor)."""
    ids = path_ids(unit.path)
    top = db.session.get(Unit, ids[1]) if len(ids) > 1 else None
    before = BEFORE.get(top.code) if top is not None else None
    return _find(before[number % len(before)]) if before else None


def create_cadre(number: int, unit: Unit, **fields) -> User:
    """A demo cadre working in `unit` since 1/7/2025; before that, from
    HISTORY_START, in the old unit `unit_before` names, if any."""
    old = unit_before(unit, number)
    if old is None:
        return services.create_user(unit=unit, effective=MERGER_DAY, **fields)
    user = services.create_user(unit=old, effective=HISTORY_START, **fields)
    services.reassign(user, unit=unit, effective=MERGER_DAY)
    return user
