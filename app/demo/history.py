"""The demo province through time: the structure before 1 July 2025 — tỉnh Kiên
Giang with thành phố Rạch Giá, huyện Tân Hiệp and thành phố Phú Quốc and their
wards and communes, and the former tỉnh An Giang with thành phố Long Xuyên — the
mergers of 1/7/2025 (Kiên Giang + An Giang → tỉnh An Giang, districts dissolved,
wards and communes merged into the new ones, Sở Thông tin và Truyền thông into Sở
Khoa học và Công nghệ), and a 2024 campaign whose records were earned in the old
units. So the reports as of a day, attributed at the time or rolled up, and the
year-over-year comparison have something to show.

Rows are written directly (UnitVersion, UnitSuccession, Assignment); each step
does nothing when it has been done already. Fictional cadres; the place names are
the real ones of the 2025 arrangement (NQ 202/2025/QH15 for the provinces).
"""

import random
from datetime import date, timedelta

from sqlalchemy import select

from app.accounts import units
from app.accounts.models import Assignment, Unit, UnitSuccession, UnitVersion, User
from app.extensions import db
from app.quizzes.models import Quiz
from app.records.models import (
    COMPLETED,
    IN_PROGRESS,
    NOT_STARTED,
    Campaign,
    CampaignTarget,
    TrainingRecord,
)
from app.timeutil import vn_day_end, vn_day_start

from .data import CAMPAIGN, MERGED, PROVINCE

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
CAMPAIGN_2024 = ("VHCV-2024", "Bồi dưỡng văn hóa công vụ năm 2024", 2024)


def _find(code: str) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.code == code))


def seed_history() -> None:
    """Everything above that is missing. Flushes, never commits."""
    if _find(PROVINCE[0]) is None:
        return
    if _find("KG") is None:
        _old_units()
    _versions_of_today()
    _assignments()
    _campaign_2024()


def _old_units() -> None:
    created: dict[str, Unit] = {}
    for code, name, kind, parent_code, _succ, _change in OLD_UNITS:
        parent = created.get(parent_code) if parent_code else None
        created[code] = units.create_unit(code, name, kind, parent)
    merged = _find(MERGED[0])
    if merged is not None:
        created[MERGED[0]] = merged
    for code, unit in created.items():
        version_parent = unit.parent
        path = unit.path
        if code == MERGED[0]:  # it sat under Kiên Giang then
            version_parent = created[OLD_PARENT_OF_MERGED]
            path = f"{version_parent.path}{unit.id}/"
        db.session.add(
            UnitVersion(
                unit_id=unit.id,
                valid_from=HISTORY_START,
                valid_to=MERGER_DAY,
                name=unit.name,
                kind=unit.kind,
                parent_id=version_parent.id if version_parent else None,
                path=path,
                depth=path.count("/") - 2,
                change="import",
            )
        )
    for code, _name, _kind, _parent, successor, change in OLD_UNITS:
        _succession(created[code], _find(successor), change, True)
    if MERGED[0] in created:
        _succession(created[MERGED[0]], _find(MERGED[3]), "merge", True)
    for code, successor in SPLIT_ALSO:
        _succession(created[code], _find(successor), "split", False)
    for code in reversed(list(created)):
        created[code].active = False
    db.session.flush()


def _succession(pred: Unit, succ: Unit, kind: str, primary: bool) -> None:
    decision = PROVINCES_DECISION if pred.kind == "province" else COMMUNES_DECISION
    db.session.add(
        UnitSuccession(
            predecessor_id=pred.id,
            successor_id=succ.id,
            valid_from=MERGER_DAY,
            kind=kind,
            primary=primary,
            decision=decision,
        )
    )


def _versions_of_today() -> None:
    """Today's units of the demo province, in force from 1/7/2025."""
    root = _find(PROVINCE[0])
    versioned = set(db.session.scalars(select(UnitVersion.unit_id)))
    for unit in db.session.scalars(
        select(Unit).where(Unit.in_subtree(root.path), Unit.active.is_(True))
    ):
        if unit.id in versioned:
            continue
        db.session.add(
            UnitVersion(
                unit_id=unit.id,
                valid_from=MERGER_DAY,
                name=unit.name,
                kind=unit.kind,
                parent_id=unit.parent_id,
                path=unit.path,
                depth=unit.depth,
                change="create",
                decision=PROVINCES_DECISION if unit.parent_id is None else "",
            )
        )
    db.session.flush()


def _top_code(user: User, codes: dict[int, str]) -> str:
    """The code of the cadre's unit's ancestor right under the province."""
    ids = [int(p) for p in user.unit.path.strip("/").split("/")]
    return codes.get(ids[1], "") if len(ids) > 1 else ""


def _assignments() -> None:
    """Each demo cadre's assignment from 1/7/2025 and, for those in a unit that
    has predecessors, the one before, in an old unit."""
    assigned = set(db.session.scalars(select(Assignment.user_id)))
    codes = dict(db.session.execute(select(Unit.id, Unit.code)).all())
    root = _find(PROVINCE[0])
    people = db.session.scalars(
        select(User)
        .join(Unit, Unit.id == User.unit_id)
        .where(Unit.in_subtree(root.path), User.employee_code.like("AG%"))
        .order_by(User.id)
    )
    for number, user in enumerate(people):
        if user.id in assigned:
            continue
        before = BEFORE.get(_top_code(user, codes))
        if before:
            old = _find(before[number % len(before)])
            db.session.add(
                Assignment(
                    user_id=user.id,
                    unit_id=old.id,
                    position=user.position,
                    category=user.category,
                    valid_from=HISTORY_START,
                    valid_to=MERGER_DAY,
                )
            )
        db.session.add(
            Assignment(
                user_id=user.id,
                unit_id=user.unit_id,
                position=user.position,
                category=user.category,
                valid_from=MERGER_DAY,
            )
        )
    db.session.flush()


def _campaign_2024() -> None:
    """The 2024 campaign of Kiên Giang and the former An Giang, with the records of
    the cadres who worked in their units then (after `flask content sync`)."""
    code, title, year = CAMPAIGN_2024
    _code, _title, _year, course, quiz = CAMPAIGN
    if db.session.scalar(select(Campaign.id).where(Campaign.code == code)):
        return
    if not db.session.scalar(select(Quiz.id).where(Quiz.code == quiz)):
        return
    campaign = Campaign(
        code=code,
        title=title,
        year=year,
        course_code=course,
        quiz_code=quiz,
        opens_at=vn_day_start(date(2024, 3, 1)),
        closes_at=vn_day_end(date(2024, 10, 31)),
    )
    db.session.add(campaign)
    db.session.flush()
    for province in ("KG", "AGC"):
        db.session.add(
            CampaignTarget(campaign_id=campaign.id, unit_id=_find(province).id)
        )
    rng = random.Random(2024)
    old = db.session.execute(
        select(Assignment.user_id, Assignment.unit_id, User.unit_id)
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.valid_to == MERGER_DAY)
        .order_by(Assignment.user_id)
    ).all()
    for user_id, old_unit, unit_now in old:
        status = rng.choices([COMPLETED, IN_PROGRESS, NOT_STARTED], [80, 12, 8])[0]
        best = float(rng.randint(12, 30) * 100 // 30) if status != NOT_STARTED else None
        done = status == COMPLETED
        day = date(2024, rng.randint(4, 10), rng.randint(1, 28))
        db.session.add(
            TrainingRecord(
                campaign_id=campaign.id,
                user_id=user_id,
                unit_id=unit_now,
                status=status,
                modules_read=9 if done else rng.randint(0, 8),
                modules_total=9,
                attempts=rng.randint(1, 3) if best is not None else 0,
                best_percent=best,
                passed=done
                or (best is not None and best >= 80 and status != NOT_STARTED),
                completed_at=vn_day_start(day) + timedelta(hours=9) if done else None,
                completed_unit_id=old_unit if done else None,
            )
        )
    db.session.flush()
