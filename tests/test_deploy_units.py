"""deploy/'s systemd units: every timer starts a service of its name, and every
service runs a command the app has (a renamed command would leave a timer that
fails every night unseen). The periodic work that keeps the data right — above all
the sweep of attempts whose time ran out with the tab closed — has its timer."""

import re
import shlex
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def _flask_commands() -> dict[str, list[str]]:
    """service file name → the flask command's words (without the options)."""
    found = {}
    for service in DEPLOY.glob("*.service"):
        match = re.search(r"^ExecStart=\S*/flask (.+)$", service.read_text(), re.M)
        if match:
            words = shlex.split(match.group(1))
            found[service.name] = [w for w in words if not w.startswith("-")]
    return found


def test_every_timer_starts_a_service_of_its_name():
    timers = sorted(DEPLOY.glob("*.timer"))
    assert timers
    for timer in timers:
        assert (DEPLOY / (timer.stem + ".service")).exists(), timer.name


def test_every_service_runs_a_command_the_app_has(runner):
    commands = _flask_commands()
    assert ["attempts", "close-overdue"] in commands.values()
    assert (DEPLOY / "vhcv-attempts-sweep.timer").exists()
    for name, words in commands.items():
        result = runner.invoke(args=[*words, "--help"])
        assert result.exit_code == 0, (name, words, result.output)
