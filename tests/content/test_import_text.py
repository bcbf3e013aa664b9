"""What an imported question's text may hold, for every parser: a code the
database can hold (60 characters), no image, attached file or table (reducing them
to text would change the question), paragraphs kept, and text that is not
Markdown escaped so it shows as written."""

import html
import re

import pytest
from sqlalchemy import func, select

from app.content.aiken import parse_aiken
from app.content.banks import parse_bank
from app.content.gift import parse_gift
from app.content.moodle_xml import parse_moodle_xml
from app.content.problems import CODE_MAX, ConversionError
from app.content.word import parse_word
from app.extensions import db
from app.markdown import render_markdown
from app.quizzes.models import Question, QuestionBank
from tests.factories import docx_of

LONG = "A" * 61


def _gift_problems(text: str) -> list[str]:
    with pytest.raises(ConversionError) as caught:
        parse_gift(text, "T")
    return caught.value.problems


def _xml_problems(data: bytes) -> list[str]:
    with pytest.raises(ConversionError) as caught:
        parse_moodle_xml(data, "T")
    return caught.value.problems


def _xml(
    question_text: str, *, extra: str = "", after: str = "", fmt: str = "html"
) -> bytes:
    """A question whose <text> is on line 5, `extra` from line 6 in its
    <questiontext>, `after` on the line after that."""
    return (
        "<quiz>\n"
        '<question type="multichoice">\n'
        "<name><text>Q</text></name>\n"
        f'<questiontext format="{fmt}">\n<text>{question_text}</text>\n'
        f"{extra}</questiontext>\n{after}"
        '<answer fraction="100" format="html"><text>Có</text></answer>\n'
        '<answer fraction="0" format="html"><text>Không</text></answer>\n'
        "</question>\n</quiz>\n"
    ).encode()


# --- a code fits the database -------------------------------------------------------


def test_the_limit_is_the_columns():
    assert Question.__table__.c.code.type.length == CODE_MAX == 60


def test_a_gift_id_longer_than_60_is_refused_on_its_line():
    assert _gift_problems(f"// chú thích\n// [id:{LONG}]\nHỏi?{{T}}") == [
        f"dòng 2: mã câu hỏi «{LONG}» dài quá 60 ký tự (61 ký tự)"
    ]
    (question,) = parse_gift(f"// [id:{LONG[:60]}]\nHỏi?{{T}}", "T")
    assert question.code == LONG[:60]


def test_a_moodle_idnumber_longer_than_60_is_refused_on_its_line():
    data = _xml("Hỏi?", after=f"<idnumber>{LONG}</idnumber>\n")
    assert _xml_problems(data) == [
        f"dòng 7: câu 1 «Q»: mã câu hỏi «{LONG}» dài quá 60 ký tự (61 ký tự)"
    ]


def test_a_bank_file_code_longer_than_60_is_refused_on_its_line():
    text = (
        "---\ncode: B\ntitle: Thử\n---\n\n"
        f"## {LONG}\ntype: truefalse\nsource: Điều 2\nanswer: true\n\n"
        "Đúng hay sai?\n\nGiải thích: Đúng.\n"
    )
    _, problems = parse_bank(text, "quizzes/banks/b.md")
    assert [(p.line, str(p.message)) for p in problems] == [
        (6, f"mã câu hỏi «{LONG}» dài quá 60 ký tự (61 ký tự)")
    ]


def test_the_cli_refuses_a_long_code_and_writes_nothing(app, runner, tmp_path):
    path = tmp_path / "long.gift"
    path.write_text(f"// [id:{LONG}]\nHỏi?{{T}}\n", encoding="utf-8")
    result = runner.invoke(args=["quizzes", "import-gift", str(path), "--bank", "L"])
    assert result.exit_code != 0 and "dòng 1: mã câu hỏi" in result.output
    assert "dài quá 60 ký tự" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(QuestionBank.id))) == 0


# --- images, files and tables are refused -------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "found"),
    [
        ('Câu 1\n[html]<p>Xem hình</p>\n<img src="x.png">?{T}', 3, "<img>"),
        ("[markdown]Xem ![hình](@@PLUGINFILE@@/a.png)?{T}", 1, "@@PLUGINFILE@@"),
        ("Hỏi?{\n=Có\n~[html]<TABLE><tr><td>1</td></tr></TABLE>\n}", 3, "<table>"),
    ],
)
def test_gift_with_an_image_or_a_table_is_refused_on_its_line(text, line, found):
    assert _gift_problems(text) == [
        f"dòng {line}: câu hỏi có hình ảnh hoặc bảng ({found}) mà nền tảng không "
        "nhập được; người soạn cần viết lại câu này thành chữ"
    ]


@pytest.mark.parametrize(
    ("data", "line", "found"),
    [
        (
            _xml(
                '&lt;img src="@@PLUGINFILE@@/a.png"&gt;Hỏi?',
                extra='<file name="a.png" encoding="base64">iVBO</file>\n',
            ),
            5,
            "<img>",
        ),
        (_xml("Hỏi?", extra='<file name="a.png">iVBO</file>\n'), 6, "<file>"),
        (
            _xml(
                "&lt;table&gt;&lt;tr&gt;&lt;td&gt;1&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;"
            ),
            5,
            "<table>",
        ),
        (_xml("Xem @@PLUGINFILE@@/a.pdf"), 5, "@@PLUGINFILE@@"),
    ],
)
def test_moodle_xml_with_an_image_a_file_or_a_table_is_refused(data, line, found):
    assert _xml_problems(data) == [
        f"dòng {line}: câu 1 «Q»: câu hỏi có hình ảnh hoặc bảng ({found}) mà nền "
        "tảng không nhập được; người soạn cần viết lại câu này thành chữ"
    ]


def test_the_cli_refuses_an_image_and_writes_nothing(app, runner, tmp_path):
    path = tmp_path / "hinh.xml"
    path.write_bytes(_xml("Hỏi?", extra='<file name="a.png">iVBO</file>\n'))
    result = runner.invoke(
        args=["quizzes", "import-moodle-xml", str(path), "--bank", "H"]
    )
    assert result.exit_code != 0 and "hình ảnh hoặc bảng (<file>)" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Question.id))) == 0


# --- paragraphs and Markdown's marks --------------------------------------------------


def _stem(data: bytes) -> str:
    (question,) = parse_moodle_xml(data, "T")
    return question.stem


def test_html_paragraphs_stay_apart_by_a_blank_line():
    html = "&lt;p&gt;Đoạn một&lt;/p&gt;\n&lt;p&gt;Đoạn hai&lt;br&gt;dòng hai&lt;/p&gt;"
    assert _stem(_xml(html)) == "Đoạn một\n\nĐoạn hai\ndòng hai"
    (question,) = parse_gift("[html]<p>Một</p><p>Hai</p>{T}", "T")
    assert question.stem == "Một\n\nHai"


def test_plain_text_keeps_its_blank_lines_one_each():
    assert _stem(_xml("Một\n\n\n\nHai", fmt="plain_text")) == "Một\n\nHai"


@pytest.mark.parametrize("fmt", ["html", "plain_text", "moodle_auto_format"])
def test_text_that_is_not_markdown_shows_its_marks_as_written(fmt):
    text = "# 1. a*b*c, biến_x_y [x](y) {: .c}\n- không phải danh sách"
    stem = _stem(_xml(text, fmt=fmt))
    rendered = render_markdown(stem).html
    assert "<em>" not in rendered and "<h" not in rendered and "<ul>" not in rendered
    assert "<a" not in rendered and "class" not in rendered
    assert "# 1. a*b*c, biến_x_y [x](y) {: .c}" in rendered
    assert "- không phải danh sách" in rendered


def test_markdown_text_keeps_its_marks():
    assert _stem(_xml("Hai **nguyên tắc**?", fmt="markdown")) == "Hai **nguyên tắc**?"
    (question,) = parse_gift("[markdown]Hai **nguyên tắc**?{T}", "T")
    assert question.stem == "Hai **nguyên tắc**?"


@pytest.mark.parametrize("prefix", ["[plain]", "[html]", "[moodle]", ""])
def test_gift_text_that_is_not_markdown_shows_its_marks_as_written(prefix):
    (question,) = parse_gift(f"{prefix}2*3*4 và a_b_c?{{T}}", "T")
    assert render_markdown(question.stem).html == "<p>2*3*4 và a_b_c?</p>"


# What a backslash cannot escape in Python-Markdown: a character reference, an
# autolink, a line of "=" under a line (a heading).
UNESCAPABLE = "Xem <https://evil.example> hoặc <a@b.vn>, &copy; &#65; A&B\n==="


def _stem_of(parser: str, text: str) -> str:
    if parser == "aiken":
        questions = parse_aiken(f"{text}\nA. Có\nB. Không\nANSWER: A\n", "T")
    elif parser == "word":
        lines = text.split("\n")
        data = docx_of(
            [f"Câu 1. {lines[0]}", *lines[1:], "A. Có", "B. Sai", "Đáp án: A"]
        )
        questions = parse_word(data, "T")
    elif parser == "gift":
        questions = parse_gift(f"[plain]{text}{{T}}", "T")
    else:
        questions = parse_moodle_xml(_xml(html.escape(text), fmt="plain_text"), "T")
    return questions[0].stem


@pytest.mark.parametrize("parser", ["aiken", "word", "gift", "moodle-xml"])
def test_what_a_backslash_cannot_escape_shows_as_written(parser):
    rendered = render_markdown(_stem_of(parser, UNESCAPABLE)).html
    assert "<a" not in rendered and "<h" not in rendered and "©" not in rendered
    shown = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    assert " ".join(shown.split()) == " ".join(UNESCAPABLE.split())
