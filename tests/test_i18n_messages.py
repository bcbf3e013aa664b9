"""Messages built outside a page's request (services, jobs, the autosave, checks of
files and Markdown) are said in the reader's language: Vietnamese by default,
English when chosen."""

import html
import re

import pytest
from flask_babel import force_locale

from app.accounts.cadre_import import parse_cadre_file, plan_import
from app.extensions import db
from app.jobs import messages, runner
from app.jobs.models import FAILED, Job
from app.markdown import markdown_problems
from app.tabular import TableError, read_table, require_columns
from tests.conftest import ENGLISH, csrf_token
from tests.factories import make_tree, make_user
from tests.quizzes.helpers import make_quiz

ANSWER_URL = re.compile(r'data-answer-url="([^"]+)"')
TOKEN = re.compile(r'data-token="([^"]+)"')


def _choose(client, language: str) -> None:
    client.post(
        "/language", data={"language": language, "csrf_token": csrf_token(client)}
    )


# --- the autosave --------------------------------------------------------------------


@pytest.fixture
def learner(app):
    with app.app_context():
        tree = make_tree()
        make_user("hv", tree["C1"])
        make_quiz()


def _attempt_page(client, auth, language: str | None) -> tuple[str, str]:
    """(the autosave address, the token) of a new attempt's page in `language`."""
    auth.login("hv")
    if language:
        _choose(client, language)
    start = client.post(
        "/quizzes/Q/start", data={"csrf_token": auth.token("/quizzes/Q")}
    )
    page = client.get(start.headers["Location"]).get_data(as_text=True)
    url = html.unescape(ANSWER_URL.search(page).group(1))
    return url, TOKEN.search(page).group(1)


@pytest.mark.parametrize(
    ("language", "bad_seq", "no_choice"),
    [
        (None, "Số thứ tự của lựa chọn không hợp lệ.", "Lựa chọn không tồn tại."),
        (
            "en",
            "The choice's sequence number is not valid.",
            "The option does not exist.",
        ),
    ],
)
def test_an_autosave_error_is_said_in_the_pages_language(
    app, client, auth, learner, language, bad_seq, no_choice
):
    url, token = _attempt_page(client, auth, language)
    assert url.endswith(f"?lang={language or 'vi'}")
    refused = client.post(url, data={"t": token, "position": 1, "seq": 0, "choice": 0})
    assert refused.status_code == 400 and refused.json["error"] == bad_seq
    refused = client.post(url, data={"t": token, "position": 1, "choice": 9})
    assert refused.json == {"saved": False, "error": no_choice}


def test_an_autosave_of_another_language_is_said_in_the_default_one(app, client):
    refused = client.post("/autosave/1?lang=xx", data={"t": "x", "position": 1})
    assert refused.json["error"] == "Câu này không có trong lượt làm bài của bạn."
    refused = client.post("/autosave/1?lang=en", data={"t": "x", "position": 1})
    assert refused.json["error"] == "This question is not in your attempt."


# --- a job's failure -----------------------------------------------------------------


def test_a_job_failure_is_stored_in_vietnamese_and_shown_in_the_readers_language(
    app, client, auth
):
    with app.app_context():
        owner = make_user("hr", make_tree()["D"])
        for job_id in ("lost", "slow"):
            db.session.add(
                Job(id=job_id, kind="tests.x", title="Việc", owner_id=owner.id)
            )
        db.session.commit()
    # failed while an English page was served
    with app.test_request_context(headers=ENGLISH):
        runner.fail("lost", messages.NOT_HANDED)
        runner.fail("slow", messages.too_long(60))
    with app.app_context():
        lost, slow = db.session.get(Job, "lost"), db.session.get(Job, "slow")
        assert lost.state == FAILED and lost.message.startswith("Không giao được việc")
        assert "quá thời gian cho phép (60 phút)" in slow.message
    auth.login("hr")
    page = client.get("/jobs/lost").get_data(as_text=True)
    assert "Không giao được việc cho máy xử lý" in page
    _choose(client, "en")
    page = client.get("/jobs/lost").get_data(as_text=True)
    assert "The job could not be handed to a worker" in page
    assert "Không giao được" not in page
    page = client.get("/jobs/slow").get_data(as_text=True)
    assert "ran past its time limit (60 minutes)" in page


def test_a_job_message_that_is_no_catalogue_message_is_shown_as_stored(app):
    with app.test_request_context(), force_locale("en"):
        assert messages.shown("Đã đếm 7.") == "Đã đếm 7."
        assert messages.shown(None) is None
        assert messages.shown(messages.stored(messages.BROKEN)).startswith(
            "The job hit a system error"
        )


# --- a cadre file --------------------------------------------------------------------


def test_a_cadre_import_row_error_in_each_language(ctx):
    tree = make_tree()
    data = "ma can bo;ho va ten;email\nB4;Lê Văn Bốn;not-an-email\n".encode()
    plan = plan_import(parse_cadre_file(data, "list.csv"), tree["D"], None)
    assert plan.problems() == ["list.csv:2: email “not-an-email” không hợp lệ"]
    with force_locale("en"):
        assert plan.problems() == ["list.csv:2: email “not-an-email” is not valid"]


def test_an_unreadable_cadre_file_in_each_language(ctx):
    with pytest.raises(TableError) as refused:
        parse_cadre_file(b"ho va ten\nLe Van Mot\n", "list.csv")
    assert str(refused.value).startswith(
        "list.csv:1: thiếu cột mã cán bộ (employee_code); dòng đầu tiên"
    )
    with force_locale("en"):
        assert str(refused.value).startswith(
            "list.csv:1: missing column cadre code (employee_code); the first row"
        )
    with pytest.raises(TableError) as two_missing:
        parse_cadre_file(b"email\nx@example.org\n", "list.csv")
    with pytest.raises(TableError) as twice:
        parse_cadre_file(b"ma can bo;ho va ten;ho va ten\nB1;A;A\n", "list.csv")
    with force_locale("en"):
        assert str(two_missing.value).startswith(
            "list.csv:1: missing columns cadre code (employee_code), full name"
        )
        assert "column full name (full_name) appears more than once" in str(twice.value)


def test_a_missing_column_of_a_table_is_one_column_or_columns_in_english(ctx):
    table = read_table(b"ma\nA\n", "t.csv", {"ma": "code"})
    with force_locale("en"):
        for required, said in ((["name"], "column"), (["name", "post"], "columns")):
            with pytest.raises(TableError) as refused:
                require_columns(table, ["code", *required], {})
            assert (
                str(refused.value) == f"t.csv:1: missing {said} {', '.join(required)}"
            )


def test_a_quiz_drawing_more_than_a_bank_has_counts_questions_in_english(ctx):
    from app.content.quizfiles import _bank_rule_problem
    from app.quizzes.questions import BankData, DrawRule

    bank = BankData(code="B", title="B", questions=[object()])
    with force_locale("en"):
        one = _bank_rule_problem(DrawRule(bank="B", count=2), bank, 2)
        assert str(one) == "draws 2 questions but bank B has only 1 question"


# --- Markdown ------------------------------------------------------------------------


def test_a_markdown_problem_in_each_language(app):
    ((line, message),) = markdown_problems("Một\n\n<b>hai</b>\n")
    assert line == 3 and message == "HTML thô không được phép (raw HTML)"
    with app.test_request_context(headers=ENGLISH):
        assert str(message) == "raw HTML is not allowed"


def test_a_broken_link_in_a_module_in_each_language(app, tmp_path):
    from app.content.links import body_problems

    class Folder:
        directory = tmp_path
        module_names = {"01-a.md"}

        def anchors(self, filename):
            return {"muc-1"}

    body = "Xem [đây](02-b.md).\n"
    (problem,) = body_problems(body, 5, "courses/x/01-a.md", Folder())
    assert problem.line == 5
    assert str(problem.message) == "liên kết tới học phần không tồn tại: 02-b.md"
    with app.test_request_context(), force_locale("en"):
        assert str(problem.message) == "link to a module that does not exist: 02-b.md"


# --- signing in ----------------------------------------------------------------------


def test_the_sign_in_invitation_in_each_language(client):
    page = client.get("/jobs/", follow_redirects=True).get_data(as_text=True)
    assert "Vui lòng đăng nhập để tiếp tục." in page
    _choose(client, "en")
    page = client.get("/jobs/", follow_redirects=True).get_data(as_text=True)
    assert "Please sign in to continue." in page


def test_reading_time_and_draw_shortage_messages_in_english(app):
    """Messages that were built as Vietnamese f-strings now follow the reader."""
    from app.courses.services import ReadingTooShort
    from app.quizzes.drawing import _too_few

    with app.test_request_context(), force_locale("en"):
        assert ReadingTooShort(150).message == (
            "Please read for about 3 more minutes before confirming that you have "
            "finished."
        )
        assert str(_too_few({"bank": "B1", "count": 5}, 3, 3)) == (
            "Not enough questions to draw: 5 needed from bank B1, 3 available."
        )
    with app.test_request_context():
        assert "khoảng 3 phút" in ReadingTooShort(150).message


# --- an import's count of errors -----------------------------------------------------


def test_an_import_counts_its_errors_in_english_as_one_error_or_errors(app):
    """'The GIFT file has 1 error(s)' was the English of every count."""
    from app.content.aiken import parse_aiken
    from app.content.gift import parse_gift
    from app.content.problems import ConversionError

    one = "::Q1:: Hỏi? {=A ~B\n"  # the answers' brace is never closed
    two = "::Q1:: Hỏi? {#1}\n\n::Q2:: Hỏi? {#2}\n"  # numerical questions, twice
    with app.test_request_context():
        with pytest.raises(ConversionError) as failed:
            parse_gift(two, "B")
        assert failed.value.message == "Tệp GIFT có 2 lỗi; chưa nhập câu hỏi nào."
        with force_locale("en"):
            for text, said in ((one, "1 error;"), (two, "2 errors;")):
                with pytest.raises(ConversionError) as failed:
                    parse_gift(text, "B")
                assert failed.value.message == (
                    f"The GIFT file has {said} no question was imported."
                )
            with pytest.raises(ConversionError) as failed:
                parse_aiken("Hỏi?\nA. Một\n", "B")
            assert "Aiken file has 2 errors;" in failed.value.message
