"""Regenerate the cadre-import fixtures in this folder: `python -m tests.data.cadres.make_fixtures` from the repository root.

Units are those of tests.factories.make_tree (P → D → D1 → D1A, P → C → C1).
Legacy files are written the way old Vietnamese tools leave them: TCVN3 (ABC) or
VNI-Windows byte values, saved as 8-bit text (shown by Excel/openpyxl as cp1252).
"""

import io
import random
import unicodedata
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from app.legacy_tables import TCVN3_TO_UNICODE, VNI_TO_UNICODE

HERE = Path(__file__).parent
TO_TCVN3 = {u: c for c, u in TCVN3_TO_UNICODE.items()}
TO_VNI = {u: c for c, u in VNI_TO_UNICODE.items()}
TONES = "\u0300\u0301\u0303\u0309\u0323"


def tcvn3(text: str) -> str:
    return "".join(TO_TCVN3.get(c, c) for c in text)


def vni(text: str) -> str:
    return "".join(TO_VNI.get(c, c) for c in text)


def lower_tcvn3(text: str) -> str:
    """What a ".VnTimeH" cell holds: the lowercase codes, shown as capitals."""
    return tcvn3(text.lower())


def write(name: str, data: bytes) -> None:
    (HERE / name).write_bytes(data)


def main() -> None:
    write(
        "semicolon_bom.csv",
        "\ufeffMã cán bộ;Họ và tên;Mã đơn vị;Chức vụ;Loại;Email;Đang làm việc\r\n"
        "CB001;Trần Văn Chuyện;D1;Chuyên viên;Công chức;chuyen@example.vn;có\r\n"
        "CB002;Lê Thị Minh Phụng;D;Phó Giám đốc;cán bộ;;có\r\n"
        'CB003;Nguyễn Văn An;D1A;"Tổ trưởng; kiêm nhiệm";VIEN_CHUC;;1\r\n'
        "\r\n".encode(),
    )
    write(
        "english.csv",
        b"employee_code,full_name,unit,position,category,email,given_name,active\n"
        + "E100,Thạch Sô Phol,D1,Chuyên viên,cong_chuc,,Sô Phol,yes\n".encode()
        + "E101,Đặng Thị Đào,,Văn thư,nguoi_lao_dong,dao@example.vn,,no\n".encode(),
    )
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Ánh Tuyết")
    write("nfd.csv", f"Mã cán bộ,Họ và tên,Chức vụ\nN001,{nfd},Kế toán viên\n".encode())

    names = ["Nguyễn Văn An", "Trần Thị Mai", "Đặng Thị Đào", "Phạm Thị Thu Hương"]
    lines = [tcvn3("Mã cán bộ;Họ và tên;Chức vụ")]
    lines += [f"T{i};{tcvn3(n)};{tcvn3('Chuyên viên')}" for i, n in enumerate(names)]
    write("tcvn3.csv", "\r\n".join(lines).encode("cp1252") + b"\r\n")
    lines = ["Ma can bo,Ho va ten"]
    lines += [f"V{i},{vni(n)}" for i, n in enumerate(names)]
    write("vni.csv", "\r\n".join(lines).encode("cp1252") + b"\r\n")
    ansi = "Mã cán bộ;Họ và tên\r\nW1;Nguyễn Văn Đức\r\nW2;Lê Thị Hồng\r\n"
    write("excel_ansi.csv", _cp1258(ansi))

    book = Workbook()
    sheet = book.active
    sheet.append(["STT", "Mã CB", "Họ tên", "Mã đơn vị", "Chức vụ", "Loại", "Tên"])
    sheet.append([1, 2001, "Hồ Thị Bích", "D1", "Chuyên viên", "Viên chức", None])
    sheet.append([2, "X002", "Danh Sơn", "D1A", None, "cong chuc", "Danh Sơn"])
    sheet.append([3, None, None, None, None, None, None])
    sheet.append([4, "X003", "Võ Văn Kiệt", None, "Trưởng phòng", None, None])
    save(book, "vietnamese_headers.xlsx")

    book = Workbook()
    sheet = book.active
    sheet.append(["Mã cán bộ", "Họ và tên", "Chức vụ"])
    sheet.append(["L1", tcvn3("Bảo Thắng"), "Chuyên viên"])
    sheet["B2"].font = Font(name=".VnTime")
    sheet.append(["L2", lower_tcvn3("Nguyễn Văn Lâm"), None])
    sheet["B3"].font = Font(name=".VnTimeH")
    sheet.append(["L3", vni("Huỳnh Thị Ngọc Hân"), None])
    sheet["B4"].font = Font(name="VNI-Times")
    sheet.append(["L4", "Lê Thị Hà", None])
    save(book, "legacy_fonts.xlsx")

    write("empty.csv", b"")
    rng = random.Random(7)
    write("garbage.csv", bytes(rng.randrange(256) for _ in range(4096)))
    write("renamed_pdf.csv", _pdf())
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    write("not_a_workbook.xlsx", docx.getvalue())
    write("missing_header.csv", "Mã;Tên cán bộ\nCB1;Ai Đó\n".encode())
    write(
        "duplicates.csv",
        "Mã cán bộ,Họ và tên\nD01,Lý Văn Một\nD02,Lý Văn Hai\nd01,Lý Văn Ba\n".encode(),
    )


def save(book: Workbook, name: str) -> None:
    out = io.BytesIO()
    book.save(out)
    write(name, out.getvalue())


def _cp1258(text: str) -> bytes:
    """Windows-1258 has few precomposed toned letters: Excel writes base + tone."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            tone = "".join(c for c in parts if c in TONES)
            head = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
            out += head.encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


def _pdf() -> bytes:
    return (
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\n"
        b"endobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        b"stream\n\x00\x01\x02\x9c\xff\nendstream\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


if __name__ == "__main__":
    main()
