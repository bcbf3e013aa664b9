"""What a certificate says: an immutable snapshot taken at issue. Pure data; the PDF
module draws it and the verification page shows part of it."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class IssuerSettings:
    """The issuing body and signature block (configurable; see app/config.py)."""

    parent_body: str  # e.g. "ỦY BAN NHÂN DÂN TỈNH AN GIANG" (may be "")
    issuing_body: str  # e.g. "SỞ NỘI VỤ"
    place: str  # e.g. "An Giang" — "<place>, ngày … tháng … năm …"
    signer_authority: str  # e.g. "KT. GIÁM ĐỐC" (may be "")
    signer_title: str  # e.g. "PHÓ GIÁM ĐỐC"
    signer_name: str  # e.g. "Nguyễn Văn A"
    document_title: str = "GIẤY CHỨNG NHẬN"  # never "chứng chỉ"


@dataclass(frozen=True)
class CertificateSnapshot:
    serial: str  # "VHCV-2026-000123"
    verify_url: str  # absolute URL of /verify/<code>, encoded in the QR code
    full_name: str  # NFC
    unit_name: str  # the unit at issue
    course_title: str
    campaign_title: str
    periods: int  # số tiết
    score_percent: float
    passed_at: datetime  # aware; shown as the Vietnam date
    issued_at: datetime  # aware; "ngày … tháng … năm …" in Vietnam time
    issuer: IssuerSettings
