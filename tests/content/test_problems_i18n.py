"""The problems a check of content files reports are said in the reader's language:
Vietnamese by default (the source language), English when chosen. A problem holds a
lazy message, so the same problem reads in whichever language asks for it."""

from flask_babel import force_locale

from app.content.banks import parse_bank
from app.content.quizfiles import load_quizzes

PATH = "quizzes/banks/b.md"
BANK = """---
code: B
title: Ngân hàng thử
colour: xanh
---

## Q1
type: single
source: "Điều 1"

Câu nào đúng?

- [x] Một
- [ ] Hai

## Q1
type: single
source: "Điều 2"

Câu nào sai?

- [x] Ba
- [ ] Bốn

Giải thích: Vì vậy.
"""
QUIZ = """code: Q
title: Đề thử
time_limit_minutes: 10
pass_percent: 50
attempts_allowed: 1
shuffle_questions: true
shuffle_options: true
questions_per_page: 5
review: score
draw:
  - {bank: B, count: 3}
"""


def _problems(text: str) -> list[str]:
    _, problems = parse_bank(text, PATH)
    return [str(problem) for problem in problems]


def test_a_bank_files_problems_in_each_language(ctx):
    _, problems = parse_bank(BANK, PATH)
    in_vietnamese = [
        f"{PATH}:4: khóa không hợp lệ: colour",
        f"{PATH}:7: thiếu giải thích (đoạn bắt đầu bằng “Giải thích:”)",
        f"{PATH}:16: mã câu hỏi “Q1” trùng với {PATH}:7",
    ]
    in_english = [
        f"{PATH}:4: invalid key: colour",
        f"{PATH}:7: missing explanation (the paragraph starting with “Giải thích:”)",
        f"{PATH}:16: question code “Q1” is also used at {PATH}:7",
    ]
    assert [str(problem) for problem in problems] == in_vietnamese
    with force_locale("en"):
        assert [str(problem) for problem in problems] == in_english
        assert _problems(BANK) == in_english
    assert [str(problem) for problem in problems] == in_vietnamese


def test_a_front_matter_problem_in_each_language(ctx):
    missing = "## Q1\ntype: single\n"
    broken = "---\ncode: [B\n---\n"
    no_title = "---\ncode: B\n---\n\n## Q1\n"
    assert _problems(missing) == [f"{PATH}:1: thiếu front matter YAML (--- … ---)"]
    problem = _problems(broken)[0]  # then: the bank has no question
    assert problem.startswith(f"{PATH}:2: front matter không phải YAML hợp lệ: ")
    assert f"{PATH}:1: thiếu khóa “title”" in _problems(no_title)
    with force_locale("en"):
        assert _problems(missing) == [
            f"{PATH}:1: missing YAML front matter (--- … ---)"
        ]
        problem = _problems(broken)[0]
        assert problem.startswith(f"{PATH}:2: the front matter is not valid YAML: ")
        assert f"{PATH}:1: missing key “title”" in _problems(no_title)


def test_a_draw_rule_problem_in_each_language(ctx, tmp_path):
    """Across files: a quiz asking its bank for more questions than it holds."""
    root = tmp_path / "quizzes"
    (root / "banks").mkdir(parents=True)
    questions = [
        f'## Q{n}\ntype: truefalse\nsource: "Điều {n}"\nanswer: true\n\n'
        f"Câu {n}?\n\nGiải thích: Vì vậy.\n"
        for n in (1, 2)
    ]
    bank = "---\ncode: B\ntitle: Ngân hàng thử\n---\n\n" + "\n".join(questions)
    (root / "banks" / "b.md").write_text(bank, "utf-8")
    (root / "q.yml").write_text(QUIZ, "utf-8")
    content = load_quizzes(root)
    (problem,) = content.problems
    assert str(problem) == (
        "quizzes/q.yml:11: rút 3 câu nhưng ngân hàng B chỉ có 2 câu"
    )
    with force_locale("en"):
        assert str(problem) == (
            "quizzes/q.yml:11: draws 3 questions but bank B has only 2 questions"
        )
