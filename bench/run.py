"""`make bench`: the autosave and attempt-page budgets of DESIGN.md, measured against a
bare ceiling in the same run, on the same machine, under the same gunicorn settings.

  1. Seed a temporary SQLite database (WAL) with the app's schema, the real content,
     N cadres and an open attempt of VHCV-FINAL-2026 (30 questions, all on one page).
  2. Start two gunicorns on 127.0.0.1 with identical settings: the app (wsgi:app)
     and bench/bare_app.py (one-row write; bare Jinja render of the same questions).
  3. Drive each scenario from separate client processes (bench/load.py): warm-up,
     then a fixed window; the pairs run back to back (bare, real, bare, real).
  4. Print requests/s, p50/p99, errors and the ratios; exit 1 if a budget is missed.

Not part of `make test` or CI: timings belong here, never in unit tests.
"""

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.bare_app import init_write_db
from bench.seed import Seeded, seed

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"

AUTOSAVE_RATIO = 0.7
AUTOSAVE_P99_MS = 100.0
PAGE_RATIO = 0.7


@dataclass
class Result:
    label: str
    target: str
    concurrency: int
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    error_kinds: dict
    mean_bytes: float
    client_cpu: float  # load generator CPU seconds per wall second (1.0 = a core)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def percentile(sorted_values: list[int], fraction: float) -> float:
    """Nearest-rank percentile of sorted microseconds, in milliseconds."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(fraction * len(sorted_values) + 0.5)))
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


def run_load(label, target, scenario, port, clients, args, workdir, procs) -> Result:
    """Drive `scenario` with one connection per client, split over `procs`
    processes that start together; merge what they measured."""
    groups = [clients[i::procs] for i in range(procs)]
    runners = []
    for number, group in enumerate(groups):
        spec_path = workdir / f"load-{scenario}-{number}.json"
        spec = {
            "port": port,
            "scenario": scenario,
            "clients": group,
            "warmup": args.warmup,
            "duration": args.duration,
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
    for runner in runners:
        if runner.stdout.readline().strip() != "READY":
            raise SystemExit(f"load generator for {label} did not start")
    start = time.time() + 0.3
    for runner in runners:
        runner.stdin.write(f"{start!r}\n")
        runner.stdin.flush()
    latencies: list[int] = []
    errors: list[str] = []
    sizes = []
    client_cpu = 0.0
    for runner in runners:
        out, _ = runner.communicate(timeout=args.warmup + args.duration + 60)
        if runner.returncode != 0:
            raise SystemExit(f"load generator for {label} failed")
        data = json.loads(out)
        latencies += data["latencies_us"]
        errors += data["errors"]
        sizes.append(data["mean_bytes"])
        client_cpu += data["cpu_seconds"]
    latencies.sort()
    kinds: dict[str, int] = {}
    for error in errors:
        kinds[error] = kinds.get(error, 0) + 1
    return Result(
        label=label,
        target=target,
        concurrency=len(clients),
        requests=len(latencies),
        seconds=args.duration,
        p50_ms=percentile(latencies, 0.50),
        p99_ms=percentile(latencies, 0.99),
        max_ms=latencies[-1] / 1000 if latencies else float("nan"),
        errors=len(errors),
        error_kinds=kinds,
        mean_bytes=sum(sizes) / len(sizes) if sizes else 0,
        client_cpu=client_cpu / (args.warmup + args.duration),
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
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds")
    parser.add_argument(
        "--duration", type=float, default=12.0, help="measured seconds per scenario"
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--worker-class", default="gthread", help="gunicorn worker class (gthread)"
    )
    parser.add_argument(
        "--client-procs", type=int, default=1, help="load generator processes"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary folder (logs, DBs)"
    )
    return parser.parse_args(argv)


def gunicorn_settings(args) -> list[str]:
    settings = ["--workers", str(args.workers), "--worker-class", args.worker_class]
    if args.worker_class == "gthread":
        settings += ["--threads", str(args.threads)]
    return settings


def print_report(args, settings, seeded, results) -> bool:
    """The table, the ratios and the verdicts; True when every budget is met."""
    write, answer = results["write"], results["answer"]
    render, page = results["render"], results["page"]
    print()
    print(
        f"VHCV benchmark — {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"gunicorn {' '.join(settings)} on {HOST} (both apps)"
    )
    print(
        f"SQLite WAL, {len(seeded.cadres)} cadres signed in, attempt of "
        f"{seeded.questions} questions; warm-up {args.warmup:g} s, "
        f"measured {args.duration:g} s per row"
    )
    print()
    header = (
        f"{'scenario':<34} {'conc':>4} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'max ms':>8} {'errors':>6} {'bytes':>7} {'client CPU':>10}"
    )
    print(header)
    print("-" * len(header))
    for result in (answer, write, page, render):
        print(
            f"{result.label:<34} {result.concurrency:>4} {result.rps:>8.0f} "
            f"{result.p50_ms:>8.1f} {result.p99_ms:>8.1f} {result.max_ms:>8.1f} "
            f"{result.errors:>6} {result.mean_bytes:>7.0f} "
            f"{result.client_cpu:>9.0%}"
        )
        if result.error_kinds:
            print(f"{'':<34} errors by kind: {result.error_kinds}")
    print()

    checks = []
    save_ratio = answer.rps / write.rps if write.rps else 0.0
    page_ratio = page.rps / render.rps if render.rps else 0.0
    checks.append(
        (
            f"autosave req/s ratio real/bare = {save_ratio:.2f}",
            f">= {AUTOSAVE_RATIO}",
            save_ratio >= AUTOSAVE_RATIO,
        )
    )
    checks.append(
        (
            f"autosave p99 at {answer.concurrency} cadres = {answer.p99_ms:.1f} ms",
            f"< {AUTOSAVE_P99_MS:g} ms",
            answer.p99_ms < AUTOSAVE_P99_MS,
        )
    )
    checks.append(
        (
            f"attempt page (30 q) ratio real/bare = {page_ratio:.2f}",
            f">= {PAGE_RATIO}",
            page_ratio >= PAGE_RATIO,
        )
    )
    for result in results.values():
        checks.append((f"errors: {result.label}", "= 0", result.errors == 0))
    width = max(len(c[0]) for c in checks)
    for text, budget, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {text:<{width}}  (budget {budget})")
    passed = all(ok for _, _, ok in checks)
    print()
    print("RESULT: PASS — every budget met" if passed else "RESULT: FAIL — see above")
    return passed


def main(argv=None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="vhcv-bench-"))
    servers: list[Server] = []
    try:
        began = time.monotonic()
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
            # 50 sign-ins from one address in a few seconds, by design:
            "LOGIN_RATE_LIMIT": "100000 per minute",
        }
        bare_env = {
            **base_env,
            "BENCH_WRITE_DB": str(write_db),
            "BENCH_SEED_DB": seeded.db_path,
            "BENCH_ATTEMPT_ID": str(seeded.cadres[0].attempt_id),
        }
        print(f"Starting gunicorn {' '.join(settings)} (app, bare) ...", flush=True)
        real = Server("real", "wsgi:app", free_port(), settings, real_env, workdir)
        servers.append(real)
        real.wait_ready("/login")
        bare = Server(
            "bare", "bench.bare_app:app", free_port(), settings, bare_env, workdir
        )
        servers.append(bare)
        bare.wait_ready("/render")

        print(f"Signing in {len(seeded.cadres)} cadres ...", flush=True)
        import asyncio

        from bench.load import sign_in_all

        cadres = [
            {"username": c.username, "password": c.password, "attempt_id": c.attempt_id}
            for c in seeded.cadres
        ]
        sessions = asyncio.run(sign_in_all(real.port, cadres))
        clients = [
            {
                "index": i,
                "attempt_id": c.attempt_id,
                "slots": c.slots,
                "cookies": s["cookies"],
                "csrf_token": s["csrf_token"],
            }
            for i, (c, s) in enumerate(zip(seeded.cadres, sessions, strict=True))
        ]
        page_clients = clients[: args.page_concurrency]
        procs = args.client_procs
        plan = [
            ("write", "bare  POST /write (1 row)", bare, clients),
            ("answer", "real  POST /attempts/<id>/answer", real, clients),
            ("render", "bare  GET /render (30 q)", bare, page_clients),
            ("page", "real  GET /attempts/<id>?page=1", real, page_clients),
        ]
        results: dict[str, Result] = {}
        for key, label, server, group in plan:
            print(f"Running {label.split('  ', 1)[1]} ...", flush=True)
            results[key] = run_load(
                label, server.name, key, server.port, group, args, workdir, procs
            )
        for server in servers:
            server.stop()
        passed = print_report(args, settings, seeded, results)
        for server in servers:
            for line in server.problems()[:10]:
                print(f"  {server.name} server log: {line}")
        print(f"(whole run: {time.monotonic() - began:.0f} s)")
        if args.json:
            args.json.write_text(
                json.dumps(
                    {k: {**vars(r), "rps": r.rps} for k, r in results.items()},
                    indent=2,
                )
            )
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
