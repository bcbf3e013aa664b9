"""Three years of history for `make bench-reports` (bench/reports.py): the budget
of the dashboard and the annual report as of a past day, rolled up across merges.

On top of bench/reports.py's province (campaign 1, 2026), adds:

- an old province ("Tỉnh cũ") that held region R1 until 1/7/2025, when it merged
  into the province P (R1 and everything below it moved: a second UnitVersion);
- in region R0, office O9 of every department (and its five teams) merged into O8
  (and O8's teams) on 1/7/2025: 90 units ended, their 10,000 cadres reassigned
  (two Assignment rows each; every other cadre one);
- campaigns 2024 (closed before the merger) and 2025 (across it), one record per
  cadre in each, completed in the unit of the time: 600,000 records in all.
"""

import random
import time
from datetime import UTC, date, datetime, timedelta

MERGER = date(2025, 7, 1)
START = date(2019, 1, 1)
OFFICE_SPAN = 6  # an office and its five teams: consecutive ids


def _at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def add_history(app, units: list[dict], users: list[dict], rng: random.Random):
    """Write the history above (after bench.reports.generate's rows)."""
    from sqlalchemy import insert, update

    from app.accounts.models import (
        Assignment,
        Unit,
        UnitSuccession,
        UnitVersion,
        User,
    )
    from app.extensions import db
    from app.records.models import Campaign, CampaignTarget, TrainingRecord

    old_id = len(units) + 1
    merged_away = {
        u["id"]: u["id"] - OFFICE_SPAN
        for u in units
        if u["code"].startswith("R0-") and "-O9" in u["code"]
    }
    with app.app_context():
        db.session.execute(
            insert(Unit),
            [
                {
                    "id": old_id,
                    "code": "OLD",
                    "name": "Tỉnh cũ",
                    "kind": "province",
                    "parent_id": None,
                    "path": f"/{old_id}/",
                    "depth": 0,
                    "active": False,
                    "created_at": _at(START),
                }
            ],
        )
        db.session.execute(insert(UnitVersion), _versions(units, old_id, merged_away))
        successions = [(old_id, 1)] + list(merged_away.items())
        db.session.execute(
            insert(UnitSuccession),
            [
                {
                    "predecessor_id": pred,
                    "successor_id": succ,
                    "valid_from": MERGER,
                    "kind": "merge",
                    "primary": True,
                    "decision": "bench",
                }
                for pred, succ in successions
            ],
        )
        db.session.execute(
            update(Unit).where(Unit.id.in_(merged_away)).values(active=False)
        )
        moved = {}  # user id -> (unit then, unit now)
        for user in users:
            if user["unit_id"] in merged_away:
                moved[user["id"]] = (user["unit_id"], merged_away[user["unit_id"]])
        for then, now in set(moved.values()):
            db.session.execute(
                update(User).where(User.unit_id == then).values(unit_id=now)
            )
            db.session.execute(
                update(TrainingRecord)
                .where(TrainingRecord.unit_id == then)
                .values(unit_id=now)
            )
            db.session.execute(
                update(TrainingRecord)
                .where(TrainingRecord.completed_unit_id == then)
                .values(completed_unit_id=now)
            )
        rows = _assignments(users, moved)
        for start in range(0, len(rows), 50_000):
            db.session.execute(insert(Assignment), rows[start : start + 50_000])
        for campaign_id, year in ((2, 2024), (3, 2025)):
            opens, closes = date(year, 3, 1), date(year, 11, 15)
            db.session.add(
                Campaign(
                    id=campaign_id,
                    code=f"C{year}",
                    title=f"Đợt {year}",
                    year=year,
                    course_code="T",
                    quiz_code="Q",
                    opens_at=_at(opens),
                    closes_at=_at(closes, 16),
                )
            )
            db.session.flush()
            db.session.add(CampaignTarget(campaign_id=campaign_id, unit_id=1))
            db.session.add(CampaignTarget(campaign_id=campaign_id, unit_id=old_id))
            records = _records(rng, campaign_id, opens, users, moved)
            for start in range(0, len(records), 50_000):
                db.session.execute(
                    insert(TrainingRecord), records[start : start + 50_000]
                )
        db.session.commit()
    return len(successions)


def _versions(units: list[dict], old_id: int, merged_away: dict) -> list[dict]:
    rows = [
        {
            "unit_id": old_id,
            "valid_from": START,
            "valid_to": MERGER,
            "name": "Tỉnh cũ",
            "kind": "province",
            "parent_id": None,
            "path": f"/{old_id}/",
            "depth": 0,
            "change": "import",
        }
    ]
    for unit in units:
        base = {
            "unit_id": unit["id"],
            "name": unit["name"],
            "kind": unit["kind"],
            "depth": unit["depth"],
            "change": "import",
        }
        if unit["code"].startswith("R1"):  # under the old province until the merger
            old_path = f"/{old_id}/" + unit["path"].split("/", 2)[2]
            parent = old_id if unit["parent_id"] == 1 else unit["parent_id"]
            rows.append(
                base
                | {
                    "valid_from": START,
                    "valid_to": MERGER,
                    "parent_id": parent,
                    "path": old_path,
                }
            )
            rows.append(
                base
                | {
                    "valid_from": MERGER,
                    "valid_to": None,
                    "parent_id": unit["parent_id"],
                    "path": unit["path"],
                    "change": "move",
                }
            )
        else:
            end = MERGER if unit["id"] in merged_away else None
            rows.append(
                base
                | {
                    "valid_from": START,
                    "valid_to": end,
                    "parent_id": unit["parent_id"],
                    "path": unit["path"],
                }
            )
    return rows


def _assignments(users: list[dict], moved: dict) -> list[dict]:
    rows = []
    for user in users:
        base = {
            "user_id": user["id"],
            "position": "Chuyên viên",
            "category": "cong_chuc",
            "created_at": _at(START),
        }
        if user["id"] in moved:
            then, now = moved[user["id"]]
            rows.append(
                base | {"unit_id": then, "valid_from": START, "valid_to": MERGER}
            )
            rows.append(base | {"unit_id": now, "valid_from": MERGER, "valid_to": None})
        else:
            unit = user["unit_id"]
            rows.append(base | {"unit_id": unit, "valid_from": START, "valid_to": None})
    return rows


def _records(rng, campaign_id: int, opens: date, users, moved) -> list[dict]:
    """One record per cadre: 85 % completed (in the unit of that day), 10 % in
    progress, 5 % not started."""
    records = []
    for user in users:
        then, now = moved.get(user["id"], (user["unit_id"], user["unit_id"]))
        roll = rng.random()
        status = (
            "completed"
            if roll < 0.85
            else "in_progress"
            if roll < 0.95
            else "not_started"
        )
        best = None if status == "not_started" else float(rng.randint(10, 30) * 10 / 3)
        day = opens + timedelta(days=rng.randint(0, 250))
        completed = status == "completed"
        records.append(
            {
                "campaign_id": campaign_id,
                "user_id": user["id"],
                "unit_id": now,
                "status": status,
                "modules_read": 9 if completed else 3,
                "modules_total": 9,
                "attempts": 0 if best is None else 2,
                "best_percent": best,
                "passed": best is not None and best >= 80,
                "completed_at": _at(day) if completed else None,
                "completed_unit_id": (then if day < MERGER else now)
                if completed
                else None,
                "updated_at": _at(day),
            }
        )
    return records


def time_as_of(app, unit_code: str, campaign_id: int, day: date, runs: int = 7):
    """Median ms of (the dashboard's work, the annual report, the dashboard's CPU
    time in this process — SQLite's included, PostgreSQL's not) for
    `unit_code`'s subtree in campaign `campaign_id`, as of `day`, rolled up."""
    import statistics

    from sqlalchemy import select

    from app.accounts.models import Unit
    from app.accounts.rollup import ROLLED_UP, Structure
    from app.extensions import db
    from app.records.models import Campaign
    from app.records.services import list_campaigns
    from app.reports import asof, charts, yearly
    from app.reports.annual import annual_report

    stated = asof.AsOf(day, ROLLED_UP)
    dashboard, annual, cpu = [], [], []
    with app.test_request_context():
        unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
        for _ in range(runs):
            db.session.expire_all()
            start, clock = time.perf_counter(), time.process_time()
            campaign = db.session.get(Campaign, campaign_id)
            campaigns = list_campaigns()
            structure = Structure.on(day)
            moves = charts.dashboard_moves(campaign, structure)  # as the view
            result = asof.figures(campaign, unit, stated, structure, None, moves)
            summary = asof.summary_row(result)
            asof.children_rows(result)
            charts.dashboard_charts(campaign, unit, summary.total, structure, moves)
            years = yearly.year_over_year(
                campaigns, campaign, unit, structure, result.subtree.get(unit.id)
            )
            dashboard.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - clock) * 1000)
            db.session.expire_all()
            start = time.perf_counter()
            campaign = db.session.get(Campaign, campaign_id)
            report = annual_report(
                campaign, unit, as_of=stated, campaigns=list_campaigns()
            )
            annual.append((time.perf_counter() - start) * 1000)
        assert summary.total > 0 and report.total.total == summary.total
        assert [(y.year, y.total) for y in report.years] == [
            (y.year, y.total) for y in years
        ]
    return (
        statistics.median(dashboard),
        statistics.median(annual),
        statistics.median(cpu),
    )
