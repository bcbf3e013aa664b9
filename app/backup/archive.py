"""The backup file: a gzip-compressed tar of a manifest (manifest.json, first) and
the members it lists, each with its size and SHA-256. Reading never takes a name
from the archive as a path: only the known member names are accepted, each copied
to a file this module names, within the size limits and checked against the
manifest before anyone uses it."""

import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from app.errors import lazy_gettext as _l

from .databases import DUMP_NAMES, BackupError

FORMAT = "vhcv-backup"
VERSION = 1
MANIFEST = "manifest.json"
# The instance keys a backup may hold (archive name → the key's role).
KEY_MEMBERS = ("keys/cert_signing_key.pem", "keys/cert_signing_key.pub")
MAX_MANIFEST_BYTES = 64_000
MAX_KEY_BYTES = 64_000
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Manifest:
    created_at: str
    alembic_revision: str | None
    dialect: str
    members: dict  # name → {"size": int, "sha256": str}

    @property
    def dump_name(self) -> str:
        return DUMP_NAMES[self.dialect]


def write(path: Path, manifest: dict, files: dict[str, Path]) -> None:
    """Write the archive `path` (mode 0600: it holds the signing key) of `files`
    (archive name → file) with the manifest `manifest` plus their checksums. The
    archive appears complete or not at all; an existing `path` is refused."""
    members = {name: _describe(file) for name, file in files.items()}
    text = json.dumps(
        {"format": FORMAT, "version": VERSION, **manifest, "members": members},
        ensure_ascii=False,
        indent=2,
    ).encode("utf-8")
    handle, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(handle, 0o600)
        with (
            os.fdopen(handle, "wb") as raw,
            tarfile.open(fileobj=raw, mode="w:gz") as tar,
        ):
            _add(tar, MANIFEST, io.BytesIO(text), len(text))
            for name, file in files.items():
                with file.open("rb") as stream:
                    _add(tar, name, stream, members[name]["size"])
        if path.exists():
            raise BackupError(_l("%(path)s đã có; không ghi đè.", path=path))
        os.replace(partial, path)
    finally:
        Path(partial).unlink(missing_ok=True)


def read(path: Path, into: Path, max_bytes: int) -> Manifest:
    """Check the archive `path` and copy its members into the folder `into` (under
    their archive names, which are known ones); its manifest. Raises BackupError
    for anything but a complete, intact archive of this format: an unknown or
    doubled member (a path like ../x included), a link, a member over its size
    limit (`max_bytes` for the database) or the free space, a checksum mismatch."""
    manifest = None
    seen: dict[str, str] = {}
    try:
        with tarfile.open(path, mode="r|gz") as tar:
            for member in tar:
                _check_member(member, seen, manifest, max_bytes, into)
                stream = tar.extractfile(member)
                if manifest is None:
                    if member.name != MANIFEST:
                        raise BackupError(_l("Thiếu manifest.json ở đầu bản sao lưu."))
                    manifest = _parse_manifest(stream.read(MAX_MANIFEST_BYTES))
                    continue
                seen[member.name] = _copy(stream, into / member.name)
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(
            _l("Tệp sao lưu không đọc được: %(error)s", error=error)
        ) from None
    if manifest is None:
        raise BackupError(_l("Thiếu manifest.json ở đầu bản sao lưu."))
    _check_contents(manifest, seen)
    return manifest


def _describe(file: Path) -> dict:
    digest = hashlib.sha256()
    with file.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return {"size": file.stat().st_size, "sha256": digest.hexdigest()}


def _add(tar: tarfile.TarFile, name: str, stream, size: int) -> None:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    tar.addfile(info, stream)


def _allowed(manifest: Manifest | None) -> set[str]:
    if manifest is None:
        return {MANIFEST}
    return {manifest.dump_name, *KEY_MEMBERS}


def _check_member(member, seen, manifest, max_bytes: int, into: Path) -> None:
    name = member.name
    if name not in _allowed(manifest) or name in seen:
        raise BackupError(
            _l("Bản sao lưu có thành phần lạ hoặc lặp lại: %(name)s", name=name)
        )
    if not member.isreg():
        raise BackupError(_l("%(name)s không phải là một tệp thường.", name=name))
    limit = max_bytes if manifest and name == manifest.dump_name else MAX_KEY_BYTES
    if name == MANIFEST:
        limit = MAX_MANIFEST_BYTES
    if member.size > limit:
        raise BackupError(
            _l("%(name)s lớn hơn giới hạn %(limit)s byte.", name=name, limit=limit)
        )
    if member.size > shutil.disk_usage(into).free:
        raise BackupError(_l("Không đủ chỗ trống để giải nén %(name)s.", name=name))


def _parse_manifest(raw: bytes) -> Manifest:
    try:
        data = json.loads(raw.decode("utf-8"))
        if data["format"] != FORMAT:
            raise ValueError("format")
        if data["version"] != VERSION:
            raise BackupError(
                _l(
                    "Bản sao lưu có định dạng phiên bản %(version)s; phiên bản này "
                    "chỉ đọc phiên bản %(known)s.",
                    version=data["version"],
                    known=VERSION,
                )
            )
        manifest = Manifest(
            created_at=str(data["created_at"]),
            alembic_revision=data["alembic_revision"],
            dialect=data["dialect"],
            members=data["members"],
        )
        manifest.dump_name  # noqa: B018 — KeyError for an unknown dialect
        for entry in manifest.members.values():
            if not isinstance(entry["size"], int) or len(entry["sha256"]) != 64:
                raise ValueError("member")
    except (ValueError, KeyError, TypeError, AttributeError):
        raise BackupError(_l("manifest.json không hợp lệ.")) from None
    return manifest


def _copy(stream, target: Path) -> str:
    """Copy `stream` to `target`, a new file of mode 0600; its SHA-256."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "wb") as out:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def _check_contents(manifest: Manifest, seen: dict[str, str]) -> None:
    if set(manifest.members) != set(seen) or manifest.dump_name not in seen:
        raise BackupError(
            _l("Bản sao lưu không có đúng các thành phần mà manifest.json liệt kê.")
        )
    for name, entry in manifest.members.items():
        if entry["sha256"] != seen[name]:
            raise BackupError(
                _l(
                    "%(name)s sai mã kiểm tra SHA-256: bản sao lưu đã bị hỏng hoặc "
                    "bị sửa.",
                    name=name,
                )
            )
