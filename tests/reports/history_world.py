"""A small province through the 2025 mergers, written directly as rows (units,
UnitVersion, UnitSuccession, Assignment, campaigns and records) for the tests of
the reports as of a day.

Before 1/7/2025 (from 1/1/2019):
  KG   Ủy ban nhân dân tỉnh Kiên Giang
    KG-STTTT  Sở Thông tin và Truyền thông      → SKHCN (merge)
    KG-RG     Ủy ban nhân dân thành phố Rạch Giá → RG (split, primary), SKHCN
      KG-VTV  Ủy ban nhân dân phường Vĩnh Thanh Vân → RG (merge)
    KG-X      Ban quản lý dự án (dissolved, no successor)
  AGO  Ủy ban nhân dân tỉnh An Giang (the former)
    AGO-SKHCN Sở Khoa học và Công nghệ          → SKHCN (merge)
  KG → AGM, AGO → AGM (merge)
From 1/7/2025:
  AGM  Ủy ban nhân dân tỉnh An Giang
    SKHCN  Sở Khoa học và Công nghệ
    RG     Ủy ban nhân dân phường Rạch Giá
All along:
  CT   Ủy ban nhân dân thành phố Cần Thơ
    CT-SNV  "Sở Nội vụ", renamed on 1/3/2025 "Sở Nội vụ thành phố Cần Thơ"

Cadres (unit in 2024 → now), 2024 record, 2026 record:
  a1 KG-STTTT → SKHCN   completed 90          completed 100 (in SKHCN)
  a2 AGO-SKHCN → SKHCN  completed 80          not started
  a3 KG-VTV → RG        in progress 50        completed 70 (in RG)
  a4 KG-RG → RG         completed 100         in progress 40
  c1 CT-SNV             completed 60          completed 90 (in CT-SNV)
"""

from datetime import date, timedelta

from sqlalchemy import delete

from app.accounts.models import Assignment, Unit, UnitSuccession, UnitVersion
from app.extensions import db
from app.records.models import Campaign, CampaignTarget, TrainingRecord
from app.timeutil import vn_day_end, vn_day_start
from tests.factories import make_unit, make_user

MERGER = date(2025, 7, 1)
START = date(2019, 1, 1)


def _version(unit: Unit, start, end=None, name=None, parent=None, path=None):
    parent = parent if parent is not None else unit.parent
    db.session.add(
        UnitVersion(
            unit_id=unit.id,
            valid_from=start,
            valid_to=end,
            name=name or unit.name,
            kind=unit.kind,
            parent_id=parent.id if parent else None,
            path=path or unit.path,
            depth=(path or unit.path).count("/") - 2,
        )
    )


def _succeed(pred: Unit, succ: Unit, kind="merge", primary=True):
    db.session.add(
        UnitSuccession(
            predecessor_id=pred.id,
            successor_id=succ.id,
            valid_from=MERGER,
            kind=kind,
            primary=primary,
        )
    )


def _assign(user, unit, start, end=None):
    db.session.add(
        Assignment(user_id=user.id, unit_id=unit.id, valid_from=start, valid_to=end)
    )


def _campaign(code, year, opens, closes, targets) -> Campaign:
    campaign = Campaign(
        code=code,
        title=f"Bồi dưỡng văn hóa công vụ năm {year}",
        year=year,
        course_code="T",
        quiz_code="Q",
        opens_at=vn_day_start(opens),
        closes_at=vn_day_end(closes),
    )
    db.session.add(campaign)
    db.session.flush()
    for unit in targets:
        db.session.add(CampaignTarget(campaign_id=campaign.id, unit_id=unit.id))
    return campaign


def _record(campaign, user, now_unit, status, best, at_unit=None, day=None):
    db.session.add(
        TrainingRecord(
            campaign_id=campaign.id,
            user_id=user.id,
            unit_id=now_unit.id,
            status=status,
            best_percent=best,
            passed=best is not None and best >= 80 or status == "completed",
            completed_at=vn_day_start(day) + timedelta(hours=9) if day else None,
            completed_unit_id=at_unit.id if at_unit else None,
        )
    )


def build() -> dict:
    """The world above; returns {code: Unit, username: User, "C2024"/"C2026":
    Campaign}. Commits."""
    u = {}
    u["KG"] = make_unit("KG", "Ủy ban nhân dân tỉnh Kiên Giang", kind="province")
    u["KG-STTTT"] = make_unit(
        "KG-STTTT", "Sở Thông tin và Truyền thông", u["KG"], "department"
    )
    u["KG-RG"] = make_unit(
        "KG-RG", "Ủy ban nhân dân thành phố Rạch Giá", u["KG"], "district"
    )
    u["KG-VTV"] = make_unit(
        "KG-VTV", "Ủy ban nhân dân phường Vĩnh Thanh Vân", u["KG-RG"], "commune"
    )
    u["KG-X"] = make_unit("KG-X", "Ban quản lý dự án", u["KG"], "agency")
    u["AGO"] = make_unit("AGO", "Ủy ban nhân dân tỉnh An Giang", kind="province")
    u["AGO-SKHCN"] = make_unit(
        "AGO-SKHCN", "Sở Khoa học và Công nghệ", u["AGO"], "department"
    )
    u["AGM"] = make_unit("AGM", "Ủy ban nhân dân tỉnh An Giang", kind="province")
    u["SKHCN"] = make_unit("SKHCN", "Sở Khoa học và Công nghệ", u["AGM"], "department")
    u["RG"] = make_unit("RG", "Ủy ban nhân dân phường Rạch Giá", u["AGM"], "commune")
    u["CT"] = make_unit("CT", "Ủy ban nhân dân thành phố Cần Thơ", kind="province")
    u["CT-SNV"] = make_unit("CT-SNV", "Sở Nội vụ thành phố Cần Thơ", u["CT"])
    # the units were created today (make_unit): their history is the one above
    db.session.execute(delete(UnitVersion))
    for code in ("KG", "KG-STTTT", "KG-RG", "KG-VTV", "KG-X", "AGO", "AGO-SKHCN"):
        _version(u[code], START, MERGER)
    for code in ("AGM", "SKHCN", "RG"):
        _version(u[code], MERGER)
    _version(u["CT"], START)
    _version(u["CT-SNV"], START, date(2025, 3, 1), name="Sở Nội vụ")
    _version(u["CT-SNV"], date(2025, 3, 1))
    _succeed(u["KG"], u["AGM"])
    _succeed(u["AGO"], u["AGM"])
    _succeed(u["KG-STTTT"], u["SKHCN"])
    _succeed(u["AGO-SKHCN"], u["SKHCN"])
    _succeed(u["KG-VTV"], u["RG"])
    _succeed(u["KG-RG"], u["RG"], "split", True)
    _succeed(u["KG-RG"], u["SKHCN"], "split", False)
    people = {
        "a1": ("KG-STTTT", "SKHCN"),
        "a2": ("AGO-SKHCN", "SKHCN"),
        "a3": ("KG-VTV", "RG"),
        "a4": ("KG-RG", "RG"),
    }
    for name, (_before, now) in people.items():
        u[name] = make_user(name, u[now], full_name=f"Cán bộ {name.upper()}")
    u["c1"] = make_user("c1", u["CT-SNV"], full_name="Cán bộ C1")
    db.session.execute(delete(Assignment))  # make_user's, from today
    for name, (before, now) in people.items():
        _assign(u[name], u[before], START, MERGER)
        _assign(u[name], u[now], MERGER)
    _assign(u["c1"], u["CT-SNV"], START)
    old = _campaign(
        "C2024",
        2024,
        date(2024, 3, 1),
        date(2024, 11, 15),
        [u["KG"], u["AGO"], u["CT"]],
    )
    new = _campaign(
        "C2026", 2026, date(2026, 3, 1), date(2026, 12, 31), [u["AGM"], u["CT"]]
    )
    day = date(2024, 6, 1)
    _record(old, u["a1"], u["SKHCN"], "completed", 90.0, u["KG-STTTT"], day)
    _record(old, u["a2"], u["SKHCN"], "completed", 80.0, u["AGO-SKHCN"], day)
    _record(old, u["a3"], u["RG"], "in_progress", 50.0)
    _record(old, u["a4"], u["RG"], "completed", 100.0, u["KG-RG"], day)
    _record(old, u["c1"], u["CT-SNV"], "completed", 60.0, u["CT-SNV"], day)
    day = date(2026, 5, 1)
    _record(new, u["a1"], u["SKHCN"], "completed", 100.0, u["SKHCN"], day)
    _record(new, u["a2"], u["SKHCN"], "not_started", None)
    _record(new, u["a3"], u["RG"], "completed", 70.0, u["RG"], day)
    _record(new, u["a4"], u["RG"], "in_progress", 40.0)
    _record(new, u["c1"], u["CT-SNV"], "completed", 90.0, u["CT-SNV"], day)
    for code in ("KG", "KG-STTTT", "KG-RG", "KG-VTV", "KG-X", "AGO", "AGO-SKHCN"):
        u[code].active = False
    u["C2024"], u["C2026"] = old, new
    db.session.commit()
    return u
