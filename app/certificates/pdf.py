"""The certificate PDF: one A4-landscape page drawn with ReportLab.

This module alone knows the PDF library. It draws a CertificateSnapshot after the
layout conventions of Nghị định 30/2020/NĐ-CP (Phụ lục I) by analogy: the issuing body
top left (parent body above it, not bold; a short rule under it), the Quốc hiệu and
Tiêu ngữ top right (a rule under the motto as long as the text), the document name
"GIẤY CHỨNG NHẬN", the body, "<place>, ngày dd tháng mm năm yyyy" in italic and the
signature block (authority prefix + title in bold capitals, the signer's name bold).
A QR code of the verification URL and the serial sit bottom left.

Speed (budget ≥ 100 certificates/s on one core): the fonts are registered once per
process, every static measurement is computed once (`_Layout`), the QR code uses a
fixed mask (automatic mask choice costs 6–8 ms) and is drawn as one filled path of
rectangles, and text is drawn with drawString (no Platypus).

The embedded font is Liberation Serif (Times-metric, SIL OFL 1.1), cut down to the
Latin and Vietnamese glyphs and renamed "VHCV Serif" (fonts/subset.py). ReportLab
embeds a subset of it with a ToUnicode map, so the text extracts with every
diacritic intact; text is normalised to NFC before it is drawn.
"""

from __future__ import annotations

import io
import re
import threading
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import BinaryIO

import segno
from reportlab import rl_config
from reportlab.lib.colors import Color
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from app.certificates.snapshot import CertificateSnapshot
from app.timeutil import paper_dated, to_vn
from app.vntext import nfc

FONT_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR = "VHCVSerif"
BOLD = "VHCVSerif-Bold"
ITALIC = "VHCVSerif-Italic"
BOLD_ITALIC = "VHCVSerif-BoldItalic"

PAGE_WIDTH, PAGE_HEIGHT = 841.8898, 595.2756  # A4 landscape, points
DEEP_RED = Color(0.608, 0.094, 0.118)  # #9B1B1E
BLACK = Color(0, 0, 0)

# A fixed mask: segno's automatic choice evaluates all eight (6–8 ms a code).
QR_MASK = 4
QR_ERROR = "m"

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
SUBTITLE = "Hoàn thành khóa bồi dưỡng"
SCAN_HINT = "Quét mã QR để xác minh"

_register_lock = threading.Lock()
_registered = False


def _register_fonts() -> None:
    """Register the four styles with ReportLab once per process."""
    global _registered
    if _registered:
        return
    with _register_lock:
        if _registered:
            return
        for name, style in (
            (REGULAR, "Regular"),
            (BOLD, "Bold"),
            (ITALIC, "Italic"),
            (BOLD_ITALIC, "BoldItalic"),
        ):
            path = FONT_DIR / f"VHCVSerif-{style}.ttf"
            pdfmetrics.registerFont(TTFont(name, str(path)))
        # Binary streams: ASCII85 costs ~1.5 ms a certificate and 25 % in size.
        rl_config.useA85 = 0
        pdfmetrics.registerFontFamily(
            REGULAR, normal=REGULAR, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC
        )
        _registered = True


def vn_date_line(place: str, moment) -> str:
    """'<place>, ngày 05 tháng 02 năm 2026' of `moment`'s day in Vietnam time
    (timeutil.paper_dated)."""
    return paper_dated(nfc(place), to_vn(moment).date())


def format_score(score_percent: float) -> str:
    """92.5 -> '92,5%' (Vietnamese decimal comma, at most one decimal)."""
    text = f"{score_percent:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + "%"


def body_lines(snapshot: CertificateSnapshot) -> dict[str, str]:
    """The variable lines of the certificate, as drawn (NFC): the tests compare the
    extracted text against these."""
    return {
        "name": nfc(snapshot.full_name),
        "unit": f"Đơn vị công tác: {nfc(snapshot.unit_name)}",
        "course": f"Khóa bồi dưỡng: {nfc(snapshot.course_title)}",
        "campaign": f"Thuộc đợt: {nfc(snapshot.campaign_title)}",
        "result": (
            f"Thời lượng: {snapshot.periods} tiết — "
            f"Kết quả: đạt {format_score(snapshot.score_percent)} — "
            f"Hoàn thành ngày {to_vn(snapshot.passed_at):%d/%m/%Y}"
        ),
        "date": vn_date_line(snapshot.issuer.place, snapshot.issued_at),
        "serial": f"Số hiệu: {nfc(snapshot.serial)}",
    }


@dataclass(frozen=True)
class _Layout:
    """Every position and static measurement, computed once per process."""

    # Borders
    outer_inset: float = 20.0
    outer_width: float = 4.0
    inner_inset: float = 29.0
    inner_width: float = 0.8
    # Header columns (centres) and baselines
    left_centre: float = 205.0
    right_centre: float = 585.0
    left_width: float = 300.0
    header_top: float = PAGE_HEIGHT - 68.0
    header_size: float = 12.5
    motto_size: float = 13.5
    header_leading: float = 16.0
    # Body
    centre: float = PAGE_WIDTH / 2
    title_y: float = PAGE_HEIGHT - 170.0
    title_size: float = 32.0
    subtitle_size: float = 15.0
    name_size: float = 24.0
    text_size: float = 14.0
    text_leading: float = 18.0
    body_width: float = 640.0
    # Bottom
    qr_x: float = 58.0
    qr_y: float = 58.0
    qr_size: float = 92.0
    sign_centre: float = 610.0
    sign_top: float = 178.0
    sign_width: float = 330.0


L = _Layout()


@cache
def _static_widths() -> dict[str, float]:
    _register_fonts()
    width = pdfmetrics.stringWidth
    return {
        "national": width(NATIONAL_TITLE, BOLD, L.header_size),
        "motto": width(MOTTO, BOLD, L.motto_size),
    }


def _centred(c, text: str, x: float, y: float, font: str, size: float) -> float:
    """Draw `text` centred at x; return its width."""
    w = pdfmetrics.stringWidth(text, font, size)
    c.setFont(font, size)
    c.drawString(x - w / 2, y, text)
    return w


def _centred_wrapped(
    c, text: str, x: float, y: float, font: str, size: float, width: float, lead: float
) -> float:
    """Draw `text` centred, wrapped to `width`; return the baseline after it."""
    lines = simpleSplit(text, font, size, width) or [""]
    c.setFont(font, size)
    for line in lines:
        w = pdfmetrics.stringWidth(line, font, size)
        c.drawString(x - w / 2, y, line)
        y -= lead
    return y


def _draw_borders(c) -> None:
    c.setStrokeColor(DEEP_RED)
    c.setLineWidth(L.outer_width)
    o = L.outer_inset
    c.rect(o, o, PAGE_WIDTH - 2 * o, PAGE_HEIGHT - 2 * o, stroke=1, fill=0)
    c.setLineWidth(L.inner_width)
    i = L.inner_inset
    c.rect(i, i, PAGE_WIDTH - 2 * i, PAGE_HEIGHT - 2 * i, stroke=1, fill=0)


def _draw_header(c, snapshot: CertificateSnapshot) -> None:
    widths = _static_widths()
    issuer = snapshot.issuer
    c.setFillColor(BLACK)
    c.setStrokeColor(BLACK)
    c.setLineWidth(0.6)

    # Ô 2: parent body (not bold) and issuing body (bold), capitals, rule under it.
    y = L.header_top
    size, lead = L.header_size, L.header_leading
    if issuer.parent_body:
        parent = nfc(issuer.parent_body).upper()
        y = _centred_wrapped(
            c, parent, L.left_centre, y, REGULAR, size, L.left_width, lead
        )
    issuing_lines = simpleSplit(
        nfc(issuer.issuing_body).upper(), BOLD, size, L.left_width
    )
    c.setFont(BOLD, size)
    widest = 0.0
    for line in issuing_lines:
        w = pdfmetrics.stringWidth(line, BOLD, size)
        widest = max(widest, w)
        c.drawString(L.left_centre - w / 2, y, line)
        y -= lead
    rule = max(widest * 0.4, 40.0)  # NĐ 30: 1/3–1/2 of the text
    rule_y = y + lead - 7
    c.line(L.left_centre - rule / 2, rule_y, L.left_centre + rule / 2, rule_y)

    # Ô 1: Quốc hiệu and Tiêu ngữ, a rule under the motto as long as the text.
    y = L.header_top
    w = widths["national"]
    c.setFont(BOLD, L.header_size)
    c.drawString(L.right_centre - w / 2, y, NATIONAL_TITLE)
    y -= L.header_leading + 1
    w = widths["motto"]
    c.setFont(BOLD, L.motto_size)
    c.drawString(L.right_centre - w / 2, y, MOTTO)
    rule_y = y - 7
    c.line(L.right_centre - w / 2, rule_y, L.right_centre + w / 2, rule_y)


def _draw_body(c, snapshot: CertificateSnapshot, lines: dict[str, str]) -> None:
    x = L.centre
    c.setFillColor(DEEP_RED)
    _centred(c, nfc(snapshot.issuer.document_title), x, L.title_y, BOLD, L.title_size)
    c.setFillColor(BLACK)
    y = L.title_y - 30
    _centred(c, SUBTITLE, x, y, ITALIC, L.subtitle_size)
    y -= 40
    y = _centred_wrapped(
        c, lines["name"], x, y, BOLD, L.name_size, L.body_width, L.name_size + 6
    )
    y -= 8
    size, lead, width = L.text_size, L.text_leading, L.body_width
    for key in ("unit", "course", "campaign"):
        y = _centred_wrapped(c, lines[key], x, y, REGULAR, size, width, lead) - 4
    _centred_wrapped(c, lines["result"], x, y, BOLD, size, width, lead)


def _draw_signature(c, snapshot: CertificateSnapshot, lines: dict[str, str]) -> None:
    issuer = snapshot.issuer
    x, width = L.sign_centre, L.sign_width
    y = _centred_wrapped(
        c, lines["date"], x, L.sign_top, ITALIC, L.text_size, width, L.text_leading
    )
    y -= 4
    size, lead = 13.0, 17.0
    if issuer.signer_authority:
        y = _centred_wrapped(
            c, nfc(issuer.signer_authority).upper(), x, y, BOLD, size, width, lead
        )
    y = _centred_wrapped(
        c, nfc(issuer.signer_title).upper(), x, y, BOLD, size, width, lead
    )
    y = min(y - 62, L.qr_y + 14)
    _centred_wrapped(c, nfc(issuer.signer_name), x, y, BOLD, 14.0, width, lead)


def _draw_qr(c, snapshot: CertificateSnapshot, lines: dict[str, str]) -> None:
    qr = segno.make(snapshot.verify_url, error=QR_ERROR, mask=QR_MASK, micro=False)
    matrix = qr.matrix
    n = len(matrix)
    module = L.qr_size / n
    top = L.qr_y + L.qr_size
    path = c.beginPath()
    for r, row in enumerate(matrix):
        y = top - (r + 1) * module
        start = -1
        for col in range(n + 1):
            dark = col < n and row[col]
            if dark and start < 0:
                start = col
            elif not dark and start >= 0:
                path.rect(L.qr_x + start * module, y, (col - start) * module, module)
                start = -1
    c.setFillColor(BLACK)
    c.drawPath(path, stroke=0, fill=1)

    tx = L.qr_x + L.qr_size + 12
    c.setFont(REGULAR, 11)
    c.drawString(tx, L.qr_y + 30, lines["serial"])
    c.setFont(REGULAR, 8.5)
    c.drawString(tx, L.qr_y + 16, SCAN_HINT)
    c.drawString(tx, L.qr_y + 4, snapshot.verify_url.split("#", 1)[0])


def render_certificate(snapshot: CertificateSnapshot) -> bytes:
    """One A4-landscape certificate page as PDF bytes."""
    _register_fonts()
    lines = body_lines(snapshot)
    buffer = io.BytesIO()
    c = canvas.Canvas(
        buffer,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        pageCompression=1,  # 37 KB instead of 64 KB, for ~20 % of the time
        invariant=0,
        initialFontName=REGULAR,  # no unused Helvetica in the font resources
    )
    c.setTitle(f"{nfc(snapshot.issuer.document_title)} {nfc(snapshot.serial)}")
    c.setAuthor(nfc(snapshot.issuer.issuing_body))
    c.setSubject(lines["name"])
    _draw_borders(c)
    _draw_header(c, snapshot)
    _draw_body(c, snapshot, lines)
    _draw_signature(c, snapshot, lines)
    _draw_qr(c, snapshot, lines)
    c.showPage()
    c.save()
    return buffer.getvalue()


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def filename_for(snapshot: CertificateSnapshot) -> str:
    """'VHCV-2026-000123.pdf' (ASCII, safe in a ZIP and a Content-Disposition)."""
    return (_UNSAFE.sub("_", snapshot.serial).strip("._-") or "certificate") + ".pdf"


def render_many(
    snapshots: Iterable[CertificateSnapshot],
) -> Iterator[tuple[str, bytes]]:
    """(filename, pdf) for each snapshot, lazily."""
    for snapshot in snapshots:
        yield filename_for(snapshot), render_certificate(snapshot)


def write_zip(snapshots: Iterable[CertificateSnapshot], target: BinaryIO) -> int:
    """Write one PDF per snapshot into a ZIP at `target`; return how many.

    The PDFs are already compressed, so they are STORED (deflating them again
    costs time and saves little)."""
    count = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in render_many(snapshots):
            archive.writestr(name, data)
            count += 1
    return count
