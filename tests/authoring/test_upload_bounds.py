"""A question file (GIFT, Aiken, Moodle XML, Word) is bounded in the work it takes
and in the problems it lists: past app.content.limits it is refused before its
questions are read, and a refused file lists at most MAX_PROBLEMS problems, then
"… và N lỗi khác", counts written as numbers are on the page (10.000 / 10,000)."""

import io
import re

import pytest
from docx import Document
from flask_babel import force_locale
from sqlalchemy import func, select

from app.content.aiken import parse_aiken
from app.content.gift import parse_gift
from app.content.limits import MAX_LINES, MAX_PROBLEMS, MAX_QUESTIONS
from app.content.moodle_xml import parse_moodle_xml
from app.content.problems import ConversionError
from app.content.word import parse_word
from app.extensions import db
from app.quizzes.models import Question
from tests.authoring.helpers import make_authoring, upload_questions

BANK = "/authoring/banks/B1"
EMPTY_AIKEN = "Q\nA. x\n\n"  # no ANSWER, one option: two problems a question
BAD_GIFT = "q {=a ~b\n\n"  # the brace is never closed: one problem a question


def _refused(parse, data) -> ConversionError:
    with pytest.raises(ConversionError) as refused:
        parse(data, "~new")
    return refused.value


def test_the_reviewers_files_are_refused_before_a_question_is_read():
    """9.6 MB of Aiken (1.2 million questions, 2.4 million problems: 100 s, 2 GB)
    and 9 MB of GIFT (900,000 problems): refused by their lines, listing none."""
    assert (MAX_LINES, MAX_QUESTIONS, MAX_PROBLEMS) == (100_000, 5_000, 100)
    for parse, text in (
        (parse_aiken, EMPTY_AIKEN * 1_200_000),
        (parse_gift, BAD_GIFT * 900_000),
    ):
        error = _refused(parse, text)
        assert error.message == (
            "Tệp có quá 100.000 dòng; hãy chia thành nhiều tệp. Chưa nhập gì."
        )
        assert error.problems == []


def test_a_file_of_more_questions_than_the_cap_is_refused_before_they_are_read():
    for parse, text in ((parse_aiken, EMPTY_AIKEN), (parse_gift, BAD_GIFT)):
        error = _refused(parse, text * (MAX_QUESTIONS + 1))
        assert error.message == (
            "Tệp có quá 5.000 câu hỏi; hãy chia thành nhiều tệp. Chưa nhập gì."
        )
        assert error.problems == []
    xml = b"<quiz>" + b'<question type="essay"/>' * 400_000 + b"</quiz>"
    error = _refused(lambda d, p: parse_moodle_xml(d, p, 10_000_000), xml)
    assert error.message.startswith("Tệp có quá 5.000 câu hỏi")
    many = b'<quiz><question type="multichoice">' + b"<x/>" * 400_000
    error = _refused(parse_moodle_xml, many + b"</question></quiz>")
    assert error.message.startswith("Tệp XML có quá 300.000 phần tử")


def test_a_file_of_many_problems_lists_a_hundred_and_counts_the_others():
    error = _refused(parse_aiken, EMPTY_AIKEN * MAX_QUESTIONS)
    assert error.message == "Tệp Aiken có 10.000 lỗi; chưa nhập câu hỏi nào."
    assert len(error.problems) == MAX_PROBLEMS + 1
    assert error.problems[0].startswith("dòng 1: ")
    assert error.problems[-1] == "… và 9.900 lỗi khác"
    one_block = "Q\nA. x\n" + "zz\n" * 90_000  # one problem a line, in one question
    error = _refused(parse_aiken, one_block)
    assert error.message == "Tệp Aiken có 90.002 lỗi; chưa nhập câu hỏi nào."
    assert error.problems[-1] == "… và 89.902 lỗi khác"
    error = _refused(parse_gift, BAD_GIFT * MAX_QUESTIONS)
    assert error.message == "Tệp GIFT có 5.000 lỗi; chưa nhập câu hỏi nào."
    assert len(error.problems) == MAX_PROBLEMS + 1
    assert error.problems[-1] == "… và 4.900 lỗi khác"
    xml = b"<quiz>" + b'<question type="essay"/>' * 4_000 + b"</quiz>"
    error = _refused(parse_moodle_xml, xml)
    assert error.message == "Tệp XML có 4.000 lỗi; chưa nhập câu hỏi nào."
    assert error.problems[-1] == "… và 3.900 lỗi khác"


def test_a_word_file_of_many_problems_lists_a_hundred():
    document = Document()
    for _ in range(3_000):  # text before "Câu 1.": a problem each
        document.add_paragraph("Nội dung lạc")
    buffer = io.BytesIO()
    document.save(buffer)
    error = _refused(parse_word, buffer.getvalue())
    assert error.message == "Tệp Word có 3.000 lỗi; chưa nhập câu hỏi nào."
    assert len(error.problems) == MAX_PROBLEMS + 1
    assert error.problems[-1] == "… và 2.900 lỗi khác"


def test_counts_are_written_in_the_readers_language(app):
    with app.test_request_context(), force_locale("en"):
        error = _refused(parse_aiken, EMPTY_AIKEN * MAX_QUESTIONS)
        assert error.message == (
            "The Aiken file has 10,000 errors; no question was imported."
        )
        assert error.problems[-1] == "… and 9,900 more errors"
        error = _refused(parse_gift, BAD_GIFT * (MAX_PROBLEMS + 1))
        assert error.problems[-1] == "… and 1 more error"
        error = _refused(parse_aiken, EMPTY_AIKEN * 40_000)
        assert error.message == (
            "The file has more than 100,000 lines; split it into several files. "
            "Nothing was imported."
        )


@pytest.fixture
def content(app, tmp_path):
    return make_authoring(app, tmp_path)


def _questions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Question))


def test_the_upload_page_lists_a_bounded_report_and_imports_nothing(
    app, client, auth, content
):
    auth.login("trainer")
    before = _questions(app)
    data = (EMPTY_AIKEN * 1_200_000).encode()  # the reviewer's 9.6 MB file
    response = upload_questions(client, auth, data, "big.txt", "aiken")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Tệp có quá 100.000 dòng; hãy chia thành nhiều tệp." in html
    response = upload_questions(
        client, auth, (BAD_GIFT * 4_000).encode(), "b.gift", "gift"
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Tệp GIFT có 4.000 lỗi; chưa nhập câu hỏi nào." in html
    report = re.search(r'<div class="flash flash-error".*?</div>', html, re.S)
    assert report.group(0).count("<li>") == MAX_PROBLEMS + 1
    assert "<li>… và 3.900 lỗi khác</li>" in report.group(0)
    assert _questions(app) == before


def test_the_import_commands_refuse_the_same_files(app, runner, tmp_path):
    path = tmp_path / "big.txt"
    path.write_text(EMPTY_AIKEN * MAX_QUESTIONS, encoding="utf-8")
    result = runner.invoke(args=["quizzes", "import-aiken", str(path), "--bank", "X"])
    assert result.exit_code != 0
    assert "Tệp Aiken có 10.000 lỗi; chưa nhập câu hỏi nào." in result.output
    assert "… và 9.900 lỗi khác" in result.output
    assert result.output.count(f"{path}: dòng ") == MAX_PROBLEMS
    path.write_text(BAD_GIFT * (MAX_QUESTIONS + 1), encoding="utf-8")
    result = runner.invoke(args=["quizzes", "import-gift", str(path), "--bank", "X"])
    assert result.exit_code != 0
    assert "Tệp có quá 5.000 câu hỏi" in result.output
    assert _questions(app) == 0
