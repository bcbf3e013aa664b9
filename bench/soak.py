"""`make soak`: do acknowledged autosaves survive crashes of the server? On SQLite, and
on PostgreSQL too when given `--postgres URL` (that database is emptied).

For each database:
  1. Seed it (bench/seed.py): N cadres (100), each with an open attempt of the final
     quiz, whose deadline is then moved a day ahead so that it stays open.
  2. Serve the app (wsgi:app) as one gunicorn of 2 gthread workers sharing one
     socket, the production layout, on a free port of 127.0.0.1 (bench/servers.py's
     environment: high rate limits that never refuse).
  3. Drive it from a few client processes (bench/soak_client.py): one keep-alive
     connection per cadre, each saving varying choices on varying questions as fast
     as it is answered, reconnecting after any error, for 60 s.
  4. At 20 s `kill -9` one worker (a child of the master); at 40 s `kill -9` the
     master and start a new gunicorn on the same port at once (its orphaned workers
     notice within a second and exit; the new one retries its bind until then).
  5. Read the database: for every question, what is stored must be the last
     acknowledged save (its choice mapped through the slot's option order), or one
     sent after it whose answer never came (a client error: stored or not, nobody
     knows). Anything else is a lost save.
Then print acknowledged / lost / client errors / recovery after each kill, the share
of saves each worker served before and after the kills (gunicorn's access log writes
the worker's pid beside the client's X-Soak header), and PASS/FAIL: 0 lost, and no
second without an acknowledged save: < 2 s from each kill to the first
acknowledgement after it, and no gap of 2 s without one in the 10 s after it. Exit 1
when a budget is missed.

Not part of `make test` or CI.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

from bench.seed import seed, sqlite_url
from bench.servers import REAL_APP, Server, environments, free_port

REPO = Path(__file__).resolve().parent.parent
BUDGET_LOST = 0
BUDGET_RECOVERY_MS = 2000
AFTER_KILL_MS = 10_000  # the window after a kill in which gaps count
ACCESS_FORMAT = "%(p)s %({x-soak}i)s %(s)s"

# Gunicorn settings that might spread the connections over the workers again after
# one died (measured in bench/README.md, "make soak"); `--spread none` is without.
# The default, no keep-alive, is the one that does so without stalls: gthread keeps
# a connection on the worker that accepted it, and a worker at --worker-connections
# stops polling its idle keep-alive connections until they time out (up to 2 s),
# while --max-requests only moves every connection from one worker to the other.
SPREAD = {
    "none": [],
    "worker-connections": ["--worker-connections", "64"],
    "max-requests": ["--max-requests", "5000", "--max-requests-jitter", "1000"],
    "no-keep-alive": ["--keep-alive", "0"],
}


# The restarted master binds its port at once beside the orphaned workers of the one
# killed (SO_REUSEPORT) instead of retrying the bind every second until they exit.
RESTART = ["--reuse-port"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak",
        description="Acknowledged autosaves across kill -9 of a worker and a master.",
    )
    add = parser.add_argument
    add("--postgres", metavar="URL", help="also on this PostgreSQL database (emptied)")
    add("--only", choices=["sqlite", "postgres"], help="run on one database")
    add("--cadres", type=int, default=100, help="concurrent cadres (100)")
    add("--duration", type=float, default=60.0, help="seconds of saving (60)")
    add("--worker-kill", type=float, default=20.0, help="kill -9 a worker at (20 s)")
    add("--master-kill", type=float, default=40.0, help="kill -9 the master at (40 s)")
    add("--workers", type=int, default=2, help="gunicorn workers (2)")
    add("--threads", type=int, default=4, help="threads per gthread worker (4)")
    add("--client-procs", type=int, default=2, help="client processes (2)")
    add(
        "--spread",
        choices=sorted(SPREAD),
        default="no-keep-alive",
        help="gunicorn setting that spreads connections again (no-keep-alive)",
    )
    add("--keep", action="store_true", help="keep the temporary folder (logs, DB)")
    args = parser.parse_args(argv)
    if args.only == "postgres" and not args.postgres:
        parser.error("--only postgres needs --postgres URL")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="vhcv-soak-"))
    databases = []
    if args.only != "postgres":
        databases.append(("sqlite", sqlite_url(workdir)))
    if args.postgres and args.only != "sqlite":
        databases.append(("postgres", args.postgres))
    print(
        f"soak: {args.cadres} cadres, {args.duration:g} s, kill -9 of a worker at "
        f"{args.worker_kill:g} s and of the master at {args.master_kill:g} s; "
        f"gunicorn {args.workers} × gthread {args.threads} threads, "
        f"spread setting: {args.spread} {' '.join(SPREAD[args.spread])}".rstrip(),
        flush=True,
    )
    reports = []
    try:
        for name, url in databases:
            reports.append(soak(name, url, args, workdir))
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print()
    print_table(reports)
    for report in reports:
        print_spread(report)
    failed = [r["name"] for r in reports if not r["passed"]]
    print()
    print("soak:", "FAIL on " + ", ".join(failed) if failed else "PASS")
    return 1 if failed else 0


# -- one database --------------------------------------------------------------


def soak(name: str, url: str, args, workdir: Path) -> dict:
    print(f"\n[{name}] seeding {args.cadres} cadres…", flush=True)
    seeded = seed(url, args.cadres)
    clients, option_orders = _clients(seeded)
    env = environments(url, seeded.secret_key)[0]
    port = free_port()

    def server(number: int) -> Server:
        access = workdir / f"{name}-{number}.access.log"
        settings = [
            *("--workers", str(args.workers), "--worker-class", "gthread"),
            *("--threads", str(args.threads), *SPREAD[args.spread]),
            *RESTART,
            *("--access-logfile", str(access), "--access-logformat", ACCESS_FORMAT),
        ]
        return Server(f"{name}-{number}", REAL_APP, port, settings, env, workdir)

    first = server(1)
    servers = [first]
    runners = []
    try:
        first.wait_ready()
        runners = _start_clients(clients, port, args, workdir, name)
        start = time.time() + 0.5
        for runner in runners:
            runner.stdin.write(f"{start!r}\n")
            runner.stdin.flush()
        print(f"[{name}] saving for {args.duration:g} s on port {port}…", flush=True)

        _sleep_until(start + args.worker_kill)
        workers = _children(first.process.pid)
        victim = workers[0]
        worker_kill = time.time()
        os.kill(victim, signal.SIGKILL)
        print(f"[{name}] kill -9 worker {victim}", flush=True)

        _sleep_until(start + args.master_kill)
        orphans = _children(first.process.pid)
        master_kill = time.time()
        first.process.kill()
        servers.append(server(2))  # at once, on the same port
        first.process.wait()
        print(f"[{name}] kill -9 master {first.process.pid}; restarted", flush=True)

        _sleep_until(start + args.duration - 1)
        new_workers = _children(servers[1].process.pid)
        results = {}
        for runner in runners:
            out, _ = runner.communicate(timeout=60)
            if runner.returncode != 0:
                raise SystemExit(f"[{name}] a client process failed")
            results.update(json.loads(out))
        _wait_gone(orphans)
    finally:
        for runner in runners:
            if runner.poll() is None:
                runner.kill()
                runner.wait()
        for each in servers:
            each.stop()

    stored = _stored(url)
    report = {
        "name": name,
        "kills": {
            "worker": (worker_kill - start) * 1000,
            "master": (master_kill - start) * 1000,
        },
        **_compare(results, stored, option_orders),
        **_recovery(results, worker_kill, master_kill, start, args.duration),
        "spread": _spread(
            workdir,
            name,
            (worker_kill - start) * 1000,
            (master_kill - start) * 1000,
            args.duration * 1000,
            {
                victim: "killed worker",
                **{p: "survivor" for p in workers if p != victim},
                **{p: "replacement" for p in orphans if p not in workers},
                **{p: f"new worker {i + 1}" for i, p in enumerate(new_workers)},
            },
        ),
        "notes": [line for s in servers for line in s.problems()],
    }
    report["passed"] = (
        report["lost"] <= BUDGET_LOST
        and report["refused"] == 0
        and all(
            r["first_ack_ms"] < BUDGET_RECOVERY_MS
            and r["longest_gap_ms"] < BUDGET_RECOVERY_MS
            for r in report["recovery"].values()
        )
    )
    return report


def _clients(seeded) -> tuple[dict, dict]:
    """The spec of each cadre (attempt, autosave token, options per position) and
    the option order of every slot: {(attempt id, position): [keys]}. The attempts'
    deadlines are moved a day ahead first."""
    from sqlalchemy import create_engine, select, update

    from app.accounts.models import User
    from app.quizzes.models import Attempt, AttemptSlot
    from app.quizzes.saving import autosave_token
    from app.timeutil import utcnow

    engine = create_engine(seeded.url)
    ids = [c.attempt_id for c in seeded.cadres]
    try:
        with engine.begin() as connection:
            connection.execute(
                update(Attempt)
                .where(Attempt.id.in_(ids))
                .values(deadline_at=utcnow() + timedelta(days=1))
            )
            holders = connection.execute(
                select(Attempt.id, Attempt.user_id, User.session_version)
                .join(User, User.id == Attempt.user_id)
                .where(Attempt.id.in_(ids))
            ).all()
            slots = connection.execute(
                select(
                    AttemptSlot.attempt_id,
                    AttemptSlot.position,
                    AttemptSlot.option_order,
                ).where(AttemptSlot.attempt_id.in_(ids))
            ).all()
    finally:
        engine.dispose()
    orders = {(s.attempt_id, s.position): list(s.option_order) for s in slots}
    clients = {}
    for index, (attempt_id, user_id, version) in enumerate(sorted(holders)):
        positions = sorted(p for a, p in orders if a == attempt_id)
        if positions != list(range(1, len(positions) + 1)):
            raise SystemExit(f"attempt {attempt_id}: positions {positions}")
        clients[index] = {
            "attempt_id": attempt_id,
            "token": autosave_token(seeded.secret_key, attempt_id, user_id, version),
            "options": [len(orders[attempt_id, p]) for p in positions],
        }
    return clients, orders


def _start_clients(clients: dict, port: int, args, workdir: Path, name: str):
    runners = []
    indexes = sorted(clients)
    for number in range(args.client_procs):
        spec_path = workdir / f"{name}-client-{number}.json"
        mine = {i: clients[i] for i in indexes[number :: args.client_procs]}
        spec = {"port": port, "duration": args.duration, "clients": mine}
        spec_path.write_text(json.dumps(spec))
        runners.append(
            subprocess.Popen(
                [sys.executable, "-m", "bench.soak_client", str(spec_path)],
                cwd=REPO,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        )
    for runner in runners:
        if runner.stdout.readline().strip() != "READY":
            raise SystemExit(f"[{name}] a client process did not start")
    return runners


def _sleep_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.time()))


def _children(pid: int) -> list[int]:
    """The pids whose parent is `pid` (gunicorn's workers of that master)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid …": comm may hold spaces, so split after ")"
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def _wait_gone(pids: list[int], timeout: float = 40.0) -> None:
    """Until the orphaned workers of the killed master have exited; they are the
    bench's own (grand)children, so they are killed by pid if they outlive it."""
    deadline = time.time() + timeout
    alive = list(pids)
    while alive and time.time() < deadline:
        alive = [p for p in alive if Path(f"/proc/{p}").exists()]
        time.sleep(0.1)
    for pid in alive:
        print(f"NOTE: orphaned worker {pid} still alive after {timeout:g} s; killed")
        os.kill(pid, signal.SIGKILL)


# -- what is stored against what was acknowledged -------------------------------


def _stored(url: str) -> dict:
    """{(attempt id, position): selected option keys} of every stored answer."""
    from sqlalchemy import create_engine, select

    from app.quizzes.models import AttemptAnswer, AttemptSlot

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(
                    AttemptAnswer.attempt_id,
                    AttemptSlot.position,
                    AttemptAnswer.selected,
                ).join(AttemptSlot, AttemptSlot.id == AttemptAnswer.slot_id)
            ).all()
    finally:
        engine.dispose()
    return {(r.attempt_id, r.position): list(r.selected) for r in rows}


def _compare(results: dict, stored: dict, orders: dict) -> dict:
    acknowledged = questions = lost = later = 0
    errors: Counter = Counter()
    examples = []
    for client in results.values():
        acknowledged += len(client["acks"])
        errors.update(kind for _, kind in client["errors"])
        attempt_id = client["attempt_id"]
        for position, (choice, _seq, unknown) in client["last"].items():
            if choice is None:
                continue  # never acknowledged: nothing was promised
            questions += 1
            key = (attempt_id, int(position))
            order = orders[key]
            have = stored.get(key)
            if have == [order[choice]]:
                continue
            if have in ([order[c]] for c in unknown):
                later += 1  # a later save whose answer was lost stored it
                continue
            lost += 1
            if len(examples) < 5:
                examples.append(f"{key}: acknowledged {[order[choice]]}, stored {have}")
    refused = sum(n for kind, n in errors.items() if kind.startswith("refused"))
    return {
        "acknowledged": acknowledged,
        "questions": questions,
        "lost": lost,
        "later": later,
        "errors": errors,
        "refused": refused,
        "lost_examples": examples,
    }


# -- recovery -------------------------------------------------------------------


def _recovery(results, worker_kill, master_kill, start, duration) -> dict:
    """Per kill: ms from the kill to the first acknowledged save after it, the
    longest time without any acknowledgement in the 10 s after it (or to the end of
    the run), and when every cadre whose save failed after the kill had had an
    acknowledgement again; and the longest gap of the whole run."""
    acks = sorted(t for c in results.values() for t in c["acks"])
    recovery = {}
    for label, moment in (("worker", worker_kill), ("master", master_kill)):
        kill = (moment - start) * 1000
        until = min(kill + AFTER_KILL_MS, duration * 1000)
        after = [kill] + [t for t in acks if kill < t <= until]
        back = [kill]
        for client in results.values():
            failed = [t for t, _ in client["errors"] if kill <= t < until]
            if failed:  # this cadre lost its connection: when it saved again
                back.append(
                    next((t for t in client["acks"] if t > failed[0]), float("inf"))
                )
        recovery[label] = {
            "first_ack_ms": after[1] - kill if len(after) > 1 else float("inf"),
            "longest_gap_ms": max(
                [b - a for a, b in zip(after, after[1:], strict=False)]
                + [until - after[-1]]
            ),
            "all_back_ms": max(back) - kill,
        }
    gaps = [b - a for a, b in zip(acks, acks[1:], strict=False)]
    return {"recovery": recovery, "longest_gap_ms": max(gaps, default=float("inf"))}


# -- which worker served the saves ----------------------------------------------


def _spread(workdir, name, worker_kill, master_kill, end, labels) -> dict:
    """Saves served per worker in three windows (ms since the start, by the time
    the client sent them): the 5 s before the worker kill, 5-15 s after it, and
    from 5 s after the master's restart to the end; and the mean over the seconds
    of a window of the busiest worker's share (a worker that serves everything for
    one second and nothing the next averages out in the window's shares)."""
    windows = {
        "5 s before the worker kill": (worker_kill - 5000, worker_kill),
        "5-15 s after the worker kill": (worker_kill + 5000, worker_kill + 15000),
        "5 s after the restart to the end": (master_kill + 5000, end),
    }
    served = {window: Counter() for window in windows}
    per_second = {window: defaultdict(Counter) for window in windows}
    for log in sorted(workdir.glob(f"{name}-*.access.log")):
        for line in log.read_text(errors="replace").splitlines():
            parts = line.split()
            if len(parts) != 5 or not parts[3].isdigit():
                continue  # not a save of the bench (the readiness check)
            pid, sent = int(parts[0].strip("<>")), int(parts[3])
            for window, (low, high) in windows.items():
                if low <= sent < high:
                    served[window][labels.get(pid, f"pid {pid}")] += 1
                    per_second[window][sent // 1000][pid] += 1
    busiest = {
        window: [max(c.values()) / sum(c.values()) for c in seconds.values()]
        for window, seconds in per_second.items()
    }
    return {
        window: (served[window], sum(b) / len(b) if b else 0.0)
        for window, b in busiest.items()
    }


# -- the report -------------------------------------------------------------------


def _ms(value: float) -> str:
    return "never" if value == float("inf") else f"{value / 1000:.2f} s"


def print_table(reports: list[dict]) -> None:
    rows = [
        ("acknowledged saves", lambda r: f"{r['acknowledged']:,}"),
        ("questions with an ack checked", lambda r: f"{r['questions']:,}"),
        ("lost (budget 0)", lambda r: str(r["lost"])),
        ("stored a later unacked save", lambda r: str(r["later"])),
        ("client errors", lambda r: str(sum(r["errors"].values()))),
        (
            "  of which",
            lambda r: (
                ", ".join(f"{k} {n}" for k, n in r["errors"].most_common()) or "-"
            ),
        ),
        ("worker kill: first ack after", lambda r: _ms(_rec(r, "worker", "first"))),
        ("worker kill: longest gap 10 s", lambda r: _ms(_rec(r, "worker", "gap"))),
        ("worker kill: all cut off back", lambda r: _ms(_rec(r, "worker", "all"))),
        ("master kill: first ack after", lambda r: _ms(_rec(r, "master", "first"))),
        ("master kill: longest gap 10 s", lambda r: _ms(_rec(r, "master", "gap"))),
        ("master kill: all cut off back", lambda r: _ms(_rec(r, "master", "all"))),
        ("longest gap without an ack", lambda r: _ms(r["longest_gap_ms"])),
        ("budget (0 lost, recovery < 2 s)", lambda r: _verdict(r)),
    ]
    width = max(len(label) for label, _ in rows)
    print(f"{'':{width}}  " + "  ".join(f"{r['name']:>20}" for r in reports))
    for label, value in rows:
        cells = [value(r) for r in reports]
        if any(len(c) > 20 for c in cells):  # the breakdown of errors: one per line
            for report, cell in zip(reports, cells, strict=True):
                print(f"{label:{width}}  {report['name']}: {cell}")
            continue
        print(f"{label:{width}}  " + "  ".join(f"{c:>20}" for c in cells))
    for report in reports:
        for example in report["lost_examples"]:
            print(f"LOST [{report['name']}] {example}")
        if report["refused"]:
            print(f"FAIL [{report['name']}]: {report['refused']} saves refused (4xx)")


def _rec(report: dict, kill: str, what: str) -> float:
    key = {"first": "first_ack_ms", "gap": "longest_gap_ms", "all": "all_back_ms"}
    return report["recovery"][kill][key[what]]


def _verdict(report: dict) -> str:
    return "PASS" if report["passed"] else "FAIL"


def print_spread(report: dict) -> None:
    print(f"\n[{report['name']}] saves served per worker (share of the window):")
    print("  (busiest: the busiest worker's share of each second, mean)")
    for window, (counts, busiest) in report["spread"].items():
        total = sum(counts.values()) or 1
        shares = ", ".join(
            f"{label} {n / total:.0%}" for label, n in sorted(counts.items())
        )
        print(f"  {window:34} {shares or '-'}; busiest {busiest:.0%}")
    notes = report["notes"]
    if notes:
        print(f"  gunicorn error log: {len(notes)} lines of note, e.g.")
        for line in notes[:4]:
            print(f"    {line[:150]}")


if __name__ == "__main__":
    sys.exit(main())
