"""Offline proof: a compact certificate payload signed with the platform's Ed25519 key.

The QR code carries it in the verification URL's fragment (`/verify/<code>#p=TOKEN`;
browsers never send a fragment to the server), so a certificate can be checked where
the verification page cannot be reached. TOKEN is `base64url(payload) "."
base64url(signature)`, the signature being Ed25519 over the payload's UTF-8 bytes.
The payload is "1|serial|full name|unit|course|YYYY-MM-DD|score" (fields NFC, "|"
replaced by "/"). Revocation can only be seen online.

Pure functions; no Flask, no database.
"""

import base64
import binascii
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from app.timeutil import to_vn
from app.vntext import nfc

from .snapshot import CertificateSnapshot

VERSION = "1"
FIELDS = ("serial", "full_name", "unit", "course", "date", "score")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def payload_of(snapshot: CertificateSnapshot) -> str:
    """The signed facts of a certificate, as one compact line."""
    values = [
        snapshot.serial,
        snapshot.full_name,
        snapshot.unit_name,
        snapshot.course_title,
        to_vn(snapshot.passed_at).date().isoformat(),
        f"{snapshot.score_percent:g}",
    ]
    clean = [nfc(v).replace("|", "/") for v in values]
    return "|".join([VERSION, *clean])


def sign(snapshot: CertificateSnapshot, key: Ed25519PrivateKey) -> str:
    payload = payload_of(snapshot).encode("utf-8")
    return f"{_b64(payload)}.{_b64(key.sign(payload))}"


@dataclass(frozen=True)
class OfflineCheck:
    authentic: bool
    facts: dict[str, str]  # empty when the token cannot be read
    reason: str


def verify(token: str, public_key: Ed25519PublicKey) -> OfflineCheck:
    """Check a token (or a whole verification URL containing `#p=TOKEN`)."""
    token = token.strip().split("#p=", 1)[-1]
    try:
        payload_part, signature_part = token.split(".")
        payload, signature = _unb64(payload_part), _unb64(signature_part)
        text = payload.decode("utf-8")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return OfflineCheck(False, {}, "Không đọc được dữ liệu (sai định dạng).")
    parts = text.split("|")
    facts = dict(zip(FIELDS, parts[1:], strict=False)) if parts[0] == VERSION else {}
    try:
        public_key.verify(signature, payload)
    except InvalidSignature:
        return OfflineCheck(
            False,
            facts,
            "Chữ ký không hợp lệ: dữ liệu đã bị sửa đổi "
            "hoặc không do nền tảng này cấp.",
        )
    if not facts or len(parts) != len(FIELDS) + 1:
        return OfflineCheck(False, {}, "Phiên bản dữ liệu không được hỗ trợ.")
    return OfflineCheck(True, facts, "Chữ ký hợp lệ.")


def generate_keypair(private_path: Path, public_path: Path) -> str:
    """Write a new key pair (private PEM, mode 600; public as base64url of the raw
    32 bytes) and return the public key text. Refuses to overwrite a private key."""
    if private_path.exists():
        raise FileExistsError(f"{private_path} đã tồn tại; không ghi đè khóa bí mật.")
    key = Ed25519PrivateKey.generate()
    private_path.parent.mkdir(parents=True, exist_ok=True)
    private_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    private_path.chmod(0o600)
    public = _b64(
        key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
    )
    public_path.write_text(public + "\n", encoding="ascii")
    return public


def load_private(path: Path) -> Ed25519PrivateKey | None:
    """The private key at `path`, or None when there is none (payloads unsigned)."""
    if not path.is_file():
        return None
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path}: không phải khóa Ed25519")
    return key


def load_public(text: str) -> Ed25519PublicKey:
    """A public key from its published base64url text (or a file holding it)."""
    candidate = Path(text)
    if len(text) < 200 and candidate.is_file():
        text = candidate.read_text(encoding="ascii")
    return Ed25519PublicKey.from_public_bytes(_unb64(text.strip()))
