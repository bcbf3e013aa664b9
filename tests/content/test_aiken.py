"""Aiken -> question dataclasses: single-choice questions, problems by line."""

from pathlib import Path

import pytest

from app.content import gift
from app.content.aiken import parse_aiken
from app.content.problems import ConversionError
from app.quizzes.questions import SINGLE, OptionData, QuestionData

DATA = Path(__file__).parent.parent / "data" / "gift"


def problems_of(text: str) -> list[str]:
    with pytest.raises(ConversionError) as caught:
        parse_aiken(text, "AK")
    return caught.value.problems


def test_vietnamese_aiken_file_with_bom_and_crlf():
    text = (DATA / "vhcv-aiken.txt").read_bytes().decode("utf-8")
    assert text.startswith("\ufeff") and "\r\n" in text
    assert parse_aiken(text, "VHCV-AK") == [
        QuestionData(
            code="VHCV-AK-001",
            type=SINGLE,
            stem=(
                "Theo kế hoạch năm 2019 của tỉnh Sóc Trăng, “3 không” trong giao tiếp "
                "với người dân là gì?"
            ),
            options=(
                OptionData(
                    "a", "Không hách dịch, không nhũng nhiễu, không vô cảm", False
                ),
                OptionData(
                    "b", "Không tham nhũng, không lãng phí, không tiêu cực", False
                ),
                OptionData(
                    "c", "Không hách dịch, không nhũng nhiễu, không cáu gắt", True
                ),
            ),
            line=1,
        ),
        QuestionData(
            code="VHCV-AK-002",
            type=SINGLE,
            stem=(
                "Một người dân hỏi lại nhiều lần về quy trình giải quyết thủ tục.\n"
                "Cán bộ tiếp nhận nên ứng xử thế nào?"
            ),
            options=(
                OptionData("a", "Đề nghị người dân về tìm hiểu kỹ rồi quay lại", False),
                OptionData(
                    "b",
                    "Tôn trọng, lắng nghe, tận tình hướng dẫn và giải thích cặn kẽ",
                    True,
                ),
            ),
            line=7,
        ),
    ]


def test_explanation_and_source_are_left_empty():
    (question,) = parse_aiken("Hỏi?\nA. x\nB. y\nANSWER: A\n", "AK")
    assert (question.explanation, question.source, question.tags) == ("", "", ())


def test_answer_line_spacing_and_several_blank_lines_between_questions():
    questions = parse_aiken(
        "\n\nMột?\nA. x\nB. y\nANSWER:B\n\n\n\nHai?\nA) x\nB) y\nANSWER :  A  \n",
        "AK",
    )
    assert [(q.code, q.line) for q in questions] == [("AK-001", 3), ("AK-002", 10)]
    assert [o.correct for o in questions[0].options] == [False, True]
    assert [o.correct for o in questions[1].options] == [True, False]


def test_conversion_error_is_the_gift_one():
    assert ConversionError is gift.ConversionError


def test_missing_answer_line():
    assert problems_of("Một?\nA. x\nB. y\n\nHai?\nA. x\nB. y\nANSWER: A") == [
        "dòng 1: thiếu dòng ANSWER (ví dụ: ANSWER: B)"
    ]


def test_answer_letter_not_among_the_options():
    assert problems_of("Một?\nA. x\nB. y\nANSWER: C") == [
        "dòng 4: ANSWER: C không có trong các phương án"
    ]


def test_answer_must_be_one_letter():
    (problem,) = problems_of("Một?\nA. x\nB. y\nANSWER: A, B")
    assert problem.startswith("dòng 4: ANSWER phải là một chữ cái A–Z")


def test_fewer_than_two_options():
    assert problems_of("Một?\nA. x\nANSWER: A") == [
        "dòng 1: câu hỏi cần ít nhất 2 phương án (A. …, B. …)"
    ]


def test_option_letters_out_of_order():
    assert problems_of("Một?\nA. x\nC. y\nANSWER: A") == [
        "dòng 3: phương án C sai thứ tự (cần phương án B)"
    ]


def test_text_after_answer_before_a_blank_line():
    assert problems_of("Một?\nA. x\nB. y\nANSWER: A\nHai?\nA. x\nB. y\nANSWER: B") == [
        "dòng 5: có nội dung sau dòng ANSWER (cần một dòng trống)"
    ]


def test_text_between_options_and_empty_option_and_missing_question_text():
    assert problems_of("Một?\nA. x\nthêm\nB.\nANSWER: A\n\nA. x\nB. y\nANSWER: A") == [
        "dòng 3: dòng không phải phương án (mỗi phương án viết trên một dòng)",
        "dòng 4: phương án B trống",
        "dòng 7: thiếu nội dung câu hỏi trước các phương án",
    ]


def test_all_problems_in_line_order_and_nothing_imported():
    text = (
        "Tốt?\nA. x\nB. y\nANSWER: A\n\nXấu?\nA. x\nB. y\n\nXấu nữa?\nA. x\nANSWER: B\n"
    )
    with pytest.raises(ConversionError) as caught:
        parse_aiken(text, "AK")
    assert caught.value.problems == [
        "dòng 6: thiếu dòng ANSWER (ví dụ: ANSWER: B)",
        "dòng 10: câu hỏi cần ít nhất 2 phương án (A. …, B. …)",
        "dòng 12: ANSWER: B không có trong các phương án",
    ]


def test_an_empty_file_is_refused_not_imported_as_nothing():
    with pytest.raises(ConversionError, match="không có câu hỏi nào"):
        parse_aiken("\ufeff\r\n\r\n", "AK")
