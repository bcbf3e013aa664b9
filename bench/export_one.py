"""One export of region R0 (100,000 records) in a process of its own: prints the time
and this process's peak memory. Usage: python -m bench.export_one DB_URL csv|xlsx"""

import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from bench.reports import make_app

BUDGETS = {"csv": 3.0, "xlsx": 15.0}
MEMORY_BUDGET_MB = 200


def peak_mb() -> float:
    """This process's own peak RSS (VmHWM). Not ru_maxrss: Linux carries that over
    fork and exec, so it would report the parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def main(url: str, fmt: str) -> int:
    app = make_app(url)
    from app.accounts.models import Unit
    from app.extensions import db
    from app.records.models import Campaign
    from app.records.rows import iter_rows
    from app.reports import exports

    with app.app_context():
        campaign = db.session.get(Campaign, 1)
        root = db.session.scalar(select(Unit).where(Unit.code == "R0"))
        before = peak_mb()
        start = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"export.{fmt}"
            if fmt == "csv":
                with path.open("w", encoding="utf-8", newline="") as out:
                    for chunk in exports.csv_chunks(iter_rows(campaign, root)):
                        out.write(chunk)
                rows = sum(1 for _ in path.open(encoding="utf-8-sig")) - 1
            else:
                rows = exports.write_xlsx(iter_rows(campaign, root), path)
            seconds = time.perf_counter() - start
            size = path.stat().st_size / 1e6
    peak = peak_mb()
    ok = seconds < BUDGETS[fmt] and peak < MEMORY_BUDGET_MB and rows >= 100_000
    print(
        f"export {fmt.upper():4} {rows:,} rows {seconds:6.2f} s "
        f"(ratio {seconds / BUDGETS[fmt]:.2f} of {BUDGETS[fmt]:.0f} s), "
        f"{size:.1f} MB file, peak memory {peak:.0f} MB (app loaded: {before:.0f} MB; "
        f"budget {MEMORY_BUDGET_MB} MB)  {'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
