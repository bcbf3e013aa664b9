"""Moodle round trips: GIFT keeps a question's Moodle name and its category, a GIFT
file as Moodle 5 writes it imports unchanged, and Moodle XML imports the same
question types all or nothing, its problems located by line and question."""

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.content.gift import parse_gift
from app.content.gift_export import export_gift
from app.content.moodle_categories import (
    category_groups,
    category_path,
    category_tags,
)
from app.content.moodle_xml import parse_moodle_xml
from app.content.problems import ConversionError
from app.extensions import db
from app.quizzes.models import Question, QuestionBank, QuestionVersion
from app.quizzes.questions import MULTIPLE, SINGLE, TRUEFALSE, OptionData, QuestionData

DATA = Path(__file__).resolve().parents[1] / "data" / "moodle"
THIRD = 1 / 3


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


# --- GIFT: names and categories ---------------------------------------------------


def test_gift_round_trip_keeps_names_and_the_category():
    questions = [
        QuestionData(
            code="VH-001",
            type=SINGLE,
            stem="Cán bộ tiếp dân cần làm gì trước tiên?",
            options=(
                OptionData("a", "Chào hỏi", True),
                OptionData("b", "Im lặng", False),
            ),
            name="Tiếp dân: bước 1 {chào} = #1",
        ),
        QuestionData(
            code="VH-002", type=TRUEFALSE, stem="Được hút thuốc?", answer=False
        ),
    ]
    text = export_gift(questions, category=category_path("Văn hóa công vụ/2026"))
    assert "$CATEGORY: $course$/top/Văn hóa công vụ//2026\n" in text
    assert "::Tiếp dân\\: bước 1 \\{chào\\} \\= \\#1::[markdown]" in text
    assert "::VH-002::" in text  # no name: the code is the title
    back = [replace(q, line=0) for q in parse_gift(text, "X")]
    kept = "$course$/top/Văn hóa công vụ//2026"  # the path as written, kept
    assert back == [replace(q, category=kept) for q in questions]  # no tag added


@pytest.mark.parametrize(
    "name", ["[plain] tên", "[markdown]x", "[html]Tên", "[moodle] a"]
)
def test_a_name_that_starts_like_a_format_is_kept_whole(name):
    """A question's name has no format in Moodle: a "[plain]" at its start is part
    of it, and comes back from the round trip."""
    question = QuestionData(
        code="VH-009", type=TRUEFALSE, stem="Được hút thuốc?", answer=False, name=name
    )
    (back,) = parse_gift(export_gift([question]), "X")
    assert back.name == name and back.stem == "Được hút thuốc?"


def test_category_tags_are_the_paths_below_what_they_share():
    assert category_tags(
        ["$course$/top/Sở A/Học phần 2", "$course$/top/Sở B/Học phần 2"]
    ) == {
        "$course$/top/Sở A/Học phần 2": "so-a-hoc-phan-2",
        "$course$/top/Sở B/Học phần 2": "so-b-hoc-phan-2",
    }
    one_level = category_tags(["$course$/top/Học phần 1", "top/Học phần 2"])
    assert list(one_level.values()) == ["hoc-phan-1", "hoc-phan-2"]
    nested = category_tags(["$course$/top/VH/Chương 1", "$course$/top/VH/A//B"])
    assert list(nested.values()) == ["chuong-1", "a-b"]
    # A category and its own subcategory: the first is the bank itself.
    assert list(category_tags(["top/VH", "top/VH/Phụ lục"]).values()) == [
        "",
        "phu-luc",
    ]
    assert category_tags(["$course$/top/VH"]) == {"$course$/top/VH": ""}


def test_same_last_segment_in_different_categories_gives_different_tags():
    gift = (
        "$CATEGORY: $course$/top/Sở A/Học phần 2\n\n::A1::Hỏi?{T}\n\n"
        "$CATEGORY: $course$/top/Sở B/Học phần 2\n\n::B1::Hỏi?{F}\n"
    )
    xml = _xml(
        _category("$course$/top/Sở A/Học phần 2"),
        _multichoice("A1"),
        _category("$course$/top/Sở B/Học phần 2"),
        _multichoice("B1"),
    )
    for first, second in (parse_gift(gift, "X"), parse_moodle_xml(xml, "X")):
        assert first.tags == ("so-a-hoc-phan-2",)
        assert second.tags == ("so-b-hoc-phan-2",)


def test_several_categories_become_tags_on_their_questions():
    text = (
        "$CATEGORY: $course$/top/Chương 1\n\n::A1::Hỏi?{T}\n\n"
        "$CATEGORY: $course$/top/Chương 2\n\n::A2::Hỏi?{F}\n"
    )
    first, second = parse_gift(text, "X")
    assert first.tags == ("chuong-1",) and second.tags == ("chuong-2",)


LONG = "Một tên danh mục rất dài của một học phần bồi dưỡng"


@pytest.mark.parametrize(
    "second, expected",
    [
        (
            "Học phần 2",  # "Hoc phan 2" and "Học phần 2" slugify alike
            "dòng 5: danh mục «$course$/top/Học phần 2» và danh mục «$course$/top/"
            "Hoc phan 2» (dòng 1) cho cùng một thẻ «hoc-phan-2»",
        ),
        (
            f"{LONG}/{LONG}",
            "dòng 5: danh mục «$course$/top/" + LONG + "/" + LONG + "» cho thẻ «mot",
        ),
    ],
    ids=["slugs-alike", "tag-too-long"],
)
def test_categories_that_would_merge_or_be_cut_are_refused(second, expected):
    gift = (
        "$CATEGORY: $course$/top/Hoc phan 2\n\n::A1::Hỏi?{T}\n\n"
        f"$CATEGORY: $course$/top/{second}\n\n::B1::Hỏi?{{F}}\n"
    )
    with pytest.raises(ConversionError) as caught:
        parse_gift(gift, "X")
    assert any(expected in str(p) for p in caught.value.problems), caught.value
    xml = _xml(
        _category("$course$/top/Hoc phan 2"),
        _multichoice("A1"),
        _category(f"$course$/top/{second}"),
        _multichoice("B1"),
    )
    located = expected.replace("dòng 5:", "dòng 11:").replace("(dòng 1)", "(dòng 3)")
    assert any(located in str(p) for p in problems_of(xml))


def test_moodle5_gift_file_imports_unchanged():
    questions = parse_gift((DATA / "moodle5-export.gift").read_text("utf-8"), "M")
    assert [(q.code, q.name, q.type, q.tags) for q in questions] == [
        ("M-001", "Câu 4 xin", SINGLE, ("hoc-phan-1",)),
        ("M-002", "Chọn tất cả: 4 luôn", MULTIPLE, ("hoc-phan-1",)),
        ("M-003", "Kiên Giang 3 không", TRUEFALSE, ("hoc-phan-2",)),
        ("M-004", "QD129", TRUEFALSE, ("hoc-phan-2",)),  # a name, not a code
        ("M-005", "Markdown 50-50", MULTIPLE, ("hoc-phan-2",)),
    ]
    single, multiple, truefalse, plain, markdown = questions
    # [html] stem: the answers and feedback without a prefix are HTML too.
    assert single.stem == "Theo KH 115, “4 xin” gồm những gì?"
    assert single.options[0] == OptionData(
        "a", "Xin chào, xin lỗi, xin cảm ơn, xin phép", True, None, "Chính xác."
    )
    assert single.explanation == "KH 115, mục III.1.b."
    assert [o.weight for o in multiple.options] == pytest.approx(
        [THIRD, THIRD, THIRD, -1.0]
    )
    # HTML text is text: Markdown's marks in it are escaped (shown as written)
    assert multiple.options[3].text == r"Luôn đúng hẹn \{theo giờ\}"
    assert truefalse.stem.endswith("“3 không” = “không phiền hà”?")
    assert truefalse.answer is False and truefalse.explanation == "Xem KH 64#2."
    assert truefalse.feedback_true == "Chưa đúng: chỉ có “4 xin, 4 luôn”."
    assert plain.stem.endswith("năm 2007: đúng hay sai?")
    assert markdown.stem == "Hai **nguyên tắc** nào đúng?"
    assert markdown.options[2].text == "Bí mật ~ riêng tư"


def test_cli_gift_import_stores_names_and_export_writes_them_back(
    app, runner, tmp_path
):
    path = DATA / "moodle5-export.gift"
    result = runner.invoke(args=["quizzes", "import-gift", str(path), "--bank", "MD"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        names = dict(db.session.execute(select(Question.code, Question.name)).all())
        assert names["MD-001"] == "Câu 4 xin" and names["MD-004"] == "QD129"
        kept = dict(db.session.execute(select(Question.code, Question.category)).all())
        assert kept["MD-001"] == "$course$/top/Văn hóa công vụ/Học phần 1"
    out = tmp_path / "md.gift"
    result = runner.invoke(args=["quizzes", "export-gift", "--bank", "MD", "-o", out])
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8")
    # the categories as Moodle named them, not rebuilt from the tags
    assert text.startswith("$CATEGORY: $course$/top/Văn hóa công vụ/Học phần 1\n")
    assert text.count("$CATEGORY:") == 2
    assert "\n$CATEGORY: $course$/top/Văn hóa công vụ/Học phần 2\n" in text
    assert "::Chọn tất cả\\: 4 luôn::" in text and "::QD129::" in text
    again = runner.invoke(args=["quizzes", "import-gift", str(out), "--bank", "MD"])
    assert "0 tạo mới, 0 cập nhật" in again.output, again.output


def _tagged(code: str, *tags: str) -> QuestionData:
    return QuestionData(code=code, type=TRUEFALSE, stem="Hỏi?", answer=True, tags=tags)


def test_export_writes_the_categories_its_tags_name_unambiguously():
    bank = "$course$/top/MD"
    questions = [
        _tagged("A", "giao-tiep", "hoc-phan-1"),
        _tagged("B", "hoc-phan-2"),
        _tagged("C"),
        _tagged("D", "hoc-phan-1"),
    ]
    assert [
        (path, [q.code for q in group])
        for path, group in category_groups(questions, bank)
    ] == [
        (f"{bank}/hoc-phan-1", ["A", "D"]),
        (f"{bank}/hoc-phan-2", ["B"]),
        (bank, ["C"]),
    ]
    text = export_gift(questions, category=bank, subcategories=True)
    assert text.count("$CATEGORY:") == 3
    back = [replace(q, line=0) for q in parse_gift(text, "X")]
    categories = {"A": "/hoc-phan-1", "B": "/hoc-phan-2", "C": "", "D": "/hoc-phan-1"}
    assert sorted(back, key=lambda q: q.code) == [  # tags as they were
        replace(q, category=bank + categories[q.code]) for q in questions
    ]


@pytest.mark.parametrize(
    "questions",
    [
        # B's own tag is A's category tag: which is B's category?
        [_tagged("A", "hoc-phan-1"), _tagged("B", "hoc-phan-1", "hoc-phan-2")],
        [_tagged("A", "Học phần 1"), _tagged("B", "hoc-phan-2")],  # not a tag
        [_tagged("A", "hoc-phan-1"), _tagged("B", "hoc-phan-1")],  # one category
    ],
    ids=["two-candidates", "not-a-tag", "one-category"],
)
def test_export_keeps_the_bank_category_when_tags_are_ambiguous(questions):
    text = export_gift(questions, category="$course$/top/MD", subcategories=True)
    assert text.count("$CATEGORY:") == 1
    assert text.startswith("$CATEGORY: $course$/top/MD\n")


# --- Moodle XML -------------------------------------------------------------------


def test_moodle_xml_fixture_imports():
    single, multiple, truefalse = parse_moodle_xml(
        (DATA / "moodle5-export.xml").read_bytes(), "M"
    )
    assert single == QuestionData(
        code="M-001",
        type=SINGLE,
        stem="Theo KH 115, “4 xin” gồm những gì?",
        options=(
            OptionData(
                "a", "Xin chào, xin lỗi, xin cảm ơn, xin phép", True, None, "Chính xác."
            ),
            OptionData(
                "b",
                "Xin chào, xin chờ, xin cảm ơn, xin phép",
                False,
                None,
                "“Xin chờ” không có trong “4 xin”.",
            ),
            OptionData("c", "Xin mời, xin lỗi, xin cảm ơn, xin phép", False),
        ),
        explanation="KH 115, mục III.1.b.",
        tags=("giao-tiep", "hoc-phan-1"),
        line=15,
        name="Câu 4 xin",
        category="$course$/top/Văn hóa công vụ/Học phần 1",
    )
    assert (multiple.code, multiple.type, multiple.name) == (
        "VHCV-4LUON",  # its <idnumber>
        MULTIPLE,
        "Chọn tất cả: 4 luôn",
    )
    assert [(o.correct, o.weight) for o in multiple.options] == [
        (True, pytest.approx(THIRD)),
        (True, pytest.approx(THIRD)),
        (True, pytest.approx(THIRD)),
        (False, -1.0),
    ]
    assert multiple.options[3].text == "Luôn đúng hẹn & đúng giờ"
    assert truefalse.type == TRUEFALSE and truefalse.answer is False
    assert truefalse.feedback_true == "Chưa đúng: chỉ có “4 xin, 4 luôn”."
    assert truefalse.feedback_false == "Chính xác."
    assert truefalse.tags == ("hoc-phan-2",)


COMBINED = """<question type="multichoice">
<name><text>Phản hồi</text></name>
<questiontext format="html"><text>Hỏi?</text></questiontext>
<generalfeedback format="html"><text>&lt;p&gt;Chung.&lt;/p&gt;</text></generalfeedback>
<correctfeedback format="html"><text>&lt;p&gt;Giỏi &lt;b&gt;lắm&lt;/b&gt;.&lt;/p&gt;\
</text></correctfeedback>
<partiallycorrectfeedback format="html"><text>Your answer is partially correct.\
</text></partiallycorrectfeedback>
<incorrectfeedback format="html">\
<text>&lt;script&gt;alert(1)&lt;/script&gt;Xem lại KH 115.</text></incorrectfeedback>
<hint format="html"><text>&lt;p&gt;Nhớ “4 xin”.&lt;/p&gt;</text><shownumcorrect/></hint>
<hint format="html"><text></text></hint>
<hint format="moodle_auto_format"><text>Đọc mục III.</text></hint>
<answer fraction="100"><text>Đúng</text></answer>
<answer fraction="0"><text>Sai</text></answer>
</question>"""


def test_combined_feedback_and_hints_join_the_explanation_labelled():
    (question,) = parse_moodle_xml(_xml(COMBINED), "T")
    assert question.explanation == (
        "Chung.\n\n"
        "Khi trả lời đúng: Giỏi lắm.\n\n"  # HTML reduced to its words
        "Khi trả lời sai: Xem lại KH 115.\n\n"  # the script dropped, not run
        "Gợi ý 1: Nhớ “4 xin”.\n\n"
        "Gợi ý 2: Đọc mục III."
    )  # Moodle's default partially-correct text and the empty hint left out


def test_a_single_hint_without_general_feedback_is_the_whole_explanation():
    xml = _multichoice("Gợi ý").replace(
        "<single>", '<hint format="html"><text>Xem Điều 5.</text></hint>\n<single>'
    )
    (question,) = parse_moodle_xml(_xml(xml), "T")
    assert question.explanation == "Gợi ý: Xem Điều 5."


def _xml(*questions: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n'
        + "\n".join(questions)
        + "\n</quiz>\n"
    ).encode()


def _category(path: str) -> str:
    return (
        f'<question type="category"><category><text>{path}</text></category></question>'
    )


def _multichoice(name="Q", answers=("100", "0"), single="true") -> str:
    rows = "\n".join(
        f'<answer fraction="{f}" format="html"><text>Đáp án {i}</text></answer>'
        for i, f in enumerate(answers)
    )
    return (
        f'<question type="multichoice">\n<name><text>{name}</text></name>\n'
        '<questiontext format="html"><text>&lt;p&gt;Hỏi?&lt;/p&gt;</text>'
        f"</questiontext>\n<single>{single}</single>\n{rows}\n</question>"
    )


def problems_of(data: bytes) -> list[str]:
    with pytest.raises(ConversionError) as caught:
        parse_moodle_xml(data, "T", limit=100_000)
    return [caught.value.message, *caught.value.problems]


@pytest.mark.parametrize(
    "data, expected",
    [
        (
            _xml(
                _multichoice("Tốt"),
                '<question type="essay">\n<name><text>Bài luận</text></name>'
                "</question>",
            ),
            "dòng 10: câu 2 «Bài luận»: câu dạng tự luận (essay) không được hỗ trợ",
        ),
        (
            _xml(_multichoice("Thiếu", answers=())),
            "dòng 3: câu 1 «Thiếu»: câu trắc nghiệm cần ít nhất 2 <answer>",
        ),
        (
            _xml(_multichoice("Lệch", answers=("50", "30", "0"), single="false")),
            "tổng fraction các đáp án đúng phải là 100 (đang là 80)",
        ),
        (
            _xml(_multichoice("Hai đúng", answers=("100", "100"))),
            "cần đúng một đáp án fraction=100 (đang có 2)",
        ),
        (
            _xml(_multichoice("Chữ", answers=("abc", "100"))),
            "dòng 7: câu 1 «Chữ»: fraction=«abc» không phải một số phần trăm",
        ),
        (
            b"<quiz>\n<question type='multichoice'>\n</quiz>",
            "dòng 3: cột 3: lỗi cú pháp XML",
        ),
        (
            _xml(
                '<question type="truefalse"><name><text>Đ/S</text></name>'
                '<questiontext format="html"><text>Hỏi?</text></questiontext>'
                '<answer fraction="100"><text>true</text></answer></question>'
            ),
            "dòng 3: câu 1 «Đ/S»: câu đúng/sai cần đúng hai <answer>: true và false",
        ),
        (b"<quiz></quiz>", "không có câu hỏi nào"),
        (b"<html><body/></html>", "phần tử gốc là <html>"),
    ],
)
def test_bad_moodle_xml_is_refused_with_located_problems(data, expected):
    assert any(expected in problem for problem in problems_of(data))


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<quiz><question type="multichoice"><name><text>&lol3;</text></name></question></quiz>
"""


def test_entity_expansion_is_refused():
    (message,) = problems_of(BILLION_LAUGHS)
    assert "DTD" in message


def test_an_oversized_file_is_refused_before_parsing():
    with pytest.raises(ConversionError) as caught:
        parse_moodle_xml(b"<quiz>" + b" " * 200 + b"</quiz", "T", limit=100)
    assert "quá lớn" in caught.value.message  # the broken XML was never read


def test_cli_moodle_xml_import(app, runner):
    path = DATA / "moodle5-export.xml"
    args = ["quizzes", "import-moodle-xml", str(path), "--bank", "MX"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    with app.app_context():
        rows = {q.code: q for q in db.session.scalars(select(Question))}
        assert rows["VHCV-4LUON"].name == "Chọn tất cả: 4 luôn"
        assert rows["MX-001"].current_version.origin == "import"
        assert rows["MX-002"].current_version.tags == ["hoc-phan-2"]
    # Again: the question its <idnumber> names is the same one; the two without
    # an <idnumber> are new questions (an import never replaces one by accident).
    again = runner.invoke(args=args).output
    assert "2 tạo mới, 0 cập nhật, 1 không đổi" in again, again


@pytest.mark.parametrize(
    "data",
    [
        _xml(_multichoice("Tốt"), '<question type="shortanswer"></question>'),
        BILLION_LAUGHS,
        b"<quiz><question>",
    ],
)
def test_cli_moodle_xml_errors_write_nothing(app, runner, tmp_path, data):
    path = tmp_path / "bad.xml"
    path.write_bytes(data)
    result = runner.invoke(
        args=["quizzes", "import-moodle-xml", str(path), "--bank", "BAD"]
    )
    assert result.exit_code != 0
    with app.app_context():
        assert _count(Question) == _count(QuestionVersion) == 0
        assert _count(QuestionBank) == 0


def test_cli_refuses_a_file_over_the_upload_limit(app, runner, tmp_path):
    app.config["UPLOAD_MAX_BYTES"] = 50
    path = tmp_path / "big.xml"
    path.write_bytes(_xml(_multichoice("Tốt")))
    result = runner.invoke(
        args=["quizzes", "import-moodle-xml", str(path), "--bank", "BIG"]
    )
    assert result.exit_code != 0 and "quá lớn" in result.output
    with app.app_context():
        assert _count(Question) == 0


def test_a_free_text_moodle_idnumber_gives_a_code():
    question = _multichoice().replace(
        "</question>", "<idnumber>HP1 - Câu 01</idnumber>\n</question>"
    )
    (parsed,) = parse_moodle_xml(_xml(question), "T", limit=100_000)
    assert parsed.code == "HP1-Cau-01" and parsed.name == "Q"
    nothing = _multichoice().replace("</question>", "<idnumber>§</idnumber></question>")
    assert "<idnumber>§</idnumber> không hợp lệ" in " ".join(problems_of(_xml(nothing)))


def test_a_source_dropped_by_moodle_is_kept(app, runner, tmp_path):
    """VHCV → Moodle → VHCV: Moodle keeps `[id:]` and `[tag:]` of a GIFT file's
    comments, not `[source:…]`; the file it exports imports back unchanged, the
    stored source kept (a new source in the file still replaces it)."""
    first = tmp_path / "vhcv.gift"
    first.write_text(
        "// [id:SRC-1]\n// [source:Điều 5, Quyết định 1847/QĐ-TTg]\nHỏi?{T}\n",
        encoding="utf-8",
    )
    made = runner.invoke(args=["quizzes", "import-gift", str(first), "--bank", "S"])
    assert made.exit_code == 0, made.output
    out = tmp_path / "out.gift"
    runner.invoke(args=["quizzes", "export-gift", "--bank", "S", "-o", out])
    text = out.read_text("utf-8")
    assert "[source:Điều 5" in text
    moodle = tmp_path / "moodle.gift"
    moodle.write_text(
        "\n".join(line for line in text.splitlines() if "[source:" not in line),
        encoding="utf-8",
    )
    again = runner.invoke(args=["quizzes", "import-gift", str(moodle), "--bank", "S"])
    assert "0 tạo mới, 0 cập nhật" in again.output, again.output
    first.write_text(first.read_text("utf-8").replace("Điều 5", "Điều 6"), "utf-8")
    runner.invoke(args=["quizzes", "import-gift", str(first), "--bank", "S"])
    with app.app_context():
        question = db.session.scalar(select(Question).where(Question.code == "SRC-1"))
        assert question.current_version.source.startswith("Điều 6")
        assert question.current_version.number == 2
