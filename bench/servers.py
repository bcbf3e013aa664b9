"""The servers of `make bench`: each app (the real one, wsgi:app, and the bare one,
bench.bare_app:app) as a cluster of gunicorns started with the same settings, on
127.0.0.1. By default a cluster is N gunicorns of one worker, each on a port of its
own, and the load generator spreads the cadres' connections evenly over the ports
(as a load balancer in front of N workers would); with `--shared-socket` it is one
gunicorn of N workers sharing one socket, and the kernel splits the connections.
Each gunicorn is stopped by its own pid; its error log is read for failures.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
REAL_APP = "wsgi:app"
BARE_APP = "bench.bare_app:app"

# High enough that the limiters run on every request and never refuse one: 50 cadres
# sign in from one address within a second, and each attempt autosaves hundreds of
# times a second under the bench's load (a person ticks a box a few times a minute).
LOGIN_RATE_LIMIT = "100000 per minute"
AUTOSAVE_RATE_LIMIT = "1000000 per minute"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def gunicorn_settings(args) -> list[str]:
    """The settings of each gunicorn (the same for the app and the bare one)."""
    workers = args.workers if args.shared_socket else 1
    settings = ["--workers", str(workers), "--worker-class", args.worker_class]
    if args.worker_class == "gthread":
        settings += ["--threads", str(args.threads)]
    return settings


def environments(url: str, secret_key: str) -> tuple[dict, dict]:
    """The environment of the real app and of the bare one, on the database `url`.
    FLASK_* and REDIS_URL are left out: the limiters count in each worker's memory,
    as in the app's default setup."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("FLASK_") and k != "REDIS_URL"
    }
    base["PYTHONDONTWRITEBYTECODE"] = "1"
    # Several workers without Redis, knowingly (gunicorn.conf.py refuses it else):
    # the benchmarks' limits are set so high that they never refuse.
    base["VHCV_LIMITS_PER_PROCESS"] = "1"
    real = {
        **base,
        "SECRET_KEY": secret_key,
        "DATABASE_URL": url,
        "LOGIN_RATE_LIMIT": LOGIN_RATE_LIMIT,
        "AUTOSAVE_RATE_LIMIT": AUTOSAVE_RATE_LIMIT,
    }
    bare = {**base, "SECRET_KEY": secret_key, "BENCH_DATABASE_URL": url}
    return real, bare


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

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Until the server answers GET / with any status below 500."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} server exited; see {self.log}")
            try:
                with socket.create_connection((HOST, self.port), timeout=1) as sock:
                    sock.sendall(
                        f"GET / HTTP/1.1\r\nHost: {HOST}\r\n"
                        "Connection: close\r\n\r\n".encode()
                    )
                    status = sock.recv(64).split(b" ")[1:2]
                    if status and status[0].isdigit() and int(status[0]) < 500:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"{self.name} server did not answer in {timeout}s")

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

    def wait_ready(self) -> None:
        for member in self.members:
            member.wait_ready()

    def stop(self) -> None:
        for member in self.members:
            member.stop()

    def problems(self) -> list[str]:
        return [
            f"{member.name}: {line}"
            for member in self.members
            for line in member.problems()
        ]


def start_clusters(prefix, url, secret_key, args, workdir) -> list[Cluster]:
    """The real app's cluster and the bare one's, ready; stopped again if one fails
    to start."""
    settings = gunicorn_settings(args)
    instances = 1 if args.shared_socket else args.workers
    real_env, bare_env = environments(url, secret_key)
    clusters = []
    try:
        for side, app, env in (
            ("real", REAL_APP, real_env),
            ("bare", BARE_APP, bare_env),
        ):
            cluster = Cluster(
                f"{prefix}-{side}", app, instances, settings, env, workdir
            )
            clusters.append(cluster)
            cluster.wait_ready()
    except BaseException:
        for cluster in clusters:
            cluster.stop()
        raise
    return clusters
