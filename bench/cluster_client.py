"""The load generator of `make bench-cluster` (`python -m bench.cluster_client SPEC`):
cadres going through the whole training as a browser does, and HR officers
exporting, all through nginx; or, with `"mode": "mass"`, a thousand signed-in cadres
pressing "Bắt đầu" within one second.

Protocol on stdin/stdout, as bench/load.py's: the process prepares (the mass start
signs its cadres in first), prints READY, reads one line holding the wall-clock time
at which to start, runs, and prints one JSON line of results.

A cadre (`flow`), one keep-alive connection and cookie jar, no pause between
requests (a closed loop: the next cadre starts when one finishes):
sign-in page, sign in, home page and the static files it links (once, as an empty
browser cache), each module page followed by "Tôi đã đọc xong" (POST, whose
redirect leads to the next module, then to the course page), the quiz page, "Bắt
đầu" (POST), every page of the attempt with an autosave of each of its questions,
the confirm page, "Nộp bài" (POST), the result page, the transcript and the
certificate PDF linked there. Any status other than the one a browser expects ends
that cadre's flow as an error. An HR officer signs in, then exports the records of
its department as CSV and as XLSX, and pauses `hr_pause` seconds.

Only 127.0.0.1 is ever contacted.
"""

import asyncio
import json
import re
import sys
import time
from collections import defaultdict

from bench.load import CSRF_RE, Connection, _cpu_seconds

ATTEMPT_TOKEN_RE = re.compile(rb'data-token="([^"]+)"')
STATIC_RE = re.compile(rb'(?:href|src)="(/static/[^"?]+)')
CERT_RE = re.compile(rb'href="(/certificates/\d+\.pdf)"')
TIMEOUT = 60.0


class Failed(Exception):
    """A response a browser would not expect: the flow stops there."""


class Stop(Exception):
    """The run is over: the flow stops without counting anything."""


def _path(location: bytes) -> str:
    text = location.decode()
    return re.sub(r"^https?://[^/]+", "", text)


class Run:
    def __init__(self, spec: dict, start: float):
        self.spec = spec
        clock = time.time() - time.perf_counter()
        self.measure_from = start + spec.get("warmup", 0) - clock
        self.until = self.measure_from + spec.get("duration", 0)
        self.latencies: dict[str, list[int]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.completed: list[float] = []  # perf_counter of each finished cadre
        self.started_flows = 0
        self.exhausted = False

    def measured(self, moment: float) -> bool:
        return self.measure_from <= moment <= self.until

    async def go(self, conn, kind, method, path, form=None, expect=200):
        began = time.perf_counter()
        if began >= self.until:
            raise Stop
        try:
            response = await asyncio.wait_for(conn.request(method, path, form), TIMEOUT)
            detail = response.status
        except (OSError, asyncio.IncompleteReadError, TimeoutError) as error:
            conn.close()
            response, detail = None, type(error).__name__
        finished = time.perf_counter()
        ok = response is not None and response.status == expect
        if self.measured(finished):
            self.latencies[kind].append(int((finished - began) * 1_000_000))
            if not ok:
                self.errors[kind].append(f"{method} {path}: {detail}")
        if not ok:
            raise Failed(f"{kind}: {detail}")
        return response

    async def sign_in(self, conn, username: str) -> None:
        page = await self.go(conn, "sign-in page", "GET", "/login")
        token = CSRF_RE.search(page.body).group(1).decode()
        form = {
            "username": username,
            "password": self.spec["password"],
            "csrf_token": token,
        }
        await self.go(conn, "sign in", "POST", "/login", form, expect=302)


async def cadre(run: Run, conn: Connection, username: str) -> None:
    spec = run.spec
    await run.sign_in(conn, username)
    home = await run.go(conn, "home", "GET", "/")
    for static in sorted(set(STATIC_RE.findall(home.body))):
        await run.go(conn, "static file (nginx)", "GET", static.decode())
    path = f"/modules/{spec['modules'][0]}"
    while path.startswith("/modules/"):
        page = await run.go(conn, "module page", "GET", path)
        form = {"csrf_token": CSRF_RE.search(page.body).group(1).decode()}
        done = await run.go(
            conn, "module read (POST)", "POST", f"{path}/complete", form, expect=302
        )
        path = _path(done.headers[b"location"][0])
    await run.go(conn, "course page", "GET", path)
    quiz = f"/quizzes/{spec['quiz']}"
    page = await run.go(conn, "quiz page", "GET", quiz)
    form = {"csrf_token": CSRF_RE.search(page.body).group(1).decode()}
    started = await run.go(conn, "start (POST)", "POST", f"{quiz}/start", form, 302)
    attempt = _path(started.headers[b"location"][0])
    attempt_id = attempt.rsplit("/", 1)[1]
    pages = -(-spec["questions"] // spec["per_page"])
    seq = 0
    for number in range(1, pages + 1):
        page = await run.go(conn, "attempt page", "GET", f"{attempt}?page={number}")
        token = ATTEMPT_TOKEN_RE.search(page.body).group(1).decode()
        first = (number - 1) * spec["per_page"] + 1
        last = min(number * spec["per_page"], spec["questions"])
        for position in range(first, last + 1):
            seq += 1
            form = {"t": token, "position": position, "choice": 0, "seq": seq}
            await run.go(conn, "autosave", "POST", f"/autosave/{attempt_id}", form)
    page = await run.go(conn, "confirm page", "GET", f"{attempt}/confirm")
    form = {"csrf_token": CSRF_RE.search(page.body).group(1).decode()}
    done = await run.go(conn, "submit (POST)", "POST", f"{attempt}/submit", form, 302)
    await run.go(conn, "result page", "GET", _path(done.headers[b"location"][0]))
    transcript = await run.go(conn, "transcript", "GET", "/transcript")
    link = CERT_RE.search(transcript.body)
    if link is None:
        raise Failed("transcript: no certificate link")
    pdf = await run.go(conn, "certificate PDF", "GET", link.group(1).decode())
    if not pdf.body.startswith(b"%PDF"):
        raise Failed("certificate: not a PDF")


async def cadres_loop(run: Run, pool) -> None:
    while True:
        try:
            username = next(pool)
        except StopIteration:
            run.exhausted = True
            return
        conn = Connection(run.spec["port"])
        run.started_flows += 1
        try:
            await cadre(run, conn, username)
            finished = time.perf_counter()
            if run.measured(finished):
                run.completed.append(finished)
        except Stop:
            return
        except Failed:
            pass  # counted in run.errors; the next cadre starts
        finally:
            conn.close()


async def hr_loop(run: Run, username: str, unit: int) -> None:
    spec = run.spec
    conn = Connection(spec["port"])
    query = f"campaign={spec['campaign']}&unit={unit}"
    try:
        await run.sign_in(conn, username)
        while True:
            await run.go(conn, "export CSV", "GET", f"/reports/export.csv?{query}")
            await run.go(conn, "export XLSX", "GET", f"/reports/export.xlsx?{query}")
            if time.perf_counter() + spec["hr_pause"] >= run.until:
                return
            await asyncio.sleep(spec["hr_pause"])
    except (Stop, Failed):
        return
    finally:
        conn.close()


async def run_flows(spec: dict) -> dict:
    print("READY", flush=True)
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    run = Run(spec, float(line))
    await asyncio.sleep(max(0.0, float(line) - time.time()))
    cpu = _cpu_seconds()
    pool = iter(spec["cadres"])
    await asyncio.gather(
        *(cadres_loop(run, pool) for _ in range(spec["concurrency"])),
        *(hr_loop(run, name, unit) for name, unit in spec["hr"]),
    )
    return {
        "latencies_us": run.latencies,
        "errors": run.errors,
        "completed": len(run.completed),
        "started_flows": run.started_flows,
        "exhausted": run.exhausted,
        "cpu_seconds": _cpu_seconds() - cpu,
    }


# -- the mass start ---------------------------------------------------------------


async def run_mass(spec: dict) -> dict:
    """Sign every cadre in (before READY) and read its CSRF token on the quiz page;
    at the start time, cadre i presses "Bắt đầu" at start + i × window / n on its
    own open keep-alive connection."""
    quiz = f"/quizzes/{spec['quiz']}"
    run = Run({**spec, "warmup": 0, "duration": 3600}, time.time())
    gate = asyncio.Semaphore(20)
    conns = {}

    async def prepare(username):
        async with gate:
            conn = Connection(spec["port"])
            await run.sign_in(conn, username)
            page = await run.go(conn, "quiz page", "GET", quiz)
            if b"/start" not in page.body:
                raise SystemExit(f"{username}: the quiz page offers no start")
            token = CSRF_RE.search(page.body).group(1).decode()
            conns[username] = (conn, token)

    await asyncio.gather(*(prepare(name) for name in spec["cadres"]))
    print("READY", flush=True)
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    start = float(line)
    cpu = _cpu_seconds()
    results = {}

    async def press(index, username):
        conn, token = conns[username]
        await asyncio.sleep(
            max(0.0, start + index * spec["window"] / len(conns) - time.time())
        )
        began = time.perf_counter()
        sent = time.time() - start
        try:
            response = await asyncio.wait_for(
                conn.request("POST", f"{quiz}/start", {"csrf_token": token}), TIMEOUT
            )
            status = response.status
            location = _path(response.headers.get(b"location", [b""])[0])
        except (OSError, asyncio.IncompleteReadError, TimeoutError) as error:
            status, location = type(error).__name__, ""
        finally:
            conn.close()
        results[username] = {
            "status": status,
            "location": location,
            "sent_s": sent,
            "ms": (time.perf_counter() - began) * 1000,
        }

    await asyncio.gather(*(press(i, n) for i, n in enumerate(spec["cadres"])))
    return {"presses": results, "cpu_seconds": _cpu_seconds() - cpu}


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        spec = json.load(handle)
    runner = run_mass if spec.get("mode") == "mass" else run_flows
    sys.stdout.write(json.dumps(asyncio.run(runner(spec))) + "\n")


if __name__ == "__main__":
    main()
