"""Which question an import creates or replaces: the CLI numbers the questions a
file does not name as the browser does (parse_upload: fresh codes of the bank),
and only a code the file writes (GIFT `// [id:…]`, Moodle XML `<idnumber>`)
names a question; a Moodle name (`::title::`, `<name>`) is a label, never a code.
Every import command refuses bad input and writes nothing."""

from sqlalchemy import func, select

from app.content.moodle_xml import parse_moodle_xml
from app.extensions import db
from app.quizzes.models import Question, QuestionBank
from tests.factories import docx_of


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def _versions(app) -> dict[str, tuple[int, str]]:
    with app.app_context():
        return {
            q.code: (q.current_version.number, q.current_version.stem_md)
            for q in db.session.scalars(select(Question))
        }


def _run(runner, command: str, path, bank: str = "B"):
    result = runner.invoke(args=["quizzes", command, str(path), "--bank", bank])
    assert result.exit_code == 0, result.output
    return result.output


def test_unrelated_files_into_one_bank_never_replace_each_others_questions(
    app, runner, tmp_path
):
    a, b, aiken = tmp_path / "a.gift", tmp_path / "b.gift", tmp_path / "c.txt"
    a.write_text("::Chào::Một?{T}\n\n::Hỏi::Hai?{F}\n", encoding="utf-8")
    b.write_text("::Khác::Ba?{T}\n", encoding="utf-8")
    aiken.write_text("Bốn?\nA. Có\nB. Không\nANSWER: A\n", encoding="utf-8")
    assert "2 tạo mới, 0 cập nhật" in _run(runner, "import-gift", a)
    assert "1 tạo mới, 0 cập nhật" in _run(runner, "import-gift", b)
    assert "1 tạo mới, 0 cập nhật" in _run(runner, "import-aiken", aiken)
    assert _versions(app) == {
        "B-001": (1, "Một?"),
        "B-002": (1, "Hai?"),
        "B-003": (1, "Ba?"),
        "B-004": (1, "Bốn?"),
    }


def test_only_a_code_the_file_writes_replaces_a_question_and_the_cli_names_it(
    app, runner, tmp_path
):
    first = tmp_path / "a.gift"
    first.write_text("Một?{T}\n\nHai?{F}\n", encoding="utf-8")
    _run(runner, "import-gift", first)
    named = tmp_path / "named.gift"
    named.write_text("// [id:B-002]\nHai, sửa lại?{F}\n", encoding="utf-8")
    output = _run(runner, "import-gift", named)
    assert "0 tạo mới, 1 cập nhật" in output
    assert "Câu hỏi được thay bằng phiên bản mới (tệp ghi mã của chúng): B-002." in (
        output
    )
    assert _versions(app) == {"B-001": (1, "Một?"), "B-002": (2, "Hai, sửa lại?")}


def test_import_word_numbers_like_the_browser_and_refuses_a_bad_file(
    app, runner, tmp_path
):
    good = tmp_path / "cau-hoi.docx"
    good.write_bytes(docx_of(["Câu 1. Hỏi?", "A. Có", "B. Không", "Đáp án: A"]))
    assert "1 tạo mới" in _run(runner, "import-word", good, "W")
    assert "1 tạo mới, 0 cập nhật" in _run(runner, "import-word", good, "W")
    assert set(_versions(app)) == {"W-001", "W-002"}
    bad = tmp_path / "sai.docx"
    bad.write_bytes(docx_of(["Câu 1. Hỏi?", "A. Có", "B. Không", "Đáp án: E"]))
    broken = tmp_path / "hong.docx"
    broken.write_bytes(b"PK\x03\x04 not really")
    for path, message in ((bad, "đoạn 4"), (broken, "không phải tài liệu Word")):
        result = runner.invoke(
            args=["quizzes", "import-word", str(path), "--bank", "WBAD"]
        )
        assert result.exit_code != 0 and message in result.output, result.output
    with app.app_context():
        assert _count(Question) == 2
        assert (
            db.session.scalar(select(QuestionBank).where(QuestionBank.code == "WBAD"))
            is None
        )


def test_a_file_that_is_not_utf8_is_refused_and_creates_no_bank(app, runner, tmp_path):
    for command, name in (("import-gift", "x.gift"), ("import-aiken", "x.txt")):
        path = tmp_path / name
        path.write_bytes("Câu?{T}".encode("cp1258"))
        result = runner.invoke(args=["quizzes", command, str(path), "--bank", "U"])
        assert result.exit_code != 0 and "UTF-8" in result.output, result.output
    with app.app_context():
        assert _count(QuestionBank) == 0


# --- Moodle names are labels ------------------------------------------------------


def _question(name: str, stem: str, idnumber: str = "") -> str:
    return (
        f'<question type="truefalse"><name><text>{name}</text></name>'
        f'<questiontext format="html"><text>{stem}</text></questiontext>'
        + (f"<idnumber>{idnumber}</idnumber>" if idnumber else "")
        + '<answer fraction="100"><text>true</text></answer>'
        '<answer fraction="0"><text>false</text></answer></question>'
    )


def _xml(*parts: str) -> bytes:
    return ("<quiz>\n" + "\n".join(parts) + "\n</quiz>\n").encode()


def _category(path: str) -> str:
    return (
        f'<question type="category"><category><text>{path}</text></category></question>'
    )


def test_two_moodle_categories_may_each_hold_a_question_named_q1():
    data = _xml(
        _category("$course$/top/A"),
        _question("Q1", "Một?"),
        _category("$course$/top/B"),
        _question("Q1", "Hai?"),
    )
    questions = parse_moodle_xml(data, "T")
    assert [(q.code, q.name, q.tags) for q in questions] == [
        ("T-001", "Q1", ("a",)),
        ("T-002", "Q1", ("b",)),
    ]


def test_an_idnumber_is_the_code_and_a_name_equal_to_it_is_no_name():
    (question,) = parse_moodle_xml(_xml(_question("X-9", "Hỏi?", "X-9")), "T")
    assert (question.code, question.name) == ("X-9", "")


def test_moodle_banks_with_questions_named_alike_import_side_by_side(
    app, runner, tmp_path
):
    one, two = tmp_path / "1.xml", tmp_path / "2.xml"
    one.write_bytes(_xml(_question("1", "Câu của khoa 1?")))
    two.write_bytes(_xml(_question("1", "Câu của khoa 2?")))
    _run(runner, "import-moodle-xml", one, "KHOA1")
    _run(runner, "import-moodle-xml", two, "KHOA2")
    # into the same bank, a different question named 1 is a new question
    assert "1 tạo mới, 0 cập nhật" in _run(runner, "import-moodle-xml", two, "KHOA1")
    assert _versions(app) == {
        "KHOA1-001": (1, "Câu của khoa 1?"),
        "KHOA2-001": (1, "Câu của khoa 2?"),
        "KHOA1-002": (1, "Câu của khoa 2?"),
    }
