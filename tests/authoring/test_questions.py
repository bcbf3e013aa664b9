import io
import re
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.content.gift import parse_gift
from app.content.moodle_categories import category_path
from app.content.transfer import version_to_data
from app.extensions import db
from app.quizzes.models import Question, QuestionBank, QuestionVersion
from tests.authoring.helpers import make_authoring, upload_questions
from tests.factories import docx_of
from tests.html_checks import id_faults

BANK = "/authoring/banks/B1"
NEW = f"{BANK}/questions/new"


@pytest.fixture
def content(app, tmp_path):
    return make_authoring(app, tmp_path)


def _question_form(auth, action="save", **fields):
    data = {
        "csrf_token": auth.token(BANK),
        "type": "single",
        "stem": "Cán bộ tiếp dân cần làm gì **trước tiên**?",
        "options-0-text": "Chào hỏi, giới thiệu tên",
        "options-0-correct": "y",
        "options-0-feedback": "Đúng theo quy tắc ứng xử.",
        "options-1-text": "Hỏi giấy tờ ngay",
        "options-2-text": "Chờ người dân hỏi",
        "explanation": "Theo quy tắc ứng xử, trước tiên chào hỏi.",
        "source": "Quyết định 1847/QĐ-TTg, Điều 3",
        "tags": "giao-tiep, tiep-dan",
        "action": action,
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def _count(app, model=QuestionVersion):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_new_question_then_an_edit_makes_a_version_and_no_change_none(
    app, client, auth, content
):
    auth.login("trainer")
    before = _count(app)
    response = client.post(NEW, data=_question_form(auth))
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        question = db.session.scalar(select(Question).where(Question.code == "B1-001"))
        version = question.current_version
        assert version.origin == "browser" and version.tags == ["giao-tiep", "tiep-dan"]
        assert version.created_by_id is not None
        qid = question.id
    url = f"/authoring/questions/{qid}"
    page = client.get(url).get_data(as_text=True)
    assert "Chào hỏi, giới thiệu tên" in page
    same = client.post(url, data=_question_form(auth), follow_redirects=True)
    assert "không tạo phiên bản mới" in same.get_data(as_text=True)
    assert _count(app) == before + 1
    client.post(url, data=_question_form(auth, stem="Đề bài đã sửa?"))
    assert _count(app) == before + 2
    with app.app_context():
        question = db.session.get(Question, qid)
        assert question.current_version.number == 2


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"options-0-correct": None}, "không có lựa chọn đúng"),
        ({"options-1-correct": "y"}, "phải có đúng một lựa chọn đúng"),
        ({"options-1-text": "", "options-2-text": ""}, "ít nhất hai lựa chọn"),
        ({"type": "multiple", "options-0-correct": None}, "không có lựa chọn đúng"),
        ({"type": "truefalse", "answer": "true"}, "không được có lựa chọn riêng"),
        (
            {
                "type": "truefalse",
                "options-0-text": "",
                "options-1-text": "",
                "options-2-text": "",
            },
            "thiếu đáp án",
        ),
        ({"options-2-text": "Hỏi giấy tờ ngay"}, "lựa chọn trùng nhau"),
        ({"source": ""}, "Vui lòng điền trường này"),
        ({"explanation": ""}, "Vui lòng điền trường này"),
        ({"tags": "Pháp lý"}, "Thẻ chỉ gồm chữ thường"),
        ({"type": "essay"}, "Lựa chọn không hợp lệ"),
        ({"stem": "```\nmã\n```"}, "khối mã không được hỗ trợ"),
    ],
)
def test_bad_question_input_changes_nothing(
    app, client, auth, content, fields, message
):
    auth.login("trainer")
    before = _count(app)
    response = client.post(NEW, data=_question_form(auth, **fields))
    assert response.status_code in (200, 400)
    assert message in response.get_data(as_text=True)
    assert _count(app) == before


def test_truefalse_question_is_saved_with_its_answer(app, client, auth, content):
    auth.login("trainer")
    fields = {f"options-{i}-text": "" for i in range(3)}
    fields.update(type="truefalse", answer="false", feedback_true="Chưa đúng.")
    assert client.post(NEW, data=_question_form(auth, **fields)).status_code == 302
    with app.app_context():
        version = db.session.scalar(
            select(Question).where(Question.code == "B1-001")
        ).current_version
        assert version.type == "truefalse" and version.answer is False


def test_learner_preview_hides_the_answer_and_neutralises_scripts(
    app, client, auth, content
):
    auth.login("trainer")
    before = _count(app, Question)
    xss = {
        "stem": "Câu <script>alert(1)</script> [x](javascript:alert(2))",
        "options-1-text": '<img src=x onerror="alert(3)">',
        "explanation": "<iframe src=//evil></iframe>",
    }
    page = client.post(NEW, data=_question_form(auth, action="preview", **xss))
    html = page.get_data(as_text=True)
    learner = html.split('class="learner-preview"')[1].split("answers-heading")[0]
    assert 'value="0"' in learner and "✓" not in learner and "correct" not in learner
    rendered = html.split('class="learner-preview"')[1]  # preview and answers
    assert not re.search(
        r"<script>alert|<[a-z][^>]*\son\w+\s*=|href=\"javascript:|<iframe", rendered
    )
    assert _count(app, Question) == before  # previewing saves nothing


def test_the_preview_says_what_saving_would_refuse(app, client, auth, content):
    """Two right options ticked on a one-answer question: the preview shows it and
    says, beside it, that it cannot be saved so; a valid question's says nothing.
    A new question's page is headed as new, with the code it will be saved under."""
    auth.login("trainer")
    before = _count(app, Question)
    blank = client.get(NEW).get_data(as_text=True)
    assert "<h1>Câu hỏi mới</h1>" in blank and "Mã câu hỏi khi lưu: B1-001." in blank
    fine = client.post(NEW, data=_question_form(auth, action="preview"))
    assert 'id="question-problems"' not in fine.get_data(as_text=True)
    two = _question_form(auth, action="preview", **{"options-1-correct": "y"})
    page = client.post(NEW, data=two).get_data(as_text=True)
    problems = page.split('id="question-problems"')[1].split("</div>")[0]
    assert "Câu hỏi chưa lưu được" in problems and "learner-preview" in page
    assert "đúng" in problems.lower() and "<li>" in problems
    saved = client.post(NEW, data=_question_form(auth, **{"options-1-correct": "y"}))
    assert saved.status_code == 400 and _count(app, Question) == before


def test_retire_and_restore(app, client, auth, content):
    auth.login("trainer")
    with app.app_context():
        qid = db.session.scalar(select(Question.id).where(Question.code == "S1"))
    url = f"/authoring/questions/{qid}/active"
    client.post(
        url, data={"csrf_token": auth.token(BANK), "active": "0", "confirm": "1"}
    )
    with app.app_context():
        assert db.session.get(Question, qid).active is False
    client.post(url, data={"csrf_token": auth.token(BANK), "active": "1"})
    with app.app_context():
        assert db.session.get(Question, qid).active is True


def test_gift_export_round_trips(app, client, auth, content):
    auth.login("trainer")
    response = client.get(f"{BANK}/export.gift")
    assert response.status_code == 200
    assert 'filename="B1.gift"' in response.headers["Content-Disposition"]
    parsed = parse_gift(response.get_data(as_text=True), "B1")
    with app.app_context():
        bank = db.session.scalar(select(QuestionBank).where(QuestionBank.code == "B1"))
        stored = [
            version_to_data(q.code, q.current_version, as_file=True)
            for q in bank.questions
        ]
    assert {q.category for q in parsed} == {category_path(bank.title)}
    assert [replace(q, line=0, category="") for q in parsed] == stored


def test_bank_listing_filters_and_a_new_bank(app, client, auth, content):
    auth.login("trainer")
    page = client.get(f"{BANK}?q=s2").get_data(as_text=True)
    assert "S2" in page and ">S1<" not in page
    token = auth.token("/authoring/banks/new")
    with app.app_context():
        from app.accounts.models import Unit

        d = db.session.scalar(select(Unit).where(Unit.code == "D")).id
        c = db.session.scalar(select(Unit).where(Unit.code == "C")).id
    outside = client.post(
        "/authoring/banks/new",
        data={"csrf_token": token, "code": "X1", "title": "Ngoài", "owner": c},
    )
    assert "Lựa chọn không hợp lệ" in outside.get_data(as_text=True)
    bad = client.post(
        "/authoring/banks/new",
        data={"csrf_token": token, "code": "có dấu", "title": "T", "owner": d},
    )
    assert "Mã ngân hàng chỉ gồm" in bad.get_data(as_text=True)
    made = client.post(
        "/authoring/banks/new",
        data={"csrf_token": token, "code": "SNV-1", "title": "Mới", "owner": d},
    )
    assert made.headers["Location"].endswith("/authoring/banks/SNV-1")
    assert "Mới" in client.get("/authoring/").get_data(as_text=True)


def test_scope(app, client, auth, content):
    auth.login("outsider")
    with app.app_context():
        qid = db.session.scalar(select(Question.id).where(Question.code == "S1"))
    assert client.get(BANK).status_code == 404
    assert client.get(f"/authoring/questions/{qid}").status_code == 404
    assert client.get(f"{BANK}/export.gift").status_code == 404
    assert client.get(f"{BANK}/upload").status_code == 404


# --- uploads --------------------------------------------------------------------


WORD = [
    "Câu 1. Theo Quyết định 1847, văn hóa công vụ gồm mấy nội dung?",
    "A. Hai",
    "B. Bốn",
    "C. Sáu",
    "Đáp án: B",
    "Giải thích: Tinh thần, thái độ; chuẩn mực; đạo đức; trang phục.",
    "Nguồn: QĐ 1847/QĐ-TTg, mục II",
    "Chủ đề: phap-ly",
    "Câu 2: Những việc cán bộ phải làm khi tiếp dân?",
    "a) Chào hỏi",
    "b) Lắng nghe",
    "c) Hách dịch",
    "Đáp án: A, B",
    "Câu 3. Cán bộ được hút thuốc trong phòng làm việc.",
    "Đáp án: Sai",
]


def _confirm(client, auth, preview_html: str):
    action = re.search(r'action="(/authoring/banks/B1/upload/[^"]+)"', preview_html)
    return client.post(action.group(1), data={"csrf_token": auth.token(BANK)})


def test_word_upload_preview_then_import(app, client, auth, content):
    auth.login("trainer")
    before = _count(app, Question)
    preview = upload_questions(client, auth, docx_of(WORD), "cau-hoi.docx")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "3 câu hỏi từ cau-hoi.docx" in html
    assert "B1-002: thiếu giải thích" in html  # told what the file format needs
    assert _count(app, Question) == before  # nothing written by the preview
    done = _confirm(client, auth, html)
    assert done.status_code == 302
    with app.app_context():
        rows = {
            q.code: q.current_version
            for q in db.session.scalars(
                select(Question).where(Question.code.like("B1-0%"))
            )
        }
        assert rows["B1-001"].type == "single" and rows["B1-001"].origin == "import"
        assert rows["B1-002"].type == "multiple"
        assert rows["B1-003"].type == "truefalse" and rows["B1-003"].answer is False
    again = _confirm(client, auth, html)  # the token was used up
    assert "đã hết hạn" in client.get(again.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize(
    "lines, message",
    [
        (["Câu 1. Hỏi?", "A. Một", "B. Hai"], "đoạn 1: câu 1: thiếu dòng “Đáp án: …”"),
        (["Câu 1. Hỏi?", "A. Một", "B. Hai", "Đáp án: D"], "đáp án D không có"),
        (["Câu 1. Hỏi?", "A. Một", "Đáp án: A"], "cần ít nhất 2 phương án"),
        (["Lời nói đầu", "Câu 1. Hỏi?"], "đoạn 1: nội dung nằm ngoài câu hỏi"),
        ([], "không tìm thấy câu hỏi nào"),
    ],
)
def test_word_upload_errors_import_nothing(app, client, auth, content, lines, message):
    auth.login("trainer")
    before = _count(app, Question)
    response = upload_questions(client, auth, docx_of(lines), "sai.docx")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(app, Question) == before


def test_not_a_docx_is_refused(app, client, auth, content):
    auth.login("trainer")
    response = upload_questions(client, auth, b"PK\x03\x04 not really", "gia.docx")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "không phải tài liệu Word" in text or "Không đọc được tài liệu Word" in text
    empty = io.BytesIO()
    with zipfile.ZipFile(empty, "w") as package:  # a ZIP, but no document in it
        package.writestr("word/other.xml", "<x/>")
    broken = upload_questions(client, auth, empty.getvalue(), "hong.docx")
    text = broken.get_data(as_text=True)
    assert broken.status_code == 400 and "tệp bị hỏng hoặc không đúng định dạng" in text
    assert "KeyError" not in text


GIFT_OK = (
    "// [id:G1]\n::G1:: Trang phục khi làm việc phải? {=Gọn gàng ~Tùy ý ~Sặc sỡ}\n"
)


@pytest.mark.parametrize(
    "text, fmt, message",
    [
        ("::G1:: Câu hỏi {=A ~B\n", "gift", "dòng 1"),
        ("::G1:: Câu hỏi {~A ~B}\n", "gift", "dòng 1"),
        ("::G1:: Ghép {=a -> 1 =b -> 2}\n", "gift", "dòng 1"),
        ("Câu hỏi\nA. Một\nB. Hai\n", "aiken", "thiếu dòng ANSWER"),
        ("Câu hỏi\nA. Một\nB. Hai\nANSWER: E\n", "aiken", "không có trong"),
    ],
)
def test_gift_and_aiken_errors_import_nothing(
    app, client, auth, content, text, fmt, message
):
    auth.login("trainer")
    before = _count(app, Question)
    response = upload_questions(client, auth, text.encode(), f"t.{fmt}", fmt)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert html.count(message) == 1  # each problem said once, under the summary
    assert _count(app, Question) == before


def test_gift_upload_imports_and_another_users_token_is_refused(
    app, client, auth, content
):
    auth.login("trainer")
    html = upload_questions(client, auth, GIFT_OK.encode(), "moodle.gift").get_data(
        as_text=True
    )
    assert "Gọn gàng" in html
    token_url = re.search(r'action="(/authoring/banks/B1/upload/[^"]+)"', html).group(1)
    auth.logout()
    with app.app_context():
        from app.accounts.models import Unit
        from tests.factories import make_user

        d = db.session.scalar(select(Unit).where(Unit.code == "D"))
        make_user("trainer2", d, roles=[("trainer", d)])
    auth.login("trainer2")
    stolen = client.post(token_url, data={"csrf_token": auth.token(BANK)})
    assert stolen.status_code == 404
    auth.logout()
    auth.login("trainer")
    assert (
        client.post(token_url, data={"csrf_token": auth.token(BANK)}).status_code == 302
    )
    with app.app_context():
        assert db.session.scalar(select(Question).where(Question.code == "G1"))


def test_an_upload_never_replaces_a_question_it_does_not_name(
    app, client, auth, content
):
    auth.login("trainer")
    assert client.post(NEW, data=_question_form(auth)).status_code == 302  # B1-001
    aiken = "Câu mới?\nA. Một\nB. Hai\nANSWER: A\n".encode()
    html = upload_questions(client, auth, aiken, "t.txt", "aiken").get_data(
        as_text=True
    )
    assert "B1-002" in html and "đã có trong ngân hàng" not in html
    _confirm(client, auth, html)
    with app.app_context():
        kept = db.session.scalar(select(Question).where(Question.code == "B1-001"))
        assert (
            kept.current_version.number == 1
            and "tiếp dân" in kept.current_version.stem_md
        )
        assert db.session.scalar(select(Question).where(Question.code == "B1-002"))
    # A title is Moodle's name, not unique: it never names a question of ours.
    titled = "::S1:: Đề mới? {=Đúng rồi ~Sai rồi}\n".encode()
    html = upload_questions(client, auth, titled, "s1.gift", "gift").get_data(
        as_text=True
    )
    assert "B1-003" in html and "đã có trong ngân hàng" not in html
    named = "// [id:S1]\n::S1:: Đề mới cho S1? {=Đúng rồi ~Sai rồi}\n".encode()
    html = upload_questions(client, auth, named, "s1.gift", "gift").get_data(
        as_text=True
    )
    assert "đã có trong ngân hàng" in html and "S1" in html


def test_upload_without_a_file_says_so(app, client, auth, content):
    auth.login("trainer")
    response = client.post(
        f"{BANK}/upload", data={"csrf_token": auth.token(BANK), "format": "auto"}
    )
    assert "Hãy chọn tệp câu hỏi." in response.get_data(as_text=True)


def test_a_question_file_over_the_upload_limit_imports_nothing(
    app, client, auth, content
):
    app.config["UPLOAD_MAX_BYTES"] = 1000
    auth.login("trainer")
    before = _count(app, Question)
    data = (GIFT_OK * 20).encode()
    assert 1000 < len(data) < 1000 + 64 * 1024
    response = upload_questions(client, auth, data, "big.gift", "gift")
    assert response.status_code == 413
    assert "Tệp quá lớn (tối đa 1 kB)." in response.get_data(as_text=True)
    response = upload_questions(client, auth, b" " * 70_000, "huge.gift", "gift")
    assert response.status_code == 413  # refused by its length, before it is read
    assert "Tệp quá lớn (tối đa 1 kB)." in response.get_data(as_text=True)
    assert _count(app, Question) == before


def test_a_question_file_under_the_default_limit_is_read(app, client, auth, content):
    auth.login("trainer")
    # over the former 5 MB cap (padded in a few lines: past 100,000 it is refused)
    data = GIFT_OK.encode() + (b"\n" + b" " * 600_000) * 10
    response = upload_questions(client, auth, data, "big.gift", "gift")
    assert response.status_code == 200
    assert "G1" in response.get_data(as_text=True)


MOODLE_XML = (
    Path(__file__).resolve().parents[1] / "data" / "moodle" / "moodle5-export.xml"
)


def test_moodle_xml_upload_preview_then_import(app, client, auth, content):
    auth.login("trainer")
    before = _count(app, Question)
    preview = upload_questions(client, auth, MOODLE_XML.read_bytes(), "ngan-hang.xml")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "3 câu hỏi từ ngan-hang.xml" in html
    assert "Chọn tất cả: 4 luôn" in html  # the Moodle name is shown
    assert _count(app, Question) == before
    assert _confirm(client, auth, html).status_code == 302
    with app.app_context():
        row = db.session.scalar(select(Question).where(Question.code == "VHCV-4LUON"))
        assert row.name == "Chọn tất cả: 4 luôn" and row.bank.code == "B1"
        assert row.current_version.type == "multiple"
    bank_page = client.get(BANK).get_data(as_text=True)
    assert "Chọn tất cả: 4 luôn" in bank_page


def test_moodle_xml_upload_errors_import_nothing(app, client, auth, content):
    auth.login("trainer")
    before = _count(app, Question)
    data = (
        '<quiz>\n<question type="matching"><name><text>Ghép</text></name>\n'
        "</question></quiz>"
    ).encode()
    response = upload_questions(client, auth, data, "sai.xml")
    assert response.status_code == 400
    assert "dòng 2: câu 1 «Ghép»: câu dạng ghép đôi (matching)" in response.get_data(
        as_text=True
    )
    assert _count(app, Question) == before


@pytest.mark.parametrize(
    "fields, row, message",
    [
        ({"options-1-text": "x" * 1001}, 1, "Không được dài quá 1.000 ký tự."),
        ({"options-2-feedback": "p" * 1001}, 2, "Không được dài quá 1.000 ký tự."),
        (
            {"options-3-text": " ", "options-3-feedback": "Chưa đúng."},
            3,
            "Phương án để trống",
        ),
        ({"options-3-correct": "y"}, 3, "Phương án để trống"),
    ],
)
def test_a_bad_option_row_says_why_beside_the_row(
    app, client, auth, content, fields, row, message
):
    """An option row is a form of its own: its messages are translated as the
    page's and shown beside the row (they were not shown at all), what was typed
    is kept, and a row ticked or given a feedback but no text is refused, not
    dropped unseen."""
    auth.login("trainer")
    before = _count(app)
    response = client.post(NEW, data=_question_form(auth, **fields))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and _count(app) == before
    rows = page.split("data-option-row")[1:]
    assert message in rows[row] and "Field cannot" not in page
    assert sum(message in r for r in rows) == 1
    for value in fields.values():
        if value.strip() and value != "y":
            assert f'value="{value}"' in rows[row]
    assert id_faults(page) == set()


def test_a_truefalse_question_ignores_its_unused_option_rows(
    app, client, auth, content
):
    auth.login("trainer")
    fields = {f"options-{i}-text": "" for i in range(3)}
    fields.update(type="truefalse", answer="true", **{"options-3-correct": "y"})
    assert client.post(NEW, data=_question_form(auth, **fields)).status_code == 302
