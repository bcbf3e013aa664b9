"""The load generator: an asyncio HTTP/1.1 keep-alive client, one connection (and one
cookie jar) per simulated cadre, latency timed per request in the client. With
`requests_per_connection` a cadre's connection is closed after that many requests and
the next one opens a new connection, as a browser's does after an idle pause.

bench.run starts it as a separate process (`python -m bench.load SPEC.json`) so the
client never shares an interpreter with a server. Protocol on stdin/stdout: the
process opens its connections, prints READY, waits for one line on stdin holding the
wall-clock time at which to start, runs warm-up then the measured window, and prints
one JSON line of results.

Only 127.0.0.1 is ever contacted.
"""

import asyncio
import json
import random
import re
import resource
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

HOST = "127.0.0.1"
CSRF_RE = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')
ATTEMPT_TOKEN_RE = re.compile(rb'data-token="([^"]+)"')


class HTTPError(Exception):
    pass


@dataclass
class Response:
    status: int
    headers: dict[bytes, list[bytes]]
    body: bytes


@dataclass
class Connection:
    """One keep-alive connection with its own cookies; reconnects when the server
    closes (a sync worker closes after every response)."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(HOST, self.port)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(
        self, method: str, path: str, form: dict | list | None = None
    ) -> Response:
        body = urlencode(form, doseq=True).encode() if form is not None else b""
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {HOST}:{self.port}",
            "User-Agent: vhcv-bench",
            "Accept: */*",
        ]
        if self.cookies:
            lines.append(
                "Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            )
        if form is not None:
            lines.append("Content-Type: application/x-www-form-urlencoded")
            lines.append(f"Content-Length: {len(body)}")
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        for retry in (True, False):
            if self.writer is None:
                await self._open()
            try:
                self.writer.write(raw)
                response = await self._read()
                break
            except (ConnectionError, asyncio.IncompleteReadError):
                # A keep-alive connection the server closed while idle: retry once
                # on a fresh one (never twice: that would hide a real failure).
                self.close()
                if not retry:
                    raise
        for value in response.headers.get(b"set-cookie", []):
            name, _, rest = value.decode("latin-1").partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        connection = b",".join(response.headers.get(b"connection", [])).lower()
        if b"close" in connection:
            self.close()
        return response

    async def _read(self) -> Response:
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head[:-4].split(b"\r\n")
        status = int(status_line.split(b" ", 2)[1])
        headers: dict[bytes, list[bytes]] = {}
        for line in header_lines:
            name, _, value = line.partition(b":")
            headers.setdefault(name.strip().lower(), []).append(value.strip())
        if b"content-length" in headers:
            body = await self.reader.readexactly(int(headers[b"content-length"][0]))
        elif b"chunked" in b"".join(headers.get(b"transfer-encoding", [])).lower():
            body = await self._read_chunked()
        else:  # body until close
            body = await self.reader.read()
            self.close()
        return Response(status, headers, body)

    async def _read_chunked(self) -> bytes:
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)


async def sign_in(port: int, cadre: dict, bare: bool = False) -> dict:
    """Sign `cadre` in as a browser would (the bare app takes no CSRF token); return
    its cookies and the autosave token of its attempt page (which also checks that
    the page renders)."""
    conn = Connection(port)
    try:
        form = {"username": cadre["username"], "password": cadre["password"]}
        if not bare:
            page = await conn.request("GET", "/login")
            token = CSRF_RE.search(page.body)
            if page.status != 200 or token is None:
                raise HTTPError(f"GET /login: {page.status}, no CSRF token")
            form["csrf_token"] = token.group(1).decode()
        answer = await conn.request("POST", "/login", form)
        if answer.status != 302:
            raise HTTPError(f"POST /login as {cadre['username']}: {answer.status}")
        page = await conn.request("GET", f"/attempts/{cadre['attempt_id']}?page=1")
        attempt_token = ATTEMPT_TOKEN_RE.search(page.body)
        if page.status != 200 or attempt_token is None:
            raise HTTPError(f"GET attempt page: {page.status}, no autosave token")
        return {
            "cookies": conn.cookies,
            "attempt_token": attempt_token.group(1).decode(),
        }
    finally:
        conn.close()


async def sign_in_all(
    port: int, cadres: list[dict], bare: bool = False, concurrency: int = 10
) -> list:
    gate = asyncio.Semaphore(concurrency)

    async def one(cadre):
        async with gate:
            return await sign_in(port, cadre, bare)

    return await asyncio.gather(*(one(c) for c in cadres))


def make_request(scenario: str, client: dict, rng: random.Random):
    """(method, path, form) of one request of `scenario` for `client`: the same on
    the app and on the bare one, each client holding that side's cookies and
    autosave token."""
    if scenario == "answer":
        form = [
            ("t", client["attempt_token"]),
            ("position", rng.randint(1, client["slots"])),
            ("choice", rng.randint(0, 1)),  # every question has at least 2 options
        ]
        return "POST", f"/autosave/{client['attempt_id']}", form
    if scenario == "page":
        return "GET", f"/attempts/{client['attempt_id']}?page=1", None
    raise ValueError(scenario)


async def run_client(spec, client, start, measure_start, end, latencies, errors, sizes):
    rng = random.Random(client["index"])
    ports = spec["ports"]  # one gunicorn each: a client keeps to one of them
    conn = Connection(
        ports[client["index"] % len(ports)], dict(client.get("cookies", {}))
    )
    scenario = spec["scenario"]
    await asyncio.sleep(max(0.0, start - time.time()))
    clock_offset = time.time() - time.perf_counter()
    measure_from = measure_start - clock_offset
    until = end - clock_offset
    per_connection = spec.get("requests_per_connection") or 0
    sent = 0
    try:
        while True:
            method, path, form = make_request(scenario, client, rng)
            began = time.perf_counter()
            if began >= until:
                return
            if per_connection and sent and sent % per_connection == 0:
                conn.close()  # the next request opens a new connection, timed with it
            sent += 1
            try:
                response = await conn.request(method, path, form)
                ok = 200 <= response.status < 300
                detail = response.status
            except (OSError, asyncio.IncompleteReadError, HTTPError) as error:
                ok, detail = False, type(error).__name__
                conn.close()
            finished = time.perf_counter()
            # A response counts in the window it completes in (as wrk counts).
            if measure_from <= finished <= until:
                latencies.append(int((finished - began) * 1_000_000))
                if ok:
                    sizes.append(len(response.body))
            if not ok:
                errors.append(str(detail))
    finally:
        conn.close()


async def run(spec: dict) -> dict:
    print("READY", flush=True)
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    start = float(line)
    cpu_before = _cpu_seconds()
    measure_start = start + spec["warmup"]
    end = measure_start + spec["duration"]
    latencies: list[int] = []
    errors: list[str] = []
    sizes: list[int] = []
    await asyncio.gather(
        *(
            run_client(
                spec, client, start, measure_start, end, latencies, errors, sizes
            )
            for client in spec["clients"]
        )
    )
    return {
        "cpu_seconds": _cpu_seconds() - cpu_before,
        "latencies_us": latencies,
        "errors": errors,
        "mean_bytes": sum(sizes) / len(sizes) if sizes else 0,
    }


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        spec = json.load(handle)
    result = asyncio.run(run(spec))
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
