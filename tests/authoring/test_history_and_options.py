"""Version histories name their author; the question editor adds and removes
option rows (with and without JavaScript) and keeps true/false fields apart."""

import io
import re

import pytest
from sqlalchemy import func, select

from app.authoring.question_forms import MAX_OPTIONS
from app.extensions import db
from app.quizzes.models import Question, QuestionVersion
from tests.authoring.helpers import make_authoring, upload_questions
from tests.authoring.test_questions import BANK, NEW, _question_form
from tests.factories import docx_of

EDIT_MODULE = "/authoring/modules/T-M1"
AUTHOR = "Nguyễn Văn An (trainer)"  # make_user's default full name


@pytest.fixture
def content(app, tmp_path):
    return make_authoring(app, tmp_path)


def _versions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(QuestionVersion.id)))


def _rows(page: str) -> list[str]:
    """The option row indices rendered, in order."""
    return re.findall(r'name="options-(\d+)-text"', page)


def test_module_history_names_the_author_and_files_have_none(
    app, client, auth, content
):
    auth.login("trainer")
    client.post(
        EDIT_MODULE,
        data={
            "csrf_token": auth.token(EDIT_MODULE),
            "title": "Học phần 1 (sửa)",
            "minutes": "6",
            "objectives": "Hiểu quy tắc",
            "sources": "Quyết định 1847/QĐ-TTg",
            "body": "## Mục mới\n\nNội dung.\n",
            "action": "save",
        },
    )
    client.post(
        f"{EDIT_MODULE}/publish",
        data={"csrf_token": auth.token(EDIT_MODULE), "confirm": "1"},
    )
    page = client.get(f"{EDIT_MODULE}/versions").get_data(as_text=True)
    assert "Người soạn" in page
    assert page.count(AUTHOR) == 1  # version 2, from the browser
    assert "(nạp từ tệp)" in page  # version 1, from the course file


def test_question_history_names_the_author(app, client, auth, content):
    auth.login("trainer")
    assert client.post(NEW, data=_question_form(auth)).status_code == 302
    with app.app_context():
        qid = db.session.scalar(select(Question.id).where(Question.code == "B1-001"))
    url = f"/authoring/questions/{qid}"
    client.post(url, data=_question_form(auth, stem="Đề bài đã sửa?"))
    assert "Lịch sử phiên bản" in client.get(url).get_data(as_text=True)
    page = client.get(f"{url}/versions").get_data(as_text=True)
    assert page.count(AUTHOR) == 2 and "Đề bài đã sửa?" in page
    assert "trình duyệt" in page and "đang dùng" in page


def test_question_history_of_a_file_question_and_out_of_scope(
    app, client, auth, content
):
    with app.app_context():
        qid = db.session.scalar(select(Question.id).where(Question.code == "S1"))
    auth.login("trainer")
    page = client.get(f"/authoring/questions/{qid}/versions").get_data(as_text=True)
    assert "(nạp từ tệp)" in page
    assert client.get("/authoring/questions/999999/versions").status_code == 404
    auth.logout()
    auth.login("outsider")
    assert client.get(f"/authoring/questions/{qid}/versions").status_code == 404


def test_a_new_question_starts_with_four_rows_and_both_fieldsets_labelled(
    client, auth, content
):
    auth.login("trainer")
    page = client.get(NEW).get_data(as_text=True)
    assert _rows(page) == ["0", "1", "2", "3"]
    assert 'data-for-types="single multiple"' in page
    assert 'data-for-types="truefalse"' in page
    assert "Câu Đúng / Sai (chỉ dùng cho loại này)" in page
    assert "js/question-editor.js" in page


def test_add_option_without_js_shows_one_more_row_and_saves_nothing(
    app, client, auth, content
):
    auth.login("trainer")
    before = _versions(app)
    response = client.post(NEW, data=_question_form(auth, action="add_option"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _rows(page) == ["0", "1", "2", "3"]  # three posted, one added
    assert "Chờ người dân hỏi" in page  # what was typed is kept
    assert _versions(app) == before


def test_five_options_are_saved(app, client, auth, content):
    auth.login("trainer")
    fields = {"options-3-text": "Gọi bảo vệ", "options-4-text": "Đi ra ngoài"}
    assert client.post(NEW, data=_question_form(auth, **fields)).status_code == 302
    with app.app_context():
        version = db.session.scalar(
            select(Question).where(Question.code == "B1-001")
        ).current_version
        assert [o["key"] for o in version.options] == ["a", "b", "c", "d", "e"]
        assert version.options[4]["text"] == "Đi ra ngoài"


def test_remove_option_without_js_keeps_the_others_renumbered(
    app, client, auth, content
):
    auth.login("trainer")
    response = client.post(NEW, data=_question_form(auth, action="remove-1"))
    page = response.get_data(as_text=True)
    assert _rows(page) == ["0", "1"]
    assert "Hỏi giấy tờ ngay" not in page
    assert 'name="options-1-text" type="text" value="Chờ người dân hỏi"' in page
    assert "Chào hỏi, giới thiệu tên" in page


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("remove-9", "Không có phương án này để xóa."),
        ("remove-x", "Không có phương án này để xóa."),
        ("remove--1", "Không có phương án này để xóa."),
    ],
)
def test_removing_a_row_that_is_not_there_changes_nothing(
    client, auth, content, action, message
):
    auth.login("trainer")
    page = client.post(NEW, data=_question_form(auth, action=action)).get_data(
        as_text=True
    )
    assert message in page and _rows(page) == ["0", "1", "2"]


def test_two_rows_cannot_become_one(client, auth, content):
    auth.login("trainer")
    form = _question_form(auth, action="remove-0")
    del form["options-2-text"]
    page = client.post(NEW, data=form).get_data(as_text=True)
    assert "cần ít nhất 2 phương án" in page and _rows(page) == ["0", "1"]


def test_no_option_at_all_is_refused(app, client, auth, content):
    auth.login("trainer")
    form = {k: v for k, v in _question_form(auth).items() if "options-" not in k}
    before = _versions(app)
    response = client.post(NEW, data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "ít nhất hai lựa chọn" in page
    assert _rows(page) == ["0", "1"]  # two blank rows to fill in
    assert _versions(app) == before


def test_too_many_options_are_refused_not_cut(app, client, auth, content):
    auth.login("trainer")
    extra = {f"options-{i}-text": f"Phương án số {i}" for i in range(3, 14)}
    before = _versions(app)
    page = client.post(NEW, data=_question_form(auth, **extra)).get_data(as_text=True)
    assert f"Tối đa {MAX_OPTIONS} phương án" in page
    assert _versions(app) == before


def test_add_stops_at_the_maximum(client, auth, content):
    auth.login("trainer")
    extra = {f"options-{i}-text": f"Phương án số {i}" for i in range(3, MAX_OPTIONS)}
    form = _question_form(auth, action="add_option", **extra)
    page = client.post(NEW, data=form).get_data(as_text=True)
    assert f"Tối đa {MAX_OPTIONS} phương án" in page
    assert len(_rows(page)) == MAX_OPTIONS


def test_editing_a_question_shows_exactly_its_options(app, client, auth, content):
    auth.login("trainer")
    client.post(NEW, data=_question_form(auth))
    with app.app_context():
        qid = db.session.scalar(select(Question.id).where(Question.code == "B1-001"))
    page = client.get(f"/authoring/questions/{qid}").get_data(as_text=True)
    assert _rows(page) == ["0", "1", "2"]
    assert BANK in page


# --- the editors' font ------------------------------------------------------------

VIETNAMESE = (
    "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợ"
    "pqrstuùủũúụưừửữứựvxyỳỷỹýỵ"
)


def test_the_editor_font_is_served_and_has_every_vietnamese_letter(client):
    from fontTools.ttLib import TTFont

    css = client.get("/static/css/app.css").get_data(as_text=True)
    assert '@font-face { font-family: "VHCV Mono"' in css
    assert "textarea#body { min-height: 28rem; font-family: var(--mono)" in css
    assert "table.diff td { font-family: var(--mono)" in css
    for style in ("Regular", "Bold"):
        response = client.get(f"/static/fonts/VHCVMono-{style}.woff")
        assert response.status_code == 200
        font = TTFont(io.BytesIO(response.get_data()))
        cmap = font.getBestCmap()
        letters = VIETNAMESE + VIETNAMESE.upper()
        assert [c for c in letters if ord(c) not in cmap] == []
        assert all(ord(c) in cmap for c in "\u0300\u0301\u0303\u0309\u0323")
        names = {r.nameID: r.toUnicode() for r in font["name"].names}
        assert names[1] == "VHCV Mono" and "Vera" not in names[1]
    assert client.get("/static/fonts/OFL.txt").status_code == 200


def _english(client, auth):
    client.post("/language", data={"language": "en", "csrf_token": auth.token()})


def test_the_true_false_answer_says_true_in_english_not_correct(client, auth, content):
    # "Đúng" is both a right option's tick ("Correct") and the answer "True"; the
    # true/false radios said "Correct / False" in English.
    auth.login("trainer")
    _english(client, auth)
    page = client.get(NEW).get_data(as_text=True)
    radio = r'name="answer" type="radio" value="(\w+)"> (\w+)</label>'
    radios = re.findall(radio, page)
    assert radios == [("true", "True"), ("false", "False")]
    tick = r'for="options-0-correct"><span class="visually-hidden">[^<]+</span>Correct<'
    assert re.search(tick, page)  # the option's tick (after its option's number)


def test_the_upload_preview_says_the_true_false_answer_in_english(
    client, auth, content
):
    auth.login("trainer")
    _english(client, auth)
    lines = ["Câu 1. Cán bộ được hút thuốc trong phòng làm việc.", "Đáp án: Đúng"]
    html = upload_questions(client, auth, docx_of(lines), "cau-hoi.docx").get_data(
        as_text=True
    )
    assert "Answer: True" in html and "Answer: Correct" not in html
