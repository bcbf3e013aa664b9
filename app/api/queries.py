"""Read-only units, cadres and certificates of an API token's subtree.

Plain functions over the database: each takes the token and filters, returns a Page
or one row, and raises NotFound, the same for what does not exist and what lies
outside the token's subtree (never a 403 that would reveal it exists).
"""

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased, contains_eager, selectinload

from app.accounts.models import Unit, User
from app.accounts.services import search_users, vietnamese_order
from app.errors import NotFound
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.records.models import Campaign, Certificate, TrainingRecord
from app.timeutil import to_vn

from .models import ApiToken

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total


def paginate(query: Select, page: int, per_page: int, scalars: bool = True) -> Page:
    total = db.session.scalar(
        select(func.count()).select_from(query.order_by(None).subquery())
    )
    query = query.limit(per_page).offset((page - 1) * per_page)
    found = db.session.scalars(query) if scalars else db.session.execute(query)
    return Page(list(found), page, per_page, total or 0)


def _scoped_unit(token: ApiToken, code: str, message) -> Unit:
    unit = db.session.scalar(
        select(Unit).where(Unit.code == code, Unit.in_subtree(token.unit.path))
    )
    if unit is None:
        raise NotFound(message)
    return unit


UNIT_NOT_FOUND = _l("Không tìm thấy đơn vị này trong phạm vi của mã truy cập.")


def units_page(
    token: ApiToken,
    page: int,
    per_page: int,
    parent: str | None = None,
    kind: str | None = None,
    active: bool | None = None,
) -> Page[Unit]:
    """The units of the token's subtree (its root first, then by path); `parent`
    keeps the direct children of that unit, which must lie in the subtree. Their
    parents are read with them (unit_dict names the parent)."""
    query = (
        select(Unit)
        .where(Unit.in_subtree(token.unit.path))
        .options(selectinload(Unit.parent))
    )
    if parent:
        query = query.where(
            Unit.parent_id == _scoped_unit(token, parent, UNIT_NOT_FOUND).id
        )
    if kind:
        query = query.where(Unit.kind == kind)
    if active is not None:
        query = query.where(Unit.active.is_(active))
    return paginate(query.order_by(Unit.path, Unit.id), page, per_page)


def get_unit(token: ApiToken, code: str) -> Unit:
    return _scoped_unit(token, code, UNIT_NOT_FOUND)


def _cadres(token: ApiToken) -> Select:
    """The token's cadres, each with its unit (joined, and loaded from the join:
    cadre_dict names it)."""
    return (
        select(User)
        .join(Unit, Unit.id == User.unit_id)
        .where(Unit.in_subtree(token.unit.path))
        .options(contains_eager(User.unit))
    )


def cadres_page(
    token: ApiToken,
    page: int,
    per_page: int,
    unit: str | None = None,
    q: str | None = None,
    active: bool | None = None,
) -> Page[User]:
    """Cadres whose unit lies in the token's subtree, or in `unit`'s subtree;
    `q` searches names (without diacritics) and employee codes."""
    query = _cadres(token)
    if unit:
        root = _scoped_unit(token, unit, UNIT_NOT_FOUND)
        query = query.where(Unit.in_subtree(root.path))
    if active is not None:
        query = query.where(User.active.is_(active))
    query = vietnamese_order(search_users(query, q))
    return paginate(query, page, per_page)


def get_cadre(token: ApiToken, key: str) -> User:
    """The cadre of employee code `key`, else of id `key`, in the token's subtree."""
    cadre = db.session.scalar(_cadres(token).where(User.employee_code == key))
    if cadre is None and key.isascii() and key.isdigit() and len(key) < 10:
        cadre = db.session.scalar(_cadres(token).where(User.id == int(key)))
    if cadre is None:
        raise NotFound(_l("Không tìm thấy cán bộ này trong phạm vi của mã truy cập."))
    return cadre


@dataclass
class CertificateRow:
    certificate: Certificate
    holder: User
    unit: Unit  # the unit of the record it was issued for
    campaign: Campaign


def _certificates(token: ApiToken) -> tuple[Select, type[Unit]]:
    """Certificates of records whose unit lies in the token's subtree (the unit the
    records API reports them under)."""
    record_unit = aliased(Unit)
    return (
        select(Certificate, User, record_unit, Campaign)
        .join(TrainingRecord, TrainingRecord.id == Certificate.record_id)
        .join(record_unit, record_unit.id == TrainingRecord.unit_id)
        .join(User, User.id == Certificate.user_id)
        .join(Campaign, Campaign.id == Certificate.campaign_id)
        .where(record_unit.in_subtree(token.unit.path))
    ), record_unit


def certificates_page(
    token: ApiToken,
    page: int,
    per_page: int,
    campaign: str | None = None,
    unit: str | None = None,
    valid: bool | None = None,
) -> Page[CertificateRow]:
    """Certificates of the token's subtree (or `unit`'s), newest serial first."""
    query, record_unit = _certificates(token)
    if campaign:
        query = query.where(Campaign.code == campaign)
    if unit:
        root = _scoped_unit(token, unit, UNIT_NOT_FOUND)
        query = query.where(record_unit.in_subtree(root.path))
    if valid is True:
        query = query.where(Certificate.revoked_at.is_(None))
    elif valid is False:
        query = query.where(Certificate.revoked_at.is_not(None))
    query = query.order_by(Certificate.year.desc(), Certificate.number.desc())
    result = paginate(query, page, per_page, scalars=False)
    result.items = [CertificateRow(*row) for row in result.items]
    return result


def get_certificate(token: ApiToken, serial: str) -> CertificateRow:
    query, _ = _certificates(token)
    row = db.session.execute(query.where(Certificate.serial == serial)).first()
    if row is None:
        raise NotFound(
            _l("Không tìm thấy chứng nhận này trong phạm vi của mã truy cập.")
        )
    return CertificateRow(*row)


def unit_dict(unit: Unit, token: ApiToken) -> dict:
    """The unit; its parent's code, but null for the token's root (the parent lies
    outside the scope)."""
    inside = unit.parent is not None and unit.id != token.unit_id
    return {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "parent_code": unit.parent.code if inside else None,
        "depth": unit.depth,
        "active": unit.active,
    }


def cadre_dict(cadre: User) -> dict:
    return {
        "id": cadre.id,
        "employee_code": cadre.employee_code,
        "full_name": cadre.full_name,
        "unit": {"code": cadre.unit.code, "name": cadre.unit.name},
        "position": cadre.position,
        "category": cadre.category,
        "category_label": str(cadre.category_label),
        "active": cadre.active,
    }


def certificate_dict(row: CertificateRow) -> dict:
    certificate = row.certificate
    return {
        "serial": certificate.serial,
        "holder": {
            "id": row.holder.id,
            "employee_code": row.holder.employee_code,
            "full_name": certificate.full_name,
        },
        "unit": {"code": row.unit.code, "name": row.unit.name},
        "campaign": {
            "code": row.campaign.code,
            "title": row.campaign.title,
            "year": row.campaign.year,
        },
        "course_title": certificate.course_title,
        "score_percent": certificate.score_percent,
        "passed_at": to_vn(certificate.passed_at),
        "issued_at": to_vn(certificate.issued_at),
        "valid": certificate.is_valid,
        "revoked_at": to_vn(certificate.revoked_at) if certificate.revoked_at else None,
    }
