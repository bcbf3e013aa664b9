"""The public contest page under load, against its bare ceiling (bench/contest.py,
part 2). Both apps are served by gunicorn on 127.0.0.1 with the same settings
(bench/servers.py); anonymous clients in separate processes, each with keep-alive
connections, request GET /contests/<code> as fast as they can in interleaved
slices (bare, real, real, bare) so the machine's drift falls on both alike."""

import http.client
import multiprocessing
import threading
import time

from bench.servers import HOST, Server, environments, free_port

BARE_APP = "bench.contest_bare:app"
REAL_APP = "wsgi:app"


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


def _status(port: int, path: str) -> int:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    connection.request("GET", path)
    status = connection.getresponse().status
    connection.close()
    return status


def measure_page(label: str, url: str, args, workdir) -> bool:
    """Serve both apps, check the real page exists, drive the slices; PASS when
    the real page reaches BUDGET × the bare one's requests/s."""
    from bench.contest import BUDGET_PAGE_RATIO, CONTEST

    real_env, bare_env = environments(url, "bench-contest-secret")
    settings = ["--workers", str(args.workers), "--worker-class", "gthread"]
    settings += ["--threads", "4"]
    real = Server("contest-real", REAL_APP, free_port(), settings, real_env, workdir)
    bare = Server("contest-bare", BARE_APP, free_port(), settings, bare_env, workdir)
    path = f"/contests/{CONTEST}"
    try:
        real.wait_ready()
        bare.wait_ready()
        status = _status(real.port, path)
        if status != 200:
            print(
                f"[{label}] public page GET {path} answered {status}: it needs the "
                "public contest pages (another part of the app). FAIL"
            )
            return False
        _slice(real.port, path, 1.0, args.clients)  # warm both up
        _slice(bare.port, path, 1.0, args.clients)
        rates = {"bare": [], "real": []}
        errors = 0
        for side in ("bare", "real", "real", "bare"):
            port = bare.port if side == "bare" else real.port
            rate, failed = _slice(port, path, args.page_seconds, args.clients)
            rates[side].append(rate)
            errors += failed
    finally:
        real.stop()
        bare.stop()
    bare_rate = sum(rates["bare"]) / 2
    real_rate = sum(rates["real"]) / 2
    ratio = real_rate / bare_rate if bare_rate else 0.0
    passed = ratio >= BUDGET_PAGE_RATIO and errors == 0
    print(
        f"[{label}] public page {real_rate:7.0f} req/s, bare cached page "
        f"{bare_rate:7.0f} req/s: ratio {ratio:.2f} (budget ≥ {BUDGET_PAGE_RATIO}), "
        f"{errors} errors  {'PASS' if passed else 'FAIL'}"
    )
    for problem in real.problems() + bare.problems():
        print(f"[{label}]   {problem}")
    return passed
