"""`flask backup create|restore` on SQLite files: the round trip, the refusals
(a non-empty database, a damaged or hostile archive, another dialect, a different
key), and a backup taken while autosaves go on."""

import io
import json
import os
import stat
import tarfile

import pytest

from app.backup import archive
from app.backup import services as backup
from tests.backup.helpers import (
    answers_match_log,
    backup_during_autosaves,
    make_app,
    rows,
    seed,
    usernames,
)


@pytest.fixture
def source(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'source.sqlite3'}", tmp_path / "src")
    seed(app)
    return app


@pytest.fixture
def target(tmp_path):
    """An app on a database file that does not exist yet (no schema)."""
    return make_app(f"sqlite:///{tmp_path / 'target.sqlite3'}", tmp_path / "dst", False)


def _create(app, path):
    with app.app_context():
        return backup.create(path)


def _restore(app, path):
    with app.app_context():
        return backup.restore(path)


def test_round_trip_by_the_commands(source, target, tmp_path):
    out = tmp_path / "vhcv.backup"
    result = source.test_cli_runner().invoke(args=["backup", "create", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    result = target.test_cli_runner().invoke(args=["backup", "restore", str(out)])
    assert result.exit_code == 0, result.output
    assert rows(target) == rows(source)
    assert usernames(target) == ["hv0", "hv1", "hv2"]
    for suffix in (".pem", ".pub"):
        name = f"cert_signing_key{suffix}"
        restored = tmp_path / "dst" / name
        assert restored.read_bytes() == (tmp_path / "src" / name).read_bytes()
    key = tmp_path / "dst" / "cert_signing_key.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_the_manifest_names_revision_dialect_and_checksums(source, tmp_path):
    out = tmp_path / "b.tar.gz"
    with source.app_context():
        from sqlalchemy import text

        from app.extensions import db

        db.session.execute(text("CREATE TABLE alembic_version (version_num TEXT)"))
        db.session.execute(text("INSERT INTO alembic_version VALUES ('abc123')"))
        db.session.commit()
    info = _create(source, out)
    assert info.alembic_revision == "abc123"
    with tarfile.open(out) as tar:
        assert tar.getnames()[0] == "manifest.json"
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["dialect"] == "sqlite"
    assert manifest["alembic_revision"] == "abc123"
    assert set(manifest["members"]) == {"database.sqlite3", *archive.KEY_MEMBERS}


def test_create_refuses_to_overwrite_a_file(source, tmp_path):
    out = tmp_path / "exists.backup"
    out.write_text("keep me")
    result = source.test_cli_runner().invoke(args=["backup", "create", "-o", str(out)])
    assert result.exit_code != 0
    assert "không ghi đè" in result.output
    assert out.read_text() == "keep me"


def test_restore_refuses_a_database_that_is_not_empty(source, tmp_path):
    out = tmp_path / "b.backup"
    _create(source, out)
    other = make_app(f"sqlite:///{tmp_path / 'other.sqlite3'}", tmp_path / "o")
    before = rows(other)
    result = other.test_cli_runner().invoke(args=["backup", "restore", str(out)])
    assert result.exit_code != 0
    assert "không trống" in result.output
    assert rows(other) == before
    assert not (tmp_path / "o" / "cert_signing_key.pem").exists()


def test_restore_refuses_to_replace_a_different_key(source, target, tmp_path):
    out = tmp_path / "b.backup"
    _create(source, out)
    (tmp_path / "dst").mkdir()
    (tmp_path / "dst" / "cert_signing_key.pem").write_text("another key")
    with target.app_context(), pytest.raises(backup.BackupError, match="khác khóa"):
        backup.restore(out)
    assert (tmp_path / "dst" / "cert_signing_key.pem").read_text() == "another key"
    with target.app_context():
        from app.backup import databases
        from app.extensions import db

        assert databases.table_names(db.engine) == []


def _rewrite(source_path, target_path, change):
    """Copy the archive, passing each (name, bytes) through `change` (which
    returns the members to write, possibly none or several)."""
    with tarfile.open(source_path) as tar:
        members = [(m.name, tar.extractfile(m).read()) for m in tar.getmembers()]
    with tarfile.open(target_path, "w:gz") as tar:
        for name, data in members:
            for new_name, new_data in change(name, data):
                info = tarfile.TarInfo(new_name)
                info.size = len(new_data)
                tar.addfile(info, io.BytesIO(new_data))


def test_restore_refuses_a_damaged_member(source, target, tmp_path):
    good, bad = tmp_path / "good.backup", tmp_path / "bad.backup"
    _create(source, good)

    def flip(name, data):
        if name == "database.sqlite3":
            data = data[:5000] + bytes([data[5000] ^ 1]) + data[5001:]
        return [(name, data)]

    _rewrite(good, bad, flip)
    result = target.test_cli_runner().invoke(args=["backup", "restore", str(bad)])
    assert result.exit_code != 0
    assert "SHA-256" in result.output
    assert not (tmp_path / "dst" / "cert_signing_key.pem").exists()


def test_restore_refuses_a_truncated_file(source, target, tmp_path):
    out = tmp_path / "b.backup"
    _create(source, out)
    out.write_bytes(out.read_bytes()[: out.stat().st_size // 2])
    with target.app_context(), pytest.raises(backup.BackupError, match="không đọc"):
        backup.restore(out)


@pytest.mark.parametrize(
    "name", ["../escape.pem", "keys/../../escape.pem", "/tmp/escape.pem", "extra.txt"]
)
def test_restore_refuses_a_member_outside_the_format(source, target, tmp_path, name):
    good, bad = tmp_path / "good.backup", tmp_path / "bad.backup"
    _create(source, good)

    def add(member, data):
        return (
            [(member, data), (name, b"x")]
            if member == "manifest.json"
            else [(member, data)]
        )

    _rewrite(good, bad, add)
    with target.app_context(), pytest.raises(backup.BackupError, match="thành phần lạ"):
        backup.restore(bad)
    assert not (tmp_path / "escape.pem").exists()
    assert not (tmp_path.parent / "escape.pem").exists()


def test_restore_refuses_a_link_and_an_oversized_member(source, target, tmp_path):
    good, bad = tmp_path / "good.backup", tmp_path / "bad.backup"
    _create(source, good)
    with tarfile.open(good) as tar:
        manifest = tar.extractfile("manifest.json").read()
    with tarfile.open(bad, "w:gz") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest))
        link = tarfile.TarInfo("keys/cert_signing_key.pem")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        tar.addfile(link)
    with target.app_context(), pytest.raises(backup.BackupError, match="tệp thường"):
        backup.restore(bad)
    target.config["BACKUP_MAX_BYTES"] = 1000
    with target.app_context(), pytest.raises(backup.BackupError, match="giới hạn"):
        backup.restore(good)


def test_restore_refuses_a_backup_of_another_dialect(source, target, tmp_path):
    good, bad = tmp_path / "good.backup", tmp_path / "bad.backup"
    _create(source, good)
    dump = b"PGDMP not really"
    digest = __import__("hashlib").sha256(dump).hexdigest()

    def to_postgres(name, data):
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["dialect"] = "postgresql"
            manifest["members"] = {
                "database.pgdump": {"size": len(dump), "sha256": digest}
            }
            return [(name, json.dumps(manifest).encode())]
        if name == "database.sqlite3":
            return [("database.pgdump", dump)]
        return []

    _rewrite(good, bad, to_postgres)
    result = target.test_cli_runner().invoke(args=["backup", "restore", str(bad)])
    assert result.exit_code != 0
    assert "postgresql" in result.output and "sqlite" in result.output


def test_restore_refuses_a_manifest_of_another_format(source, target, tmp_path):
    good, bad = tmp_path / "good.backup", tmp_path / "bad.backup"
    _create(source, good)

    def newer(name, data):
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["version"] = 99
            data = json.dumps(manifest).encode()
        return [(name, data)]

    _rewrite(good, bad, newer)
    with target.app_context(), pytest.raises(backup.BackupError, match="99"):
        backup.restore(bad)
    bad.unlink()
    _rewrite(good, bad, lambda n, d: [(n, b"{not json" if n == "manifest.json" else d)])
    with target.app_context(), pytest.raises(backup.BackupError, match="manifest"):
        backup.restore(bad)


def test_an_in_memory_database_is_refused(tmp_path):
    app = make_app("sqlite://", tmp_path / "m")
    with app.app_context(), pytest.raises(backup.BackupError, match="bộ nhớ"):
        backup.create(tmp_path / "m.backup")
    assert not os.path.exists(tmp_path / "m.backup")


def test_a_backup_taken_during_autosaves_holds_every_save_acknowledged_before(
    tmp_path,
):
    """Threads post autosaves to /autosave of an SQLite file in WAL mode while the
    backup is taken; the restored save log holds every save whose acknowledgement
    came back before create() began, and each answer agrees with its log."""
    source = make_app(f"sqlite:///{tmp_path / 'live.sqlite3'}", tmp_path / "src")
    target = make_app(f"sqlite:///{tmp_path / 'new.sqlite3'}", tmp_path / "dst", False)
    seen = backup_during_autosaves(source, target, tmp_path / "live.backup")
    assert seen["failures"] == []
    assert seen["before"], "no save was acknowledged before the backup"
    assert seen["before"] <= seen["restored"], seen["before"] - seen["restored"]
    assert seen["after"] - seen["restored"], "saves after the backup are not in it"
    assert answers_match_log(target)


def test_the_postgresql_password_goes_by_the_environment_only():
    from sqlalchemy import make_url

    from app.backup.databases import libpq

    url = make_url(
        "postgresql+psycopg://vhcv:s3cr%40t@db.example:5433/vhcv?sslmode=require"
    )
    uri, env = libpq(url)
    assert uri == "postgresql://vhcv@db.example:5433/vhcv?sslmode=require"
    assert env["PGPASSWORD"] == "s3cr@t"
