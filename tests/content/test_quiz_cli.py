from pathlib import Path

from sqlalchemy import func, select

from app.content.transfer import bank_questions
from app.extensions import db
from app.quizzes.models import Question, QuestionBank, QuestionVersion
from tests.courses.content import write_course
from tests.quizzes.helpers import make_quiz

DATA = Path(__file__).resolve().parents[1] / "data"


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_import_gift_again_keeps_the_question_it_names_and_adds_the_others(app, runner):
    path = DATA / "gift" / "moodle-export.txt"  # one [id:], three titles
    first = runner.invoke(
        args=["quizzes", "import-gift", str(path), "--bank", "MOODLE"]
    )
    assert first.exit_code == 0, first.output
    with app.app_context():
        assert _count(Question) == 4
    second = runner.invoke(
        args=["quizzes", "import-gift", str(path), "--bank", "MOODLE"]
    )
    assert "3 tạo mới, 0 cập nhật, 1 không đổi" in second.output, second.output
    with app.app_context():
        assert _count(Question) == 7


def test_export_then_import_gives_back_the_same_questions(app, runner, tmp_path):
    with app.app_context():
        make_quiz()
    out = tmp_path / "b1.gift"
    result = runner.invoke(
        args=["quizzes", "export-gift", "--bank", "B3", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    # Import the same file as another bank, with the codes renamed so they are new.
    out.write_text(
        text.replace("[id:S4]", "[id:X-S4]").replace("[id:T1]", "[id:X-T1]"),
        encoding="utf-8",
    )
    result = runner.invoke(args=["quizzes", "import-gift", str(out), "--bank", "COPY"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        banks = {b.code: b for b in db.session.scalars(select(QuestionBank))}
        original = {q.code: q for q in bank_questions(banks["B3"])}
        copied = {q.code.removeprefix("X-"): q for q in bank_questions(banks["COPY"])}
        assert copied.keys() == original.keys()
        for code, question in original.items():
            twin = copied[code]
            assert (
                twin.type,
                twin.stem,
                twin.answer,
                twin.explanation,
                twin.source,
                twin.tags,
            ) == (
                question.type,
                question.stem,
                question.answer,
                question.explanation,
                question.source,
                question.tags,
            )
            assert [(o.text, o.correct, o.feedback) for o in twin.options] == [
                (o.text, o.correct, o.feedback) for o in question.options
            ]


def test_a_file_with_an_unsupported_type_imports_nothing(app, runner, tmp_path):
    path = tmp_path / "bad.gift"
    path.write_text(
        "::Q1:: Câu một {=Đúng ~Sai}\n\n"
        "::Q2:: Ghép đôi {=Hà Nội -> Thủ đô =Huế -> Cố đô}\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["quizzes", "import-gift", str(path), "--bank", "BAD"])
    assert result.exit_code != 0
    assert "dòng 3" in result.output and "matching" in result.output
    # Each problem said once, and "nothing imported" once.
    assert result.output.count("dòng 3") == 1, result.output
    assert result.output.count("chưa nhập") == 1, result.output
    with app.app_context():
        assert _count(Question) == 0 and _count(QuestionBank) == 0


def test_unclosed_brace_names_its_line(app, runner, tmp_path):
    path = tmp_path / "open.gift"
    path.write_text("// chú thích\n::Q1:: Câu hỏi {=A ~B\n", encoding="utf-8")
    result = runner.invoke(args=["quizzes", "import-gift", str(path), "--bank", "BAD"])
    assert result.exit_code != 0 and "dòng 2" in result.output


def test_import_aiken(app, runner):
    path = DATA / "gift" / "vhcv-aiken.txt"
    result = runner.invoke(
        args=["quizzes", "import-aiken", str(path), "--bank", "AIKEN"]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert _count(Question) > 0


def test_malformed_aiken_names_its_line(app, runner, tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("Câu hỏi?\nA. Một\nB. Hai\nANSWER: C\n", encoding="utf-8")
    result = runner.invoke(
        args=["quizzes", "import-aiken", str(path), "--bank", "AIKEN"]
    )
    assert result.exit_code != 0 and "dòng 4" in result.output
    with app.app_context():
        assert _count(Question) == 0


def test_export_of_an_unknown_bank_fails(app, runner):
    result = runner.invoke(args=["quizzes", "export-gift", "--bank", "NOPE"])
    assert result.exit_code != 0 and "NOPE" in result.output


BANK = """---
code: TB
title: Ngân hàng thử
---

## TB-001
type: single
source: "KH 115 Sóc Trăng, mục I"

Câu hỏi?

- [ ] Một
- [ ] Hai

Giải thích: Không có đáp án đúng.
"""

QUIZ = """code: TQ
title: Thử
course: NOPE
time_limit_minutes: 5
pass_percent: 80
attempts_allowed: 1
shuffle_questions: true
shuffle_options: true
questions_per_page: 5
review: score
draw:
  - {bank: TB, count: 5}
"""


def test_content_check_reports_quiz_problems_with_file_and_line(app, runner, tmp_path):
    courses = tmp_path / "courses"
    write_course(courses)
    quizzes = tmp_path / "quizzes"
    (quizzes / "banks").mkdir(parents=True)
    (quizzes / "banks" / "tb.md").write_text(BANK, encoding="utf-8")
    (quizzes / "tq.yml").write_text(QUIZ, encoding="utf-8")
    result = runner.invoke(
        args=["content", "check", "--courses", str(courses), "--quizzes", str(quizzes)]
    )
    assert result.exit_code != 0
    assert "quizzes/banks/tb.md:6:" in result.output
    assert (
        "không có lựa chọn đúng" in result.output
        or "đúng một lựa chọn đúng" in result.output
    )
    assert "quizzes/tq.yml:" in result.output
    sync = runner.invoke(
        args=["content", "sync", "--courses", str(courses), "--quizzes", str(quizzes)]
    )
    assert sync.exit_code != 0
    with app.app_context():
        assert _count(Question) == 0


def test_content_check_before_the_database_exists_checks_the_files(tmp_path):
    """`flask content check` on a fresh checkout, before `flask db upgrade`: the
    files are checked, the contests' units are left with a notice, no traceback."""
    from app import create_app
    from tests.conftest import make_config

    root = Path(__file__).resolve().parents[2]
    url = f"sqlite:///{tmp_path / 'not-yet.db'}"
    app = create_app(
        make_config(
            SQLALCHEMY_DATABASE_URI=url,
            COURSES_DIR=str(root / "courses"),
            QUIZZES_DIR=str(root / "quizzes"),
        )
    )
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "cơ sở dữ liệu chưa được tạo" in result.output
    assert "Nội dung hợp lệ: 1 khóa học, 9 học phần" in result.output
    with app.app_context():
        db.engine.dispose()


def test_a_multiple_question_exported_and_imported_back_is_unchanged(
    app, runner, tmp_path
):
    """B2's multiple-answer question holds no weights (VHCV derives them); its GIFT
    spells the derived ones out, and reading them back is the same question: no
    new version (a round trip used to make one each time)."""
    with app.app_context():
        make_quiz()
        versions = _count(QuestionVersion)
    out = tmp_path / "b2.gift"
    args = ["quizzes", "export-gift", "--bank", "B2", "-o", str(out)]
    assert runner.invoke(args=args).exit_code == 0
    assert "~%-" in out.read_text(encoding="utf-8")  # the derived weights, written
    again = runner.invoke(args=["quizzes", "import-gift", str(out), "--bank", "B2"])
    assert "0 tạo mới, 0 cập nhật, 1 không đổi" in again.output, again.output
    with app.app_context():
        assert _count(QuestionVersion) == versions


def test_an_import_never_takes_questions_of_another_bank(app, runner, tmp_path):
    """A file naming questions of another bank (its own export, say) is refused
    whole: the import used to move them into the new bank silently, reporting
    them "không đổi", out of a bank another unit's quiz may draw from."""
    with app.app_context():
        make_quiz()
    out = tmp_path / "b3.gift"
    result = runner.invoke(
        args=["quizzes", "export-gift", "--bank", "B3", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        before = {q.code: q.bank.code for q in db.session.scalars(select(Question))}
    result = runner.invoke(args=["quizzes", "import-gift", str(out), "--bank", "OTHER"])
    assert result.exit_code != 0
    assert "ngân hàng khác: S4, T1" in result.output, result.output
    assert "không nhập câu nào" in result.output
    with app.app_context():
        after = {q.code: q.bank.code for q in db.session.scalars(select(Question))}
        assert after == before
        assert (
            db.session.scalar(select(QuestionBank).where(QuestionBank.code == "OTHER"))
            is None
        )
