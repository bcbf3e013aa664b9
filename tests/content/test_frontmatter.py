"""The one YAML reader and schema checker: its parts, then the same problem read the
same way in a course module, a bank file and a quiz file."""

from pathlib import Path

import pytest

from app.content.banks import parse_bank
from app.content.frontmatter import (
    Schema,
    check_integer,
    check_text,
    parse_mapping,
    read_front_matter,
)
from app.content.modules import load_content
from app.content.quizfiles import parse_quiz
from tests.courses.content import write_course

BANK = """---
code: B
title: Ngân hàng thử
---

## B-001
type: truefalse
source: "Điều 1"
answer: true

Đúng hay sai?

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
  - {bank: B, count: 1}
"""


def test_parse_mapping_gives_the_file_line_of_keys_and_list_items():
    problems = []
    text = "a: 1\nb:\n  - x\n  - y\n"
    mapping = parse_mapping(text, 2, "f.md", "front matter", problems)
    assert problems == []
    assert mapping.data == {"a": 1, "b": ["x", "y"]}
    assert (mapping.line_of("a"), mapping.line_of("b")) == (2, 3)
    assert mapping.item_lines("b") == [4, 5]


def test_an_empty_document_is_an_empty_mapping():
    problems = []
    assert parse_mapping("# chú thích\n", 2, "f.md", "x", problems).data == {}
    assert problems == []


def test_read_front_matter_splits_at_the_closing_line():
    problems = []
    document = read_front_matter("---\na: 1\n---\nThân.\n", "f.md", problems)
    assert problems == [] and document.meta.data == {"a": 1}
    assert (document.body, document.body_line) == ("Thân.\n", 4)


def test_a_schema_reports_missing_then_each_key_in_file_order():
    schema = Schema(
        {"code": check_text, "n": check_integer(1), "m": check_integer(1)},
        required=("code", "n"),
        missing={"n": "thiếu số (n)"},
    )
    mapping = parse_mapping("x: 1\nm: 0\n", 2, "f.md", "front matter", [])
    assert [str(p) for p in schema.problems(mapping, "f.md", 1)] == [
        "f.md:1: thiếu khóa “code”",
        "f.md:1: thiếu số (n)",
        "f.md:2: khóa không hợp lệ: x",
        "f.md:3: “m” phải là số nguyên ≥ 1, không phải “0”",
    ]


def test_an_integer_check_without_a_ceiling_stops_at_the_databases_integers():
    check = check_integer(1)
    assert check("n", 2**31 - 1) is None
    assert str(check("n", 2**31)) == (
        "“n” phải là số nguyên từ 1 đến 2147483647, không phải “2147483648”"
    )
    assert str(check("n", 0)) == "“n” phải là số nguyên ≥ 1, không phải “0”"


def _module_problems(tmp_path: Path, old: str, new: str) -> list[str]:
    folder = write_course(tmp_path / "courses", modules=2)
    module = folder / "02-hai.md"
    text = module.read_text(encoding="utf-8")
    assert old in text
    module.write_text(text.replace(old, new), encoding="utf-8")
    return [p.message for p in load_content(tmp_path / "courses").problems]


def _bank_problems(old: str, new: str) -> list[str]:
    assert old in BANK
    return [p.message for p in parse_bank(BANK.replace(old, new), "b.md")[1]]


def _quiz_problems(old: str, new: str) -> list[str]:
    assert old in QUIZ
    return [p.message for p in parse_quiz(QUIZ.replace(old, new), "q.yml")[1]]


@pytest.mark.parametrize(
    ("module", "bank", "quiz", "message"),
    [
        (
            ("title:", "tac_gia: A\ntitle:"),
            ("title:", "tac_gia: A\ntitle:"),
            ("title:", "tac_gia: A\ntitle:"),
            "khóa không hợp lệ: tac_gia",
        ),
        (
            ("code: T-M2\n", "code: T-M2\ncode: T-M3\n"),
            ("code: B\n", "code: B\ncode: C\n"),
            ("code: Q\n", "code: Q\ncode: R\n"),
            "khóa “code” lặp lại (đã có ở dòng {})",
        ),
        (
            ("title: ", "title: [a\n#"),
            ("title: ", "title: [a\n#"),
            ("title: ", "title: [a\n#"),
            "không phải YAML hợp lệ",
        ),
    ],
)
def test_the_same_problem_reads_the_same_in_each_kind_of_file(
    tmp_path, module, bank, quiz, message
):
    found = [
        _module_problems(tmp_path, *module),
        _bank_problems(*bank),
        _quiz_problems(*quiz),
    ]
    for problems, first_line in zip(found, (2, 2, 1), strict=True):
        expected = message.format(first_line)
        assert len(problems) == 1 and expected in problems[0], problems
