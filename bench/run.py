"""`make bench`: the autosave and attempt-page budgets of bench/README.md, each
measured against a bare ceiling in the same run, on the same machine, on the same
database, under the same gunicorn settings; on SQLite, and on PostgreSQL too when
given `--postgres URL` (that database is emptied).

For each database:
  1. Seed it (bench/seed.py): the app's schema, the real content, N cadres and an
     open attempt each of VHCV-FINAL-2026 (30 questions, all on one page).
  2. Start the app (wsgi:app) and the bare one (bench/bare_app.py) under gunicorn
     on 127.0.0.1 with identical settings (bench/servers.py): by default each as N
     gunicorns of one worker on their own ports, the cadres' connections spread
     evenly over them (see `--shared-socket`).
  3. Sign every cadre in on both; check that the bare page mirrors the real one.
  4. Drive each scenario from a separate client process (bench/load.py): one
     keep-alive connection per cadre, latency timed per request in the client. A
     pair's two sides run in interleaved slices (bare, real, real, bare, bare, real)
     so the machine's drift falls on both alike (bench/drive.py).
Then print requests/s, p50/p99, errors, the ratios and the PASS/FAIL lines
(bench/results.py); exit 1 if a budget is missed.

Not part of `make test` or CI: timings belong here, never in unit tests.
"""

import argparse
import asyncio
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy.engine import make_url

from bench import bare_db
from bench.drive import check_mirror, run_pair
from bench.load import sign_in_all
from bench.results import Measured, Result, print_table, print_verdicts
from bench.seed import Seeded, seed, sqlite_url
from bench.servers import HOST, gunicorn_settings, start_clusters


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description="Autosave and attempt-page budgets against a bare ceiling.",
    )
    _load_options(parser.add_argument)
    _server_options(parser.add_argument)
    args = parser.parse_args(argv)
    if args.quick:
        args.duration, args.rounds, args.warmup, args.slice_warmup = 4, 2, 1, 0.5
    if args.only == "postgres" and not args.postgres:
        parser.error("--only postgres needs --postgres URL")
    if args.postgres and not args.postgres.startswith("postgresql"):
        parser.error("--postgres takes a postgresql+psycopg://… URL")
    return args


def _load_options(add) -> None:
    add(
        "--postgres",
        metavar="URL",
        help="also measure on this PostgreSQL database (postgresql+psycopg://…); "
        "every table in it is dropped",
    )
    add("--only", choices=["sqlite", "postgres"], help="measure on one database")
    add("--cadres", type=int, default=50, help="concurrent cadres (50)")
    add(
        "--page-concurrency",
        type=int,
        default=50,
        help="concurrent clients for the page pair (default: 50, every cadre)",
    )
    add(
        "--duration",
        type=float,
        default=12.0,
        help="measured seconds per scenario, split over the rounds (12)",
    )
    add("--rounds", type=int, default=3, help="interleaved slices per scenario (3)")
    add("--warmup", type=float, default=3.0, help="warm-up before a first slice (3 s)")
    add("--slice-warmup", type=float, default=1.0, help="later slices' warm-up (1 s)")
    add(
        "--quick",
        action="store_true",
        help="a short run that checks the bench works (2 slices of 2 s, 1 s "
        "warm-up); its numbers mean little",
    )
    add("--client-procs", type=int, default=1, help="load generator processes (1)")
    add(
        "--requests-per-connection",
        type=int,
        default=0,
        help="close a cadre's connection after this many requests (0: never)",
    )
    add("--json", type=Path, help="also write the results here")
    add("--keep", action="store_true", help="keep the temporary folder (logs, DBs)")


def _server_options(add) -> None:
    add("--workers", type=int, default=2, help="gunicorn worker processes (2)")
    add(
        "--shared-socket",
        action="store_true",
        help="one gunicorn with --workers N sharing one socket, instead of N "
        "gunicorns of one worker with the connections spread evenly; the kernel "
        "then splits each burst of connections between the workers as it "
        "happens (seen here from 25/25 to 50/0), and the ratios swing with it",
    )
    add("--threads", type=int, default=4, help="threads each (4)")
    add("--worker-class", default="gthread", help="gunicorn worker class (gthread)")


def databases(args, workdir: Path) -> list[tuple[str, str]]:
    """(name, SQLAlchemy URL) of each database to measure on."""
    found = []
    if args.only != "postgres":
        found.append(("SQLite", sqlite_url(workdir)))
    if args.postgres and args.only != "sqlite":
        found.append(("PostgreSQL", args.postgres))
    return found


def sign_in(seeded: Seeded, real, bare) -> tuple[list[dict], list[dict]]:
    """Every cadre signed in on each app: the clients of each side, with that
    side's cookies and autosave token."""
    cadres = [
        {"username": c.username, "password": c.password, "attempt_id": c.attempt_id}
        for c in seeded.cadres
    ]
    sides = []
    for cluster, bare_side in ((real, False), (bare, True)):
        sessions = asyncio.run(sign_in_all(cluster.ports[0], cadres, bare_side))
        sides.append(
            [
                {
                    "index": i,
                    "attempt_id": c.attempt_id,
                    "slots": c.slots,
                    "cookies": s["cookies"],
                    "attempt_token": s["attempt_token"],
                }
                for i, (c, s) in enumerate(zip(seeded.cadres, sessions, strict=True))
            ]
        )
    return sides[0], sides[1]


def new_results(cadres: int, page_clients: int, questions: int) -> dict[str, Result]:
    return {
        "answer": Result("real  POST /autosave/<id>", cadres),
        "write": Result("bare  POST …/autosave (token, 1 row)", cadres),
        "page": Result(
            f"real  GET /attempts/<id>?page=1 ({questions} q)", page_clients
        ),
        "render": Result("bare  GET …?page=1 (user+roles, questions)", page_clients),
    }


def measure(database: str, url: str, args, workdir: Path) -> Measured:
    """Seed `url`, serve both apps on it, drive both pairs; what was measured."""
    print(f"[{database}] seeding {make_url(url).render_as_string()} ...", flush=True)
    seeded = seed(url, args.cadres)
    bare_db.prepare(url)
    print(f"[{database}] starting gunicorn (app, bare) ...", flush=True)
    real, bare = start_clusters(database.lower(), url, seeded.secret_key, args, workdir)
    try:
        print(f"[{database}] signing in {len(seeded.cadres)} cadres ...", flush=True)
        real_clients, bare_clients = sign_in(seeded, real, bare)
        mirror = check_mirror(real, bare, real_clients[-1], bare_clients[-1])
        pages = args.page_concurrency
        results = new_results(len(real_clients), pages, seeded.questions)
        print(f"[{database}] autosave pair ...", flush=True)
        run_pair(
            [
                (results["write"], "answer", bare, bare_clients),
                (results["answer"], "answer", real, real_clients),
            ],
            args,
            workdir,
        )
        print(f"[{database}] attempt page pair ...", flush=True)
        run_pair(
            [
                (results["render"], "page", bare, bare_clients[:pages]),
                (results["page"], "page", real, real_clients[:pages]),
            ],
            args,
            workdir,
        )
    finally:
        real.stop()
        bare.stop()
    problems = real.problems() + bare.problems()
    return Measured(
        database, seeded.questions, len(seeded.cadres), results, mirror, problems
    )


def report(args, measured: list[Measured], began: float, load_before: float) -> bool:
    """Every database's table and verdicts; True when every budget is met."""
    settings = " ".join(gunicorn_settings(args))
    served = f"gunicorn {settings} on {HOST}"
    if not args.shared_socket:
        served = (
            f"{args.workers} x {served}, each on its own port, the cadres' "
            "connections spread evenly over them"
        )
    print()
    print(
        f"VHCV benchmark — {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        f"both apps: {served}. Each row: {args.duration:g} s measured in "
        f"{args.rounds} slices interleaved with its pair."
    )
    passed = True
    for one in measured:
        print()
        print(
            f"{one.database}: {one.cadres} cadres signed in, each with an open "
            f"attempt of {one.questions} questions"
        )
        print_table(one)
        passed &= print_verdicts(one)
    print()
    print("RESULT: PASS — every budget met" if passed else "RESULT: FAIL — see above")
    print(
        f"(whole run: {time.monotonic() - began:.0f} s; 1-min load average "
        f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after — other work "
        "on the machine shows here and widens the spread)"
    )
    return passed


def main(argv=None) -> int:
    args = parse_args(argv)
    began = time.monotonic()
    load_before = os.getloadavg()[0]
    workdir = Path(tempfile.mkdtemp(prefix="vhcv-bench-"))
    try:
        measured = [
            measure(database, url, args, workdir)
            for database, url in databases(args, workdir)
        ]
        passed = report(args, measured, began, load_before)
        if args.json:
            summary = {
                one.database: {k: r.summary() for k, r in one.results.items()}
                for one in measured
            }
            args.json.write_text(json.dumps(summary, indent=2))
        return 0 if passed else 1
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
