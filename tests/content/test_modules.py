"""The content loader: the real course, then one test per kind of problem."""

import shutil
import unicodedata
from pathlib import Path

import pytest

from app.content.modules import (
    ContentSet,
    Problem,
    content_hash,
    course_hash,
    load_content,
)

REAL_ROOT = Path(__file__).parents[2] / "courses"
DATA = Path(__file__).parents[1] / "data" / "courses"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A content root holding a copy of the valid fixture course, in courses/mini."""
    shutil.copytree(DATA / "mini", tmp_path / "courses" / "mini")
    return tmp_path / "courses"


def edit(root: Path, name: str, old: str, new: str) -> None:
    file = root / "mini" / name
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    file.write_text(text.replace(old, new), encoding="utf-8")


def only_problem(content: ContentSet) -> str:
    assert len(content.problems) == 1, [str(p) for p in content.problems]
    return str(content.problems[0])


# --- valid content ---------------------------------------------------------------


def test_the_real_courses_load_without_problems():
    """What must hold of courses/ whatever trainers add or remove (no count: the
    content changes; the fixture tests below pin the loader's behaviour)."""
    content = load_content(REAL_ROOT)
    assert content.ok, [str(p) for p in content.problems]
    assert content.courses
    for course in content.courses:
        assert course.modules, course.path
        orders = [m.order for m in course.modules]
        assert orders == sorted(orders)
        assert all(
            m.path.startswith(f"courses/{course.folder}/") for m in course.modules
        )


def test_the_fixture_course_loads_into_dataclasses(root):
    content = load_content(root)
    assert content.ok, [str(p) for p in content.problems]
    [course] = content.courses
    assert (course.code, course.folder, course.periods) == ("MINI", "mini", 1)
    assert course.path == "courses/mini/course.md"
    assert course.body_line == 8
    first, second = course.modules
    assert (first.code, first.order, first.minutes) == ("MINI-M1", 1, 5)
    assert first.filename == "01-gioi-thieu.md"
    assert first.path == "courses/mini/01-gioi-thieu.md"
    assert first.objectives == ["Nêu được mục đích của khóa học."]
    assert first.sources == ["Tài liệu mẫu, mục 1"]
    assert first.body_line == 12
    assert first.body.startswith("\n## Mục đích\n")
    assert second.code == "MINI-M2"


def test_a_missing_root_raises(tmp_path):
    with pytest.raises(FileNotFoundError, match="khong-co"):
        load_content(tmp_path / "khong-co")


def test_text_is_nfc_without_bom_and_crlf(root):
    file = root / "mini" / "01-gioi-thieu.md"
    text = unicodedata.normalize("NFD", file.read_text(encoding="utf-8"))
    file.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    content = load_content(root)
    assert content.ok, [str(p) for p in content.problems]
    module = content.courses[0].modules[0]
    assert module.title == "Giới thiệu" == unicodedata.normalize("NFC", module.title)
    assert "\r" not in module.body and "Nội dung mở đầu" in module.body


def test_problem_prints_as_path_line_message():
    problem = Problem("courses/x/01-a.md", 3, "lỗi")
    assert str(problem) == "courses/x/01-a.md:3: lỗi"


def test_content_hash_is_stable_and_follows_the_body(root):
    before = load_content(root).courses[0]
    again = load_content(root).courses[0]
    assert content_hash(before.modules[0]) == content_hash(again.modules[0])
    assert course_hash(before) == course_hash(again)
    assert content_hash(before.modules[0]) != content_hash(before.modules[1])
    edit(root, "01-gioi-thieu.md", "Nội dung mở đầu.", "Nội dung đã sửa.")
    edit(root, "course.md", "## Giới thiệu", "## Giới thiệu chung")
    after = load_content(root).courses[0]
    assert content_hash(after.modules[0]) != content_hash(before.modules[0])
    assert content_hash(after.modules[1]) == content_hash(before.modules[1])
    assert course_hash(after) != course_hash(before)


# --- one test per problem --------------------------------------------------------


def test_not_yaml(root):
    shutil.copy(DATA / "broken" / "not-yaml.md", root / "mini" / "03-loi.md")
    content = load_content(root)
    assert only_problem(content) == (
        "courses/mini/03-loi.md:4: front matter không phải YAML hợp lệ: "
        "mapping values are not allowed here"
    )
    assert len(content.courses[0].modules) == 2  # the others still load


def test_missing_front_matter(root):
    (root / "mini" / "03-trong.md").write_text("## Chỉ có nội dung\n", "utf-8")
    assert only_problem(load_content(root)) == (
        "courses/mini/03-trong.md:1: thiếu front matter YAML (--- … ---)"
    )


def test_front_matter_not_a_mapping(root):
    (root / "mini" / "03-ds.md").write_text("---\n- a\n- b\n---\n", "utf-8")
    assert only_problem(load_content(root)).startswith(
        "courses/mini/03-ds.md:2: front matter phải là một bảng"
    )


def test_missing_key(root):
    edit(root, "01-gioi-thieu.md", "minutes: 5\n", "")
    content = load_content(root)
    assert only_problem(content) == (
        "courses/mini/01-gioi-thieu.md:1: thiếu khóa “minutes”"
    )
    assert [m.code for m in content.courses[0].modules] == ["MINI-M2"]


def test_wrong_type(root):
    edit(root, "01-gioi-thieu.md", "minutes: 5", "minutes: năm phút")
    assert only_problem(load_content(root)) == (
        "courses/mini/01-gioi-thieu.md:6: “minutes” phải là số nguyên từ 1 đến 600, "
        "không phải “năm phút”"
    )


def test_wrong_type_in_course(root):
    edit(root, "course.md", "periods: 1", "periods: 0")
    content = load_content(root)
    assert only_problem(content) == (
        "courses/mini/course.md:6: “periods” phải là số nguyên từ 1 đến 1000, "
        "không phải “0”"
    )
    assert content.courses == []


@pytest.mark.parametrize(
    "name, old, new, message",
    [
        (
            "01-gioi-thieu.md",
            "order: 1",
            "order: 99999999999999999999",
            "01-gioi-thieu.md:5: “order” phải là số nguyên từ 1 đến 999, "
            "không phải “99999999999999999999”",
        ),
        (
            "01-gioi-thieu.md",
            "order: 1",
            "order: 1000",
            "01-gioi-thieu.md:5: “order” phải là số nguyên từ 1 đến 999, "
            "không phải “1000”",
        ),
        (
            "course.md",
            "periods: 1",
            "periods: 3000000000",
            "course.md:6: “periods” phải là số nguyên từ 1 đến 1000, "
            "không phải “3000000000”",
        ),
    ],
)
def test_a_number_past_its_bound_is_refused_naming_the_key(
    root, name, old, new, message
):
    """A module's order and a course's periods have an upper bound, as its minutes:
    a huge number passed the check and then failed writing to the database."""
    edit(root, name, old, new)
    assert only_problem(load_content(root)) == f"courses/mini/{message}"


def test_repeated_key(root):
    edit(root, "01-gioi-thieu.md", "minutes: 5\n", "minutes: 5\nminutes: 6\n")
    content = load_content(root)
    assert only_problem(content) == (
        "courses/mini/01-gioi-thieu.md:7: khóa “minutes” lặp lại (đã có ở dòng 6)"
    )
    assert [m.code for m in content.courses[0].modules] == ["MINI-M2"]


def test_empty_front_matter_misses_every_key(root):
    (root / "mini" / "03-rong.md").write_text("---\n---\n\nNội dung.\n", "utf-8")
    content = load_content(root)
    assert [str(p) for p in content.problems] == [
        f"courses/mini/03-rong.md:1: thiếu khóa “{key}”"
        for key in ("code", "course", "title", "order", "minutes")
        + ("objectives", "sources")
    ]


def test_unknown_key(root):
    edit(
        root,
        "01-gioi-thieu.md",
        "title: Giới thiệu\n",
        "title: Giới thiệu\ntac_gia: A\n",
    )
    assert only_problem(load_content(root)) == (
        "courses/mini/01-gioi-thieu.md:5: khóa không hợp lệ: tac_gia"
    )


def test_duplicate_code_across_courses(root):
    shutil.copytree(root / "mini", root / "mini-2")
    for file in (root / "mini-2").glob("*.md"):
        text = file.read_text(encoding="utf-8")
        text = text.replace("code: MINI\n", "code: MINI2\n")
        file.write_text(text.replace("course: MINI\n", "course: MINI2\n"), "utf-8")
    content = load_content(root)
    assert [str(p) for p in content.problems] == [
        "courses/mini-2/01-gioi-thieu.md:2: "
        "mã học phần “MINI-M1” trùng với courses/mini/01-gioi-thieu.md",
        "courses/mini-2/02-noi-dung.md:2: "
        "mã học phần “MINI-M2” trùng với courses/mini/02-noi-dung.md",
    ]


def test_duplicate_course_code(root):
    shutil.copytree(root / "mini", root / "mini-2")
    for file in (root / "mini-2").glob("0*.md"):
        text = file.read_text(encoding="utf-8")
        file.write_text(text.replace("code: MINI-", "code: MINI2-"), "utf-8")
    content = load_content(root)
    assert only_problem(content) == (
        "courses/mini-2/course.md:2: "
        "mã khóa học “MINI” trùng với courses/mini/course.md"
    )
    assert [c.folder for c in content.courses] == ["mini"]


def test_duplicate_order(root):
    text = (root / "mini" / "02-noi-dung.md").read_text(encoding="utf-8")
    extra = text.replace("code: MINI-M2", "code: MINI-M2B")
    (root / "mini" / "02-bo-sung.md").write_text(extra, encoding="utf-8")
    assert only_problem(load_content(root)) == (
        "courses/mini/02-noi-dung.md:5: thứ tự 2 trùng với 02-bo-sung.md"
    )


def test_unknown_course(root):
    edit(root, "01-gioi-thieu.md", "course: MINI", "course: KHAC")
    assert only_problem(load_content(root)).startswith(
        "courses/mini/01-gioi-thieu.md:3: học phần thuộc khóa “KHAC” không tồn tại"
    )


def test_folder_without_course_file(root):
    (root / "mini" / "course.md").unlink()
    content = load_content(root)
    assert [p.line for p in content.problems] == [3, 3]
    assert all("không tồn tại" in p.message for p in content.problems)
    assert content.courses == []


def test_not_utf8_names_the_file(root):
    shutil.copy(DATA / "broken" / "not-utf8.md", root / "mini" / "03-loi-ma.md")
    content = load_content(root)
    assert only_problem(content) == (
        "courses/mini/03-loi-ma.md:1: tệp không phải UTF-8 (byte lỗi ở vị trí 28)"
    )
    assert len(content.courses[0].modules) == 2


def test_broken_module_link(root):
    edit(root, "01-gioi-thieu.md", "](02-noi-dung.md)", "](09-khong-co.md)")
    content = load_content(root)
    assert only_problem(content) == (
        "courses/mini/01-gioi-thieu.md:17: "
        "liên kết tới học phần không tồn tại: 09-khong-co.md"
    )
    assert [m.code for m in content.courses[0].modules] == ["MINI-M2"]


def test_broken_fragment(root):
    edit(root, "course.md", "#dieu-1-dinh-nghia", "#dieu-2")
    content = load_content(root)
    assert only_problem(content) == (
        "courses/mini/course.md:11: không có mục #dieu-2 trong 02-noi-dung.md"
    )
    assert content.courses == []


def test_missing_image(root):
    (root / "mini" / "images" / "so-do.png").unlink()
    assert only_problem(load_content(root)) == (
        "courses/mini/01-gioi-thieu.md:15: thiếu hình ảnh: images/so-do.png"
    )


def test_image_outside_the_course_folder_is_missing(root):
    shutil.copy(root / "mini" / "images" / "so-do.png", root / "ngoai.png")
    edit(root, "01-gioi-thieu.md", "(images/so-do.png)", "(../ngoai.png)")
    assert only_problem(load_content(root)).endswith(
        "phải nằm trong thư mục images/: ../ngoai.png"
    )


def test_missing_sources(root):
    edit(
        root, "01-gioi-thieu.md", "sources:\n  - Tài liệu mẫu, mục 1\n", "sources: []\n"
    )
    assert only_problem(load_content(root)) == (
        "courses/mini/01-gioi-thieu.md:9: thiếu nguồn (sources)"
    )


def test_prefix_differs_from_order(root):
    edit(root, "02-noi-dung.md", "order: 2", "order: 3")
    assert only_problem(load_content(root)) == (
        "courses/mini/02-noi-dung.md:5: tiền tố tên tệp (NN) khác thứ tự (order) 3"
    )


def test_raw_html_line(root):
    shutil.copy(DATA / "broken" / "raw-html.md", root / "mini" / "03-html.md")
    content = load_content(root)
    assert only_problem(content) == (
        "courses/mini/03-html.md:15: HTML thô không được phép (raw HTML)"
    )
    assert len(content.courses[0].modules) == 2


def test_disallowed_link_scheme(root):
    edit(root, "02-noi-dung.md", "    Một ghi chú.", "    [Bấm](javascript:alert(1))")
    assert only_problem(load_content(root)) == (
        "courses/mini/02-noi-dung.md:16: "
        "liên kết dùng giao thức không được phép: javascript:alert(1)"
    )


def test_a_code_or_title_longer_than_its_column_is_refused(root):
    """Course and module codes are String(40), titles String(255): a longer one
    is a problem of the file, not an error of PostgreSQL at sync (SQLite would
    have kept it)."""
    edit(root, "01-gioi-thieu.md", "code: MINI-M1", "code: MINI-" + "M" * 36)
    edit(root, "course.md", "title: Khóa học mẫu", "title: " + "Dài " * 70)
    found = [str(p) for p in load_content(root).problems]
    assert any(
        "01-gioi-thieu.md:2: “code” dài quá 40 ký tự (41 ký tự)" in p for p in found
    ), found
    assert any("course.md:3: “title” dài quá 255 ký tự (279 ký tự)" in p for p in found)
