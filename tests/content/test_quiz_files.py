"""The quiz loader: the real content, the fixture set, then one test per check."""

import shutil
import unicodedata
from pathlib import Path

import pytest

from app.content.banks import parse_bank
from app.content.quizfiles import QuizContent, load_quizzes, parse_quiz
from app.quizzes.questions import MULTIPLE, SINGLE, TRUEFALSE, DrawRule

REAL_ROOT = Path(__file__).parents[2] / "quizzes"
DATA = Path(__file__).parents[1] / "data" / "quizzes" / "mini"
BANK_PATH = "quizzes/banks/b.md"
QUIZ_PATH = "quizzes/q.yml"

HEAD = "---\ncode: B\ntitle: Ngân hàng thử\n---\n\n"  # a question's heading is line 6
QUESTION = """## B-001
type: single
tags: [thu]
source: "Điều 1"

Đề bài?

- [x] Có
- [ ] Không

Giải thích: Vì vậy.
"""  # lines 6-16: type 7, tags 8, source 9, stem 11, options 13-14, explanation 16
TRUEFALSE_QUESTION = """## B-002
type: truefalse
source: "Điều 2"
answer: true

Đúng hay sai: Trời xanh.

Giải thích: Đúng.
"""
QUIZ = """code: Q
title: Đề thử
course: MINI
time_limit_minutes: 10
pass_percent: 50
attempts_allowed: 1
shuffle_questions: true
shuffle_options: true
questions_per_page: 5
review: score
draw:
  - {bank: B, count: 1}
  - {tag: thu, count: 1}
"""  # one key a line from 1 (code) to 11 (draw); the rules are lines 12 and 13


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A quizzes root holding a copy of the valid fixture set."""
    shutil.copytree(DATA, tmp_path / "quizzes")
    return tmp_path / "quizzes"


def edit(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file.name}"
    file.write_text(text.replace(old, new), encoding="utf-8")


def bank_problems(text: str) -> list[str]:
    bank, problems = parse_bank(text, BANK_PATH)
    assert (bank is None) == bool(problems)
    return [str(problem) for problem in problems]


def question_problem(old: str, new: str, question: str = QUESTION) -> str:
    """The one problem of the bank holding `question` with `old` replaced by `new`."""
    assert old in question, old
    found = bank_problems(HEAD + question.replace(old, new))
    assert len(found) == 1, found
    return found[0]


def quiz_problem(old: str, new: str) -> str:
    assert old in QUIZ, old
    quiz, problems = parse_quiz(QUIZ.replace(old, new), QUIZ_PATH)
    assert quiz is None and len(problems) == 1, [str(p) for p in problems]
    return str(problems[0])


def only_problem(content: QuizContent) -> str:
    assert len(content.problems) == 1, [str(p) for p in content.problems]
    return str(content.problems[0])


# --- valid content ------------------------------------------------------------------


def test_the_real_quizzes_load_without_problems():
    """What must hold of quizzes/ whatever trainers add or remove: it loads (every
    draw rule can be met by active questions: the loader checks it), every bank has
    questions of known types, every quiz draws some. No count of banks or
    questions: the content changes; the fixture tests pin the loader."""
    content = load_quizzes(REAL_ROOT)
    assert content.ok, [str(p) for p in content.problems]
    assert content.banks and content.quizzes
    for bank in content.banks:
        assert bank.path.startswith("quizzes/banks/") and bank.questions, bank.path
        assert {q.type for q in bank.questions} <= {SINGLE, MULTIPLE, TRUEFALSE}
    for quiz in content.quizzes:
        assert quiz.path.startswith("quizzes/") and quiz.draw, quiz.path
        assert sum(rule.count for rule in quiz.draw) > 0


def test_the_fixture_banks_load_into_dataclasses(root):
    content = load_quizzes(root)
    assert content.ok, [str(p) for p in content.problems]
    bank_a, bank_b = content.banks
    assert (bank_a.code, bank_a.course, bank_a.module) == ("MINI-A", "MINI", "MINI-M1")
    assert (bank_b.code, bank_b.course, bank_b.module) == ("MINI-B", None, None)
    assert bank_a.path == "quizzes/banks/mini-a.md"
    single, multiple, truefalse = bank_a.questions
    assert (single.code, single.type, single.line) == ("MINI-A-001", SINGLE, 8)
    assert single.stem == "Khi tiếp công dân, công chức **phải** làm gì trước tiên?"
    assert single.source == "Quy chế mẫu, Điều 3"
    assert single.tags == ("ung-xu", "chung")
    assert single.explanation == (
        "Theo Điều 3 của quy chế mẫu, công chức chào hỏi và giới thiệu mình\n"
        "trước khi hỏi việc."
    )
    assert [o.key for o in single.options] == ["a", "b", "c", "d"]
    assert [o.correct for o in single.options] == [False, True, False, False]
    assert all(o.weight is None for o in single.options)
    assert single.answer is None


def test_feedback_is_attached_to_its_option(root):
    single = load_quizzes(root).banks[0].questions[0]
    assert [o.feedback for o in single.options] == [
        "Không đúng: công dân được tiếp theo thứ tự, không phải chờ đến cuối giờ.",
        "",
        "",
        "Chỉ chuyển khi việc không thuộc thẩm quyền.",
    ]


def test_capital_x_marks_a_correct_option(root):
    multiple = load_quizzes(root).banks[0].questions[1]
    assert multiple.type == MULTIPLE
    assert [(o.key, o.correct) for o in multiple.options] == [
        ("a", True),
        ("b", False),
        ("c", True),
    ]


def test_truefalse_answer_and_feedback(root):
    bank_a, bank_b = load_quizzes(root).banks
    question = bank_a.questions[2]
    assert (question.type, question.answer, question.options) == (TRUEFALSE, False, ())
    assert question.feedback_true.startswith("Chưa đúng. Điều 7")
    assert question.feedback_false == "Chính xác."
    assert (
        question.stem == "Đúng hay sai: Công chức được hút thuốc trong phòng làm việc."
    )
    other = bank_b.questions[0]
    assert (other.answer, other.feedback_true, other.feedback_false) == (True, "", "")


def test_the_fixture_quiz_loads_into_a_dataclass(root):
    [quiz] = load_quizzes(root).quizzes
    assert (quiz.code, quiz.course, quiz.review) == ("MINI-THU", "MINI", "score")
    assert (quiz.time_limit_minutes, quiz.pass_percent, quiz.attempts_allowed) == (
        10,
        50,
        2,
    )
    assert (quiz.shuffle_questions, quiz.shuffle_options) == (True, False)
    assert (quiz.questions_per_page, quiz.partial_credit) == (2, False)
    assert quiz.draw == (DrawRule(2, bank="MINI-A"), DrawRule(1, tag="ky-luat"))
    assert (quiz.path, quiz.line) == ("quizzes/mini.yml", 1)


def test_parse_bank_and_parse_quiz_on_their_own():
    bank, problems = parse_bank(HEAD + QUESTION + "\n" + TRUEFALSE_QUESTION, BANK_PATH)
    assert problems == []
    assert (bank.code, bank.title, bank.path) == ("B", "Ngân hàng thử", BANK_PATH)
    assert [q.code for q in bank.questions] == ["B-001", "B-002"]
    assert [q.line for q in bank.questions] == [6, 18]
    quiz, problems = parse_quiz(QUIZ + "partial_credit: true\n", QUIZ_PATH)
    assert problems == [] and quiz.partial_credit is True
    assert quiz.draw == (DrawRule(1, bank="B"), DrawRule(1, tag="thu"))


def test_a_missing_root_raises(tmp_path):
    with pytest.raises(FileNotFoundError, match="khong-co"):
        load_quizzes(tmp_path / "khong-co")


def test_text_is_nfc_without_bom_and_crlf(root):
    file = root / "banks" / "mini-a.md"
    text = unicodedata.normalize("NFD", file.read_text(encoding="utf-8"))
    file.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    content = load_quizzes(root)
    assert content.ok, [str(p) for p in content.problems]
    bank = content.banks[0]
    assert bank.title == unicodedata.normalize("NFC", bank.title)
    question = bank.questions[0]
    assert question.explanation.startswith("Theo Điều 3")  # "Giải thích:" was found
    assert "\r" not in question.explanation and "\r" not in question.options[0].feedback
    assert question.stem == unicodedata.normalize("NFC", question.stem)


def test_parse_functions_normalise_too():
    text = "\ufeff" + unicodedata.normalize("NFD", HEAD + QUESTION).replace(
        "\n", "\r\n"
    )
    bank, problems = parse_bank(text, BANK_PATH)
    assert problems == [] and bank.questions[0].explanation == "Vì vậy."
    quiz, problems = parse_quiz("\ufeff" + QUIZ.replace("\n", "\r\n"), QUIZ_PATH)
    assert problems == [] and quiz.title == "Đề thử"


def test_not_utf8_names_the_byte(root):
    (root / "banks" / "loi-ma.md").write_bytes(b"---\ncode: X\ntitle: Caf\xe9\n---\n")
    content = load_quizzes(root)
    assert only_problem(content) == (
        "quizzes/banks/loi-ma.md:1: tệp không phải UTF-8 (byte lỗi ở vị trí 22)"
    )
    assert len(content.banks) == 2


def test_problems_are_sorted_by_path_then_line(root):
    edit(root / "banks" / "mini-b.md", "answer: true", "answer: có")
    edit(root / "banks" / "mini-a.md", 'source: "Quy chế mẫu, Điều 5"', "source:")
    edit(root / "banks" / "mini-a.md", "type: single", "type: essay")
    lines = [(p.path, p.line) for p in load_quizzes(root).problems]
    assert lines == [
        ("quizzes/banks/mini-a.md", 9),
        ("quizzes/banks/mini-a.md", 29),
        ("quizzes/banks/mini-b.md", 10),
        ("quizzes/mini.yml", 12),
        ("quizzes/mini.yml", 13),
    ]


# --- bank front matter --------------------------------------------------------------


def test_bank_without_front_matter():
    assert bank_problems(QUESTION) == [
        f"{BANK_PATH}:1: thiếu front matter YAML (--- … ---)"
    ]


def test_bank_front_matter_not_yaml():
    text = HEAD.replace("title: Ngân hàng thử", "title: Lỗi: hai chấm: thừa") + QUESTION
    assert bank_problems(text) == [
        f"{BANK_PATH}:3: front matter không phải YAML hợp lệ: "
        "mapping values are not allowed here"
    ]


def test_bank_front_matter_not_a_mapping():
    [problem] = bank_problems("---\n- a\n---\n\n" + QUESTION)
    assert problem.startswith(f"{BANK_PATH}:2: front matter phải là một bảng")


def test_bank_missing_key():
    text = HEAD.replace("title: Ngân hàng thử\n", "") + QUESTION
    assert bank_problems(text) == [f"{BANK_PATH}:1: thiếu khóa “title”"]


def test_bank_unknown_key():
    text = HEAD.replace("---\n\n", "tac_gia: A\n---\n\n") + QUESTION
    assert bank_problems(text) == [f"{BANK_PATH}:4: khóa không hợp lệ: tac_gia"]


def test_bank_wrong_types():
    text = HEAD.replace("code: B", "code: mã có dấu").replace(
        "---\n\n", "module: 3\n---\n\n"
    )
    assert bank_problems(text + QUESTION) == [
        f"{BANK_PATH}:2: “code” phải là mã gồm chữ cái không dấu, chữ số, “.”, “_”, "
        "“-”: “mã có dấu”",
        f"{BANK_PATH}:4: “module” phải là chuỗi không rỗng",
    ]


def test_repeated_front_matter_key():
    text = HEAD.replace("---\n\n", "code: C\n---\n\n") + QUESTION
    assert bank_problems(text) == [
        f"{BANK_PATH}:4: khóa “code” lặp lại (đã có ở dòng 2)"
    ]


def test_bank_without_questions():
    assert bank_problems(HEAD) == [
        f"{BANK_PATH}:5: ngân hàng không có câu hỏi nào "
        "(mỗi câu bắt đầu bằng “## MÃ-CÂU”)"
    ]


def test_text_before_the_first_question():
    assert bank_problems(HEAD + "Lời dẫn.\n\n" + QUESTION) == [
        f"{BANK_PATH}:6: nội dung nằm ngoài câu hỏi (trước “## MÃ-CÂU” đầu tiên)"
    ]


# --- questions ----------------------------------------------------------------------


def test_invalid_question_code():
    assert question_problem("## B-001", "## Câu 1") == (
        f"{BANK_PATH}:6: mã câu hỏi không hợp lệ: “Câu 1” "
        "(chỉ gồm chữ cái không dấu, chữ số, “.”, “_”, “-”)"
    )


def test_unknown_type():
    assert question_problem("type: single", "type: essay") == (
        f"{BANK_PATH}:7: loại câu hỏi không hợp lệ: “essay” "
        "(single, multiple, truefalse)"
    )


def test_missing_type():
    assert question_problem("type: single\n", "") == (
        f"{BANK_PATH}:6: thiếu loại câu hỏi (type: single, multiple hoặc truefalse)"
    )


def test_missing_source():
    assert question_problem('source: "Điều 1"\n', "") == (
        f"{BANK_PATH}:6: thiếu nguồn (source)"
    )


def test_empty_source():
    assert question_problem('source: "Điều 1"', 'source: " "') == (
        f"{BANK_PATH}:9: thiếu nguồn (source)"
    )


def test_unknown_metadata_key():
    assert question_problem("tags: [thu]", "tags: [thu]\ndiem: 2") == (
        f"{BANK_PATH}:9: khóa không hợp lệ: diem"
    )


def test_metadata_not_yaml():
    assert question_problem("tags: [thu]", "tags: [thu") == (
        f"{BANK_PATH}:9: siêu dữ liệu câu hỏi không phải YAML hợp lệ: "
        "expected ',' or ']', but got ':'"
    )


def test_metadata_not_a_mapping():
    found = bank_problems(HEAD + "## B-001\nChỉ có đề bài\n")
    assert found[-1] == (
        f"{BANK_PATH}:7: siêu dữ liệu câu hỏi phải là một bảng "
        "“khóa: giá trị” (mapping)"
    )


def test_no_stem():
    assert question_problem("Đề bài?\n\n", "") == (
        f"{BANK_PATH}:6: thiếu đề bài (đoạn văn sau các dòng siêu dữ liệu)"
    )


def test_no_explanation():
    assert question_problem("\nGiải thích: Vì vậy.\n", "") == (
        f"{BANK_PATH}:6: thiếu giải thích (đoạn bắt đầu bằng “Giải thích:”)"
    )


def test_empty_explanation():
    assert question_problem("Giải thích: Vì vậy.", "Giải thích:") == (
        f"{BANK_PATH}:6: thiếu giải thích (đoạn bắt đầu bằng “Giải thích:”)"
    )


def test_single_with_two_correct_options():
    assert question_problem("- [ ] Không", "- [x] Không") == (
        f"{BANK_PATH}:6: câu một đáp án phải có đúng một lựa chọn đúng "
        "(có 2 lựa chọn đúng)"
    )


def test_single_without_a_correct_option():
    assert question_problem("- [x] Có", "- [ ] Có") == (
        f"{BANK_PATH}:6: câu một đáp án phải có đúng một lựa chọn đúng "
        "(không có lựa chọn đúng)"
    )


def test_single_with_one_option():
    assert question_problem("- [ ] Không\n", "") == (
        f"{BANK_PATH}:6: câu một đáp án phải có ít nhất hai lựa chọn (có 1)"
    )


def test_multiple_with_one_option():
    multiple = QUESTION.replace("type: single", "type: multiple")
    assert question_problem("- [ ] Không\n", "", multiple) == (
        f"{BANK_PATH}:6: câu nhiều đáp án phải có ít nhất hai lựa chọn (có 1)"
    )


def test_multiple_without_a_correct_option():
    multiple = QUESTION.replace("type: single", "type: multiple")
    assert question_problem("- [x] Có", "- [ ] Có", multiple) == (
        f"{BANK_PATH}:6: câu nhiều đáp án không có lựa chọn đúng"
    )


def test_multiple_may_have_several_correct_options():
    multiple = QUESTION.replace("type: single", "type: multiple")
    bank, problems = parse_bank(HEAD + multiple.replace("[ ]", "[x]"), BANK_PATH)
    assert problems == [] and all(o.correct for o in bank.questions[0].options)


def test_truefalse_with_options():
    text = HEAD + TRUEFALSE_QUESTION.replace("\nGiải", "\n- [x] Đúng\n\nGiải")
    assert bank_problems(text) == [
        f"{BANK_PATH}:13: câu đúng/sai không được có lựa chọn (đáp án ghi ở “answer”)"
    ]


def test_truefalse_without_answer():
    assert question_problem("answer: true\n", "", TRUEFALSE_QUESTION) == (
        f"{BANK_PATH}:6: câu đúng/sai thiếu đáp án (answer: true hoặc false)"
    )


def test_truefalse_answer_not_a_bool():
    assert question_problem("answer: true", "answer: đúng", TRUEFALSE_QUESTION) == (
        f"{BANK_PATH}:9: “answer” phải là true hoặc false, không phải “đúng”"
    )


def test_feedback_true_on_a_single_question():
    assert question_problem("tags: [thu]", 'tags: [thu]\nfeedback_true: "Hay"') == (
        f"{BANK_PATH}:9: chỉ câu đúng/sai (truefalse) mới có “feedback_true”"
    )


def test_answer_on_a_single_question():
    assert question_problem("tags: [thu]", "tags: [thu]\nanswer: true") == (
        f"{BANK_PATH}:9: chỉ câu đúng/sai (truefalse) mới có “answer”"
    )


def test_tags_not_a_list():
    assert question_problem("tags: [thu]", "tags: thu") == (
        f"{BANK_PATH}:8: “tags” phải là danh sách thẻ, ví dụ [phap-ly, muc-dich]: “thu”"
    )


def test_tags_not_slugs():
    assert question_problem("tags: [thu]", "tags: [thu, Pháp-lý, a_b]") == (
        f"{BANK_PATH}:8: thẻ chỉ gồm chữ thường không dấu, chữ số và “-”: Pháp-lý, a_b"
    )


def test_repeated_tag():
    assert question_problem("tags: [thu]", "tags: [thu, thu]") == (
        f"{BANK_PATH}:8: thẻ lặp lại: thu"
    )


def test_duplicate_question_code_in_one_bank():
    text = HEAD + QUESTION + "\n" + TRUEFALSE_QUESTION.replace("B-002", "B-001")
    assert bank_problems(text) == [
        f"{BANK_PATH}:18: mã câu hỏi “B-001” trùng với {BANK_PATH}:6"
    ]


def test_duplicate_question_code_across_banks(root):
    edit(root / "banks" / "mini-b.md", "## MINI-B-002", "## MINI-A-002")
    content = load_quizzes(root)
    assert [str(p) for p in content.problems] == [
        "quizzes/banks/mini-b.md:16: "
        "mã câu hỏi “MINI-A-002” trùng với quizzes/banks/mini-a.md:26",
        "quizzes/mini.yml:13: không có câu hỏi nào mang thẻ “ky-luat”",
    ]
    assert [bank.code for bank in content.banks] == ["MINI-A"]
    assert content.quizzes == []


def test_duplicate_bank_code(root):
    edit(root / "banks" / "mini-b.md", "code: MINI-B", "code: MINI-A")
    content = load_quizzes(root)
    assert str(content.problems[0]) == (
        "quizzes/banks/mini-b.md:2: mã ngân hàng “MINI-A” trùng với "
        "quizzes/banks/mini-a.md:2"
    )
    assert [bank.path for bank in content.banks] == ["quizzes/banks/mini-a.md"]


def test_duplicate_option_text():
    assert question_problem("- [ ] Không", "- [ ] có ") == (
        f"{BANK_PATH}:14: lựa chọn trùng với lựa chọn ở dòng 13: “có”"
    )


def test_empty_option():
    assert question_problem("- [ ] Không", "- [ ]") == (
        f"{BANK_PATH}:14: lựa chọn không có nội dung"
    )


def test_stray_line_among_options():
    assert question_problem("- [ ] Không", "- [ ] Không\n* [ ] Khác") == (
        f"{BANK_PATH}:15: dòng không hợp lệ giữa các lựa chọn: “* [ ] Khác” "
        "(lựa chọn: “- [ ] …” hoặc “- [x] …”; phản hồi thụt lề: “  > …”)"
    )


def test_feedback_not_under_an_option():
    assert question_problem("- [ ] Không\n", "- [ ] Không\n\n  > Lạc chỗ\n") == (
        f"{BANK_PATH}:16: phản hồi (“  > …”) phải nằm ngay dưới một lựa chọn"
    )


def test_raw_html_in_the_stem():
    assert question_problem("Đề bài?", "Đề <b>bài</b>?") == (
        f"{BANK_PATH}:11: HTML thô không được phép (raw HTML)"
    )


def test_unsupported_markdown_in_the_explanation():
    assert question_problem("Vì vậy.\n", "Vì vậy.\n# Kết luận\n") == (
        f"{BANK_PATH}:17: không dùng tiêu đề cấp 1 (tiêu đề lấy từ front matter)"
    )


def test_unsupported_markdown_in_option_feedback():
    assert question_problem("- [x] Có", "- [x] Có\n    > Xem [[Điều 1]]") == (
        f"{BANK_PATH}:14: liên kết kiểu wiki không được hỗ trợ"
    )


# --- quiz files ---------------------------------------------------------------------


def test_quiz_not_yaml():
    assert quiz_problem("title: Đề thử", "title: [Đề thử") == (
        f"{QUIZ_PATH}:3: tệp đề thi không phải YAML hợp lệ: "
        "expected ',' or ']', but got ':'"
    )


def test_quiz_not_a_mapping():
    quiz, problems = parse_quiz("- a\n- b\n", QUIZ_PATH)
    assert quiz is None and [str(p) for p in problems] == [
        f"{QUIZ_PATH}:1: tệp đề thi phải là một bảng “khóa: giá trị” (mapping)"
    ]


def test_quiz_missing_key():
    assert quiz_problem("attempts_allowed: 1\n", "") == (
        f"{QUIZ_PATH}:1: thiếu khóa “attempts_allowed”"
    )


def test_quiz_unknown_key():
    assert quiz_problem("review: score", "review: score\nmat_khau: x") == (
        f"{QUIZ_PATH}:11: khóa không hợp lệ: mat_khau"
    )


def test_unknown_review_policy():
    assert quiz_problem("review: score", "review: always") == (
        f"{QUIZ_PATH}:10: chế độ xem lại không hợp lệ: “always” "
        "(none, score, after_submit, after_close)"
    )


@pytest.mark.parametrize("minutes", ["0", "601", "ba mươi"])
def test_time_limit_out_of_range(minutes):
    assert quiz_problem("time_limit_minutes: 10", f"time_limit_minutes: {minutes}") == (
        f"{QUIZ_PATH}:4: “time_limit_minutes” phải là số nguyên từ 1 đến 600, "
        f"không phải “{minutes}”"
    )


def test_pass_percent_out_of_range():
    assert quiz_problem("pass_percent: 50", "pass_percent: 101") == (
        f"{QUIZ_PATH}:5: “pass_percent” phải là số nguyên từ 0 đến 100, "
        "không phải “101”"
    )


def test_attempts_and_page_size_at_least_one():
    assert quiz_problem("attempts_allowed: 1", "attempts_allowed: 0") == (
        f"{QUIZ_PATH}:6: “attempts_allowed” phải là số nguyên từ 1 đến 20, "
        "không phải “0”"
    )
    assert quiz_problem("questions_per_page: 5", "questions_per_page: true") == (
        f"{QUIZ_PATH}:9: “questions_per_page” phải là số nguyên từ 1 đến 100, "
        "không phải “True”"
    )


@pytest.mark.parametrize(
    "old, new, message",
    [
        (
            "attempts_allowed: 1",
            "attempts_allowed: 21",
            "6: “attempts_allowed” phải là số nguyên từ 1 đến 20, không phải “21”",
        ),
        (
            "attempts_allowed: 1",
            "attempts_allowed: 99999999999999999999",
            "6: “attempts_allowed” phải là số nguyên từ 1 đến 20, "
            "không phải “99999999999999999999”",
        ),
        (
            "questions_per_page: 5",
            "questions_per_page: 5000000000",
            "9: “questions_per_page” phải là số nguyên từ 1 đến 100, "
            "không phải “5000000000”",
        ),
        (
            "{bank: B, count: 1}",
            "{bank: B, count: 501}",
            "12: “count” phải là số nguyên từ 1 đến 500, không phải “501”",
        ),
    ],
)
def test_quiz_numbers_have_the_browser_form_s_bounds(old, new, message):
    """A quiz file's numbers are bounded as the settings form's (and a contest
    round's): a file could set what the form then refused to save, and a number
    past the database's integers, which the sync could not write."""
    assert quiz_problem(old, new) == f"{QUIZ_PATH}:{message}"


def test_quiz_flag_not_a_bool():
    assert quiz_problem("shuffle_options: true", "shuffle_options: 1") == (
        f"{QUIZ_PATH}:8: “shuffle_options” phải là true hoặc false, không phải “1”"
    )


def test_empty_draw():
    draw = "draw:\n  - {bank: B, count: 1}\n  - {tag: thu, count: 1}\n"
    assert quiz_problem(draw, "draw: []\n") == (
        f"{QUIZ_PATH}:11: “draw” phải là danh sách không rỗng các quy tắc rút câu"
    )


def test_draw_rule_with_bank_and_tag():
    assert quiz_problem("{bank: B, count: 1}", "{bank: B, tag: thu, count: 1}") == (
        f"{QUIZ_PATH}:12: quy tắc rút câu phải có đúng một trong hai khóa "
        "“bank” và “tag”"
    )


def test_draw_rule_without_bank_or_tag():
    assert quiz_problem("{tag: thu, count: 1}", "{count: 1}") == (
        f"{QUIZ_PATH}:13: quy tắc rút câu phải có đúng một trong hai khóa "
        "“bank” và “tag”"
    )


def test_draw_rule_count_and_keys():
    assert quiz_problem("{bank: B, count: 1}", "{bank: B, count: 0}") == (
        f"{QUIZ_PATH}:12: “count” phải là số nguyên từ 1 đến 500, không phải “0”"
    )
    assert quiz_problem("{tag: thu, count: 1}", "{tag: thu, count: 1, n: 2}") == (
        f"{QUIZ_PATH}:13: khóa không hợp lệ trong quy tắc rút câu: n"
    )
    assert quiz_problem("{tag: thu, count: 1}", "{tag: Thứ, count: 1}") == (
        f"{QUIZ_PATH}:13: thẻ chỉ gồm chữ thường không dấu, chữ số và “-”: Thứ"
    )


def test_draw_from_an_unknown_bank(root):
    edit(root / "mini.yml", "bank: MINI-A", "bank: KHONG-CO")
    content = load_quizzes(root)
    assert only_problem(content) == (
        "quizzes/mini.yml:12: ngân hàng “KHONG-CO” không tồn tại"
    )
    assert content.quizzes == [] and len(content.banks) == 2


def test_draw_from_a_bank_with_problems(root):
    edit(root / "banks" / "mini-a.md", 'source: "Quy chế mẫu, Điều 5"', "source:")
    content = load_quizzes(root)
    assert [str(p) for p in content.problems] == [
        "quizzes/banks/mini-a.md:29: thiếu nguồn (source)",
        "quizzes/mini.yml:12: ngân hàng “MINI-A” có lỗi (xem quizzes/banks/mini-a.md)",
    ]
    assert [bank.code for bank in content.banks] == ["MINI-B"]


def test_draw_more_than_the_bank_has(root):
    edit(root / "mini.yml", "{bank: MINI-A, count: 2}", "{bank: MINI-A, count: 4}")
    assert only_problem(load_quizzes(root)) == (
        "quizzes/mini.yml:12: rút 4 câu nhưng ngân hàng MINI-A chỉ có 3 câu"
    )


def test_rules_together_draw_more_than_the_bank_has(root):
    edit(root / "mini.yml", "{tag: ky-luat, count: 1}", "{bank: MINI-A, count: 2}")
    assert only_problem(load_quizzes(root)) == (
        "quizzes/mini.yml:13: các quy tắc rút tổng cộng 4 câu từ ngân hàng MINI-A "
        "nhưng ngân hàng chỉ có 3 câu"
    )


def test_draw_by_a_tag_no_question_has(root):
    edit(root / "mini.yml", "tag: ky-luat", "tag: khong-co")
    assert only_problem(load_quizzes(root)) == (
        "quizzes/mini.yml:13: không có câu hỏi nào mang thẻ “khong-co”"
    )


def test_draw_more_than_a_tag_has(root):
    edit(root / "mini.yml", "{tag: ky-luat, count: 1}", "{tag: chung, count: 4}")
    assert only_problem(load_quizzes(root)) == (
        "quizzes/mini.yml:13: rút 4 câu có thẻ “chung” nhưng chỉ có 3 câu mang thẻ này"
    )


def test_duplicate_quiz_code(root):
    shutil.copy(root / "mini.yml", root / "mini-2.yml")
    content = load_quizzes(root)
    assert only_problem(content) == (
        "quizzes/mini.yml:1: mã đề thi “MINI-THU” trùng với quizzes/mini-2.yml:1"
    )
    assert [quiz.path for quiz in content.quizzes] == ["quizzes/mini-2.yml"]


def test_files_starting_with_an_underscore_are_skipped(root):
    (root / "_nhap.yml").write_text("khong: hop le\n", encoding="utf-8")
    (root / "banks" / "_nhap.md").write_text("rác\n", encoding="utf-8")
    assert load_quizzes(root).ok


def test_codes_and_titles_longer_than_their_columns_are_refused():
    """Bank and quiz codes are String(60), titles String(255), a bank's course and
    module String(40): a longer one is the file's problem, never PostgreSQL's
    error at sync."""
    long_code = "B" * 61
    found = bank_problems(HEAD.replace("code: B", f"code: {long_code}") + QUESTION)
    assert any("“code” dài quá 60 ký tự (61 ký tự)" in p for p in found), found
    found = bank_problems(HEAD.replace("---\n\n", "course: " + "C" * 41 + "\n---\n\n"))
    assert any("“course” dài quá 40 ký tự (41 ký tự)" in p for p in found), found
    _, problems = parse_quiz(
        QUIZ.replace("title: Đề thử", "title: " + "đề" * 128), QUIZ_PATH
    )
    assert any("“title” dài quá 255 ký tự (256 ký tự)" in str(p) for p in problems)
    text = QUIZ.replace("{bank: B, count: 1}", f"{{bank: {long_code}, count: 1}}")
    _, problems = parse_quiz(text, QUIZ_PATH)
    assert any("“bank” dài quá 60 ký tự" in str(p) for p in problems), problems
