"""A small bank and quiz made from dataclasses (no files), synced into the database."""

from app.content.sync_quizzes import sync_quizzes
from app.extensions import db
from app.quizzes.questions import (
    MULTIPLE,
    SINGLE,
    TRUEFALSE,
    BankData,
    DrawRule,
    OptionData,
    QuestionData,
    QuizData,
)


def single(code: str, right: int = 1) -> QuestionData:
    return QuestionData(
        code=code,
        type=SINGLE,
        stem=f"Câu hỏi {code}?",
        options=tuple(
            OptionData(
                k,
                f"Lựa chọn {k.upper()} của {code}",
                i == right,
                None,
                f"Phản hồi {k} {code}",
            )
            for i, k in enumerate("abcd")
        ),
        explanation=f"Giải thích {code}.",
        source="KH 115 Sóc Trăng, mục III.1.b–4 +1",
        tags=("giao-tiep",),
    )


def multiple(code: str) -> QuestionData:
    return QuestionData(
        code=code,
        type=MULTIPLE,
        stem=f"Chọn các ý đúng {code}",
        options=(
            OptionData("a", "Đúng một", True),
            OptionData("b", "Sai một", False),
            OptionData("c", "Đúng hai", True),
            OptionData("d", "Sai hai", False),
        ),
        explanation="Giải thích.",
        source="KH Kiên Giang, mục II.2.a",
        tags=("dao-duc",),
    )


def truefalse(code: str, answer: bool = True) -> QuestionData:
    return QuestionData(
        code=code,
        type=TRUEFALSE,
        stem=f"Đúng hay sai: {code}",
        answer=answer,
        explanation="Giải thích.",
        source="KH Kiên Giang, mục II.4",
        tags=("dung-sai",),
        feedback_true="Bạn chọn Đúng.",
        feedback_false="Bạn chọn Sai.",
    )


def quiz_data(code: str = "Q", **overrides) -> QuizData:
    fields = dict(
        code=code,
        title="Bài kiểm tra thử",
        course=None,
        time_limit_minutes=10,
        pass_percent=80,
        attempts_allowed=2,
        shuffle_questions=True,
        shuffle_options=True,
        questions_per_page=2,
        review="after_submit",
        draw=(
            DrawRule(count=2, bank="B1"),
            DrawRule(count=1, bank="B2"),
            DrawRule(count=1, tag="dung-sai"),
        ),
    )
    fields.update(overrides)
    return QuizData(**fields)


def make_quiz(**overrides):
    """Banks B1 (3 single), B2 (1 multiple), B3 (a single and a true/false tagged
    dung-sai); quiz Q draws 2 + 1 + the tagged one: 2 single, 1 multiple, 1 t/f."""
    b1 = BankData(
        "B1",
        "Ngân hàng 1",
        questions=[single("S1"), single("S2", right=2), single("S3", right=0)],
    )
    b2 = BankData("B2", "Ngân hàng 2", questions=[multiple("M1")])
    b3 = BankData(
        "B3", "Ngân hàng 3", questions=[single("S4", right=3), truefalse("T1")]
    )
    sync_quizzes([b1, b2, b3], [quiz_data(**overrides)])
    db.session.commit()
    from app.quizzes.attempts import get_quiz

    return get_quiz(overrides.get("code", "Q"))
