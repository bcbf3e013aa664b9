"""Moodle → VHCV → Moodle keeps a question's ID number as Moodle wrote it: its
code is an ASCII slug of it ("Câu 1" gives Cau-1), the ID number itself is kept
(Question.idnumber) and written back as GIFT `// [id:…]`; and weights are written
as Moodle writes them, to 5 decimals."""

from dataclasses import replace

import pytest
from sqlalchemy import select

from app.content.gift import parse_gift
from app.content.gift_export import export_gift
from app.content.moodle_xml import parse_moodle_xml
from app.content.problems import IDNUMBER_MAX, ConversionError
from app.content.transfer import bank_questions
from app.extensions import db
from app.quizzes.models import Question, QuestionBank
from app.quizzes.questions import MULTIPLE, OptionData, QuestionData

IDNUMBER = "Câu 1 [HP-Đạo đức]"


def _xml(idnumber: str, fractions=("33.33333", "33.33333", "33.33333", "-100")):
    answers = "\n".join(
        f'<answer fraction="{f}" format="html"><text>Đáp án {i}</text></answer>'
        for i, f in enumerate(fractions)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n'
        '<question type="category"><category><text>$course$/top/Văn hóa'
        "</text></category></question>\n"
        '<question type="multichoice">\n<name><text>Câu 1</text></name>\n'
        '<questiontext format="html"><text>&lt;p&gt;Hỏi?&lt;/p&gt;</text>'
        f"</questiontext>\n<idnumber>{idnumber}</idnumber>\n"
        f"<single>false</single>\n{answers}\n</question>\n</quiz>\n"
    ).encode()


def _problems(parse, data) -> str:
    with pytest.raises(ConversionError) as caught:
        parse(data)
    return " ".join(str(p) for p in caught.value.problems)


def test_moodle_xml_to_gift_and_back_keeps_the_idnumber_verbatim():
    (question,) = parse_moodle_xml(_xml(IDNUMBER), "T")
    assert question.code == "Cau-1-HP-Dao-duc"  # codes stay ASCII slugs
    assert question.idnumber == IDNUMBER and question.name == "Câu 1"
    text = export_gift([question])
    # Moodle's GIFT import reads `[id:…]` as the ID number, `\]` as "]"
    assert "// [id:Câu 1 [HP-Đạo đức\\]]\n" in text
    assert "::Câu 1::" in text
    assert text.count("~%33.33333%") == 3 and "~%-100%" in text
    (back,) = parse_gift(text, "X")
    assert replace(back, line=0) == replace(question, line=0)


def test_a_gift_idnumber_is_kept_when_it_is_not_the_code():
    text = "// [id:Câu 2]\n::Câu 2::Hỏi?{T}\n\n// [id:Cau-3]\n::Câu 3::Hỏi?{F}\n"
    first, second = parse_gift(text, "X")
    assert (first.code, first.idnumber, first.name) == ("Cau-2", "Câu 2", "Câu 2")
    assert (second.code, second.idnumber) == ("Cau-3", "")  # the code itself
    again = export_gift([first, second])
    assert "// [id:Câu 2]\n" in again and "// [id:Cau-3]\n" in again


def test_weights_are_written_to_five_decimals_as_moodle_does():
    question = QuestionData(
        code="W-1",
        type=MULTIPLE,
        stem="Hỏi?",
        options=(
            OptionData("a", "Một", True, 0.3333333),
            OptionData("b", "Hai", True, 0.6666667),
            OptionData("c", "Ba", False, -0.123456789),
        ),
    )
    text = export_gift([question])
    assert "~%33.33333%Một" in text and "~%66.66667%Hai" in text
    assert "~%-12.34568%Ba" in text


def test_an_idnumber_moodle_could_not_hold_is_refused_on_its_line():
    assert Question.__table__.c.idnumber.type.length == IDNUMBER_MAX == 100
    fits = "Câu" + " " * (IDNUMBER_MAX - 4) + "1"  # its code is short: Cau-1
    (question,) = parse_moodle_xml(_xml(fits), "T")
    assert question.idnumber == fits and question.code == "Cau-1"
    long = fits + "!"
    found = _problems(lambda d: parse_moodle_xml(d, "T"), _xml(long))
    assert "dòng 7: câu 1 «Câu 1»: số ID" in found and "dài quá 100 ký tự" in found
    found = _problems(lambda t: parse_gift(t, "X"), f"// [id:{long}]\nHỏi?{{T}}\n")
    assert "dòng 1: số ID" in found and "(101 ký tự)" in found
    tab = _problems(lambda d: parse_moodle_xml(d, "T"), _xml("Câu&#9;1"))
    assert "ký tự điều khiển" in tab
    broken = _problems(lambda d: parse_moodle_xml(d, "T"), _xml("Câu\n1"))
    assert "«Câu 1» không được chứa dấu xuống dòng" in broken


def test_import_stores_the_idnumber_export_writes_it_and_a_code_keeps_it(
    app, runner, tmp_path
):
    path = tmp_path / "moodle.xml"
    path.write_bytes(_xml(IDNUMBER))
    args = ["quizzes", "import-moodle-xml", str(path), "--bank", "MX"]
    assert runner.invoke(args=args).exit_code == 0
    out = tmp_path / "out.gift"
    result = runner.invoke(args=["quizzes", "export-gift", "--bank", "MX", "-o", out])
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8")
    assert "// [id:Câu 1 [HP-Đạo đức\\]]\n" in text
    # the same question by its code alone (a file written before): the ID kept
    out.write_text(text.replace("[id:Câu 1 [HP-Đạo đức\\]]", "[id:Cau-1-HP-Dao-duc]"))
    again = runner.invoke(args=["quizzes", "import-gift", str(out), "--bank", "MX"])
    assert "0 tạo mới, 0 cập nhật" in again.output, again.output
    with app.app_context():
        row = db.session.scalar(select(Question))
        assert (row.code, row.idnumber) == ("Cau-1-HP-Dao-duc", IDNUMBER)
        bank = db.session.scalar(select(QuestionBank).where(QuestionBank.code == "MX"))
        (data,) = bank_questions(bank)
        assert data.idnumber == IDNUMBER
