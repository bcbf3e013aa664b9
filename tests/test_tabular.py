"""The table reader (app.tabular): plain reading, detection, legacy-font repair."""

import csv
import functools
import io
import re
import zipfile

import pytest
from openpyxl import Workbook
from openpyxl.styles import Font

from app.tabular import (
    MAX_CELL_CHARS,
    TableError,
    cell_text,
    decode_csv,
    header_key,
    read_table,
    require_columns,
    sniff,
)

ALIASES = {"ma": "code", "ho va ten": "name", "ten": "name", "chuc vu": "post"}


def xlsx(rows, fonts=None) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for (row, column), font in (fonts or {}).items():
        sheet.cell(row, column).font = Font(name=font)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


SHARED_STRINGS_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
    b'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
SHARED_STRINGS = (
    b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxml'
    b'formats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>%s'
    b"</t></si></sst>"
)


def with_text(data: bytes, text: str, shared: bool = False) -> bytes:
    """`data`, a workbook of xlsx() (openpyxl writes its texts inline), whose cell
    "LONG" holds `text`, inline or as a shared string as Excel writes it: openpyxl
    cuts a text to Excel's 32,767 characters, another program need not."""
    cell = b't="inlineStr"><is><t>LONG</t></is>'
    inline = b't="inlineStr"><is><t>%s</t></is>' % text.encode()
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for name in source.namelist():
            part = source.read(name).replace(
                cell, b't="s"><v>0</v>' if shared else inline
            )
            if shared and name == "[Content_Types].xml":
                part = part.replace(b"</Types>", SHARED_STRINGS_TYPE)
            target.writestr(name, part)
        if shared:
            target.writestr("xl/sharedStrings.xml", SHARED_STRINGS % text.encode())
    return buffer.getvalue()


def test_plain_csv_keys_rows_by_alias_with_line_numbers_and_blank_rows_skipped():
    data = "\ufeffMã;Họ và tên;Ghi chú\nA1; Lê Văn An ;x\n;;\nA2;Bình\n".encode()
    table = read_table(data, "t.csv", ALIASES)
    assert table.headers == ["code", "name", "ghi chu"]
    assert table.encoding == "utf-8"
    assert [(r.line, r.values) for r in table.rows] == [
        (2, {"code": "A1", "name": "Lê Văn An", "ghi chu": "x"}),
        (4, {"code": "A2", "name": "Bình", "ghi chu": ""}),
    ]
    assert all(r.conversions == {} for r in table.rows)


def test_plain_xlsx_reads_numbers_as_text():
    table = read_table(
        xlsx([["Mã", "Tên"], [2001.0, "Hà"], [None, None]]), "t.xlsx", ALIASES
    )
    assert table.encoding == "xlsx"
    assert [(r.line, r.values) for r in table.rows] == [
        (2, {"code": "2001", "name": "Hà"})
    ]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"code\n", "t.pdf", "t.pdf: định dạng không hỗ trợ (dùng .csv hoặc .xlsx)"),
        (b"", "t.csv", "t.csv: tệp rỗng, không có dòng tiêu đề"),
        (b"ma\nT\xeanh\n", "t.csv", "t.csv: không phải UTF-8 (byte lỗi ở vị trí 4)"),
        (b"not a workbook", "t.xlsx", "t.xlsx: không đọc được tệp Excel"),
        (b"ma\n" + b"x" * 200_000, "t.csv", "t.csv:2: một ô dài quá 131.072 ký tự"),
    ],
)
def test_plain_reading_refuses_bad_files_naming_them(data, name, message):
    with pytest.raises(TableError, match=re.escape(message)):
        read_table(data, name, ALIASES)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"\xef\xbb\xbf \r\n", "t.csv", "t.csv: tệp rỗng"),
        (b"ma\n", "t.doc", "không phải tệp CSV hoặc XLSX (phần mở rộng “.doc”)"),
        (b"ma\n", "t", "phần mở rộng “(không có)”"),
        ("ma\n".encode("utf-16"), "t.txt", "tệp văn bản UTF-16"),
        (b"%PDF-1.7", "t.csv", "(đây là tệp PDF)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1", "t.csv", "tệp Excel 97–2003 (.xls)"),
        (b"PK\x03\x04junk", "t.csv", "tệp nén không phải bảng tính Excel"),
        (b"ma,ten\nA,B\n", "t.xlsx", "tệp .xlsx không đúng cấu trúc Excel"),
        (b"ma\x00ten", "t.csv", "có dữ liệu nhị phân"),
    ],
)
def test_detection_refuses_what_is_not_a_table(data, name, message):
    with pytest.raises(TableError, match=re.escape(message)):
        sniff(data, name)
    with pytest.raises(TableError, match=re.escape(message)):
        read_table(data, name, ALIASES, detect=True)


def test_detection_knows_a_workbook_by_its_content_and_a_csv_by_elimination():
    assert sniff(xlsx([["Mã"]]), "t.xlsx") == "xlsx"
    assert sniff(b"ma,ten\n", "t.txt") == "csv"


def test_decode_csv_utf8_then_windows_1258_then_legacy_bytes():
    assert decode_csv("\ufeffHà".encode()) == ("Hà", "utf-8")
    # Excel's "CSV" in a Vietnamese locale: tones as combining marks of Windows-1258.
    ansi = "Nguyê\u0303n Văn Đư\u0301c".encode("cp1258")
    assert decode_csv(ansi) == ("Nguyễn Văn Đức", "cp1258")
    # TCVN3 "Ph¹m" as bytes: not Vietnamese in Windows-1258, kept byte by byte.
    text, encoding = decode_csv(b"Ph\xb9m \x80")
    assert encoding == "cp1252" and text == "Ph¹m €"
    assert decode_csv(b"") == ("", "utf-8")


def test_detection_reads_a_legacy_csv_and_repairs_its_header_and_columns():
    data = "Ma,Hä vµ tªn,Chøc vô\nA,Ph¹m V¨n An,\nB,Nam,\n".encode("cp1252")
    table = read_table(data, "t.csv", ALIASES, detect=True, repair=("name", "post"))
    assert table.encoding == "cp1252"
    assert table.headers == ["code", "name", "post"]
    first, second = table.rows
    assert first.values["name"] == "Ph¹m V¨n An"  # as read; the repair rides along
    assert first.conversions["name"].text == "Phạm Văn An"
    assert first.conversions["name"].encoding == "tcvn3"
    assert "post" not in first.conversions  # an empty cell has nothing to convert
    assert second.conversions["name"].encoding is None


def test_repair_uses_the_font_of_an_xlsx_cell():
    data = xlsx(
        [["Mã", "Họ và tên"], ["A", "nguyÔn v¨n l©m"], ["B", "Lê Thị Hà"]],
        fonts={(2, 2): ".VnTimeH"},
    )
    table = read_table(data, "t.xlsx", ALIASES, detect=True, repair=["name"])
    names = [r.conversions["name"].text for r in table.rows]
    assert names == ["NGUYỄN VĂN LÂM", "Lê Thị Hà"]


def test_repair_of_a_column_the_file_lacks_is_nothing():
    table = read_table(b"ma\nA\n", "t.csv", ALIASES, repair=("name",))
    assert table.rows[0].conversions == {}


def test_header_key_and_require_columns():
    assert header_key("  Họ và TÊN ", ALIASES) == "name"
    assert header_key("Parent_Code", {"parent code": "parent"}) == "parent"
    assert header_key("Số điện thoại", ALIASES) == "so dien thoai"
    assert header_key("", ALIASES) == ""
    table = read_table(b"ma\nA\n", "t.csv", ALIASES)
    require_columns(table, ["code"], {})
    with pytest.raises(TableError, match=re.escape("t.csv:1: thiếu cột tên, post")):
        require_columns(table, ["code", "name", "post"], {"name": "tên"})


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (2001.0, "2001"),
        (2.5, "2.5"),
        (7, "7"),
        ("x ", "x "),
        (True, "True"),
    ],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


@pytest.mark.parametrize("shared", [False, True])
@pytest.mark.parametrize("detect", [False, True])
def test_an_xlsx_cell_is_bounded_as_a_csv_field_naming_its_row(shared, detect):
    assert csv.field_size_limit() == MAX_CELL_CHARS  # what bounds a CSV field
    book = xlsx([["Mã", "Họ và tên"], ["A1", "An"], ["A2", "LONG"], ["A3", "Ba"]])
    read = functools.partial(read_table, aliases=ALIASES, detect=detect)
    longest = read(with_text(book, "a" * MAX_CELL_CHARS, shared), "t.xlsx")
    assert [len(r.values["name"]) for r in longest.rows] == [2, MAX_CELL_CHARS, 2]
    with pytest.raises(TableError) as refused:
        read(with_text(book, "a" * (MAX_CELL_CHARS + 1), shared), "dai.xlsx")
    assert str(refused.value) == "dai.xlsx:3: một ô dài quá 131.072 ký tự"


def test_an_over_long_cell_of_a_column_not_read_is_refused_too():
    book = xlsx([["Mã", "Ghi chú"], ["A1", "LONG"]])
    with pytest.raises(TableError, match=r"^t\.xlsx:2: một ô dài quá"):
        read_table(with_text(book, "x" * 200_000, shared=True), "t.xlsx", ALIASES)
