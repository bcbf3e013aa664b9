"""`make bench-reports`: the subtree-report and export budgets of bench/README.md.

Generates a province of 200,000 cadres with 1,000,000 finished attempts and one
training record per cadre, and three years of history (bench/history.py: a merger
on 1/7/2025, campaigns 2024, 2025 and 2026, 600,000 records), then times, on SQLite
and (with --postgres URL) on PostgreSQL:

  - the HR dashboard's queries for the whole province and for one department
    (subtree summary + child-unit table): budget < 300 ms;
  - the dashboard (figures, child units, charts, year over year) and the annual
    report as of a past day, rolled up across the merger, for the province and a
    department: budget < 300 ms each;
  - the CSV and XLSX exports of a 100,000-record subtree: budgets < 3 s and < 15 s,
    each in a fresh process so its peak memory (< 200 MB) is its own.

Each figure is the median of several runs; the ratio printed is time / budget
(≤ 1.0 passes). Exits 1 if any budget is missed. Not part of `make test` or CI.
"""

import argparse
import gc
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.history import add_history, time_as_of

REPO = Path(__file__).resolve().parent.parent
AS_OF_CASES = [  # (unit, campaign id, day): as of a past day, rolled up
    ("P", 1, date(2026, 6, 30)),
    ("P", 2, date(2026, 6, 30)),
    ("R0-D3", 1, date(2026, 6, 30)),
    ("R1-D3", 3, date(2025, 12, 31)),
]
CADRES = 200_000
ATTEMPTS_PER_CADRE = 5
BUDGET_REPORT_MS = 300


def make_app(url: str):
    sys.path.insert(0, str(REPO))
    from app import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "TESTING": True,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
        }
    )


def chunks(rows, size=20_000):
    """`rows` in slices of `size`, for bulk inserts (also bench/contest.py's)."""
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def generate(app) -> None:
    """Units (province → 2 regions → 30 → 300 → 1,500), cadres, a quiz, attempts,
    records. Each region holds 100,000 cadres: the export's subtree."""
    from sqlalchemy import insert

    from app.accounts.models import Unit, User
    from app.extensions import db
    from app.quizzes.models import Attempt
    from app.records.models import TrainingRecord

    rng = random.Random(2026)
    now = datetime.now(UTC)
    with app.app_context():
        db.drop_all()
        db.create_all()
        units, leaves = _units(now)
        db.session.execute(insert(Unit), units)
        users = _users(rng, leaves, now)
        for chunk in chunks(users):
            db.session.execute(insert(User), chunk)
        _quiz_and_campaign(units[0], now)
        attempts, records = [], []
        for user in users:
            _attempts_and_record(rng, user, now, attempts, records)
        for chunk in chunks(attempts, 50_000):
            db.session.execute(insert(Attempt), chunk)
        for chunk in chunks(records):
            db.session.execute(insert(TrainingRecord), chunk)
        db.session.commit()
    add_history(app, units, users, rng)
    with app.app_context():
        analyze(db.engine)


def unit_adder(units: list[dict], now):
    """add(code, name, parent, kind): appends to `units` the row of a new unit (the
    next id; its path and depth from `parent`, None for a root) and returns it
    (also bench/contest.py's)."""

    def add(code, name, parent, kind):
        uid = len(units) + 1
        row = {
            "id": uid,
            "code": code,
            "name": name,
            "kind": kind,
            "parent_id": parent["id"] if parent else None,
            "path": (parent["path"] if parent else "/") + f"{uid}/",
            "depth": parent["depth"] + 1 if parent else 0,
            "active": True,
            "created_at": now,
        }
        units.append(row)
        return row

    return add


def _units(now) -> tuple[list[dict], list[dict]]:
    """Every unit row, the province first, and the 1,500 teams (the leaves)."""
    units: list[dict] = []
    add = unit_adder(units, now)
    root = add("P", "Tỉnh thử nghiệm", None, "province")
    leaves = []
    for r in range(2):
        region = add(f"R{r}", f"Khối {r}", root, "agency")
        for d in range(15):
            dept = add(f"R{r}-D{d}", f"Sở số {d}", region, "department")
            for o in range(10):
                office = add(f"R{r}-D{d}-O{o}", f"Phòng {o}", dept, "office")
                for t in range(5):
                    code = f"R{r}-D{d}-O{o}-T{t}"
                    leaves.append(add(code, f"Tổ {t}", office, "team"))
    return units, leaves


FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Hùng", "Lan", "Mai", "Nam", "Thảo"]


def cadre_row(rng, n: int, unit_id: int, now) -> dict:
    """The user row of cadre `n` (id `n`, username u`n`), a civil servant of
    `unit_id` with a name drawn from `rng` (also bench/contest.py's)."""
    from app.vntext import fold, name_sort_key

    name = f"{rng.choice(FAMILY)} Văn {rng.choice(GIVEN)}"
    return {
        "id": n,
        "username": f"u{n}",
        "full_name": name,
        "given_name": name.split()[-1],
        "name_sort": name_sort_key(name),
        "name_search": fold(name),
        "unit_id": unit_id,
        "position": "Chuyên viên",
        "category": "cong_chuc",
        "active": True,
        "must_change_password": False,
        "session_version": 1,
        "created_at": now,
    }


def _users(rng, leaves, now) -> list[dict]:
    users = []
    for n in range(1, CADRES + 1):
        unit_id = leaves[(n - 1) * len(leaves) // CADRES]["id"]
        row = cadre_row(rng, n, unit_id, now)
        row["employee_code"] = f"CB{n:06d}"
        users.append(row)
    return users


def _quiz_and_campaign(root: dict, now) -> None:
    from app.extensions import db
    from app.quizzes.models import Quiz
    from app.records.models import Campaign, CampaignTarget

    db.session.add(Quiz(id=1, code="Q", title="Bài kiểm tra", draw_rules=[]))
    campaign = Campaign(
        id=1,
        code="C",
        title="Đợt thử",
        year=2026,
        course_code="T",
        quiz_code="Q",
        opens_at=now - timedelta(days=90),
        closes_at=now + timedelta(days=30),
    )
    db.session.add(campaign)
    db.session.flush()
    db.session.add(CampaignTarget(campaign_id=1, unit_id=root["id"]))


def _attempts_and_record(rng, user, now, attempts, records) -> None:
    """The cadre's finished attempts and its training record, appended."""
    best = 0.0
    for k in range(1, ATTEMPTS_PER_CADRE + 1):
        percent = float(rng.randint(0, 30) * 100 // 30)
        best = max(best, percent)
        started = now - timedelta(days=rng.randint(1, 80))
        attempts.append(
            {
                "quiz_id": 1,
                "user_id": user["id"],
                "number": k,
                "state": "finished",
                "started_at": started,
                "deadline_at": started + timedelta(minutes=30),
                "finished_at": started + timedelta(minutes=20),
                "finished_by": "submit",
                "score": percent * 0.3,
                "max_score": 30.0,
                "percent": percent,
                "passed": percent >= 80,
                "preview": False,
            }
        )
    status = rng.choice(["not_started", "in_progress", "completed"])
    completed = status == "completed"
    records.append(
        {
            "campaign_id": 1,
            "user_id": user["id"],
            "unit_id": user["unit_id"],
            "status": status,
            "modules_read": 9 if completed else 3,
            "modules_total": 9,
            "attempts": ATTEMPTS_PER_CADRE,
            "best_percent": best,
            "passed": best >= 80,
            "completed_at": now if completed else None,
            "completed_unit_id": user["unit_id"] if completed else None,
            "updated_at": now,
        }
    )


def analyze(engine) -> None:
    """Fresh planner statistics after the bulk inserts (also bench/contest.py's)."""
    if engine.dialect.name == "postgresql":
        # What autovacuum does in production; index-only scans need it.
        with engine.connect().execution_options(
            isolation_level="AUTOCOMMIT"
        ) as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")


def time_report(app, unit_code: str, runs: int = 7) -> float:
    """Median ms of the dashboard's two queries for `unit_code`'s subtree."""
    from sqlalchemy import select

    from app.accounts.models import Unit
    from app.extensions import db
    from app.reports.queries import children_summary, subtree_summary

    timings = []
    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
        for _ in range(runs):
            db.session.expire_all()
            start = time.perf_counter()
            total = subtree_summary(1, unit)
            children_summary(1, unit)
            timings.append((time.perf_counter() - start) * 1000)
        assert total.total > 0
    return statistics.median(timings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="also run on this PostgreSQL URL (emptied!)")
    parser.add_argument("--only", choices=["sqlite", "postgres"], help="one database")
    parser.add_argument(
        "--no-exports", action="store_true", help="time the reports only"
    )
    args = parser.parse_args()
    targets = []
    with tempfile.TemporaryDirectory() as tmp:
        if args.only != "postgres":
            targets.append(("SQLite", f"sqlite:///{Path(tmp) / 'reports.sqlite3'}"))
        if args.postgres and args.only != "sqlite":
            targets.append(("PostgreSQL", args.postgres))
        failed = False
        for label, url in targets:
            app = make_app(url)
            start = time.perf_counter()
            generate(app)
            print(
                f"[{label}] generated {CADRES:,} cadres, "
                f"{CADRES * ATTEMPTS_PER_CADRE:,} attempts in "
                f"{time.perf_counter() - start:.0f} s"
            )
            # timed as a server process is: wsgi.py freezes what it built at start
            gc.collect()
            gc.freeze()
            for code, what in [("P", "province (200,000)"), ("R0-D3", "department")]:
                ms = time_report(app, code)
                ok = ms < BUDGET_REPORT_MS
                failed |= not ok
                print(
                    f"[{label}] subtree report, {what:20} {ms:7.1f} ms  "
                    f"ratio {ms / BUDGET_REPORT_MS:.2f} of {BUDGET_REPORT_MS} ms  "
                    f"{'PASS' if ok else 'FAIL'}"
                )
            for code, campaign_id, day in AS_OF_CASES:
                *timings, cpu = time_as_of(app, code, campaign_id, day)
                print(f"[{label}] (dashboard CPU time in this process {cpu:.1f} ms)")
                for what, ms in zip(("dashboard", "annual"), timings, strict=True):
                    ok = ms < BUDGET_REPORT_MS
                    failed |= not ok
                    print(
                        f"[{label}] as of {day:%d/%m/%Y} rolled up, {what:9} "
                        f"{code:5} campaign {campaign_id}: {ms:7.1f} ms  "
                        f"ratio {ms / BUDGET_REPORT_MS:.2f}  "
                        f"{'PASS' if ok else 'FAIL'}"
                    )
            if not args.no_exports:
                failed |= run_exports(label, url) != 0
    return 1 if failed else 0


def run_exports(label: str, url: str) -> int:
    """Each export in its own process, so its peak memory is its own."""
    code = 0
    for fmt in ("csv", "xlsx"):
        result = subprocess.run(
            [sys.executable, "-m", "bench.export_one", url, fmt],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        print(f"[{label}] {result.stdout.strip() or result.stderr.strip()}")
        code |= result.returncode
    return code


if __name__ == "__main__":
    sys.exit(main())
