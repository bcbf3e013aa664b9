"""Files and the browser in step: the three-way rule of `flask content sync` and
`flask content export` (README, "Editing in the browser and the files")."""

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.content import module_editing as authoring
from app.content.quizfiles import load_quizzes
from app.content.sync_quizzes import upsert_question
from app.content.sync_rules import SyncResult
from app.content.transfer import quiz_data_of, version_to_data
from app.courses.models import Module
from app.extensions import db
from app.quizzes.models import Question, QuestionBank, Quiz
from tests.authoring.helpers import make_authoring
from tests.courses.content import write_module


@pytest.fixture
def content(app, tmp_path, runner):
    make_authoring(app, tmp_path)
    quizzes = tmp_path / "quizzes"
    quizzes.mkdir()
    app.config["QUIZZES_DIR"] = str(quizzes)
    # The test banks and quiz were made in the database: export gives them files.
    result = runner.invoke(args=["content", "export"])
    assert result.exit_code == 0, result.output
    return tmp_path


def _sync(runner, *extra):
    return runner.invoke(args=["content", "sync", *extra])


def _version(app, code="T-M1") -> tuple[int, str]:
    with app.app_context():
        module = db.session.scalar(select(Module).where(Module.code == code))
        return module.current_version.number, module.current_version.title


def _browser_edit(app, title="Sửa trên trình duyệt", code="T-M1"):
    with app.app_context():
        module = db.session.scalar(select(Module).where(Module.code == code))
        trainer = db.session.scalar(select(User).where(User.username == "trainer"))
        text = authoring.ModuleText.of(module.current_version)
        text.title = title
        authoring.publish_text(module, trainer, text)
        db.session.commit()


def _file_edit(folder: Path, title="Sửa trong tệp"):
    """Change only the title of T-M1's file, as an editor of the file would."""
    path = folder / "khoa-thu" / "01-mot.md"
    text = path.read_text("utf-8")
    path.write_text(text.replace('title: "Học phần 1"', f'title: "{title}"'), "utf-8")


def test_exported_test_content_loads_back(content):
    quizzes = load_quizzes(content / "quizzes")
    assert quizzes.problems == [] and {b.code for b in quizzes.banks} == {
        "B1",
        "B2",
        "B3",
    }
    assert [q.code for q in quizzes.quizzes] == ["Q"]


def test_a_file_change_alone_is_taken(app, runner, content):
    _file_edit(content)
    result = _sync(runner)
    assert result.exit_code == 0, result.output
    assert _version(app) == (2, "Sửa trong tệp")


def test_a_browser_change_alone_is_kept_and_reported(app, runner, content):
    _browser_edit(app)
    result = _sync(runner)
    assert result.exit_code == 0, result.output
    assert "Mới hơn trên trình duyệt, giữ nguyên: T-M1" in result.output
    assert _version(app) == (2, "Sửa trên trình duyệt")


def test_both_changed_is_a_conflict_that_changes_nothing(app, runner, content):
    _browser_edit(app)
    _file_edit(content)
    _file_edit_module_2 = write_module(content / "khoa-thu", 2, title="Hai mới")
    assert _file_edit_module_2.exists()
    result = _sync(runner)
    assert result.exit_code != 0
    assert "khoa-thu/01-mot.md:1: xung đột: học phần T-M1" in result.output
    assert "chưa đồng bộ gì" in result.output
    assert _version(app) == (2, "Sửa trên trình duyệt")
    assert _version(app, "T-M2")[0] == 1  # the other, clean change waits too
    result = _sync(runner, "--prefer-files")
    assert result.exit_code == 0, result.output
    assert _version(app) == (3, "Sửa trong tệp")
    assert _version(app, "T-M2") == (2, "Hai mới")


def test_the_refusal_counts_the_conflicts_in_english(app, content):
    """English says "1 conflict", never "conflict(s)"."""
    from flask_babel import force_locale

    from app.content.export import export_content
    from app.errors import ImportRejected

    _browser_edit(app)
    _file_edit(content)
    with app.test_request_context(), force_locale("en"):
        with pytest.raises(ImportRejected) as refused:
            export_content(content, Path(app.config["QUIZZES_DIR"]))
        assert str(refused.value.message).startswith("1 conflict: no file was written.")


def test_export_force_resolves_a_conflict_for_the_browser(app, runner, content):
    _browser_edit(app)
    _file_edit(content)
    refused = runner.invoke(args=["content", "export"])
    assert refused.exit_code != 0 and "xung đột" in refused.output
    assert "Sửa trong tệp" in (content / "khoa-thu" / "01-mot.md").read_text("utf-8")
    forced = runner.invoke(args=["content", "export", "--force"])
    assert forced.exit_code == 0, forced.output
    assert "Sửa trên trình duyệt" in (content / "khoa-thu" / "01-mot.md").read_text(
        "utf-8"
    )
    result = _sync(runner)
    assert result.exit_code == 0 and "10" not in result.output.split("cập nhật")[0]
    assert _version(app) == (2, "Sửa trên trình duyệt")


def test_the_same_change_on_both_sides_is_no_conflict(app, runner, content):
    _browser_edit(app, title="Giống nhau")
    _file_edit(content, title="Giống nhau")
    result = _sync(runner)
    assert result.exit_code == 0, result.output
    assert "xung đột" not in result.output and "giữ nguyên" not in result.output
    assert _version(app) == (2, "Giống nhau")
    with app.app_context():  # file and database meet again: the next edits are clean
        module = db.session.scalar(select(Module).where(Module.code == "T-M1"))
        assert module.synced_hash == module.current_version.content_hash


def test_export_writes_browser_versions_that_sync_finds_unchanged(app, runner, content):
    _browser_edit(app)
    with app.app_context():  # a question and the quiz, edited in the browser
        question = db.session.scalar(select(Question).where(Question.code == "S1"))
        data = version_to_data("S1", question.current_version, as_file=True)
        from dataclasses import replace

        upsert_question(
            question.bank,
            replace(data, stem="Câu hỏi **mới** trên trình duyệt?"),
            SyncResult(),
            origin="browser",
        )
        quiz = db.session.scalar(select(Quiz).where(Quiz.code == "Q"))
        quiz.pass_percent, quiz.origin = 60, "browser"
        from app.content.sync_quizzes import quiz_hash

        quiz.content_hash = quiz_hash(quiz_data_of(quiz))
        db.session.commit()
        expected = version_to_data("S1", question.current_version, as_file=True)
    result = runner.invoke(args=["content", "export"])
    assert result.exit_code == 0, result.output
    assert "Đã ghi" in result.output and "01-mot.md" in result.output
    assert runner.invoke(args=["content", "check"]).exit_code == 0
    files = load_quizzes(content / "quizzes")
    from_file = next(q for b in files.banks for q in b.questions if q.code == "S1")
    assert from_file.stem == expected.stem == "Câu hỏi **mới** trên trình duyệt?"
    assert files.quizzes[0].pass_percent == 60
    again = _sync(runner)
    assert again.exit_code == 0, again.output
    assert "0 tạo mới, 0 cập nhật" in again.output
    assert "giữ nguyên" not in again.output
    second = runner.invoke(args=["content", "export"])
    assert "0 tệp ghi mới" in second.output


def test_questions_made_in_the_browser_are_not_retired_by_sync(app, runner, content):
    with app.app_context():
        bank = db.session.scalar(select(QuestionBank).where(QuestionBank.code == "B1"))
        source = db.session.scalar(select(Question).where(Question.code == "S1"))
        from dataclasses import replace

        data = version_to_data("S1", source.current_version, as_file=True)
        upsert_question(bank, replace(data, code="B1-NEW"), SyncResult(), "browser")
        db.session.commit()
    assert _sync(runner).exit_code == 0
    with app.app_context():
        new = db.session.scalar(select(Question).where(Question.code == "B1-NEW"))
        assert new.active


def test_export_to_a_missing_folder_is_a_clear_error(app, runner, content):
    result = runner.invoke(
        args=["content", "export", "--courses", str(content / "nowhere")]
    )
    assert result.exit_code != 0
    assert "Không có thư mục khóa học" in result.output


def test_a_question_retired_in_the_browser_stays_retired(app, runner, content):
    with app.app_context():
        question = db.session.scalar(select(Question).where(Question.code == "S1"))
        question.active = False
        db.session.commit()
    result = _sync(runner)
    assert result.exit_code == 0 and "giữ nguyên: S1" in result.output
    with app.app_context():
        assert not db.session.scalar(
            select(Question).where(Question.code == "S1")
        ).active
    assert runner.invoke(args=["content", "export"]).exit_code == 0
    bank = next(b for b in load_quizzes(content / "quizzes").banks if b.code == "B1")
    assert "S1" not in [q.code for q in bank.questions]
    again = _sync(runner)
    assert again.exit_code == 0 and "giữ nguyên" not in again.output
    with app.app_context():
        assert not db.session.scalar(
            select(Question).where(Question.code == "S1")
        ).active


def test_export_refuses_questions_a_bank_file_cannot_hold(app, runner, content):
    with app.app_context():
        bank = db.session.scalar(select(QuestionBank).where(QuestionBank.code == "B1"))
        source = db.session.scalar(select(Question).where(Question.code == "S1"))
        from dataclasses import replace

        data = version_to_data("S1", source.current_version, as_file=True)
        upsert_question(
            bank, replace(data, code="B1-AIKEN", explanation=""), SyncResult(), "import"
        )
        db.session.commit()
    before = (content / "quizzes" / "banks" / "b1.md").read_text("utf-8")
    for args in (["content", "export"], ["content", "export", "--force"]):
        result = runner.invoke(args=args)
        assert result.exit_code != 0
        assert "B1/B1-AIKEN: thiếu giải thích" in result.output
    assert (content / "quizzes" / "banks" / "b1.md").read_text("utf-8") == before


def test_export_refuses_while_a_file_does_not_load(app, runner, content):
    path = content / "khoa-thu" / "01-mot.md"
    path.write_text(
        path.read_text("utf-8").replace("minutes: 4", "minutes: [")
        + "\nĐoạn viết trong tệp.\n",
        "utf-8",
    )
    _browser_edit(app)
    result = runner.invoke(args=["content", "export"])
    assert result.exit_code != 0 and "01-mot.md" in result.output
    assert "Đoạn viết trong tệp." in path.read_text("utf-8")
    forced = runner.invoke(args=["content", "export", "--force"])
    assert forced.exit_code == 0, forced.output
    assert "Sửa trên trình duyệt" in path.read_text("utf-8")


def test_a_moodle_idnumber_survives_export_and_sync(app, runner, content):
    """Bank files do not hold the Moodle ID number: export then a sync that
    changes the question keep the stored one, for the next GIFT export."""
    with app.app_context():
        bank = db.session.scalar(select(QuestionBank).where(QuestionBank.code == "B1"))
        source = db.session.scalar(select(Question).where(Question.code == "S1"))
        data = version_to_data("S1", source.current_version, as_file=True)
        moodle = replace(data, code="Cau-1", idnumber="Câu 1", stem="Hỏi Moodle?")
        upsert_question(bank, moodle, SyncResult(), "import")
        db.session.commit()
    assert runner.invoke(args=["content", "export"]).exit_code == 0
    files = list(Path(app.config["QUIZZES_DIR"]).rglob("*.md"))
    (path,) = [f for f in files if "## Cau-1" in f.read_text("utf-8")]
    path.write_text(path.read_text("utf-8").replace("Hỏi Moodle?", "Hỏi lại?"))
    assert _sync(runner).exit_code == 0
    with app.app_context():
        row = db.session.scalar(select(Question).where(Question.code == "Cau-1"))
        assert row.current_version.stem_md == "Hỏi lại?"
        assert row.idnumber == "Câu 1"
