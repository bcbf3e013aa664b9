"""A bank's `exclusive` groups in its file: checked by `flask content check`,
stored on sync, written back by export, and counted by the draw-rule checks."""

from pathlib import Path

from app.content.banks import parse_bank
from app.content.quizfiles import load_quizzes
from app.content.sync_quizzes import sync_quizzes
from app.content.writer import bank_text
from app.extensions import db
from app.quizzes.models import QuestionBank

REAL_ROOT = Path(__file__).parents[2] / "quizzes"
PATH = "quizzes/banks/b.md"


def _question(code: str) -> str:
    return f"""## {code}
type: single
source: "Điều 1"

Đề bài {code}?

- [x] Có
- [ ] Không

Giải thích: Vì vậy.
"""


def _bank(exclusive: str, codes=("B-1", "B-2", "B-3", "B-4")) -> str:
    head = f"---\ncode: B\ntitle: Ngân hàng thử\n{exclusive}\n---\n\n"
    return head + "\n".join(_question(code) for code in codes)


def _messages(text: str) -> list[str]:
    bank, problems = parse_bank(text, PATH)
    assert bank is None
    return [str(p) for p in problems]


def test_groups_are_read_into_the_bank():
    bank, problems = parse_bank(_bank("exclusive: [[B-1, B-2], [B-3, B-4]]"), PATH)
    assert problems == []
    assert bank.exclusive == (("B-1", "B-2"), ("B-3", "B-4"))
    plain, _ = parse_bank(_bank(""), PATH)
    assert plain.exclusive == ()


def test_a_group_may_be_written_as_a_block_list():
    text = _bank("exclusive:\n  - [B-1, B-2, B-3]")
    bank, problems = parse_bank(text, PATH)
    assert problems == [] and bank.exclusive == (("B-1", "B-2", "B-3"),)


def test_an_unknown_code_is_a_problem_at_its_line():
    assert _messages(_bank("exclusive: [[B-1, B-9]]")) == [
        f"{PATH}:4: nhóm loại trừ 1: không có câu hỏi “B-9”"
    ]


def test_a_code_in_two_groups_is_a_problem():
    text = _bank("exclusive:\n  - [B-1, B-2]\n  - [B-3, B-1]")
    assert _messages(text) == [
        f"{PATH}:6: câu “B-1” nằm trong hai nhóm loại trừ (1 và 2); hãy gộp hai nhóm"
    ]


def test_a_code_repeated_in_its_group_is_a_problem():
    assert _messages(_bank("exclusive: [[B-1, B-1]]")) == [
        f"{PATH}:4: nhóm loại trừ 1: mã “B-1” lặp lại"
    ]


def test_badly_shaped_groups_are_refused():
    for value in ("B-1", "[B-1, B-2]", "[[B-1]]", "[[B-1, 12]]", "[[B-1, ' x']]"):
        messages = _messages(_bank(f"exclusive: {value}"))
        assert len(messages) == 1 and messages[0].startswith(f"{PATH}:4: ")
        assert "exclusive" in messages[0] or "loại trừ" in messages[0], messages


def test_the_real_banks_keep_the_two_revealing_pairs_apart():
    content = load_quizzes(REAL_ROOT)
    assert content.problems == []
    groups = {bank.code: bank.exclusive for bank in content.banks}
    assert groups["VHCV-M2"] == (("VHCV-M2-005", "VHCV-M2-006"),)
    assert groups["VHCV-M3"] == (("VHCV-M3-002", "VHCV-M3-010"),)


def test_a_draw_rule_counts_one_question_per_group(tmp_path):
    banks = tmp_path / "quizzes" / "banks"
    banks.mkdir(parents=True)
    (banks / "b.md").write_text(_bank("exclusive: [[B-1, B-2, B-3]]"), "utf-8")
    quiz = (
        "code: Q\ntitle: Đề\ntime_limit_minutes: 10\npass_percent: 50\n"
        "attempts_allowed: 1\nshuffle_questions: true\nshuffle_options: true\n"
        "questions_per_page: 5\nreview: score\ndraw:\n  - {bank: B, count: 3}\n"
    )
    (tmp_path / "quizzes" / "q.yml").write_text(quiz, "utf-8")
    messages = [str(p) for p in load_quizzes(tmp_path / "quizzes").problems]
    assert messages == [
        "quizzes/q.yml:11: rút 3 câu nhưng ngân hàng B chỉ rút được 2 câu "
        "(mỗi nhóm loại trừ một câu)"
    ]
    (tmp_path / "quizzes" / "q.yml").write_text(quiz.replace("3}", "2}"), "utf-8")
    assert load_quizzes(tmp_path / "quizzes").problems == []


def test_sync_stores_the_groups_and_a_file_without_them_clears_them(ctx):
    bank, _ = parse_bank(_bank("exclusive: [[B-1, B-2]]"), PATH)
    sync_quizzes([bank], [])
    stored = db.session.scalar(db.select(QuestionBank).where(QuestionBank.code == "B"))
    assert stored.exclusive == [["B-1", "B-2"]]
    plain, _ = parse_bank(_bank(""), PATH)
    sync_quizzes([plain], [])
    assert stored.exclusive == []


def test_the_writer_keeps_the_groups():
    bank, _ = parse_bank(_bank("exclusive: [[B-1, B-2], [B-3, B-4]]"), PATH)
    again, problems = parse_bank(bank_text(bank), PATH)
    assert problems == [] and again.exclusive == bank.exclusive
