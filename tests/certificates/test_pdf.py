"""The certificate PDF: A4 landscape, embedded Vietnamese font, text that extracts
equal to the snapshot (NFC, every diacritic), and a QR code that decodes to the
verification URL."""

import io
import re
import unicodedata
import zipfile
from datetime import UTC, datetime

import pypdf
import pypdfium2
import pytest
import zxingcpp

from app.certificates.pdf import (
    filename_for,
    render_certificate,
    render_many,
    vn_date_line,
    write_zip,
)
from app.certificates.snapshot import CertificateSnapshot, IssuerSettings

ISSUER = IssuerSettings(
    parent_body="ỦY BAN NHÂN DÂN TỈNH AN GIANG",
    issuing_body="SỞ NỘI VỤ",
    place="An Giang",
    signer_authority="KT. GIÁM ĐỐC",
    signer_title="PHÓ GIÁM ĐỐC",
    signer_name="Nguyễn Văn Ất",
)


def make_snapshot(**overrides) -> CertificateSnapshot:
    values = dict(
        serial="VHCV-2026-000123",
        verify_url="https://vhcv.angiang.gov.vn/verify/Q7XK2M9PLW4TZ8RB",
        full_name="Nguyễn Thị Hồng Nhung",
        unit_name="Phòng Tổ chức - Công chức, Sở Nội vụ tỉnh An Giang",
        course_title="Văn hóa công vụ, đạo đức và kỹ năng ứng xử",
        campaign_title="Bồi dưỡng quý I năm 2026",
        periods=8,
        score_percent=92.5,
        passed_at=datetime(2026, 2, 3, 2, 0, tzinfo=UTC),
        # 2026-02-04 20:00 UTC is 2026-02-05 03:00 in Vietnam.
        issued_at=datetime(2026, 2, 4, 20, 0, tzinfo=UTC),
        issuer=ISSUER,
    )
    values.update(overrides)
    return CertificateSnapshot(**values)


def extract(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def flat(text: str) -> str:
    """NFC with runs of whitespace (line breaks of wrapped lines) as one space."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text))


@pytest.fixture(scope="module")
def snapshot():
    return make_snapshot()


@pytest.fixture(scope="module")
def pdf_bytes(snapshot):
    return render_certificate(snapshot)


def test_the_text_extracts_equal_to_the_snapshot_with_every_diacritic(
    snapshot, pdf_bytes
):
    raw = extract(pdf_bytes)
    text = flat(raw)
    assert snapshot.full_name in raw  # exactly, not only after normalising
    assert unicodedata.normalize("NFC", raw) == raw
    expected = [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "ỦY BAN NHÂN DÂN TỈNH AN GIANG",
        "SỞ NỘI VỤ",
        "GIẤY CHỨNG NHẬN",
        "Hoàn thành khóa bồi dưỡng",
        "Nguyễn Thị Hồng Nhung",
        "Đơn vị công tác: Phòng Tổ chức - Công chức, Sở Nội vụ tỉnh An Giang",
        "Khóa bồi dưỡng: Văn hóa công vụ, đạo đức và kỹ năng ứng xử",
        "Thuộc đợt: Bồi dưỡng quý I năm 2026",
        "8 tiết",
        "92,5%",
        "Hoàn thành ngày 03/02/2026",
        "An Giang, ngày 05 tháng 02 năm 2026",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Nguyễn Văn Ất",
        "Số hiệu: VHCV-2026-000123",
        "Quét mã QR để xác minh",
        snapshot.verify_url,
    ]
    for phrase in expected:
        assert phrase in text, phrase
    assert "chứng chỉ" not in text.lower()


def test_decomposed_input_is_drawn_as_nfc():
    decomposed = unicodedata.normalize("NFD", "Trần Thị Ngọc Hường")
    data = render_certificate(make_snapshot(full_name=decomposed))
    assert "Trần Thị Ngọc Hường" in extract(data)


def test_long_names_wrap_and_still_extract_whole():
    unit = (
        "Phòng Quản lý công chức, viên chức và Tổ chức biên chế, "
        "Sở Nội vụ tỉnh An Giang (sau sắp xếp đơn vị hành chính năm 2025)"
    )
    course = (
        "Bồi dưỡng cập nhật kiến thức, kỹ năng về văn hóa công vụ, đạo đức "
        "công vụ và chuẩn mực giao tiếp, ứng xử của cán bộ, công chức, viên chức"
    )
    snap = make_snapshot(
        unit_name=unit,
        course_title=course,
        full_name="Tôn Nữ Thị Phương Uyển Nguyệt Khuê",
        issuer=IssuerSettings(
            parent_body="ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH",
            issuing_body="TRUNG TÂM BỒI DƯỠNG CÁN BỘ, CÔNG CHỨC VÀ VIÊN CHỨC",
            place="Thành phố Hồ Chí Minh",
            signer_authority="",
            signer_title="Giám đốc",
            signer_name="Lê Thị Ửng",
        ),
    )
    text = flat(extract(render_certificate(snap)))
    assert unit in text and course in text
    assert "Tôn Nữ Thị Phương Uyển Nguyệt Khuê" in text
    assert "TRUNG TÂM BỒI DƯỠNG CÁN BỘ, CÔNG CHỨC VÀ VIÊN CHỨC" in text
    assert "GIÁM ĐỐC" in text and "Lê Thị Ửng" in text
    assert "Thành phố Hồ Chí Minh, ngày 05 tháng 02 năm 2026" in text


@pytest.mark.parametrize(
    "moment, line",
    [
        (datetime(2026, 2, 4, 17, 0, tzinfo=UTC), "Huế, ngày 05 tháng 02 năm 2026"),
        (datetime(2026, 1, 9, 1, 0, tzinfo=UTC), "Huế, ngày 09 tháng 01 năm 2026"),
        (datetime(2026, 3, 5, 1, 0, tzinfo=UTC), "Huế, ngày 05 tháng 3 năm 2026"),
        (datetime(2025, 12, 31, 18, 0, tzinfo=UTC), "Huế, ngày 01 tháng 01 năm 2026"),
        (datetime(2026, 11, 25, 1, 0, tzinfo=UTC), "Huế, ngày 25 tháng 11 năm 2026"),
    ],
)
def test_place_and_date_follow_decree_30_in_vietnam_time(moment, line):
    assert vn_date_line("Huế", moment) == line


def test_the_page_is_a4_landscape(pdf_bytes):
    page = pypdf.PdfReader(io.BytesIO(pdf_bytes)).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert abs(width - 842) <= 1 and abs(height - 595) <= 1


def test_the_font_is_embedded(pdf_bytes):
    page = pypdf.PdfReader(io.BytesIO(pdf_bytes)).pages[0]
    fonts = page["/Resources"]["/Font"]
    assert fonts
    for ref in fonts.values():
        font = ref.get_object()
        assert font["/Subtype"] == "/TrueType"
        assert "/FontFile2" in font["/FontDescriptor"].get_object(), font
        assert "/ToUnicode" in font
        assert "VHCVSerif" in font["/BaseFont"]


def test_the_qr_code_decodes_to_the_verification_url(snapshot, pdf_bytes):
    document = pypdfium2.PdfDocument(pdf_bytes)
    try:
        image = document[0].render(scale=3).to_pil()
    finally:
        document.close()
    found = [b.text for b in zxingcpp.read_barcodes(image)]
    assert found == [snapshot.verify_url]


def test_a_long_url_still_decodes():
    url = "https://bồi-dưỡng.example.gov.vn/verify/" + "AbC123xYz9" * 8
    data = render_certificate(make_snapshot(verify_url=url))
    document = pypdfium2.PdfDocument(data)
    try:
        image = document[0].render(scale=3).to_pil()
    finally:
        document.close()
    assert [b.text for b in zxingcpp.read_barcodes(image)] == [url]


def test_render_many_and_the_zip_hold_one_pdf_per_snapshot():
    snaps = [make_snapshot(serial=f"VHCV-2026-{n:06d}") for n in range(1, 4)]
    names = [name for name, _ in render_many(snaps)]
    assert names == [f"VHCV-2026-{n:06d}.pdf" for n in range(1, 4)]
    buffer = io.BytesIO()
    assert write_zip(snaps, buffer) == 3
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        assert archive.namelist() == names
        data = archive.read(names[1])
    assert data.startswith(b"%PDF-")
    assert "Số hiệu: VHCV-2026-000002" in extract(data)


def test_filenames_are_safe():
    assert filename_for(make_snapshot(serial="../VHCV 2026/01")) == "VHCV_2026_01.pdf"
