"""Hostile files: Office packages that unpack into gigabytes ("zip bombs"), files of
millions of rows or paragraphs, over-long CSV fields. Each is refused with a message
in Vietnamese, within 2 s and 100 MB, before a parser holds it in memory."""

import csv
import io
import time
import tracemalloc
import zipfile

import pytest

from app import sheet_scan
from app.content.problems import ConversionError
from app.content.word import MAX_PARAGRAPHS, parse_word
from app.extensions import db
from app.packages import (
    MAX_UNPACKED_BYTES,
    count_all_elements,
    count_each,
    count_elements,
)
from app.tabular import MAX_CELLS, MAX_ROWS, TableError, _csv_problem, read_table

ALIASES = {"ma": "code", "ten": "name"}

WORKBOOK = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
        'openxmlformats.org/package/2006/content-types"><Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/><Override '
        'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
        'worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas'
        '.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.'
        'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
        'name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas'
        '.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
    b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = b"</sheetData></worksheet>"


def _row(number: int) -> bytes:
    return (
        f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>M{number}</t></is>'
        f'</c><c r="B{number}" t="inlineStr"><is><t>Tên</t></is></c></row>'
    ).encode()


def _package(parts: dict[str, str], member: str, chunks) -> bytes:
    """A ZIP with `parts` and `member` written from the byte `chunks`, deflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        with archive.open(member, "w", force_zip64=True) as stream:
            for chunk in chunks:
                stream.write(chunk)
    return buffer.getvalue()


def _bounded(call):
    """Run `call` twice; it must raise both times. The error, the CPU time of the
    first run (of this process, so that other work on the machine does not count)
    and the memory of the second: tracemalloc slows Python code several times over,
    so the run that is timed is not traced."""
    began = time.process_time()
    with pytest.raises((TableError, ConversionError)) as refused:
        call()
    seconds = time.process_time() - began
    tracemalloc.start()
    try:
        with pytest.raises((TableError, ConversionError)):
            call()
        return refused.value, seconds, tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()


def test_an_xlsx_bomb_is_refused_before_it_is_opened():
    filler = b"<row/>" * 200_000  # 1.2 MB, repeated: a 100 MB sheet in ~0.1 MB
    count = MAX_UNPACKED_BYTES // len(filler) + 20
    data = _package(
        WORKBOOK, "xl/worksheets/sheet1.xml", [SHEET_HEAD, *[filler] * count]
    )
    assert len(data) < 1_000_000
    error, seconds, (_, peak) = _bounded(lambda: read_table(data, "bom.xlsx", ALIASES))
    assert "bom.xlsx: tệp giải nén ra" in str(error) and "quá giới hạn" in str(error)
    assert seconds < 2 and peak < 100_000_000


def test_an_xlsx_of_too_many_rows_is_refused_at_the_limit():
    def rows():
        yield SHEET_HEAD + _row(1).replace(b"M1", b"ma").replace("Tên".encode(), b"ten")
        for start in range(2, MAX_ROWS + 100, 5_000):
            yield b"".join(_row(n) for n in range(start, start + 5_000))
        yield SHEET_TAIL

    data = _package(WORKBOOK, "xl/worksheets/sheet1.xml", rows())
    error, seconds, (_, peak) = _bounded(lambda: read_table(data, "dai.xlsx", ALIASES))
    assert "dai.xlsx: quá 100.000 dòng" in str(error)
    assert seconds < 2 and peak < 100_000_000  # counted before openpyxl reads it


def test_a_csv_of_too_many_rows_and_an_overlong_field_are_refused_in_vietnamese():
    many = ("ma,ten\n" + "M,Tên\n" * (MAX_ROWS + 5)).encode()
    with pytest.raises(TableError, match="quá 100.000 dòng"):
        read_table(many, "nhieu.csv", ALIASES)
    long = ("ma,ten\nM1," + "x" * 200_000 + "\n").encode()
    with pytest.raises(TableError, match=r"dai\.csv:2: một ô dài quá 131\.072 ký tự"):
        read_table(long, "dai.csv", ALIASES)
    assert _csv_problem(csv.Error("odd")) == "không đọc được dòng này như CSV (odd)"


DOCUMENT = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
        'openxmlformats.org/package/2006/content-types"><Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/><Override '
        'PartName="/word/document.xml" ContentType="application/vnd.openxmlformats'
        '-officedocument.wordprocessingml.document.main+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas'
        '.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="word/document.xml"/></Relationships>'
    ),
}
BODY_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
    b'openxmlformats.org/wordprocessingml/2006/main"><w:body>'
)
BODY_TAIL = b"</w:body></w:document>"


def test_a_docx_bomb_is_refused_before_it_is_opened():
    filler = b"<w:p><w:r><w:t>a</w:t></w:r></w:p>" * 40_000
    count = MAX_UNPACKED_BYTES // len(filler) + 20
    data = _package(DOCUMENT, "word/document.xml", [BODY_HEAD, *[filler] * count])
    assert len(data) < 1_000_000
    error, seconds, (_, peak) = _bounded(lambda: parse_word(data, "W"))
    assert "giải nén ra" in str(error)
    assert seconds < 2 and peak < 100_000_000


def test_a_docx_of_two_million_paragraphs_is_refused_by_counting():
    empty = b"<w:p/>" * 100_000
    data = _package(
        DOCUMENT, "word/document.xml", [BODY_HEAD, *[empty] * 20, BODY_TAIL]
    )
    error, seconds, (_, peak) = _bounded(lambda: parse_word(data, "W"))
    assert "quá 20.000 đoạn" in str(error)
    assert seconds < 2 and peak < 100_000_000


def test_paragraphs_are_counted_across_chunk_boundaries_with_any_prefix():
    shapes = (  # as Word writes them: closed (a closing tag is no paragraph)
        b"<w:p>x</w:p>",
        b'<w:p w:rsidR="00A1"><w:r/></w:p>',
        b"<p/>",
        b"<x:p></x:p>",
        b"<w:pPr/>",
    )
    body = b"".join(shapes[n % 5] for n in range(70_000))  # every 5th is no p
    data = _package(DOCUMENT, "word/document.xml", [BODY_HEAD, body, BODY_TAIL])
    assert count_elements(data, "word/document.xml", b"p", 100_000) == 56_000
    assert count_elements(data, "word/document.xml", b"p", 10) == 11
    assert count_elements(data, "word/none.xml", b"p", 10) == 0
    assert MAX_PARAGRAPHS == 20_000
    # several names in one pass: each as alone, each stopped at its own limit
    both = count_each(data, "word/document.xml", {b"p": 100_000, b"r": 100_000})
    assert both == {b"p": 56_000, b"r": 14_000}
    capped = count_each(data, "word/document.xml", {b"p": 10, b"r": 100_000})
    assert capped == {b"p": 11, b"r": 14_000}
    assert count_each(data, "word/none.xml", {b"p": 1}) == {b"p": 0}


def test_a_docx_with_another_namespace_prefix_is_counted_too():
    head = BODY_HEAD.replace(b"xmlns:w=", b"xmlns:q=").replace(b"<w:", b"<q:")
    empty = b"<q:p/>" * 100_000
    data = _package(DOCUMENT, "word/document.xml", [head, *[empty] * 3, b"</q:body>"])
    error, seconds, (_, peak) = _bounded(lambda: parse_word(data, "W"))
    assert "quá 20.000 đoạn" in str(error)
    assert seconds < 2 and peak < 100_000_000


def test_a_docx_whose_document_is_not_word_document_xml_is_counted_too():
    """python-docx finds the document through _rels/.rels, whatever its name: a
    document at word/main.xml is read, and refused past the paragraph limit."""
    moved = {
        name: text.replace("word/document.xml", "word/main.xml")
        for name, text in DOCUMENT.items()
    }
    lines = ("Câu 1. Hỏi", "A. Một", "B. Hai", "Đáp án: B")
    fair = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in lines)
    data = _package(moved, "word/main.xml", [BODY_HEAD, fair.encode(), BODY_TAIL])
    assert [q.stem for q in parse_word(data, "W")] == ["Hỏi"]
    empty = b"<w:p/>" * 100_000
    data = _package(moved, "word/main.xml", [BODY_HEAD, *[empty] * 3, BODY_TAIL])
    error, seconds, (_, peak) = _bounded(lambda: parse_word(data, "W"))
    assert "quá 20.000 đoạn" in str(error)
    assert seconds < 2 and peak < 100_000_000


def test_a_docx_of_too_many_runs_is_refused_by_counting():
    """9,000 paragraphs (under the limit) of 30 runs each: python-docx would read
    every run (270,000); refused before it opens the file."""
    run = b"<w:r><w:t>a</w:t></w:r>"
    paragraph = b"<w:p>" + run * 30 + b"</w:p>"
    data = _package(
        DOCUMENT, "word/document.xml", [BODY_HEAD, *[paragraph * 1_000] * 9, BODY_TAIL]
    )
    assert len(data) < 1_000_000
    error, seconds, (_, peak) = _bounded(lambda: parse_word(data, "W"))
    assert "quá 200.000 đoạn định dạng" in str(error)
    assert seconds < 2 and peak < 100_000_000


def test_a_docx_whose_document_part_is_too_large_is_refused():
    """Few paragraphs and runs, but a document part over its limit (the whole file
    under the package's): refused by its declared size."""
    text = b"<w:p><w:r><w:t>" + b"a" * 5_000 + b"</w:t></w:r></w:p>"
    data = _package(
        DOCUMENT, "word/document.xml", [BODY_HEAD, *[text * 800] * 5, BODY_TAIL]
    )
    error, seconds, _ = _bounded(lambda: parse_word(data, "W"))
    assert "phần word/document.xml của tệp giải nén ra 20 MB" in str(error)
    assert seconds < 2


def test_an_xlsx_of_too_many_shared_strings_is_refused_before_it_is_opened():
    """Few rows, but 900,000 distinct texts that openpyxl would all load first."""
    parts = dict(WORKBOOK)
    parts["xl/worksheets/sheet1.xml"] = (SHEET_HEAD + _row(1) + SHEET_TAIL).decode()
    strings = (
        b"".join(b"<si><t>s%07d</t></si>" % n for n in range(start, start + 100_000))
        for start in range(0, 900_000, 100_000)
    )
    head = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    data = _package(parts, "xl/sharedStrings.xml", [head, *strings, b"</sst>"])
    error, seconds, (_, peak) = _bounded(lambda: read_table(data, "chu.xlsx", ALIASES))
    assert "chu.xlsx: quá 800.000 ô chữ khác nhau" in str(error)
    assert seconds < 2 and peak < 100_000_000


def _cells(count: int) -> bytes:
    return b"<c/>" * count


def test_an_xlsx_row_of_too_many_cells_is_refused_and_nothing_is_written(ctx):
    """One row of 300,000 empty cells (a few kB of ZIP): openpyxl builds every cell
    of a row before max_col drops them; refused while counting, before it."""
    from app.accounts.cadre_import import parse_cadre_file
    from app.accounts.models import User

    head = SHEET_HEAD + "<row><c t='inlineStr'><is><t>Mã cán bộ</t></is></c>".encode()
    body = [head, b"</row><row r='2'>", *[_cells(100_000)] * 3, b"</row>", SHEET_TAIL]
    data = _package(WORKBOOK, "xl/worksheets/sheet1.xml", body)
    assert len(data) < 20_000
    error, seconds, (_, peak) = _bounded(lambda: parse_cadre_file(data, "rong.xlsx"))
    assert "rong.xlsx: dòng 2 có quá nhiều ô (Excel có tối đa 16.384 cột)" in str(error)
    assert seconds < 2 and peak < 100_000_000
    assert db.session.query(User).count() == 0


def test_an_xlsx_of_too_many_cells_or_too_much_outside_its_rows_is_refused(
    monkeypatch,
):
    # the cells bound alone (these cells, all alike, are also far too dense)
    monkeypatch.setattr(sheet_scan, "MAX_CELLS_PER_BYTE", MAX_CELLS)
    rows = [b"<row>" + _cells(40_000) + b"</row>"] * (MAX_CELLS // 40_000 + 1)
    data = _package(WORKBOOK, "xl/worksheets/sheet1.xml", [SHEET_HEAD, *rows])
    with pytest.raises(TableError) as refused:  # expat, about 0.5 s
        read_table(data, "o.xlsx", ALIASES)
    assert "o.xlsx: quá 1.600.000 ô trong một trang tính" in str(refused.value)
    nested = [SHEET_HEAD, b"<row>", *[_cells(20_000) + b"<row></row>"] * 5, b"</row>"]
    data = _package(WORKBOOK, "xl/worksheets/sheet1.xml", nested)
    error, _, _ = _bounded(lambda: read_table(data, "n.xlsx", ALIASES))
    assert "dòng 1 có quá nhiều ô" in str(error)  # a row in a row is the outer's
    junk = [SHEET_HEAD, *[b"<x/>" * 100_000] * 5, SHEET_TAIL]
    data = _package(WORKBOOK, "xl/worksheets/sheet1.xml", junk)
    error, _, _ = _bounded(lambda: read_table(data, "x.xlsx", ALIASES))
    assert "quá 400.000 phần tử ngoài các dòng dữ liệu" in str(error)


def test_an_xlsx_of_empty_cells_packed_tight_is_refused_while_counting(ctx):
    """99,999 rows of 16 empty cells: 1.6 M cells, within MAX_CELLS, in 27 kB of
    ZIP (80 cells a byte; a list typed in Excel has under 1), which openpyxl took
    17 s to read as no row at all; refused by their density, nothing written."""
    from app.accounts.cadre_import import parse_cadre_file
    from app.accounts.models import User

    row = b"<row>" + _cells(16) + b"</row>"
    sheet = [SHEET_HEAD, *[row * 1_000] * 99, row * 999, SHEET_TAIL]
    data = _package(WORKBOOK, "xl/worksheets/sheet1.xml", sheet)
    assert len(data) < 30_000
    error, seconds, (_, peak) = _bounded(lambda: parse_cadre_file(data, "d.xlsx"))
    assert "d.xlsx: trang tính có hơn 10" in str(error)  # 4 a byte, 100,000 at least
    assert "kB nén, quá dày so với một danh sách thật" in str(error)
    assert seconds < 2 and peak < 100_000_000
    assert db.session.query(User).count() == 0
    fair = [SHEET_HEAD, *(_row(n) for n in range(1, 3_001)), SHEET_TAIL]
    data = _package(WORKBOOK, "xl/worksheets/sheet1.xml", fair)  # under FREE_CELLS
    assert len(read_table(data, "f.xlsx", ALIASES).rows) == 2_999


def test_a_sheet_outside_xl_worksheets_and_the_styles_are_measured_too():
    """openpyxl reads the sheet the workbook's relationships name, wherever it
    lies, and parses the styles whole: neither escapes the measures."""
    elsewhere = dict(WORKBOOK)
    elsewhere["xl/_rels/workbook.xml.rels"] = WORKBOOK[
        "xl/_rels/workbook.xml.rels"
    ].replace("worksheets/sheet1.xml", "data/rows.xml")
    rows = [b"<row>" + _cells(40_000) + b"</row>"] * (MAX_CELLS // 40_000 + 1)
    data = _package(elsewhere, "xl/data/rows.xml", [SHEET_HEAD, *rows, SHEET_TAIL])
    error, _, _ = _bounded(lambda: read_table(data, "o.xlsx", ALIASES))
    assert "o.xlsx: trang tính có hơn 100.000 ô trong 6 kB nén" in str(error)
    head = b'<row r="1"><c t="inlineStr"><is><t>Ma</t></is></c><c t="inlineStr"><is>'
    head += b"<t>Ten</t></is></c></row>"
    sheet = [SHEET_HEAD, head, _row(2), SHEET_TAIL]
    small = _package(elsewhere, "xl/data/rows.xml", sheet)  # a fair one is read
    table = read_table(small, "s.xlsx", ALIASES)
    assert [row.values for row in table.rows] == [{"code": "M2", "name": "Tên"}]
    styles = [b"<styleSheet><cellXfs>", *[b"<xf/>" * 100_000] * 5, b"</cellXfs>"]
    data = _package(WORKBOOK, "xl/styles.xml", [*styles, b"</styleSheet>"])
    error, seconds, (_, peak) = _bounded(lambda: read_table(data, "st.xlsx", ALIASES))
    assert "quá 400.000 phần tử ngoài các dòng dữ liệu" in str(error)
    assert seconds < 2 and peak < 100_000_000


def test_a_csv_line_of_too_many_fields_is_refused_before_csv_splits_it(ctx):
    from app.accounts.cadre_import import parse_cadre_file
    from app.accounts.models import User

    wide = ("Mã cán bộ;Họ và tên\nA1;An\nB2;" + ";" * 3_000_000 + "\n").encode()
    error, seconds, (_, peak) = _bounded(lambda: parse_cadre_file(wide, "rong.csv"))
    assert "rong.csv:3: dòng có quá 1.024 dấu “;” (quá nhiều cột)" in str(error)
    assert seconds < 2 and peak < 100_000_000
    assert db.session.query(User).count() == 0
    quoted = ('ma,ten\nM1,"Nguyễn, Văn\nAn, ' + "," * 1_000 + '"\n').encode()
    table = read_table(quoted, "ngoac.csv", ALIASES)  # delimiters inside quotes
    name = "Nguyễn, Văn\nAn, " + "," * 1_000
    assert table.rows[0].values == {"code": "M1", "name": name}


def test_a_docx_of_too_many_elements_is_refused_and_nothing_is_imported(
    app, client, auth, tmp_path
):
    """One paragraph, one run of 1,100,000 tabs (a few kB of ZIP): python-docx would
    hold every element; refused by counting every part before it opens the file."""
    from app.quizzes.models import Question
    from tests.authoring.helpers import make_authoring

    make_authoring(app, tmp_path)
    tabs = [b"<w:p><w:r>", *[b"<w:tab/>" * 100_000] * 11, b"</w:r></w:p>"]
    data = _package(DOCUMENT, "word/document.xml", [BODY_HEAD, *tabs, BODY_TAIL])
    assert len(data) < 30_000
    error, seconds, (_, peak) = _bounded(lambda: parse_word(data, "W"))
    assert "Tài liệu Word có quá 1.000.000 thành phần" in str(error)
    assert seconds < 2 and peak < 100_000_000
    with app.app_context():
        before = db.session.query(Question).count()
    auth.login("trainer")
    response = client.post(
        "/authoring/banks/B1/upload",
        data={
            "csrf_token": auth.token("/authoring/banks/B1/upload"),
            "format": "auto",
            "file": (io.BytesIO(data), "tab.docx"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "quá 1.000.000 thành phần" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Question).count() == before


def test_elements_of_every_part_are_counted_whatever_its_name():
    parts = dict(DOCUMENT, **{"word/header1.xml": "<w:hdr><w:p/><!-- c --></w:hdr>"})
    body = [BODY_HEAD, b"<w:p><w:r><w:t>a</w:t></w:r></w:p>" * 30_000, BODY_TAIL]
    data = _package(parts, "word/other-name.bin", body)
    # 3 in each paragraph, <w:document> and <w:body>, 2 in the header (no comment)
    counted = count_all_elements(data, 10_000_000)
    assert counted == 90_000 + 2 + 2 + _declared(parts)
    assert count_all_elements(data, 1_000) == 1_001


def _declared(parts: dict[str, str]) -> int:
    return sum(
        text.count("<") - text.count("</") - text.count("<?") - text.count("<!")
        for name, text in parts.items()
        if name != "word/header1.xml"
    )
