"""Driving the servers: a scenario's slices run by separate load generator processes
(bench/load.py), a (bare, real) pair interleaved slice by slice, and the check that
the bare page mirrors the real one."""

import asyncio
import difflib
import json
import re
import subprocess
import sys
import time
from pathlib import Path

from bench.load import Connection
from bench.results import Result

REPO = Path(__file__).resolve().parent.parent


def run_slice(
    result: Result, scenario, ports, clients, warmup, duration, workdir, args
):
    """Drive `scenario` for warm-up + `duration` s with one connection per client,
    split over `args.client_procs` processes started together; add what they
    measured to `result`."""
    procs = args.client_procs
    runners = []
    for number in range(procs):
        spec_path = workdir / f"load-{scenario}-{number}.json"
        spec = {
            "ports": ports,
            "scenario": scenario,
            "clients": clients[number::procs],
            "warmup": warmup,
            "duration": duration,
            "requests_per_connection": args.requests_per_connection,
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
        _start_together(runners, result.label)
        for runner in runners:
            out, _ = runner.communicate(timeout=warmup + duration + 60)
            if runner.returncode != 0:
                raise SystemExit(f"load generator for {result.label} failed")
            result.add(json.loads(out), warmup + duration)
    finally:
        for runner in runners:  # only on failure: the others are done by now
            if runner.poll() is None:
                runner.kill()
                runner.wait()
    result.seconds += duration
    result.latencies_us.sort()


def _start_together(runners, label: str) -> None:
    for runner in runners:
        if runner.stdout.readline().strip() != "READY":
            raise SystemExit(f"load generator for {label} did not start")
    start = time.time() + 0.2
    for runner in runners:
        runner.stdin.write(f"{start!r}\n")
        runner.stdin.flush()


def run_pair(pair, args, workdir) -> None:
    """Measure a (bare, real) pair of (result, scenario, cluster, clients) in
    interleaved slices — bare, real, then real, bare, … — so that the machine's
    drift falls on both sides alike."""
    rounds = max(1, args.rounds)
    piece = args.duration / rounds
    for number in range(rounds):
        order = pair if number % 2 == 0 else pair[::-1]
        for result, scenario, cluster, clients in order:
            warmup = args.warmup if number == 0 else args.slice_warmup
            print(
                f"  {result.label}: slice {number + 1}/{rounds} "
                f"({warmup:g} s warm-up + {piece:g} s)",
                flush=True,
            )
            run_slice(
                result, scenario, cluster.ports, clients, warmup, piece, workdir, args
            )


def _page_lines(html: bytes) -> list[str]:
    """The page's non-blank lines, stripped, with what differs by design masked:
    CSRF and autosave tokens (each app signs its own), the timer and the time the
    page was served."""
    text = html.decode("utf-8", "replace")
    text = re.sub(r'(name="csrf_token"[^>]*value=")[^"]*', r"\1…", text)
    text = re.sub(r'data-remaining="\d+"', 'data-remaining="…"', text)
    text = re.sub(r'data-token="[^"]*"', 'data-token="…"', text)
    text = re.sub(r">\d+:\d\d</span>", ">…</span>", text)
    text = re.sub(r'"served_at": \d+', '"served_at": …', text)
    return [line.strip() for line in text.splitlines() if line.strip()]


async def _get(port: int, path: str, cookies: dict) -> bytes:
    connection = Connection(port, dict(cookies))
    try:
        response = await connection.request("GET", path)
    finally:
        connection.close()
    if response.status != 200:
        raise SystemExit(f"GET {path} on port {port}: {response.status}")
    return response.body


def check_mirror(real, bare, real_client: dict, bare_client: dict) -> list[str]:
    """The lines in which the bare page differs from the real attempt page of the
    same unanswered attempt (tokens and the timer masked), as a unified diff
    without its header; empty when the bare page mirrors the real one."""
    path = f"/attempts/{real_client['attempt_id']}?page=1"
    mine = asyncio.run(_get(real.ports[0], path, real_client["cookies"]))
    theirs = asyncio.run(_get(bare.ports[0], path, bare_client["cookies"]))
    diff = difflib.unified_diff(
        _page_lines(mine), _page_lines(theirs), "real", "bare", n=0, lineterm=""
    )
    return [line for line in diff if not line.startswith(("---", "+++", "@@"))]
