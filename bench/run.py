"""`make bench`: the autosave and attempt-page budgets of DESIGN.md, measured against a
bare ceiling in the same run, on the same machine, under the same gunicorn settings.

  1. Seed a temporary SQLite database (WAL) with the app's schema, the real content,
     N cadres and an open attempt of VHCV-FINAL-2026 (30 questions, all on one page).
  2. Start the app (wsgi:app) and bench/bare_app.py (one-row write; bare Jinja
     render of the same questions) under gunicorn on 127.0.0.1 with identical
     settings: by default each as N gunicorns of one worker on their own ports,
     the cadres' connections spread evenly over them (see `--shared-socket`).
  3. Drive each scenario from a separate client process (bench/load.py): one
     keep-alive connection per cadre, latency timed per request in the client.
     A pair's two sides run in interleaved slices (bare, real, real, bare, bare,
     real) so the machine's drift falls on both alike.
  4. Print requests/s, p50/p99, errors and the ratios; exit 1 if a budget is missed.

Not part of `make test` or CI: timings belong here, never in unit tests.
"""

import argparse
import asyncio
import difflib
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.bare_app import init_write_db
from bench.load import Connection, sign_in_all
from bench.seed import Seeded, seed

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"

AUTOSAVE_RATIO = 0.7
AUTOSAVE_P99_MS = 100.0
PAGE_RATIO = 0.7


@dataclass
class Result:
    """One scenario, merged over its slices."""

    label: str
    concurrency: int
    latencies_us: list[int] = field(default_factory=list)
    seconds: float = 0.0  # measured wall time, summed over slices
    errors: list[str] = field(default_factory=list)
    bytes_seen: list[float] = field(default_factory=list)
    client_cpu_s: float = 0.0
    client_wall_s: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies_us)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def p(self, fraction: float) -> float:
        return percentile(self.latencies_us, fraction)

    @property
    def mean_bytes(self) -> float:
        return sum(self.bytes_seen) / len(self.bytes_seen) if self.bytes_seen else 0

    @property
    def client_cpu(self) -> float:
        """Load generator CPU per wall second (1.0 = one core busy)."""
        return self.client_cpu_s / self.client_wall_s if self.client_wall_s else 0

    def summary(self) -> dict:
        kinds: dict[str, int] = {}
        for error in self.errors:
            kinds[error] = kinds.get(error, 0) + 1
        return {
            "label": self.label,
            "concurrency": self.concurrency,
            "requests": self.requests,
            "seconds": self.seconds,
            "rps": self.rps,
            "p50_ms": self.p(0.50),
            "p99_ms": self.p(0.99),
            "max_ms": max(self.latencies_us, default=0) / 1000,
            "errors": len(self.errors),
            "error_kinds": kinds,
            "mean_bytes": self.mean_bytes,
            "client_cpu": self.client_cpu,
        }


def percentile(sorted_values: list[int], fraction: float) -> float:
    """Nearest-rank percentile of sorted microseconds, in milliseconds."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), math.ceil(fraction * len(sorted_values))))
    return sorted_values[rank - 1] / 1000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """One gunicorn, started with the shared settings, stopped by its own pid."""

    def __init__(self, name, app, port, settings, env, workdir):
        self.name, self.port = name, port
        self.log = workdir / f"{name}.gunicorn.log"
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"{HOST}:{port}",
            *settings,
            "--log-level",
            "warning",
            "--error-logfile",
            str(self.log),
            app,
        ]
        self.process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=None
        )

    def wait_ready(self, path: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} server exited; see {self.log}")
            try:
                with socket.create_connection((HOST, self.port), timeout=1) as sock:
                    sock.sendall(
                        f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\n"
                        "Connection: close\r\n\r\n".encode()
                    )
                    if sock.recv(64).split(b" ")[1:2] in ([b"200"], [b"302"]):
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"{self.name} server did not answer {path} in {timeout}s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def problems(self) -> list[str]:
        """Lines of the error log that look like failures."""
        if not self.log.exists():
            return []
        words = ("Traceback", "ERROR", "CRITICAL", "WORKER TIMEOUT", "Exception")
        lines = self.log.read_text(errors="replace").splitlines()
        return [line for line in lines if any(w in line for w in words)]


class Cluster:
    """One app served by `instances` gunicorns with the same settings, each on a
    port of its own; a client keeps to the port its index gives."""

    def __init__(self, name, app, instances, settings, env, workdir):
        self.name = name
        self.members = [
            Server(f"{name}-{number}", app, free_port(), settings, env, workdir)
            for number in range(instances)
        ]

    @property
    def ports(self) -> list[int]:
        return [member.port for member in self.members]

    def wait_ready(self, path: str) -> None:
        for member in self.members:
            member.wait_ready(path)

    def stop(self) -> None:
        for member in self.members:
            member.stop()

    def problems(self) -> list[str]:
        return [line for member in self.members for line in member.problems()]


def run_slice(
    result, scenario, ports, clients, warmup, duration, workdir, procs, per_connection
):
    """Drive `scenario` for warm-up + `duration` s with one connection per client,
    split over `procs` processes started together; add what they measured."""
    groups = [clients[i::procs] for i in range(procs)]
    runners = []
    for number, group in enumerate(groups):
        spec_path = workdir / f"load-{scenario}-{number}.json"
        spec = {
            "ports": ports,
            "scenario": scenario,
            "clients": group,
            "warmup": warmup,
            "duration": duration,
            "requests_per_connection": per_connection,
        }
        spec_path.write_text(json.dumps(spec))
        runners.append(
            subprocess.Popen(
                [sys.executable, "-m", "bench.load", str(spec_path)],
                cwd=REPO,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        )
    try:
        for runner in runners:
            if runner.stdout.readline().strip() != "READY":
                raise SystemExit(f"load generator for {result.label} did not start")
        start = time.time() + 0.2
        for runner in runners:
            runner.stdin.write(f"{start!r}\n")
            runner.stdin.flush()
        for runner in runners:
            out, _ = runner.communicate(timeout=warmup + duration + 60)
            if runner.returncode != 0:
                raise SystemExit(f"load generator for {result.label} failed")
            data = json.loads(out)
            result.latencies_us += data["latencies_us"]
            result.errors += data["errors"]
            result.bytes_seen.append(data["mean_bytes"])
            result.client_cpu_s += data["cpu_seconds"]
            result.client_wall_s += warmup + duration
    finally:
        for runner in runners:  # only on failure: the others are done by now
            if runner.poll() is None:
                runner.kill()
                runner.wait()
    result.seconds += duration
    result.latencies_us.sort()


def run_pair(pair, args, workdir) -> None:
    """Measure a (bare, real) pair in interleaved slices — bare, real, then real,
    bare, … — so that the machine's drift falls on both sides alike."""
    rounds = max(1, args.rounds)
    piece = args.duration / rounds
    for number in range(rounds):
        order = pair if number % 2 == 0 else pair[::-1]
        for result, scenario, server, clients in order:
            warmup = args.warmup if number == 0 else args.slice_warmup
            print(
                f"  {result.label}: slice {number + 1}/{rounds} "
                f"({warmup:g} s warm-up + {piece:g} s)",
                flush=True,
            )
            run_slice(
                result,
                scenario,
                server.ports,
                clients,
                warmup,
                piece,
                workdir,
                args.client_procs,
                args.requests_per_connection,
            )


def _page_lines(html: bytes) -> list[str]:
    text = html.decode("utf-8", "replace")
    text = re.sub(r'(name="csrf_token"[^>]*value=")[^"]*', r"\1…", text)
    text = re.sub(r'data-remaining="\d+"', 'data-remaining="…"', text)
    text = re.sub(r'data-token="[0-9a-f]+"', 'data-token="…"', text)
    text = re.sub(r">\d+:\d\d</span>", ">…</span>", text)
    return [line.strip() for line in text.splitlines() if line.strip()]


async def _get(port: int, path: str, cookies: dict | None = None) -> bytes:
    connection = Connection(port, dict(cookies or {}))
    try:
        response = await connection.request("GET", path)
    finally:
        connection.close()
    if response.status != 200:
        raise SystemExit(f"GET {path}: {response.status}")
    return response.body


def check_mirror(real: Cluster, bare: Cluster, client: dict) -> int:
    """Lines in which the bare page differs from the real attempt page of the same
    unanswered attempt (CSRF tokens and the timer masked); 0 when it mirrors it."""
    path = f"/attempts/{client['attempt_id']}?page=1"
    mine = asyncio.run(_get(real.ports[0], path, client["cookies"]))
    theirs = asyncio.run(_get(bare.ports[0], f"/render/{client['attempt_id']}"))
    matcher = difflib.SequenceMatcher(
        a=_page_lines(mine), b=_page_lines(theirs), autojunk=False
    )
    return sum(
        max(i2 - i1, j2 - j1)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    )


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description="Autosave and attempt-page budgets against a bare ceiling.",
    )
    parser.add_argument("--cadres", type=int, default=50, help="concurrent cadres")
    parser.add_argument(
        "--page-concurrency",
        type=int,
        default=50,
        help="concurrent clients for the page pair (default: 50, every cadre)",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=12.0,
        help="measured seconds per scenario, split over the rounds (default 12)",
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="interleaved slices per scenario (3)"
    )
    parser.add_argument(
        "--warmup", type=float, default=3.0, help="warm-up before a first slice (3 s)"
    )
    parser.add_argument(
        "--slice-warmup",
        type=float,
        default=1.0,
        help="warm-up before a later slice (1 s)",
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn worker processes (2)"
    )
    parser.add_argument(
        "--shared-socket",
        action="store_true",
        help="one gunicorn with --workers N sharing one socket, instead of N "
        "gunicorns of one worker with the connections spread evenly; the kernel "
        "then splits each burst of connections between the workers as it "
        "happens (seen here from 25/25 to 50/0), and the ratios swing with it",
    )
    parser.add_argument("--threads", type=int, default=4, help="threads each (4)")
    parser.add_argument(
        "--worker-class", default="gthread", help="gunicorn worker class (gthread)"
    )
    parser.add_argument(
        "--client-procs", type=int, default=1, help="load generator processes (1)"
    )
    parser.add_argument(
        "--requests-per-connection",
        type=int,
        default=0,
        help="close a cadre's connection after this many requests (0: never)",
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary folder (logs, DBs)"
    )
    return parser.parse_args(argv)


def gunicorn_settings(args) -> list[str]:
    """The settings of each gunicorn (the same for the app and the bare one)."""
    workers = args.workers if args.shared_socket else 1
    settings = ["--workers", str(workers), "--worker-class", args.worker_class]
    if args.worker_class == "gthread":
        settings += ["--threads", str(args.threads)]
    return settings


def print_report(args, settings, seeded, results) -> bool:
    """The table, the ratios and the verdicts; True when every budget is met."""
    write, answer = results["write"], results["answer"]
    render, page = results["render"], results["page"]
    print()
    served = f"gunicorn {' '.join(settings)} on {HOST}"
    if not args.shared_socket:
        served = (
            f"{args.workers} x {served}, each on its own port, the cadres' "
            "connections spread evenly over them"
        )
    print(
        f"VHCV benchmark — {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        f"both apps: {served}"
    )
    print(
        f"SQLite WAL; {len(seeded.cadres)} cadres signed in, each with an open "
        f"attempt of {seeded.questions} questions. Each row: {args.duration:g} s "
        f"measured in {args.rounds} slices interleaved with its pair."
    )
    print()
    header = (
        f"{'scenario':<40} {'conc':>4} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'max ms':>7} {'errors':>6} {'bytes':>6} {'client CPU':>10}"
    )
    print(header)
    print("-" * len(header))
    for result in (answer, write, page, render):
        row = result.summary()
        print(
            f"{row['label']:<40} {row['concurrency']:>4} {row['rps']:>7.0f} "
            f"{row['p50_ms']:>7.1f} {row['p99_ms']:>7.1f} {row['max_ms']:>7.1f} "
            f"{row['errors']:>6} {row['mean_bytes']:>6.0f} {row['client_cpu']:>10.0%}"
        )
        if row["error_kinds"]:
            print(f"{'':<40} errors by kind: {row['error_kinds']}")
    print()
    save_ratio = answer.rps / write.rps if write.rps else 0.0
    page_ratio = page.rps / render.rps if render.rps else 0.0
    checks = [
        (
            f"autosave: req/s real/bare = {save_ratio:.2f}",
            f">= {AUTOSAVE_RATIO}",
            save_ratio >= AUTOSAVE_RATIO,
        ),
        (
            f"autosave: p99 at {answer.concurrency} cadres = {answer.p(0.99):.1f} ms",
            f"< {AUTOSAVE_P99_MS:g} ms",
            answer.p(0.99) < AUTOSAVE_P99_MS,
        ),
        (
            f"attempt page, {seeded.questions} questions: req/s real/bare = "
            f"{page_ratio:.2f}",
            f">= {PAGE_RATIO}",
            page_ratio >= PAGE_RATIO,
        ),
    ]
    for result in (answer, write, page, render):
        checks.append((f"no errors: {result.label}", "0 non-2xx", not result.errors))
    width = max(len(text) for text, _, _ in checks)
    for text, budget, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {text:<{width}}  (budget {budget})")
    passed = all(ok for _, _, ok in checks)
    print()
    print("RESULT: PASS — every budget met" if passed else "RESULT: FAIL — see above")
    return passed


def main(argv=None) -> int:
    args = parse_args(argv)
    began = time.monotonic()
    load_before = os.getloadavg()[0]
    workdir = Path(tempfile.mkdtemp(prefix="vhcv-bench-"))
    servers: list[Cluster] = []
    try:
        print(f"Seeding {workdir} ...", flush=True)
        seeded: Seeded = seed(workdir, args.cadres)
        write_db = workdir / "bare.sqlite3"
        init_write_db(str(write_db))
        settings = gunicorn_settings(args)

        base_env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
        base_env["PYTHONDONTWRITEBYTECODE"] = "1"
        real_env = {
            **base_env,
            "SECRET_KEY": seeded.secret_key,
            "DATABASE_URL": f"sqlite:///{seeded.db_path}",
            # 50 sign-ins from one address within a second, by design:
            "LOGIN_RATE_LIMIT": "100000 per minute",
        }
        bare_env = {
            **base_env,
            "BENCH_WRITE_DB": str(write_db),
            "BENCH_SEED_DB": seeded.db_path,
        }
        print(f"Starting gunicorn {' '.join(settings)} (app, bare) ...", flush=True)
        instances = 1 if args.shared_socket else args.workers
        real = Cluster("real", "wsgi:app", instances, settings, real_env, workdir)
        servers.append(real)
        real.wait_ready("/login")
        bare = Cluster(
            "bare", "bench.bare_app:app", instances, settings, bare_env, workdir
        )
        servers.append(bare)
        bare.wait_ready(f"/render/{seeded.cadres[0].attempt_id}")

        print(f"Signing in {len(seeded.cadres)} cadres ...", flush=True)
        cadres = [
            {"username": c.username, "password": c.password, "attempt_id": c.attempt_id}
            for c in seeded.cadres
        ]
        sessions = asyncio.run(sign_in_all(real.ports[0], cadres))
        clients = [
            {
                "index": i,
                "attempt_id": c.attempt_id,
                "slots": c.slots,
                "cookies": s["cookies"],
                "csrf_token": s["csrf_token"],
                "attempt_token": s["attempt_token"],
            }
            for i, (c, s) in enumerate(zip(seeded.cadres, sessions, strict=True))
        ]
        page_clients = clients[: args.page_concurrency]
        mirror_diff = check_mirror(real, bare, clients[-1])
        results = {
            "write": Result("bare  POST /write (1 row)", len(clients)),
            "answer": Result("real  POST /attempts/<id>/autosave", len(clients)),
            "render": Result("bare  GET /render/<id> (30 q)", len(page_clients)),
            "page": Result("real  GET /attempts/<id>?page=1 (30 q)", len(page_clients)),
        }
        print("Autosave pair ...", flush=True)
        run_pair(
            [
                (results["write"], "write", bare, clients),
                (results["answer"], "answer", real, clients),
            ],
            args,
            workdir,
        )
        print("Attempt page pair ...", flush=True)
        run_pair(
            [
                (results["render"], "render", bare, page_clients),
                (results["page"], "page", real, page_clients),
            ],
            args,
            workdir,
        )
        for server in servers:
            server.stop()
        passed = print_report(args, settings, seeded, results)
        if mirror_diff:
            print(
                f"  NOTE  the bare page differs from the real attempt page in "
                f"{mirror_diff} lines: update bench/templates/bare_attempt.html to "
                "mirror the current templates"
            )
        else:
            print("  (bare page checked: same markup as the real attempt page)")
        for server in servers:
            for line in server.problems()[:10]:
                print(f"  {server.name} server log: {line}")
                passed = False
        print(
            f"(whole run: {time.monotonic() - began:.0f} s; 1-min load average "
            f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after — other work "
            "on the machine shows here and widens the spread)"
        )
        if args.json:
            summary = {key: result.summary() for key, result in results.items()}
            args.json.write_text(json.dumps(summary, indent=2))
        return 0 if passed else 1
    finally:
        for server in servers:
            server.stop()
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
