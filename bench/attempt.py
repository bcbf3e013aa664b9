"""`make bench-attempt`: the whole-attempt budget of bench/README.md — one cadre's
attempt from "Bắt đầu" to the result page, timed end to end in the client, against
10 % of Moodle 5.1's 20-question attempt on this kind of machine (3.79 s): < 379 ms.
On SQLite, and on PostgreSQL too when given `--postgres URL` (that database is
emptied).

The database is `make bench-cluster`'s (bench/seed.py, `seed_cluster`): the real
content, `--cadres` cadres who have read every module, a running campaign of the
final quiz (30 questions drawn by its rules, shown as its file says, 5 a page) with
its pass mark at 0, so that every attempt passes and is issued its certificate.
The real app (wsgi:app) runs under gunicorn (`--workers` × gthread `--threads`) on
127.0.0.1; every cadre signs in beforehand and opens the quiz page (not timed: that
is where a cadre stands before pressing the button). Then, one cadre after the
other, with no other load, each does what the browser does:

  POST /quizzes/<quiz>/start → 302 → every page of the attempt (GET), with an
  autosave (POST) of each of its questions → the confirm page (GET) → "Nộp bài"
  (POST) → 302 → the result page (GET)

— 30 autosaves and 10 other requests, on one keep-alive connection. The first
`--warmup` attempts are not counted. Afterwards the database is read: one attempt
per cadre, submitted by the cadre, passed, an answer saved for each of its
questions, and a certificate. Printed: the median, p90 and max of the whole
attempt, the median of each step summed over the attempt, and PASS/FAIL on the
median (< 379 ms); the exit status is 1 when it is missed or a request failed.

Not part of `make test` or CI: timings belong here, never in unit tests.
"""

import argparse
import asyncio
import re
import shutil
import statistics
import sys
import tempfile
import time
from argparse import Namespace
from collections import defaultdict
from pathlib import Path

from bench.load import CSRF_RE, Connection
from bench.seed import ClusterSeeded, seed_cluster, sqlite_url
from bench.servers import REAL_APP, Server, environments, free_port, gunicorn_settings

MOODLE_SECONDS = 3.79  # Moodle 5.1, a 20-question attempt, this kind of machine
BUDGET_MS = MOODLE_SECONDS * 1000 * 0.10
ATTEMPT_TOKEN_RE = re.compile(rb'data-token="([^"]+)"')


class Failed(Exception):
    """A response a browser would not expect."""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m bench.attempt",
        description="A whole attempt, start to result, against 10 % of Moodle's.",
    )
    parser.add_argument("--postgres", metavar="URL", help="also on this database")
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--cadres", type=int, default=40, help="attempts timed (40)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed first (5)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args(argv)
    if args.only == "postgres" and not args.postgres:
        parser.error("--only postgres needs --postgres URL")
    return args


def _path(location: bytes) -> str:
    return re.sub(r"^https?://[^/]+", "", location.decode())


async def _go(conn, steps, step, method, path, form=None, expect=200):
    began = time.perf_counter()
    response = await conn.request(method, path, form)
    steps[step] += time.perf_counter() - began
    if response.status != expect:
        raise Failed(f"{method} {path}: {response.status}, expected {expect}")
    return response


async def _ready(port: int, seeded: ClusterSeeded, username: str):
    """Signed in, on the quiz page: the connection and the start form."""
    conn = Connection(port)
    steps: dict[str, float] = defaultdict(float)
    page = await _go(conn, steps, "-", "GET", "/login")
    form = {
        "username": username,
        "password": seeded.password,
        "csrf_token": CSRF_RE.search(page.body).group(1).decode(),
    }
    await _go(conn, steps, "-", "POST", "/login", form, expect=302)
    page = await _go(conn, steps, "-", "GET", f"/quizzes/{seeded.quiz_code}")
    return conn, {"csrf_token": CSRF_RE.search(page.body).group(1).decode()}


async def _attempt(conn, start_form, seeded: ClusterSeeded) -> tuple[float, dict]:
    """One whole attempt: its wall time in seconds, and the time of each step."""
    steps: dict[str, float] = defaultdict(float)
    began = time.perf_counter()
    quiz = f"/quizzes/{seeded.quiz_code}"
    started = await _go(conn, steps, "start", "POST", f"{quiz}/start", start_form, 302)
    attempt = _path(started.headers[b"location"][0]).split("?")[0]
    attempt_id = attempt.rsplit("/", 1)[1]
    pages = -(-seeded.questions // seeded.per_page)
    seq = 0
    for number in range(1, pages + 1):
        page = await _go(conn, steps, "attempt page", "GET", f"{attempt}?page={number}")
        token = ATTEMPT_TOKEN_RE.search(page.body).group(1).decode()
        first = (number - 1) * seeded.per_page + 1
        last = min(first + seeded.per_page - 1, seeded.questions)
        for position in range(first, last + 1):
            seq += 1
            form = {"t": token, "position": position, "choice": 0, "seq": seq}
            await _go(conn, steps, "autosave", "POST", f"/autosave/{attempt_id}", form)
    page = await _go(conn, steps, "confirm page", "GET", f"{attempt}/confirm")
    form = {"csrf_token": CSRF_RE.search(page.body).group(1).decode()}
    done = await _go(conn, steps, "submit", "POST", f"{attempt}/submit", form, 302)
    result = _path(done.headers[b"location"][0])
    await _go(conn, steps, "result page", "GET", result)
    return time.perf_counter() - began, steps


async def _run(port: int, seeded: ClusterSeeded, warmup: int):
    """Every cadre ready first, then their attempts one after the other."""
    ready = [await _ready(port, seeded, name) for name in seeded.mass]
    wall, steps = [], defaultdict(list)
    for index, (conn, form) in enumerate(ready):
        seconds, took = await _attempt(conn, form, seeded)
        conn.close()
        if index >= warmup:
            wall.append(seconds)
            for step, value in took.items():
                steps[step].append(value)
    return wall, steps


def measure(name: str, url: str, args, workdir: Path) -> bool:
    print(f"[{name}] seeding {args.cadres + args.warmup} cadres…", flush=True)
    seeded = seed_cluster(url, 0, args.cadres + args.warmup, 0, units=1)
    env = {**environments(url, seeded.secret_key)[0]}
    settings = gunicorn_settings(
        Namespace(
            workers=args.workers,
            shared_socket=True,
            worker_class="gthread",
            threads=args.threads,
        )
    )
    server = Server(f"{name}-attempt", REAL_APP, free_port(), settings, env, workdir)
    try:
        server.wait_ready()
        wall, steps = asyncio.run(_run(server.port, seeded, args.warmup))
    except Failed as error:
        print(f"[{name}] FAIL  a request failed: {error}")
        return False
    finally:
        server.stop()
    problems = server.problems() + check(url, seeded)
    return report(name, wall, steps, problems)


def check(url: str, seeded: ClusterSeeded) -> list[str]:
    """What the database holds afterwards: each cadre one attempt, submitted by the
    cadre, passed, with an answer saved for every question and a certificate."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT a.state, a.finished_by, a.passed, "
                "(SELECT count(*) FROM attempt_answer w WHERE w.attempt_id = a.id), "
                "(SELECT count(*) FROM certificate c WHERE c.user_id = a.user_id) "
                "FROM attempt a WHERE a.quiz_id = :quiz"
            ),
            {"quiz": seeded.quiz_id},
        ).all()
    engine.dispose()
    wanted = ("finished", "submit", True, seeded.questions, 1)
    wrong = [tuple(row) for row in rows if tuple(row) != wanted]
    problems = [f"database: attempt {row}, expected {wanted}" for row in wrong[:5]]
    if len(rows) != len(seeded.mass):
        problems.append(f"database: {len(rows)} attempts for {len(seeded.mass)} cadres")
    return problems


def report(name: str, wall: list[float], steps: dict, problems: list[str]) -> bool:
    ms = sorted(value * 1000 for value in wall)
    median = statistics.median(ms)
    p90 = ms[max(0, round(0.9 * len(ms)) - 1)]
    print(
        f"[{name}] whole attempt ({len(ms)} timed, one after the other): median "
        f"{median:.0f} ms, p90 {p90:.0f} ms, max {ms[-1]:.0f} ms; "
        f"{median / (MOODLE_SECONDS * 1000):.3f} × Moodle's 3.79 s"
    )
    for step, values in steps.items():
        median_ms = statistics.median(values) * 1000
        print(f"[{name}]   {step:<13} median {median_ms:6.1f} ms")
    for line in problems[:10]:
        print(f"[{name}]   server log: {line}")
    ok = median < BUDGET_MS and not problems
    print(
        f"[{name}] {'PASS' if ok else 'FAIL'}  median {median:.0f} ms "
        f"(budget < {BUDGET_MS:.0f} ms, 10 % of Moodle's attempt)"
    )
    return ok


def main(argv=None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="vhcv-attempt-"))
    found = []
    if args.only != "postgres":
        found.append(("SQLite", sqlite_url(workdir)))
    if args.postgres and args.only != "sqlite":
        found.append(("PostgreSQL", args.postgres))
    try:
        results = [measure(name, url, args, workdir) for name, url in found]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
