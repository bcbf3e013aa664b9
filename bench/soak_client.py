"""A client process of `make soak` (`python -m bench.soak_client SPEC.json`): one
keep-alive connection per simulated cadre, each saving a varying choice on a varying
question of its open attempt as fast as the server answers, reconnecting after any
error. bench.soak starts a few of them so that the client is not the bottleneck.

Protocol on stdin/stdout, as bench/load.py's: the process prints READY, reads one line
holding the wall-clock time at which to start, saves until start + duration, and
prints one JSON line of what it saw.

Every save carries a header `X-Soak: <client> <seq> <ms since start>` that gunicorn's
access log writes beside the worker's pid (bench.soak reads the log to see which
worker served which save). Per cadre it returns:

- `acks`: ms since start of every acknowledged save (200 with `"saved": true`);
- `last`: per question position, the last acknowledged save [choice, seq] and the
  choices of the saves sent after it whose outcome is unknown (connection lost,
  timeout, 5xx): the server may have stored one of them, which is no loss;
- `errors`: [ms since start when it failed, kind] of every failed save (a client
  error, no loss); a save the app refuses (4xx) is one of kind "refused …",
  which fails the run.

Only 127.0.0.1 is ever contacted.
"""

import asyncio
import json
import random
import sys
import time
from urllib.parse import urlencode

HOST = "127.0.0.1"
TIMEOUT = 10.0  # seconds before a save counts as a timeout (and the connection is
# dropped); long, so that a save still in a server when the next one goes is rare
PAUSE_AFTER_ERROR = 0.01  # seconds: no busy loop on "connection refused"


class ServerError(Exception):
    pass


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *lines = head[:-4].split(b"\r\n")
    status = int(status_line.split(b" ", 2)[1])
    length, close = 0, False
    for line in lines:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection" and b"close" in value.lower():
            close = True
    body = await reader.readexactly(length)
    return status, body, close


async def cadre(index: int, client: dict, port: int, start: float, end: float, out):
    rng = random.Random(index)
    options = client["options"]  # options per position (1-based: options[p - 1])
    path = f"/autosave/{client['attempt_id']}"
    acks: list[int] = []
    errors: list[list] = []
    last: dict[int, list] = {}  # position -> [choice, seq, [unknown choices]]
    reader = writer = None
    seq = 0
    await asyncio.sleep(max(0.0, start - time.time()))
    while time.time() < end:
        seq += 1
        position = rng.randint(1, len(options))
        choice = rng.randrange(options[position - 1])
        sent_ms = int((time.time() - start) * 1000)
        body = urlencode(
            {"t": client["token"], "position": position, "choice": choice}
        ).encode()
        request = (
            f"POST {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
            f"X-Soak: {index} {seq} {sent_ms}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        entry = last.setdefault(position, [None, 0, []])
        try:
            if writer is None:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(HOST, port), TIMEOUT
                )
            writer.write(request)
            status, answer, close = await asyncio.wait_for(
                _read_response(reader), TIMEOUT
            )
            if status >= 500:
                raise ServerError(str(status))
            if status == 200 and json.loads(answer).get("saved"):
                acks.append(int((time.time() - start) * 1000))
                entry[:] = [choice, seq, []]
            else:  # refused: not stored (a failure of the run, not a loss)
                errors.append([int((time.time() - start) * 1000), f"refused {status}"])
            if close:
                writer.close()
                reader = writer = None
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ServerError) as e:
            errors.append([int((time.time() - start) * 1000), _kind(e)])
            entry[2].append(choice)  # sent; stored or not, nobody knows
            if writer is not None:
                writer.close()
            reader = writer = None
            await asyncio.sleep(PAUSE_AFTER_ERROR)
    if writer is not None:
        writer.close()
    out[index] = {
        "attempt_id": client["attempt_id"],
        "acks": acks,
        "errors": errors,
        "last": last,
    }


def _kind(error: BaseException) -> str:
    if isinstance(error, ServerError):
        return f"HTTP {error}"
    if isinstance(error, TimeoutError):
        return "timeout"
    if isinstance(error, asyncio.IncompleteReadError):
        return "connection closed"
    return type(error).__name__


async def run(spec: dict) -> dict:
    print("READY", flush=True)
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    start = float(line)
    end = start + spec["duration"]
    out: dict[int, dict] = {}
    await asyncio.gather(
        *(
            cadre(int(index), client, spec["port"], start, end, out)
            for index, client in spec["clients"].items()
        )
    )
    return out


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        spec = json.load(handle)
    result = asyncio.run(run(spec))
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
