"""The public contest page under load, against its bare ceiling (bench/contest.py,
part 2). The real app, the ceiling (bench.contest_bare:app: the same markup
rendered per request from data cached a minute) and, for information, the
whole-page-cached variant (bench.contest_bare:whole_page_app) are served by
gunicorn on 127.0.0.1 with the same settings (bench/servers.py). Once they are up,
the real and the bare page are fetched once and compared line by line (the lines
that differ are printed as a NOTE). Then anonymous clients in separate processes,
each with keep-alive connections, request GET /contests/<code> as fast as they can
in interleaved slices (bare, real, whole page, whole page, real, bare) so the
machine's drift falls on all three alike."""

import difflib
import http.client
import multiprocessing
import re
import threading
import time

from bench.servers import HOST, Server, environments, free_port

BARE_APP = "bench.contest_bare:app"
WHOLE_PAGE_APP = "bench.contest_bare:whole_page_app"
REAL_APP = "wsgi:app"
SLICES = ("bare", "real", "whole", "whole", "real", "bare")
MIRROR_NOTE_LINES = 12


def _client(port: int, path: str, seconds: float, threads: int, out) -> None:
    """`threads` keep-alive connections hammering `path`; puts (ok, errors)."""
    counts = [[0, 0] for _ in range(threads)]
    deadline = time.monotonic() + seconds

    def loop(slot):
        connection = http.client.HTTPConnection(HOST, port, timeout=10)
        while time.monotonic() < deadline:
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                counts[slot][0 if response.status == 200 else 1] += 1
            except (OSError, http.client.HTTPException):
                counts[slot][1] += 1
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=10)
        connection.close()

    workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    out.put((sum(c[0] for c in counts), sum(c[1] for c in counts)))


def _slice(port: int, path: str, seconds: float, clients: int) -> tuple[float, int]:
    """Requests/s answered 200 over one slice, and the errors."""
    processes = max(1, min(4, clients // 8))
    queue = multiprocessing.Queue()
    started = time.monotonic()
    pool = [
        multiprocessing.Process(
            target=_client, args=(port, path, seconds, clients // processes, queue)
        )
        for _ in range(processes)
    ]
    for process in pool:
        process.start()
    results = [queue.get() for _ in pool]
    for process in pool:
        process.join()
    elapsed = time.monotonic() - started
    return sum(r[0] for r in results) / elapsed, sum(r[1] for r in results)


def _get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _page_lines(html: bytes) -> list[str]:
    """The page's non-blank lines, stripped, with what differs by design masked:
    the CSRF token (the real app signs one, the bare one prints a stand-in) and the
    minute the participation counts were read (each app reads its own)."""
    text = html.decode("utf-8", "replace")
    text = re.sub(r'(name="csrf_token"[^>]*value=")[^"]*', r"\1…", text)
    text = re.sub(r"cập nhật lúc [\d/]+ \d\d:\d\d", "cập nhật lúc …", text)
    return [line.strip() for line in text.splitlines() if line.strip()]


def check_mirror(real_page: bytes, bare_page: bytes) -> list[str]:
    """The lines in which the bare page differs from the real one (masked), as a
    unified diff without its header; empty when the bare page mirrors the real."""
    diff = difflib.unified_diff(
        _page_lines(real_page),
        _page_lines(bare_page),
        "real",
        "bare",
        n=0,
        lineterm="",
    )
    return [line for line in diff if not line.startswith(("---", "+++", "@@"))]


def _print_mirror(label: str, differs: list[str]) -> None:
    if not differs:
        print(f"[{label}] (bare page checked: same markup as the real contest page)")
        return
    print(
        f"[{label}] NOTE  the bare page differs from the real contest page in "
        f"{len(differs)} lines (bench/templates/bare_contest.html should mirror the "
        "app's templates):"
    )
    for line in differs[:MIRROR_NOTE_LINES]:
        print(f"[{label}]         {line[:150]}")


def _drive(ports: dict[str, int], path: str, args) -> tuple[dict, int]:
    """Warm each server up, then the interleaved slices: requests/s per side (a
    list of the slices') and the errors of all."""
    for port in ports.values():
        _slice(port, path, 1.0, args.clients)
    rates: dict[str, list[float]] = {side: [] for side in ports}
    errors = 0
    for side in SLICES:
        rate, failed = _slice(ports[side], path, args.page_seconds, args.clients)
        rates[side].append(rate)
        errors += failed
    return rates, errors


def measure_page(label: str, url: str, args, workdir) -> bool:
    """Serve the three apps, check the real page exists and compare it with the
    bare one, drive the slices; PASS when the real page reaches BUDGET × the bare
    one's requests/s with no errors."""
    from bench.contest import BUDGET_PAGE_RATIO, CONTEST

    real_env, bare_env = environments(url, "bench-contest-secret")
    settings = ["--workers", str(args.workers), "--worker-class", "gthread"]
    settings += ["--threads", "4"]
    servers = {
        side: Server(f"contest-{side}", app, free_port(), settings, env, workdir)
        for side, app, env in (
            ("real", REAL_APP, real_env),
            ("bare", BARE_APP, bare_env),
            ("whole", WHOLE_PAGE_APP, bare_env),
        )
    }
    path = f"/contests/{CONTEST}"
    try:
        for server in servers.values():
            server.wait_ready()
        pages = {side: _get(s.port, path) for side, s in servers.items()}
        if pages["real"][0] != 200:
            print(
                f"[{label}] public page GET {path} answered {pages['real'][0]}: it "
                "needs the public contest pages (another part of the app). FAIL"
            )
            return False
        _print_mirror(label, check_mirror(pages["real"][1], pages["bare"][1]))
        ports = {side: s.port for side, s in servers.items()}
        rates, errors = _drive(ports, path, args)
    finally:
        for server in servers.values():
            server.stop()
    passed = _report(label, rates, errors, BUDGET_PAGE_RATIO)
    for server in servers.values():
        for problem in server.problems():
            print(f"[{label}]   {problem}")
    return passed


def _report(label: str, rates: dict, errors: int, budget: float) -> bool:
    """Print the real page's rate against the ceiling's (the budget) and against
    the whole-page cache's (for information); True when the budget is met."""
    mean = {side: sum(r) / len(r) for side, r in rates.items()}
    ratio = mean["real"] / mean["bare"] if mean["bare"] else 0.0
    passed = ratio >= budget and errors == 0
    print(
        f"[{label}] public page {mean['real']:7.0f} req/s, bare cached page "
        f"{mean['bare']:7.0f} req/s: ratio {ratio:.2f} (budget ≥ {budget}), "
        f"{errors} errors  {'PASS' if passed else 'FAIL'}"
    )
    whole = mean["real"] / mean["whole"] if mean["whole"] else 0.0
    print(
        f"[{label}] for information: whole-page-cached bare page {mean['whole']:7.0f} "
        f"req/s, the public page {whole:.2f} of it (no budget)"
    )
    return passed
