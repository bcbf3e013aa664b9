"""Issuing, revoking and reissuing certificates: the public door of the domain.

Operations flush, never commit: a certificate is issued inside the transaction that
completes its record (the `record_completed` receiver below), so both happen or
neither does.
"""

import re
import secrets
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from flask import current_app, url_for
from sqlalchemy import Select, and_, exists, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.accounts.models import Unit, User
from app.accounts.permissions import can_manage_account
from app.audit import services as audit
from app.config import public_url
from app.courses import services as courses
from app.errors import Conflict, InvalidInput, NotAllowed, NotFound
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.records.models import (
    COMPLETED,
    Campaign,
    Certificate,
    SerialCounter,
    TrainingRecord,
    format_serial,
)
from app.records.services import window_of
from app.signals import (
    attempt_certificate_asked,
    certificate_issued,
    record_completed,
)
from app.timeutil import to_vn, utcnow
from app.vntext import fold, nfc

from . import signing
from .snapshot import CertificateSnapshot, IssuerSettings

REISSUE_REASON = "Cấp lại"
REASON_MAX = 500  # characters of a revocation reason (the form's maxlength)
BATCH = 200  # certificates fetched per round trip when streaming


def issuer_settings() -> IssuerSettings:
    """The issuing body and signature block from the configuration (VHCV_CERT_*)."""
    config = current_app.config
    return IssuerSettings(
        parent_body=config["VHCV_CERT_PARENT_BODY"],
        issuing_body=config["VHCV_CERT_ISSUING_BODY"],
        place=config["VHCV_CERT_PLACE"],
        signer_authority=config["VHCV_CERT_SIGNER_AUTHORITY"],
        signer_title=config["VHCV_CERT_SIGNER_TITLE"],
        signer_name=config["VHCV_CERT_SIGNER_NAME"],
    )


def next_serial(year: int) -> int:
    """The next number of `year`, with no gap and no duplicate: the counter row's
    lock makes concurrent issuers wait for each other, and a transaction that rolls
    back takes its increment with it."""
    dialect = db.session.get_bind().dialect.name
    make_insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(
        make_insert(SerialCounter)
        .values(year=year, last=0)
        .on_conflict_do_nothing(index_elements=["year"])
    )
    return db.session.execute(
        update(SerialCounter)
        .where(SerialCounter.year == year)
        .values(last=SerialCounter.last + 1)
        .returning(SerialCounter.last)
        .execution_options(synchronize_session=False)
    ).scalar_one()


def valid_certificate(record: TrainingRecord) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(
            Certificate.record_id == record.id, Certificate.revoked_at.is_(None)
        )
    )


def issue_certificate(
    record: TrainingRecord,
    issuer: IssuerSettings | None = None,
    now: datetime | None = None,
    replaces: Certificate | None = None,
) -> Certificate:
    """Issue a certificate for a completed record: a fresh serial of the year of
    issue (Vietnam time), a 128-bit code and a snapshot of the cadre's name, the unit
    of completion, the course, campaign, score and date. Raises Conflict when the
    record is not completed or already has a valid certificate."""
    if record.status != COMPLETED or record.completed_at is None:
        raise Conflict(_l("Cán bộ chưa hoàn thành đợt bồi dưỡng này."))
    if valid_certificate(record) is not None:
        raise Conflict(_l("Kết quả này đã có giấy chứng nhận còn hiệu lực."))
    now, issuer = now or utcnow(), issuer or issuer_settings()
    campaign, user = record.campaign, db.session.get(User, record.user_id)
    unit = db.session.get(Unit, record.completed_unit_id or record.unit_id)
    course = courses.get_course(campaign.course_code)
    year = to_vn(now).year
    number = next_serial(year)
    certificate = Certificate(
        serial=format_serial(year, number),
        year=year,
        number=number,
        code=secrets.token_urlsafe(16),
        record_id=record.id,
        user_id=user.id,
        campaign_id=campaign.id,
        full_name=nfc(user.full_name).strip(),
        unit_name=nfc(unit.display_name).strip()[:255],
        course_title=nfc(course.title).strip(),
        campaign_title=nfc(campaign.title).strip(),
        periods=course.periods,
        score_percent=float(record.best_percent or 0.0),
        passed_at=record.completed_at,
        issued_at=now,
        parent_body=issuer.parent_body,
        issuing_body=issuer.issuing_body,
        place=issuer.place,
        signer_authority=issuer.signer_authority,
        signer_title=issuer.signer_title,
        signer_name=issuer.signer_name,
        replaces_id=replaces.id if replaces is not None else None,
    )
    db.session.add(certificate)
    db.session.flush()
    certificate_issued.send(certificate)
    return certificate


@attempt_certificate_asked.connect
def _on_attempt_certificate_asked(attempt, **_) -> dict | None:
    """The holder's valid certificate of a campaign of the attempt's quiz in whose
    window the attempt finished (the newest), for the quiz's result page."""
    holder = db.session.get(User, attempt.user_id)
    rows = db.session.execute(
        select(Certificate, Campaign)
        .join(Campaign, Campaign.id == Certificate.campaign_id)
        .where(
            Certificate.user_id == attempt.user_id,
            Certificate.revoked_at.is_(None),
            Campaign.quiz_code == attempt.quiz.code,
            Campaign.opens_at <= attempt.finished_at,
        )
        .order_by(Certificate.issued_at.desc())
    )
    certificate = next(  # the cadre's window: its unit's own, if any
        (c for c, cp in rows if window_of(holder, cp).holds(attempt.finished_at)),
        None,
    )
    if certificate is None:
        return None
    return {
        "url": url_for("certificates.download", cert_id=certificate.id),
        "serial": certificate.serial,
    }


@record_completed.connect
def _on_record_completed(record: TrainingRecord, **_) -> None:
    """Issue in the completing transaction (once per record)."""
    if valid_certificate(record) is None:
        issue_certificate(record)


def check_actor(actor: User | None, certificate: Certificate) -> None:
    """NotAllowed unless `actor` (None: the command line) may revoke or reissue
    `certificate`: as every account action (can_manage_account), an HR officer
    only a learner's, never its own nor a fellow officer's, a trainer's or an
    administrator's. The rule is can_manage_account's alone: the cadre page
    offers the buttons by it too (reports may not import certificates)."""
    if actor is not None and not can_manage_account(actor, certificate.user):
        raise NotAllowed(
            _l(
                "Chỉ quản trị viên thu hồi hoặc cấp lại được giấy chứng nhận của "
                "tài khoản có vai trò khác ngoài học viên."
            )
        )


def revoke(
    certificate: Certificate,
    reason: str,
    actor: User | None,
    now: datetime | None = None,
) -> Certificate:
    """Revoke with a reason (required) and audit it. Raises NotAllowed (check_actor),
    InvalidInput, Conflict. The reason is kept as the confirm page showed it, in
    one line (it is public)."""
    check_actor(actor, certificate)
    reason = " ".join(nfc(reason).split())
    if not reason:
        raise InvalidInput(_l("Cần ghi lý do thu hồi giấy chứng nhận."))
    if len(reason) > REASON_MAX:
        raise InvalidInput(_l("Lý do thu hồi dài quá %(n)d ký tự.", n=REASON_MAX))
    if not certificate.is_valid:
        raise Conflict(
            _l("Giấy chứng nhận %(serial)s đã bị thu hồi.", serial=certificate.serial)
        )
    certificate.revoked_at = now or utcnow()
    certificate.revoke_reason = reason
    certificate.revoked_by_id = getattr(actor, "id", None)
    audit.record(
        "certificate.revoked",
        actor=actor,
        target=certificate,
        serial=certificate.serial,
        reason=reason,
        user_id=certificate.user_id,
    )
    db.session.flush()
    return certificate


def reissue(
    certificate: Certificate, actor: User | None, now: datetime | None = None
) -> Certificate:
    """A new certificate (new serial and code, snapshot taken again) in place of
    `certificate`, which is revoked "Cấp lại" if still valid. Raises Conflict when
    the record has another valid certificate or is no longer completed, and
    NotAllowed as check_actor."""
    check_actor(actor, certificate)
    now = now or utcnow()
    record = certificate.record
    if certificate.is_valid:
        revoke(certificate, REISSUE_REASON, actor, now)
    elif valid_certificate(record) is not None:
        raise Conflict(_l("Kết quả này đã có giấy chứng nhận khác còn hiệu lực."))
    new = issue_certificate(record, now=now, replaces=certificate)
    audit.record(
        "certificate.reissued",
        actor=actor,
        target=new,
        serial=new.serial,
        replaces=certificate.serial,
        user_id=new.user_id,
    )
    return new


def missing_query(campaign: Campaign) -> Select:
    """The campaign's completed records that have no certificate at all (a revoked
    one is left alone), in order of completion."""
    return (
        select(TrainingRecord)
        .where(
            TrainingRecord.campaign_id == campaign.id,
            TrainingRecord.status == COMPLETED,
            ~exists().where(Certificate.record_id == TrainingRecord.id),
        )
        .order_by(TrainingRecord.completed_at, TrainingRecord.id)
    )


def missing_count(campaign: Campaign) -> int:
    """How many of the campaign's records issue_missing would issue for."""
    query = missing_query(campaign).order_by(None).subquery()
    return db.session.scalar(select(func.count()).select_from(query))


def issue_missing(
    campaign: Campaign,
    now: datetime | None = None,
    step=None,
    limit: int | None = None,
) -> int:
    """Issue for the campaign's records of missing_query, the first `limit` of
    them when given (a batch: the caller commits it, and calls again for the
    rest). Returns how many were issued. `step(done, total)`, when given, hears
    how far it got."""
    query = missing_query(campaign)
    records = db.session.scalars(query if limit is None else query.limit(limit)).all()
    issuer = issuer_settings()
    for done, record in enumerate(records, 1):
        issue_certificate(record, issuer, now)
        if step is not None:
            step(done, len(records))
    return len(records)


def get_certificate(cert_id: int) -> Certificate:
    certificate = db.session.get(Certificate, cert_id)
    if certificate is None:
        raise NotFound(_l("Không tìm thấy giấy chứng nhận."))
    return certificate


def by_code(code: str) -> Certificate:
    certificate = db.session.scalar(select(Certificate).where(Certificate.code == code))
    if certificate is None:
        raise NotFound(_l("Không tìm thấy giấy chứng nhận với mã xác minh này."))
    return certificate


def verify_url(certificate: Certificate) -> str:
    return f"{public_url(current_app.config)}/verify/{certificate.code}"


def snapshot_for(
    certificate: Certificate, url: str | None = None
) -> CertificateSnapshot:
    """What the PDF draws: the stored snapshot and the verification URL, which
    carries the signed offline payload in its fragment when a signing key exists."""
    c = certificate
    snapshot = CertificateSnapshot(
        serial=c.serial,
        verify_url=url or verify_url(c),
        full_name=c.full_name,
        unit_name=c.unit_name,
        course_title=c.course_title,
        campaign_title=c.campaign_title,
        periods=c.periods,
        score_percent=c.score_percent,
        passed_at=c.passed_at,
        issued_at=c.issued_at,
        issuer=IssuerSettings(
            parent_body=c.parent_body,
            issuing_body=c.issuing_body,
            place=c.place,
            signer_authority=c.signer_authority,
            signer_title=c.signer_title,
            signer_name=c.signer_name,
        ),
    )
    key = signing_key()
    if key is None or "#" in snapshot.verify_url:
        return snapshot
    token = signing.sign(snapshot, key)
    return replace(snapshot, verify_url=f"{snapshot.verify_url}#p={token}")


def signing_key_path() -> Path:
    configured = current_app.config.get("CERT_SIGNING_KEY")
    return Path(configured or Path(current_app.instance_path) / "cert_signing_key.pem")


def signing_key():
    """The platform's Ed25519 key (loaded once per app), or None if not created."""
    cache = current_app.extensions.setdefault("vhcv_cert_signing", {})
    if "key" not in cache:
        cache["key"] = signing.load_private(signing_key_path())
    return cache["key"]


def unit_query(campaign: Campaign, root: Unit) -> Select:
    """The valid certificates of `campaign` held by cadres now in `root`'s subtree
    (the scope HR officers act on), by serial."""
    return (
        select(Certificate)
        .join(User, User.id == Certificate.user_id)
        .join(Unit, Unit.id == User.unit_id)
        .where(
            and_(
                Certificate.campaign_id == campaign.id,
                Certificate.revoked_at.is_(None),
                Unit.in_subtree(root.path),
            )
        )
        .order_by(Certificate.year, Certificate.number)
    )


def stream(query: Select) -> Iterator[Certificate]:
    """The certificates of `query` (e.g. unit_query), fetched in batches."""
    result = db.session.scalars(query.execution_options(yield_per=BATCH))
    try:
        yield from result
    finally:
        result.close()


def for_unit(campaign: Campaign, root: Unit) -> Iterator[Certificate]:
    return stream(unit_query(campaign, root))


def pdf_bytes(certificate: Certificate) -> bytes:
    """The certificate's PDF, drawn from its snapshot (deterministic)."""
    from .pdf import render_certificate  # the only module that knows the engine

    return render_certificate(snapshot_for(certificate))


def pdf_filename(certificate: Certificate) -> str:
    """ "VHCV-2026-000123 nguyen-van-an.pdf": ASCII, safe in any unzip tool."""
    name = re.sub(r"[^a-z0-9]+", "-", fold(certificate.full_name)).strip("-")
    return f"{certificate.serial} {name}.pdf" if name else f"{certificate.serial}.pdf"
