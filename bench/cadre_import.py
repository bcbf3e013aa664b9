"""`make bench-import`: a 20,000-row cadre file imports "in seconds" (budget: the
whole check + write under 10 s), on SQLite (and PostgreSQL with --postgres URL, which
is emptied). Prints each stage; exits 1 on a miss. Not part of `make test` or CI."""

import argparse
import sys
import tempfile
import time
from pathlib import Path

from bench.reports import make_app

ROWS = 20_000
BUDGET_S = 10.0


def run(url: str, label: str) -> bool:
    from app.accounts.cadre_import import apply_import, parse_cadre_file, plan_import
    from app.extensions import db
    from tests.accounts.test_cadre_import import big_file
    from tests.factories import make_tree

    app = make_app(url)
    with app.app_context():
        db.drop_all()
        db.create_all()
        root = make_tree()["D"]
        data = big_file(ROWS)
        timings = {}
        start = time.perf_counter()
        rows = parse_cadre_file(data, "big.csv")
        timings["read"] = time.perf_counter() - start
        start = time.perf_counter()
        plan = plan_import(rows, root, None)
        timings["check"] = time.perf_counter() - start
        start = time.perf_counter()
        counts = apply_import(plan, None)
        db.session.commit()
        timings["write"] = time.perf_counter() - start
        start = time.perf_counter()
        again = plan_import(parse_cadre_file(data, "big.csv"), root, None)
        timings["re-import check"] = time.perf_counter() - start
        assert counts["created"] == ROWS and again.counts["unchanged"] == ROWS
        db.session.remove()  # end its transaction before dropping the tables
        db.drop_all()
    total = timings["read"] + timings["check"] + timings["write"]
    stages = ", ".join(f"{k} {v:.2f} s" for k, v in timings.items())
    ok = total < BUDGET_S
    print(
        f"[{label}] {ROWS:,} rows ({len(data) / 1e6:.1f} MB): {stages}; "
        f"import {total:.2f} s, ratio {total / BUDGET_S:.2f} of {BUDGET_S:.0f} s "
        f"{'PASS' if ok else 'FAIL'}"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="also run on this PostgreSQL URL (emptied!)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ok = run(f"sqlite:///{Path(tmp) / 'import.sqlite3'}", "SQLite")
        if args.postgres:
            ok = run(args.postgres, "PostgreSQL") and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
