"""Contest files: the real one, then one test per check (pure: no database)."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.content.quizfiles import load_quizzes
from app.contests.files import DEFAULT_PREDICTION, contest_hash, load_contests
from tests.contests.helpers import contest_text, load

REAL_ROOT = Path(__file__).parents[2] / "quizzes"
PATH = "quizzes/contests/ct.yml"


def test_the_demo_contest_file_is_valid():
    quizzes = load_quizzes(REAL_ROOT)
    content = load_contests(REAL_ROOT, quizzes.banks, quizzes.bank_paths)
    assert content.problems == []
    (contest,) = content.contests
    assert contest.targets == ("AG",) and contest.owner == "AG"
    one, two = contest.rounds
    assert one.opens_at == datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam
    assert one.closes_at == datetime(2026, 11, 15, 10, 0, tzinfo=UTC)
    assert two.opens_at.date().isoformat() == "2026-12-01"
    assert one.prize_counts == {"nhat": 1, "nhi": 2, "ba": 3, "khuyen_khich": 5}
    assert one.quiz.review == "after_close" and one.quiz.course is None
    assert "dự đoán" in contest.rules.lower() and "một giải" in contest.rules


def test_a_valid_file_gives_the_contest_with_defaults(tmp_path):
    content = load(tmp_path, contest_text())
    assert content.problems == []
    (contest,) = content.contests
    assert contest.code == "ct" and contest.overall == "sum"
    first, second = contest.rounds
    assert first.quiz.attempts_allowed == 2 and second.quiz.attempts_allowed == 1
    assert second.prediction == DEFAULT_PREDICTION
    assert first.prize_counts == {"nhat": 1, "nhi": 1, "ba": 1, "khuyen_khich": 0}
    assert first.quiz.questions_per_page == 5 and first.quiz.shuffle_questions


def test_the_hash_ignores_the_order_of_targets_and_the_path(tmp_path):
    one = load(tmp_path / "a", contest_text(targets="[D, C]")).contests[0]
    two = load(tmp_path / "b", contest_text(targets="[C, D]")).contests[0]
    assert one.targets == ("C", "D") and contest_hash(one) == contest_hash(two)
    assert one.owner == "D" and two.owner == "D"  # the explicit owner


def test_a_date_alone_opens_at_midnight_and_closes_at_the_end_of_the_day(tmp_path):
    text = contest_text(
        r1_opens="2026-01-01", r1_closes="2026-01-02", r2_opens="2026-01-03"
    )
    first = load(tmp_path, text).contests[0].rounds[0]
    assert first.opens_at == datetime(2025, 12, 31, 17, 0, tzinfo=UTC)
    assert first.closes_at == datetime(2026, 1, 2, 16, 59, 59, tzinfo=UTC)


def _problems(tmp_path, text) -> list[str]:
    content = load(tmp_path, text)
    assert content.contests == []  # a file with a problem is left out
    assert all(p.path == PATH for p in content.problems)
    return [f"{p.line}: {p.message}" for p in content.problems]


BAD_FILES = [
    ("code: [unclosed\n", "không phải YAML hợp lệ"),
    ("- a\n- b\n", "phải là một bảng"),
    (contest_text().replace("rules: |", "thele: |"), "thiếu thể lệ"),
    (contest_text().replace("organiser:", "organizer:"), "khóa không hợp lệ"),
    (contest_text(targets="[]"), "danh sách không rỗng các mã đơn vị"),
    (contest_text(targets="[D, D]"), "mã đơn vị lặp lại"),
    (contest_text().replace("overall: sum", "overall: avg"), "“overall”"),
    (contest_text().replace("code: ct", "code: 'c t'"), "“code” phải là mã"),
    (contest_text(r1_closes="sometime"), "ngày giờ Việt Nam"),
    (contest_text(r1_closes="2020-01-01 08:00"), "đóng (closes)"),
    (
        contest_text(
            r2_opens="2026-01-01 00:00",
            r2_closes="2099-01-01 00:00",
            r1_opens="2025-12-01 00:00",
            r1_closes="2026-02-01 00:00",
        ),
        "mở trước khi đợt “r1” đóng",
    ),
    (contest_text(r2_prizes="{nhat: 1, hang_tu: 2}"), "hạng giải không hợp lệ"),
    (contest_text(r2_prizes="{nhat: -1}"), "từ 0 đến 1000"),
    (contest_text(r2_prizes="3"), "bảng số giải"),
    (
        contest_text()
        .replace("    prizes: {r2_prizes}", "")
        .replace("    prizes: {nhat: 1, nhi: 1, ba: 1, khuyen_khich: 2}\n", ""),
        "thiếu số giải",
    ),
    (contest_text(r2_extra="    prediction: ''\n"), "“prediction” phải là chuỗi"),
    (
        contest_text().replace("{bank: CB, count: 3}", "{bank: NOPE, count: 3}"),
        "ngân hàng “NOPE” không tồn tại",
    ),
    (
        contest_text().replace("{bank: CB, count: 3}", "{bank: CB, count: 9}"),
        "rút 9 câu nhưng ngân hàng CB chỉ có 4 câu",
    ),
    (
        contest_text().replace("{bank: CB, count: 3}", "{bank: CB, tag: x, count: 1}"),
        "đúng một trong hai khóa",
    ),
    (
        contest_text().replace("{bank: CB, count: 3}", "{tag: khong-co, count: 1}"),
        "không có câu hỏi nào mang thẻ",
    ),
    (contest_text().replace("code: r2", "code: r1"), "mã đợt thi “r1” trùng"),
    (
        contest_text().replace("time_limit_minutes: 10\n    draw", "draw", 1),
        "thiếu khóa “time_limit_minutes”",
    ),
    (
        contest_text().replace("attempts_allowed: 2", "attempts_allowed: 99"),
        "từ 1 đến 20",
    ),
    (contest_text() + "  - just a text\n", "đợt thi phải là một bảng"),
    (contest_text().replace("rules: |", "rules: ''\nx: |"), "khóa không hợp lệ"),
    # longer than their columns: the file's problem, not PostgreSQL's error
    (contest_text().replace("code: ct", "code: " + "c" * 61), "dài quá 60 ký tự"),
    (contest_text(targets="[" + "D" * 41 + "]"), "dài quá 40 ký tự"),
    (contest_text().replace("code: r2", "code: " + "r" * 61), "dài quá 60 ký tự"),
]


@pytest.mark.parametrize(
    "text, expected",
    BAD_FILES,
    ids=[expected for _, expected in BAD_FILES],  # the texts hold the time
)
def test_bad_contest_files_are_reported_at_their_line(tmp_path, text, expected):
    problems = _problems(tmp_path, text)
    assert any(expected in p for p in problems), problems


def test_a_repeated_key_inside_a_round_is_reported(tmp_path):
    text = contest_text().replace(
        '    title: "Đợt 2"', '    title: "Đợt 2"\n    title: x'
    )
    problems = _problems(tmp_path, text)
    assert any("khóa “title” lặp lại" in p for p in problems), problems


def test_a_round_code_may_not_be_a_quiz_files_code(tmp_path):
    quizzes_root = tmp_path / "quizzes"
    load(tmp_path, contest_text())  # writes the files
    content = load_quizzes(quizzes_root)
    found = load_contests(
        quizzes_root, content.banks, content.bank_paths, {"r2": ("quizzes/q.yml", 1)}
    )
    assert found.contests == []
    assert any("mã đề thi/đợt thi “r2” trùng" in p.message for p in found.problems)


def test_two_files_with_one_contest_code_are_refused(tmp_path):
    quizzes_root = tmp_path / "quizzes"
    load(tmp_path, contest_text())
    other = (
        contest_text().replace("code: r1", "code: s1").replace("code: r2", "code: s2")
    )
    (quizzes_root / "contests" / "ct2.yml").write_text(other, encoding="utf-8")
    content = load_quizzes(quizzes_root)
    found = load_contests(quizzes_root, content.banks, content.bank_paths)
    assert [p.message for p in found.problems] == [
        "mã cuộc thi “ct” trùng với quizzes/contests/ct.yml:1"
    ]


def test_unsupported_markdown_in_the_rules_is_reported(tmp_path):
    text = contest_text().replace("Xếp hạng theo", "<script>x</script> Xếp hạng theo")
    assert _problems(tmp_path, text)
