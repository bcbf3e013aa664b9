"""API tokens and the records they read: the public door of the api domain.

Operations flush, never commit. A token is random (secrets.token_urlsafe); only its
SHA-256 is stored, and it is compared in constant time.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.accounts.models import Unit, User
from app.audit import services as audit
from app.errors import InvalidInput, NotFound
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.records import services as records
from app.records import visibility
from app.records.models import Campaign
from app.records.rows import ExportRow, export_query, to_export_row
from app.timeutil import to_vn, utcnow
from app.vntext import clean_text

from .models import ApiToken

PREFIX_LENGTH = 8
PAGE_SIZE = 1000
# last_used_at is written at most this often, so reading pages does not write.
TOUCH_EVERY = timedelta(minutes=5)


def hash_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def issue_token(
    name: str, unit: Unit, actor: User | None = None
) -> tuple[ApiToken, str]:
    """A new token for `unit`'s subtree: (the row, the plaintext to show once).
    Raises InvalidInput for an empty name."""
    name = clean_text(name)
    if not name:
        raise InvalidInput(_l("Tên mã truy cập không được để trống."))
    plaintext = secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        unit_id=unit.id,
        token_hash=hash_token(plaintext),
        prefix=plaintext[:PREFIX_LENGTH],
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        "api_token.issued",
        actor=actor,
        target=token,
        name=name,
        unit=unit.code,
        prefix=token.prefix,
    )
    return token, plaintext


def get_token(token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(_l("Không có mã truy cập số %(token_id)s.", token_id=token_id))
    return token


def revoke_token(
    token: ApiToken, actor: User | None = None, now: datetime | None = None
) -> ApiToken:
    """Revoke `token` (once; revoking again changes nothing)."""
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
        audit.record(
            "api_token.revoked", actor=actor, target=token, prefix=token.prefix
        )
        db.session.flush()
    return token


def list_tokens() -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).order_by(ApiToken.id)))


def authenticate(header: str | None) -> ApiToken | None:
    """The active token named by an `Authorization: Bearer <token>` header, or
    None when the header is missing, malformed, unknown or revoked."""
    scheme, _, plaintext = (header or "").strip().partition(" ")
    plaintext = plaintext.strip()
    if scheme.lower() != "bearer" or not plaintext:
        return None
    digest = hash_token(plaintext)
    found = None
    candidates = db.session.scalars(
        select(ApiToken).where(ApiToken.prefix == plaintext[:PREFIX_LENGTH])
    )
    for candidate in candidates:
        if hmac.compare_digest(candidate.token_hash, digest):
            found = candidate
    if found is None or not found.is_active:
        return None
    return found


def is_stale(token: ApiToken, now: datetime | None = None) -> bool:
    """True when last_used_at is worth writing again."""
    now = now or utcnow()
    return token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY


def mark_used(token: ApiToken, now: datetime | None = None) -> None:
    token.last_used_at = now or utcnow()
    db.session.flush()


def unit_in_scope(token: ApiToken, code: str | None) -> Unit:
    """The unit `code` (the token's own unit when None) if it lies in the token's
    subtree; else NotFound, the same for unknown and out-of-scope units."""
    if not code:
        return token.unit
    unit = db.session.scalar(
        select(Unit).where(Unit.code == code.strip(), Unit.in_subtree(token.unit.path))
    )
    if unit is None:
        raise NotFound(_l("Không tìm thấy đơn vị này trong phạm vi của mã truy cập."))
    return unit


@dataclass
class RecordsPageResult:
    campaign: Campaign
    unit: Unit
    page: int
    total: int
    rows: list[ExportRow]
    per_page: int

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total


def records_page(
    token: ApiToken,
    campaign_code: str,
    unit_code: str | None,
    page: int,
    per_page: int | None = None,
) -> RecordsPageResult:
    """Page `page` (from 1, `per_page` records, PAGE_SIZE by default) of the
    campaign's records in a unit of the token's subtree, in the export's order.
    Raises NotFound."""
    per_page = per_page or PAGE_SIZE
    campaign = records.get_campaign(campaign_code)
    if not visibility.seen_from(campaign, [token.unit.path]):
        # the same answer as an unknown campaign: nothing of it outside the scope
        raise NotFound(_l("Không có đợt bồi dưỡng “%(code)s”.", code=campaign_code))
    unit = unit_in_scope(token, unit_code)
    query = export_query(campaign, unit)
    total = db.session.scalar(
        select(func.count()).select_from(query.order_by(None).subquery())
    )
    page_query = query.limit(per_page).offset((page - 1) * per_page)
    rows = [to_export_row(v) for v in db.session.execute(page_query)]
    return RecordsPageResult(campaign, unit, page, total, rows, per_page)


def record_dict(row: ExportRow) -> dict:
    """A record as JSON: machine values, their Vietnamese labels, ISO dates."""
    completed = to_vn(row.completed_at) if row.completed_at else None
    return {
        "employee_code": row.employee_code,
        "full_name": row.full_name,
        "unit": {"code": row.unit_code, "name": row.unit_name},
        "category": row.category,
        "category_label": row.category_label,
        "status": row.status,
        "status_label": row.status_label,
        "best_score": row.best_score,
        "passed": row.passed,
        "completed_at": completed.isoformat() if completed else None,
        "completed_date": completed.date().isoformat() if completed else None,
        "certificate_serial": row.certificate_serial or None,
    }
