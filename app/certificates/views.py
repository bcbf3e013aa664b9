"""Public verification, downloads for the holder and HR officers, revocation.

Who may see a certificate: its holder (valid ones), and HR officers/administrators
whose subtree holds the cadre's current unit. Anyone else gets 404 (no leak).
"""

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app.accounts.models import Unit
from app.accounts.permissions import get_scoped_user
from app.audit import services as audit
from app.database import int_arg, start_writing
from app.downloads import content_disposition, stream_in_context
from app.errors import DomainError, NotFound
from app.errors import lazy_gettext as _l
from app.extensions import db, limiter
from app.jobs import services as jobs
from app.records import visibility
from app.records.models import Campaign, Certificate
from app.security import not_from_other_sites, role_required
from app.timeutil import utcnow

from . import archive, services

bp = Blueprint("certificates", __name__)

PDF_MIME = "application/pdf"
ZIP_MIME = "application/zip"


@bp.get("/verify/<code>")
@limiter.limit("30 per minute")
def verify(code: str):
    certificate = services.by_code(code)
    response = Response(
        render_template("certificates/verify.html", certificate=certificate)
    )
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.get("/certificates/<int:cert_id>.pdf")
@login_required
def download(cert_id: int):
    certificate = _visible(cert_id)
    response = Response(services.pdf_bytes(certificate), mimetype=PDF_MIME)
    response.headers["Content-Disposition"] = content_disposition(
        services.pdf_filename(certificate)
    )
    return response


@bp.get("/reports/certificates.zip")
@role_required("hr", "admin")
@not_from_other_sites
def export_zip():
    campaign, unit = _selection()
    start_writing()
    audit.record(
        "certificates.exported",
        actor=current_user,
        target=unit,
        campaign=campaign.code,
        unit=unit.code,
    )
    db.session.commit()
    query = services.unit_query(campaign, unit)
    if _count(query) > current_app.config["ZIP_JOB_CERTIFICATES"]:
        job = jobs.submit(
            "certificates.zip",
            _l(
                "Giấy chứng nhận %(code)s — %(unit)s (ZIP)",
                code=campaign.code,
                unit=unit.name,
            ),
            current_user.id,
            {"campaign": campaign.code, "unit": unit.id},
        )
        return jobs.started(job)
    chunks = stream_in_context(lambda: _zip_then_close(query))
    response = Response(chunks, mimetype=ZIP_MIME)
    response.headers["Content-Disposition"] = content_disposition(
        archive.zip_filename(campaign, unit)
    )
    return response


@bp.get("/certificates/<int:cert_id>/revoke")
@role_required("hr", "admin")
def revoke_preview(cert_id: int):
    """The confirm step of a revocation, with what the public verification page
    will then say (the reason included); changes nothing."""
    certificate = _actionable(cert_id)
    reason = " ".join(request.args.get("reason", "").split())[: services.REASON_MAX]
    if not certificate.is_valid:
        flash(_("Giấy chứng nhận %(s)s đã bị thu hồi.", s=certificate.serial), "error")
        return _back_to(certificate)
    if not reason:
        flash(_("Cần ghi lý do thu hồi giấy chứng nhận."), "error")
        return _back_to(certificate)
    return render_template(
        "certificates/confirm_revoke.html",
        certificate=certificate,
        reason=reason,
        now=utcnow(),
        title=_("Thu hồi giấy chứng nhận %(s)s?", s=certificate.serial),
        effects=[
            _(
                "giấy chứng nhận số %(s)s của %(name)s hết hiệu lực ngay; không "
                "hoàn tác được (chỉ có thể cấp lại một giấy mới);",
                s=certificate.serial,
                name=certificate.full_name,
            ),
            _(
                "ai quét mã QR hoặc mở liên kết xác minh của giấy này sẽ thấy nó đã "
                "bị thu hồi, cùng ngày thu hồi và lý do dưới đây (công khai);"
            ),
            _("ghi thao tác vào nhật ký."),
        ],
        action=url_for("certificates.revoke", cert_id=certificate.id),
        fields={"reason": reason},
        button=_("Thu hồi"),
        cancel=_back_url(certificate),
    )


@bp.post("/certificates/<int:cert_id>/revoke")
@role_required("hr", "admin")
def revoke(cert_id: int):
    certificate = _actionable(cert_id)
    if request.form.get("confirm") != "1":
        return redirect(
            url_for(
                "certificates.revoke_preview",
                cert_id=certificate.id,
                reason=request.form.get("reason", ""),
            )
        )
    try:
        services.revoke(certificate, request.form.get("reason", ""), current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _back_to(certificate)
    db.session.commit()
    flash(_("Đã thu hồi giấy chứng nhận %(s)s.", s=certificate.serial), "success")
    return _back_to(certificate)


@bp.get("/certificates/<int:cert_id>/reissue")
@role_required("hr", "admin")
def reissue_preview(cert_id: int):
    """The confirm step of a reissue; changes nothing."""
    certificate = _actionable(cert_id)
    effects = []
    if certificate.is_valid:
        effects.append(
            _(
                "thu hồi giấy chứng nhận số %(s)s với lý do “%(r)s” (lý do hiện công "
                "khai trên trang xác minh của giấy cũ);",
                s=certificate.serial,
                r=services.REISSUE_REASON,
            )
        )
    effects += [
        _(
            "cấp cho %(name)s một giấy chứng nhận mới, số mới và mã QR mới, theo "
            "thông tin hiện tại (họ tên, đơn vị, cơ quan cấp);",
            name=certificate.full_name,
        ),
        _("giấy cũ đã in hoặc đã gửi đi sẽ báo “đã thu hồi” khi được xác minh."),
    ]
    return render_template(
        "confirm.html",
        title=_("Cấp lại giấy chứng nhận %(s)s?", s=certificate.serial),
        effects=effects,
        action=url_for("certificates.reissue", cert_id=certificate.id),
        button=_("Cấp lại"),
        cancel=_back_url(certificate),
    )


@bp.post("/certificates/<int:cert_id>/reissue")
@role_required("hr", "admin")
def reissue(cert_id: int):
    certificate = _actionable(cert_id)
    if request.form.get("confirm") != "1":
        return redirect(url_for("certificates.reissue_preview", cert_id=certificate.id))
    try:
        new = services.reissue(certificate, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _back_to(certificate)
    db.session.commit()
    flash(_("Đã cấp lại giấy chứng nhận số %(s)s.", s=new.serial), "success")
    return _back_to(certificate)


def _visible(cert_id: int) -> Certificate:
    """The holder's own valid certificate, or any in an HR officer's scope."""
    certificate = services.get_certificate(cert_id)
    if certificate.user_id == current_user.id and certificate.is_valid:
        return certificate
    if current_user.has_role("hr", "admin"):
        return _managed(cert_id)
    raise NotFound(_l("Không tìm thấy giấy chứng nhận."))


def _managed(cert_id: int) -> Certificate:
    """A certificate whose holder is in the viewer's HR scope; else NotFound."""
    certificate = services.get_certificate(cert_id)
    get_scoped_user(current_user, certificate.user_id, "hr")
    return certificate


def _actionable(cert_id: int) -> Certificate:
    """A certificate the viewer may revoke or reissue: in its HR scope (else
    NotFound) and of an account it may act on (else NotAllowed)."""
    certificate = _managed(cert_id)
    services.check_actor(current_user, certificate)
    return certificate


def _selection() -> tuple[Campaign, Unit]:
    """?campaign=CODE&unit=ID, defaulting as the dashboard does; NotFound when
    unknown or outside the viewer's scope."""
    return visibility.selection(
        current_user, request.args.get("campaign"), int_arg("unit")
    )


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def _zip_then_close(query):
    """The ZIP's chunks; the read transaction ends with the last one."""
    certificates = services.stream(query)
    yield from archive.zip_chunks(certificates)
    db.session.close()


def _back_url(certificate: Certificate) -> str:
    return (
        url_for(
            "reports.cadre",
            user_id=certificate.user_id,
            campaign=certificate.campaign.code,
        )
        + "#certificates"
    )


def _back_to(certificate: Certificate):
    return redirect(_back_url(certificate))
