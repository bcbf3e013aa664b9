"""What `make bench` measured and the verdicts: a Result per scenario (merged over
its slices), the table per database, the budgets as PASS/FAIL lines.

"ratio" is the real app's requests per second divided by its bare ceiling's, both
measured in the same run under the same server setup; the budgets ask ≥ 0.7. The
Moodle lines divide the real app's requests per second by Moodle 5.1's on this kind
of machine, for scale; the requirement is ≥ 15×.
"""

import math
from dataclasses import dataclass, field

AUTOSAVE_RATIO = 0.7
AUTOSAVE_P99_MS = 100.0
PAGE_RATIO = 0.7
# Moodle 5.1 on this kind of machine (requests per second), and how far above it the
# app has to stay.
MOODLE_AUTOSAVE_RPS = 55.0
MOODLE_PAGE_RPS = 20.0
MOODLE_FACTOR = 15.0


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

    def add(self, data: dict, wall_seconds: float) -> None:
        """Take in one load generator's output for one slice."""
        self.latencies_us += data["latencies_us"]
        self.errors += data["errors"]
        self.bytes_seen.append(data["mean_bytes"])
        self.client_cpu_s += data["cpu_seconds"]
        self.client_wall_s += wall_seconds

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


@dataclass
class Measured:
    """Everything measured on one database."""

    database: str  # "SQLite", "PostgreSQL"
    questions: int
    cadres: int
    results: dict[str, Result]  # answer, write, page, render
    mirror: list[str] = field(default_factory=list)  # diff lines, bare vs real
    problems: list[str] = field(default_factory=list)  # from the gunicorn logs


def print_table(measured: Measured) -> None:
    header = (
        f"{'scenario':<44} {'conc':>4} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'max ms':>7} {'errors':>6} {'bytes':>6} {'client CPU':>10}"
    )
    print(header)
    print("-" * len(header))
    for key in ("answer", "write", "page", "render"):
        row = measured.results[key].summary()
        print(
            f"{row['label']:<44} {row['concurrency']:>4} {row['rps']:>7.0f} "
            f"{row['p50_ms']:>7.1f} {row['p99_ms']:>7.1f} {row['max_ms']:>7.1f} "
            f"{row['errors']:>6} {row['mean_bytes']:>6.0f} {row['client_cpu']:>10.0%}"
        )
        if row["error_kinds"]:
            print(f"{'':<44} errors by kind: {row['error_kinds']}")


def checks(measured: Measured) -> list[tuple[str, str, bool]]:
    """(what, budget, met) for every budget on one database."""
    results = measured.results
    answer, page = results["answer"], results["page"]
    save_ratio = answer.rps / results["write"].rps if results["write"].rps else 0.0
    page_ratio = page.rps / results["render"].rps if results["render"].rps else 0.0
    p99 = answer.p(0.99)
    found = [
        (
            f"autosave: ratio {save_ratio:.2f}",
            f">= {AUTOSAVE_RATIO}",
            save_ratio >= AUTOSAVE_RATIO,
        ),
        (
            f"autosave: p99 at {answer.concurrency} cadres {p99:.1f} ms",
            f"< {AUTOSAVE_P99_MS:g} ms",
            p99 < AUTOSAVE_P99_MS,
        ),
        (
            f"attempt page, {measured.questions} questions: ratio {page_ratio:.2f}",
            f">= {PAGE_RATIO}",
            page_ratio >= PAGE_RATIO,
        ),
        _moodle("autosave", answer.rps, MOODLE_AUTOSAVE_RPS),
        _moodle("attempt page", page.rps, MOODLE_PAGE_RPS),
    ]
    for result in results.values():
        found.append((f"no errors: {result.label}", "0 non-2xx", not result.errors))
    found.append(
        (
            f"server logs: {len(measured.problems)} failure lines",
            "none",
            not measured.problems,
        )
    )
    return found


def _moodle(what: str, rps: float, moodle_rps: float) -> tuple[str, str, bool]:
    times = rps / moodle_rps
    return (
        f"{what}: {rps:.0f} req/s = {times:.0f}x Moodle 5.1's ~{moodle_rps:g}",
        f">= {MOODLE_FACTOR:g}x",
        times >= MOODLE_FACTOR,
    )


def print_verdicts(measured: Measured) -> bool:
    """The PASS/FAIL lines of one database; True when every budget is met."""
    found = checks(measured)
    width = max(len(text) for text, _, _ in found)
    for text, budget, ok in found:
        print(f"  {'PASS' if ok else 'FAIL'}  {text:<{width}}  (budget {budget})")
    for line in measured.problems[:10]:
        print(f"        server log: {line}")
    if measured.mirror:
        print(
            f"  NOTE  the bare page differs from the real attempt page in "
            f"{len(measured.mirror)} lines (bench/templates/bare_attempt.html "
            "should mirror the app's templates):"
        )
        for line in measured.mirror[:12]:
            print(f"        {line[:150]}")
    else:
        print("  (bare page checked: same markup as the real attempt page)")
    return all(ok for _, _, ok in found)
