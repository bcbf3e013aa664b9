"""axe-core in the browser tests: inject the pinned file fetched by
scripts/fetch_axe.sh into a page, run it, and keep the violations."""

from pathlib import Path

import pytest

VERSION = "4.10.3"
AXE = Path(__file__).parent / ".cache" / f"axe-{VERSION}.min.js"
BLOCKING = ("serious", "critical")


def axe_path() -> Path:
    """The axe-core file; fails the test (never skips) when it was not fetched."""
    if not AXE.is_file():
        pytest.fail(
            f"axe-core {VERSION} is missing at {AXE}: run `make axe` "
            "(scripts/fetch_axe.sh fetches it from the npm registry).",
            pytrace=False,
        )
    return AXE


def violations(page) -> list[dict]:
    """axe-core's violations on the page as loaded (every rule axe runs by default)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_path()))
    return page.evaluate(
        """async () => {
          const result = await axe.run(document, {resultTypes: ["violations"]});
          return result.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " | "
              + (n.failureSummary || "").replace(/\\s+/g, " ").slice(0, 300)),
          }));
        }"""
    )


def describe(url: str, found: list[dict]) -> list[str]:
    lines = []
    for v in found:
        lines.append(f"{url}: [{v['impact']}] {v['id']}: {v['help']}")
        lines.extend(f"    {node}" for node in v["nodes"])
    return lines
