"""`make bench-certificates`: the certificate PDF budgets.

  - certificates rendered per second on one core (the process is pinned to one CPU):
    median of 3 runs of 200, budget ≥ 100/s;
  - a ZIP of 1,000 certificates written to a temporary file: budget < 15 s
    (app.certificates.pdf.write_zip, which STOREs the already compressed PDFs; the
    same ZIP with ZIP_DEFLATED is timed for comparison).

Also prints the PDF size and the embedded font bytes per PDF. The snapshots carry
long Vietnamese names, units and courses. The ratio printed is measured / budget
for the rate (≥ 1.0 passes) and time / budget for the ZIP (≤ 1.0 passes). Exits 1 if
a budget is missed. Not part of `make test` or CI.
"""

import io
import os
import statistics
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUDGET_PER_SECOND = 100
BUDGET_ZIP_SECONDS = 15.0
RUNS, BATCH, ZIP_COUNT = 3, 200, 1000

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Đặng", "Bùi"]
MIDDLE = ["Thị Hồng", "Văn", "Ngọc", "Thị Thanh", "Hữu", "Đức", "Thị Phương Uyển"]
GIVEN = ["Nhung", "Ất", "Hường", "Khuê", "Dũng", "Yến", "Quỳnh", "Ửng", "Nguyệt"]
UNITS = [
    "Phòng Quản lý công chức, viên chức và Tổ chức biên chế, Sở Nội vụ tỉnh An Giang",
    "Ủy ban nhân dân xã Vĩnh Hậu (sau sắp xếp đơn vị hành chính cấp xã năm 2025)",
    "Trung tâm Phục vụ hành chính công tỉnh Đồng Tháp, bộ phận tiếp nhận hồ sơ",
]
COURSES = [
    "Bồi dưỡng cập nhật kiến thức, kỹ năng về văn hóa công vụ, đạo đức công vụ và "
    "chuẩn mực giao tiếp, ứng xử của cán bộ, công chức, viên chức",
    "Văn hóa công vụ: tinh thần, thái độ làm việc; trang phục, thẻ; kỷ cương "
    "hành chính",
]


def snapshots(count: int):
    sys.path.insert(0, str(REPO))
    from app.certificates.snapshot import CertificateSnapshot, IssuerSettings

    issuer = IssuerSettings(
        parent_body="ỦY BAN NHÂN DÂN TỈNH AN GIANG",
        issuing_body="TRUNG TÂM BỒI DƯỠNG CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC",
        place="An Giang",
        signer_authority="KT. GIÁM ĐỐC",
        signer_title="PHÓ GIÁM ĐỐC",
        signer_name="Nguyễn Văn Ất",
    )
    start = datetime(2026, 2, 4, 20, 0, tzinfo=UTC)
    for n in range(count):
        name = f"{FAMILY[n % 9]} {MIDDLE[n % 7]} {GIVEN[(n // 3) % 9]}"
        yield CertificateSnapshot(
            serial=f"VHCV-2026-{n + 1:06d}",
            verify_url=f"https://vhcv.angiang.gov.vn/verify/{n:08X}Q7XK2M9PLW4T",
            full_name=name,
            unit_name=UNITS[n % len(UNITS)],
            course_title=COURSES[n % len(COURSES)],
            campaign_title=f"Đợt bồi dưỡng văn hóa công vụ quý {n % 4 + 1} năm 2026",
            periods=8 + n % 32,
            score_percent=70 + (n % 61) / 2,
            passed_at=start - timedelta(days=n % 20),
            issued_at=start + timedelta(minutes=n),
            issuer=issuer,
        )


def embedded_font_bytes(data: bytes) -> tuple[int, int]:
    """Bytes of the FontFile2 streams in one PDF: (font programs, as stored)."""
    import pypdf

    page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
    decoded = stored = 0
    for ref in page["/Resources"]["/Font"].values():
        descriptor = ref.get_object()["/FontDescriptor"].get_object()
        stream = descriptor["/FontFile2"].get_object()
        decoded += len(stream.get_data())
        stored += len(getattr(stream, "_data", b""))  # pypdf keeps the raw bytes
    return decoded, stored


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity)"


def main() -> int:
    print(f"Certificate PDFs — {pin_to_one_core()}")
    from app.certificates.pdf import render_certificate

    batch = list(snapshots(BATCH))
    sample = render_certificate(batch[0])  # registers the fonts (once per process)
    rates = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        for snap in batch:
            render_certificate(snap)
        rates.append(BATCH / (time.perf_counter() - t0))
    rate = statistics.median(rates)
    sizes = [len(render_certificate(s)) for s in batch[:20]]
    font_decoded, font_stored = embedded_font_bytes(sample)
    print(f"  PDF size: {statistics.median(sizes) / 1024:.1f} KB (median of 20)")
    print(
        f"  embedded fonts per PDF: {font_stored / 1024:.1f} KB stored "
        f"({font_decoded / 1024:.1f} KB of font programs)"
    )
    runs = ", ".join(f"{r:.0f}" for r in rates)
    print(f"  rate: {rate:.0f}/s (runs: {runs})")

    zip_seconds = time_zip()

    checks = [
        (
            f"certificates/s ≥ {BUDGET_PER_SECOND}",
            rate / BUDGET_PER_SECOND,
            rate >= BUDGET_PER_SECOND,
        ),
        (
            f"ZIP of {ZIP_COUNT} < {BUDGET_ZIP_SECONDS:.0f} s",
            zip_seconds / BUDGET_ZIP_SECONDS,
            zip_seconds < BUDGET_ZIP_SECONDS,
        ),
    ]
    print()
    for label, ratio, ok in checks:
        print(f"  {label:<28} ratio {ratio:5.2f}  {'PASS' if ok else 'FAIL'}")
    return 0 if all(ok for _, _, ok in checks) else 1


def time_zip() -> float:
    """Seconds to write the ZIP of ZIP_COUNT certificates (STORED, as the app does);
    prints it with the same ZIP DEFLATED for comparison."""
    from app.certificates.pdf import render_many, write_zip

    many = list(snapshots(ZIP_COUNT))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "certificates.zip"
        t0 = time.perf_counter()
        with path.open("wb") as target:
            count = write_zip(many, target)
        zip_seconds = time.perf_counter() - t0
        zip_size = path.stat().st_size
        deflated = Path(tmp) / "deflated.zip"
        t0 = time.perf_counter()
        with zipfile.ZipFile(deflated, "w", compression=zipfile.ZIP_DEFLATED) as z:
            for name, data in render_many(many):
                z.writestr(name, data)
        deflated_seconds = time.perf_counter() - t0
        deflated_size = deflated.stat().st_size
    assert count == ZIP_COUNT
    print(
        f"  ZIP of {ZIP_COUNT} (STORED): {zip_seconds:.2f} s, "
        f"{zip_size / 1024 / 1024:.1f} MB; "
        f"DEFLATED for comparison: {deflated_seconds:.2f} s, "
        f"{deflated_size / 1024 / 1024:.1f} MB"
    )
    return zip_seconds


if __name__ == "__main__":
    sys.exit(main())
