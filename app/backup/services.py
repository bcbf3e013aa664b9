"""`create` and `restore`: the snapshot of the database and of the instance keys
its data needs, in one archive (archive.py), and its way back.

What a backup holds: the database (databases.py) and the certificates' Ed25519
key pair (cert_signing_key.pem/.pub, or VHCV_CERT_SIGNING_KEY's), without which
the offline QR proofs of the certificates already issued could no longer be
checked against the published key. Not SECRET_KEY: it is a deployment secret (the
env file, a secret store) and no stored data depends on it — it signs sessions,
CSRF tokens and the open attempt pages' autosave tokens, which a new key only
ends (users sign in again, pages are reloaded)."""

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from app.certificates.services import signing_key_path
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.timeutil import utcnow

from . import archive, databases
from .databases import DUMP_NAMES, BackupError

__all__ = ["BackupError", "BackupInfo", "RestoreInfo", "create", "restore"]


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    dialect: str
    alembic_revision: str | None
    keys: list[str]  # the key files it holds
    size: int


@dataclass(frozen=True)
class RestoreInfo:
    dialect: str
    created_at: str
    alembic_revision: str | None
    keys_written: list[Path] = field(default_factory=list)
    keys_present: list[Path] = field(default_factory=list)  # already there, equal


def create(path: Path | str) -> BackupInfo:
    """Write a backup of the app's database and signing keys to `path` (a new
    file, mode 0600). Every transaction committed before the call is in it.
    Raises BackupError (an existing `path`, an in-memory database, pg_dump
    missing or failing)."""
    path = Path(path).absolute()
    if path.exists():
        raise BackupError(_l("%(path)s đã có; không ghi đè.", path=path))
    if not path.parent.is_dir():
        raise BackupError(_l("Thư mục %(path)s không tồn tại.", path=path.parent))
    engine = db.engine
    dialect = databases.dialect(engine)
    revision = databases.alembic_revision(engine)
    created_at = utcnow().isoformat()
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".vhcv-backup-") as tmp:
        dump = Path(tmp) / DUMP_NAMES[dialect]
        databases.dump(engine, dump)
        files = {DUMP_NAMES[dialect]: dump}
        files.update({name: key for name, key in _key_files() if key.is_file()})
        manifest = {
            "created_at": created_at,
            "alembic_revision": revision,
            "dialect": dialect,
        }
        archive.write(path, manifest, files)
    keys = [name for name in files if name in archive.KEY_MEMBERS]
    return BackupInfo(path, dialect, revision, keys, path.stat().st_size)


def restore(path: Path | str) -> RestoreInfo:
    """Restore the backup `path` into the app's database, which must be empty (no
    table at all), and its keys into their places where they are missing. Checks
    everything before writing anything: the archive (archive.read), the dialect
    (a backup of SQLite goes into SQLite only), that no existing key differs.
    Raises BackupError; the database is then untouched (pg_restore runs in one
    transaction)."""
    path = Path(path)
    engine = db.engine
    dialect = databases.dialect(engine)
    tables = databases.table_names(engine)
    if tables:
        raise BackupError(
            _l(
                "Cơ sở dữ liệu đích không trống (có %(count)s bảng, ví dụ "
                "%(tables)s): chỉ phục hồi vào một cơ sở dữ liệu trống, mới tạo.",
                count=len(tables),
                tables=", ".join(tables[:5]),
            )
        )
    # Unpacked beside the SQLite file (the same disk must hold it), else instance/.
    if dialect == "sqlite":
        scratch = databases.sqlite_path(engine).parent
    else:
        scratch = Path(current_app.instance_path)
    with tempfile.TemporaryDirectory(dir=scratch, prefix=".vhcv-restore-") as tmp:
        tmp = Path(tmp)
        manifest = archive.read(path, tmp, current_app.config["BACKUP_MAX_BYTES"])
        if manifest.dialect != dialect:
            raise BackupError(
                _l(
                    "Bản sao lưu là của %(backup)s, cơ sở dữ liệu đích là "
                    "%(target)s: không phục hồi chéo được.",
                    backup=manifest.dialect,
                    target=dialect,
                )
            )
        writes, present = _plan_keys(tmp)
        databases.load(engine, tmp / manifest.dump_name)
        for source, target in writes:
            _put_key(source, target)
    current_app.extensions.pop("vhcv_cert_signing", None)  # the key cache
    return RestoreInfo(
        dialect,
        manifest.created_at,
        manifest.alembic_revision,
        [target for _, target in writes],
        present,
    )


def _key_files() -> list[tuple[str, Path]]:
    """(archive name, file) of each instance key."""
    private = signing_key_path()
    return list(
        zip(archive.KEY_MEMBERS, (private, private.with_suffix(".pub")), strict=True)
    )


def _plan_keys(extracted: Path) -> tuple[list[tuple[Path, Path]], list[Path]]:
    """The keys of the backup to write (source, target) and those already there
    with the same content; BackupError when one there differs."""
    writes, present = [], []
    for name, target in _key_files():
        source = extracted / name
        if not source.is_file():
            continue
        if not target.exists():
            writes.append((source, target))
        elif target.read_bytes() == source.read_bytes():
            present.append(target)
        else:
            raise BackupError(
                _l(
                    "%(path)s đã có và khác khóa trong bản sao lưu: không ghi đè. "
                    "Chuyển nó đi (chứng nhận đã cấp cần khóa của bản sao lưu) rồi "
                    "phục hồi lại.",
                    path=target,
                )
            )
    return writes, present


def _put_key(source: Path, target: Path) -> None:
    """Write a new key file; the private key readable by its owner only."""
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = 0o644 if target.suffix == ".pub" else 0o600
    handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(handle, "wb") as out:
        out.write(source.read_bytes())
