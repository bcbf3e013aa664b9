"""The PostgreSQL variant (pg_dump / pg_restore), when TEST_DATABASE_URL is set: on
scratch databases of its own, since the shared test database is emptied between
tests."""

import os
import stat

import pytest

from tests.backup.helpers import (
    answers_match_log,
    backup_during_autosaves,
    make_app,
    rows,
    scratch_postgres,
    seed,
    usernames,
)
from tests.conftest import TEST_DATABASE_URL

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="PostgreSQL only (TEST_DATABASE_URL)"
)


@pytest.fixture
def databases():
    with (
        scratch_postgres(TEST_DATABASE_URL, f"bk_src_{os.getpid()}") as source,
        scratch_postgres(TEST_DATABASE_URL, f"bk_dst_{os.getpid()}") as target,
    ):
        yield source, target


def _dispose(*apps):
    from app.extensions import db

    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_round_trip_on_postgresql(databases, tmp_path):
    source = make_app(databases[0], tmp_path / "src")
    target = make_app(databases[1], tmp_path / "dst", False)
    try:
        seed(source)
        out = tmp_path / "pg.backup"
        runner = source.test_cli_runner()
        result = runner.invoke(args=["backup", "create", "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
        result = target.test_cli_runner().invoke(args=["backup", "restore", str(out)])
        assert result.exit_code == 0, result.output
        assert rows(target) == rows(source)
        assert usernames(target) == ["hv0", "hv1", "hv2"]
        assert (tmp_path / "dst" / "cert_signing_key.pem").read_bytes() == (
            tmp_path / "src" / "cert_signing_key.pem"
        ).read_bytes()
        again = target.test_cli_runner().invoke(args=["backup", "restore", str(out)])
        assert again.exit_code != 0 and "không trống" in again.output
    finally:
        _dispose(source, target)


def test_a_postgresql_backup_during_autosaves(databases, tmp_path):
    source = make_app(databases[0], tmp_path / "src")
    target = make_app(databases[1], tmp_path / "dst", False)
    try:
        seen = backup_during_autosaves(source, target, tmp_path / "live.backup")
        assert seen["failures"] == []
        assert seen["before"]
        assert seen["before"] <= seen["restored"], seen["before"] - seen["restored"]
        assert answers_match_log(target)
    finally:
        _dispose(source, target)
