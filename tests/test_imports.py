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


# One interpreter loads the libraries, then forks a child per module to import: each
# child starts with no `app` module loaded, as a fresh interpreter would, without
# paying Flask's and SQLAlchemy's import again (about 0.8 s a module).
_SCRIPT = """
import importlib, json, os, sys
for library in ("flask", "flask_sqlalchemy", "flask_login", "flask_wtf",
                "flask_babel", "flask_limiter", "flask_caching", "flask_migrate",
                "sqlalchemy.orm", "markdown", "nh3", "wtforms"):
    importlib.import_module(library)
assert not [n for n in sys.modules if n.split(".")[0] == "app"]
found = {}
for module in sys.argv[1:]:
    read, write = os.pipe()
    if os.fork() == 0:
        os.close(read)
        importlib.import_module(module)
        loaded = sorted(n for n in sys.modules if n.split(".")[0] == "app")
        os.write(write, json.dumps(loaded).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        found[module] = json.loads(pipe.read())
    os.wait()
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def loaded() -> dict[str, list[str]]:
    """The app modules a fresh interpreter holds after importing each module."""
    modules = ["app"] + [f"app.{d}" for d in DOMAINS]
    modules += [f"app.{d}.models" for d in WITH_MODELS]
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT, *modules],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_every_domain_with_models_is_checked():
    assert {"accounts", "audit", "courses", "quizzes", "records"} <= set(WITH_MODELS)


@pytest.mark.parametrize("domain", WITH_MODELS)
def test_importing_a_domains_models_loads_no_views(domain, loaded):
    views = [n for n in loaded[f"app.{domain}.models"] if "views" in n.split(".")]
    assert views == [], f"app.{domain}.models loads {views}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_a_package_init_imports_nothing(domain, loaded):
    root_imports = loaded["app"]  # create_app's config and extensions
    assert sorted(set(loaded[f"app.{domain}"]) - set(root_imports)) == [f"app.{domain}"]


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
