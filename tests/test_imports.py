"""Imports have no side effects: importing a domain's models (or the bare package)
in a fresh interpreter loads no views module, so scripts, migrations and the other
domains read the models without loading blueprints. create_app alone imports the
views (and .importlinter fixes which module may import which)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"
DOMAINS = sorted(p.parent.name for p in APP.glob("*/__init__.py"))
WITH_MODELS = sorted(p.parent.name for p in APP.glob("*/models.py"))


def loaded_after_import(module: str) -> list[str]:
    """The app modules a fresh interpreter holds after `import module`."""
    script = (
        "import importlib, json, sys\n"
        f"importlib.import_module({module!r})\n"
        "print(json.dumps(sorted(n for n in sys.modules if n.split('.')[0] == 'app')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_every_domain_with_models_is_checked():
    assert {"accounts", "audit", "courses", "quizzes", "records"} <= set(WITH_MODELS)


@pytest.mark.parametrize("domain", WITH_MODELS)
def test_importing_a_domains_models_loads_no_views(domain):
    loaded = loaded_after_import(f"app.{domain}.models")
    views = [name for name in loaded if "views" in name.split(".")]
    assert views == [], f"app.{domain}.models loads {views}"


@pytest.fixture(scope="module")
def root_imports() -> list[str]:
    """What `import app` loads itself (create_app's config and extensions)."""
    return loaded_after_import("app")


@pytest.mark.parametrize("domain", DOMAINS)
def test_a_package_init_imports_nothing(domain, root_imports):
    loaded = loaded_after_import(f"app.{domain}")
    assert sorted(set(loaded) - set(root_imports)) == [f"app.{domain}"]


def test_every_signal_has_its_receivers_once_the_app_is_built(app):
    from app import signals

    for name in (
        "module_read",
        "attempt_finished",
        "user_joined",
        "user_moved",
        "cadres_changed",
        "record_completed",
        "course_quizzes_asked",
    ):
        assert getattr(signals, name).receivers, f"nobody listens to {name}"
