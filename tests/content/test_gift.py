"""GIFT <-> question dataclasses: Moodle's syntax for our three types, the rejected
GIFT types with their lines, escapes, and the export/import round trip."""

from dataclasses import replace
from pathlib import Path

import pytest

from app.content.gift import parse_gift
from app.content.gift_export import export_gift
from app.content.problems import ConversionError
from app.quizzes.questions import (
    MULTIPLE,
    SINGLE,
    TRUEFALSE,
    OptionData,
    QuestionData,
    option_weights,
)

DATA = Path(__file__).parent.parent / "data" / "gift"


def problems_of(text: str) -> list[str]:
    with pytest.raises(ConversionError) as caught:
        parse_gift(text, "T")
    return caught.value.problems


def one(text: str) -> QuestionData:
    (question,) = parse_gift(text, "T")
    return question


# --- a file as Moodle writes it ---------------------------------------------------


def test_moodle_written_file_with_category_comments_titles_and_formats():
    questions = parse_gift((DATA / "moodle-export.txt").read_text("utf-8"), "VHCV")
    # each keeps its Moodle category as a label, for export
    assert {q.category for q in questions} == {"$course$/top/Default for VHCV"}
    questions = [replace(q, category="") for q in questions]
    assert questions == [
        QuestionData(
            code="VHCV-GIFT-001",
            type=SINGLE,
            stem="Theo KH 115 Sóc Trăng, “4 xin” gồm những gì?",
            options=(
                OptionData(
                    "a",
                    "Xin chào, xin lỗi, xin cảm ơn, xin phép",
                    True,
                    None,
                    "Chính xác.",
                ),
                OptionData(
                    "b",
                    "Xin chào, xin chờ, xin cảm ơn, xin phép",
                    False,
                    None,
                    "“Xin chờ” không có trong “4 xin”.",
                ),
                OptionData("c", "Xin mời, xin lỗi, xin cảm ơn, xin phép", False),
            ),
            explanation="KH 115, mục III.1.b.",
            tags=("giao-tiep", "4-xin"),
            line=7,
            name="Q-CHAO",  # the Moodle name is kept beside the [id:] code
        ),
        QuestionData(
            code="VHCV-002",  # the title is not a safe code
            type=MULTIPLE,
            stem="Những cụm nào thuộc “4 luôn”?",
            options=(
                OptionData("a", "Luôn mỉm cười", True, 0.5),
                OptionData(
                    "b", "Luôn đúng hẹn", False, -1.0, "Không có trong “4 luôn”."
                ),
                OptionData("c", "Luôn lắng nghe", True, 0.5),
            ),
            line=15,
            name="Chọn tất cả",
        ),
        QuestionData(
            code="VHCV-003",
            type=TRUEFALSE,
            stem="Kế hoạch của tỉnh Kiên Giang có nêu “3 không”.",
            answer=False,
            feedback_true="Chưa đúng: chỉ có “4 xin, 4 luôn”.",
            feedback_false="Chính xác.",
            line=22,
            name="Kiên Giang",
        ),
        QuestionData(
            code="VHCV-004",  # a title is Moodle's name, never a code
            type=TRUEFALSE,
            stem="Quyết định 129/2007/QĐ-TTg ban hành năm 2007: đúng hay sai?",
            answer=True,
            explanation="Năm 2007.",
            line=25,
            name="Q4",
        ),
    ]


def test_bom_and_crlf_are_accepted():
    text = (
        "\ufeff// [id:Q1]\r\n::Q1::Câu hỏi?{\r\n=Đúng\r\n~Sai\r\n}\r\n\r\nHai?{T}\r\n"
    )
    first, second = parse_gift(text, "T")
    assert first.code == "Q1" and first.stem == "Câu hỏi?" and first.line == 2
    assert [o.text for o in first.options] == ["Đúng", "Sai"]
    assert (second.code, second.line, second.answer) == ("T-002", 7, True)


def test_input_is_nfc_normalised():
    decomposed = "Đa\u0323o đư\u0301c?{=Co\u0301 ~Không}"
    question = one(decomposed)
    assert question.stem == "Đạo đức?"
    assert question.options[0].text == "Có"


# --- comments and metadata --------------------------------------------------------


def test_comment_lines_are_ignored_even_inside_a_question():
    question = one(
        "// question: 12  name: ghi chú bất kỳ\n"
        "Câu hỏi?{\n"
        "  =Đúng\n"
        "  // một ghi chú giữa các đáp án\n"
        "  ~Sai\n"
        "}"
    )
    assert question.stem == "Câu hỏi?"
    assert [o.text for o in question.options] == ["Đúng", "Sai"]
    assert question.code == "T-001" and question.tags == () and question.source == ""


def test_id_gives_the_code_and_tags_come_from_one_or_several_comment_lines():
    question = one(
        "// [id:VHCV-M3-007] [tag:giao-tiep] [tag:nguoi-dan]\n"
        "// Moodle ghi chú [tag:soc-trang]\n"
        "::tiêu đề khác::Câu hỏi?{=a ~b}"
    )
    assert question.code == "VHCV-M3-007"
    assert question.tags == ("giao-tiep", "nguoi-dan", "soc-trang")


def test_source_clause_keeps_spaces_vietnamese_and_nested_brackets():
    question = one(
        "// [id:Q1] [source:KH 115 Sóc Trăng, mục III.1.b–4 +1 [bản sửa đổi]] "
        "[tag:a]\n"
        "Câu hỏi?{=a ~b}"
    )
    assert question.source == "KH 115 Sóc Trăng, mục III.1.b–4 +1 [bản sửa đổi]"
    assert question.tags == ("a",)


def test_metadata_separated_by_a_blank_line_does_not_belong_to_the_question():
    question = one("// [id:LONELY]\n\nCâu hỏi?{=a ~b}")
    assert question.code == "T-001"


def test_category_lines_are_ignored():
    questions = parse_gift(
        "$CATEGORY: $course$/top/VHCV\n\nMột?{T}\n\n$CATEGORY: khác\nHai?{F}\n", "T"
    )
    assert [(q.code, q.stem, q.answer) for q in questions] == [
        ("T-001", "Một?", True),
        ("T-002", "Hai?", False),
    ]


@pytest.mark.parametrize("title", ["VHCV-M3-001", "q_1.2", "Q1", "1", "Câu một"])
def test_a_title_is_a_name_never_a_code_the_code_is_numbered_by_place(title):
    # Moodle's names are not unique: one that looks like a code is still a name.
    questions = parse_gift(f"Một?{{T}}\n\n::{title}::Hai?{{F}}\n", "T")
    assert [(q.code, q.name) for q in questions] == [("T-001", ""), ("T-002", title)]


def test_two_categories_may_each_hold_a_question_named_q1():
    text = (
        "$CATEGORY: $course$/top/A\n\n::Q1::Một?{T}\n\n"
        "$CATEGORY: $course$/top/B\n\n::Q1::Hai?{F}\n"
    )
    questions = parse_gift(text, "T")
    assert [(q.code, q.name, q.tags) for q in questions] == [
        ("T-001", "Q1", ("a",)),
        ("T-002", "Q1", ("b",)),
    ]


def test_the_code_is_the_id_and_a_title_equal_to_it_is_no_name():
    (question,) = parse_gift("// [id:X-7]\n::X-7::Hỏi?{T}", "T")
    assert (question.code, question.name) == ("X-7", "")


# --- syntax -----------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["[markdown]", "[html]", "[plain]", "[moodle]"])
def test_format_prefixes_are_stripped_everywhere(prefix):
    question = one(
        f"::Q::{prefix}Câu *hỏi*?{{\n"
        f"  ={prefix}Đúng#{prefix}Hay\n"
        f"  ~%0%{prefix}Sai\n"
        f"  ####{prefix}Giải thích\n"
        "}"
    )
    # Markdown's marks are ours only in [markdown] text; elsewhere they are text.
    stem = "Câu *hỏi*?" if prefix == "[markdown]" else "Câu \\*hỏi\\*?"
    assert question.stem == stem
    assert question.options[0] == OptionData("a", "Đúng", True, None, "Hay")
    assert question.options[1].text == "Sai"
    assert question.explanation == "Giải thích"


def test_html_becomes_plain_text_and_unknown_prefixes_are_text():
    # VHCV renders Markdown and escapes raw HTML, so [html] text keeps its words only.
    question = one("[html]<p>Câu <b>hỏi</b> &amp; đáp</p><p>Dòng hai</p>{=[abc] x ~y}")
    assert question.stem == "Câu hỏi & đáp\n\nDòng hai"  # paragraphs stay apart
    assert question.options[0].text == r"\[abc\] x"  # text, not a Markdown link


def test_single_choice_with_feedback_and_general_feedback():
    question = one(
        "::VHCV-1::Ai đứng giữa?{\n"
        "  ~Cam # sai, là vàng\n"
        "  =Vàng # đúng!\n"
        "  ~Lục\n"
        "  ####Theo quang phổ: đỏ, cam, vàng, lục.\n"
        "}"
    )
    assert question.type == SINGLE
    assert question.options == (
        OptionData("a", "Cam", False, None, "sai, là vàng"),
        OptionData("b", "Vàng", True, None, "đúng!"),
        OptionData("c", "Lục", False, None, ""),
    )
    assert question.explanation == "Theo quang phổ: đỏ, cam, vàng, lục."


def test_answers_may_share_one_line_with_the_question():
    question = one("Ai?{~Cam =Vàng ~Lục}")
    assert [(o.key, o.text, o.correct) for o in question.options] == [
        ("a", "Cam", False),
        ("b", "Vàng", True),
        ("c", "Lục", False),
    ]


def test_zero_weight_is_a_plain_wrong_answer_in_single_choice():
    question = one("Ai?{=Vàng ~%0%Cam}")
    assert question.type == SINGLE
    assert question.options[1] == OptionData("b", "Cam", False, None, "")


def test_multiple_choice_keeps_weights_as_fractions():
    question = one(
        "Chọn tất cả?{\n  ~%50%vàng # đúng\n  ~%-100%đỏ\n  ~%50%be\n  ~xanh\n}"
    )
    assert question.type == MULTIPLE
    assert question.options == (
        OptionData("a", "vàng", True, 0.5, "đúng"),
        OptionData("b", "đỏ", False, -1.0, ""),
        OptionData("c", "be", True, 0.5, ""),
        OptionData("d", "xanh", False, 0.0, ""),  # Moodle: no weight = 0%
    )


def test_moodle_seven_digit_thirds_are_read_as_exact_thirds():
    question = one("Chọn?{~%33.33333%a ~%33.33333%b ~%33.33333%c ~%-33.33333%d}")
    assert [o.weight for o in question.options] == [1 / 3, 1 / 3, 1 / 3, -1 / 3]
    assert one("Chọn?{~%12.5%a ~%87.5%b}").options[0].weight == 0.125


@pytest.mark.parametrize(
    ("block", "answer"),
    [("{T}", True), ("{TRUE}", True), ("{F}", False), ("{FALSE}", False)],
)
def test_true_false_answers(block, answer):
    question = one(f"Hà Nội là thủ đô.{block}")
    assert question.type == TRUEFALSE
    assert question.answer is answer
    assert question.options == ()
    assert (question.feedback_true, question.feedback_false) == ("", "")


def test_true_false_feedback_first_for_a_wrong_answer_then_for_a_right_one():
    true = one("Đúng?{T#Bạn chọn Sai: chưa đúng.#Bạn chọn Đúng: chính xác.####Vì.}")
    assert true.answer is True
    assert true.feedback_true == "Bạn chọn Đúng: chính xác."
    assert true.feedback_false == "Bạn chọn Sai: chưa đúng."
    assert true.explanation == "Vì."
    false = one("Sai?{FALSE#Bạn chọn Đúng: chưa đúng.#Bạn chọn Sai: chính xác.}")
    assert false.answer is False
    assert false.feedback_true == "Bạn chọn Đúng: chưa đúng."
    assert false.feedback_false == "Bạn chọn Sai: chính xác."


def test_true_false_with_only_the_right_answer_feedback():
    question = one("Đúng?{TRUE##Chính xác.}")
    assert (question.feedback_true, question.feedback_false) == ("Chính xác.", "")


def test_escapes_give_literal_characters_newlines_and_backslashes():
    question = one(
        r"::Q::[markdown]Điều 5\: a \= b, c \~ d, \#1, \{x\}\ndòng 2, C:\\tmp{"
        "\n"
        r"  =x \= 1 \# 2#phản hồi \: \{ok\}"
        "\n"
        r"  ~y\\"
        "\n"
        r"  ####a\\nb"
        "\n}"
    )
    assert question.stem == "Điều 5: a = b, c ~ d, #1, {x}\ndòng 2, C:\\tmp"
    assert question.options[0] == OptionData(
        "a", "x = 1 # 2", True, None, "phản hồi : {ok}"
    )
    assert question.options[1].text == "y\\"
    assert question.explanation == "a\\nb"


def test_multi_line_question_text_is_kept_and_option_text_is_one_line():
    question = one("Dòng một\ndòng hai:{\n=đáp án\n  viết tiếp\n~sai\n}")
    assert question.stem == "Dòng một\ndòng hai:"
    assert question.options[0].text == "đáp án viết tiếp"


# --- rejected types and broken questions ------------------------------------------

REJECTED = [
    (
        "matching",
        "Ghép:{=Kiên Giang -> 4 xin =Sóc Trăng -> 3 không}",
        "câu dạng ghép đôi (matching) không được hỗ trợ",
    ),
    ("numerical", "Năm nào?{#2019:1}", "câu dạng số (numerical) không được hỗ trợ"),
    (
        "short answer",
        "Ai?{=không ai =chẳng ai}",
        "câu dạng trả lời ngắn (short answer) không được hỗ trợ",
    ),
    (
        "short answer, one answer",
        "Ai?{=không ai}",
        "câu dạng trả lời ngắn (short answer) không được hỗ trợ",
    ),
    ("essay", "Bạn nghĩ gì?{}", "câu dạng tự luận (essay) không được hỗ trợ"),
    (
        "essay with feedback",
        "Bạn nghĩ gì?{####Gợi ý}",
        "câu dạng tự luận (essay) không được hỗ trợ",
    ),
    (
        "missing word",
        "Cán bộ phải {=lắng nghe ~cáu gắt} người dân.",
        "câu dạng điền từ (missing word) không được hỗ trợ",
    ),
    ("description", "Phần sau nói về 4 xin.", "câu dạng mô tả (description)"),
]


@pytest.mark.parametrize(("kind", "question", "message"), REJECTED)
def test_other_gift_types_are_rejected_with_their_line_and_type(
    kind, question, message
):
    text = "// đầu tệp\nMột?{T}\n\n// [id:BAD]\n" + question.replace(" ", "\n", 1)
    (problem,) = problems_of(text)
    assert problem.startswith("dòng 5: " + message), kind


def test_lowercase_true_false_is_short_answer_with_a_hint():
    (problem,) = problems_of("Đúng?{true}")
    assert problem.startswith("dòng 1: câu dạng trả lời ngắn (short answer)")
    assert "chữ hoa" in problem


def test_unclosed_brace_names_the_line_of_the_brace():
    assert problems_of("Một?{T}\n\nCâu hỏi\ndòng hai{\n=a\n~b\n") == [
        "dòng 4: thiếu dấu } đóng phần đáp án"
    ]


def test_second_opening_brace_before_the_closing_one():
    (problem,) = problems_of("Câu hỏi{=a\n~b {c}")
    assert problem.startswith("dòng 1: thiếu dấu } đóng phần đáp án")
    assert "dòng 2" in problem


def test_closing_brace_without_opening_brace():
    assert problems_of("Câu hỏi\n=a ~b}") == [
        "dòng 2: dấu } không có dấu { mở trước nó (viết \\})"
    ]


def test_choice_question_without_a_correct_answer():
    assert problems_of("Một?{T}\n\nChọn?{~a ~b ~%-50%c}") == [
        "dòng 3: không có đáp án đúng (cần một đáp án = hoặc đáp án ~%n% với n > 0)"
    ]


def test_choice_question_needs_two_answers():
    (problem,) = problems_of("Chọn?{~%100%a}")
    assert problem == "dòng 1: câu trắc nghiệm cần ít nhất 2 phương án"


def test_single_choice_with_two_right_answers_is_rejected():
    (problem,) = problems_of("Chọn?{=a =b ~c}")
    assert problem.startswith("dòng 1: câu một lựa chọn có 2 đáp án đúng (=)")


def test_single_choice_with_partial_credit_is_rejected_on_the_answer_line():
    (problem,) = problems_of("Chọn?{\n=a\n~%50%b\n~c\n}")
    assert problem.startswith("dòng 3: câu một lựa chọn (có đáp án =)")


def test_multiple_choice_positive_weights_must_make_100_percent():
    (problem,) = problems_of("Chọn?{~%50%a ~%40%b ~c}")
    assert problem == (
        "dòng 1: tổng trọng số các đáp án đúng phải là 100% (đang là 90%)"
    )


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("~%abc%b", "trọng số %abc% không hợp lệ"),
        ("~%150%b", "trọng số %150% phải từ -100% đến 100%"),
    ],
)
def test_bad_weights_are_reported_on_their_line(answer, message):
    problems = problems_of(f"Chọn?{{\n~%100%a\n{answer}\n}}")
    assert any(p.startswith(f"dòng 3: {message}") for p in problems), problems


def test_text_before_the_first_answer_marker():
    (problem,) = problems_of("Chọn?{\nrác\n=a ~b}")
    assert problem == "dòng 1: phần đáp án phải bắt đầu bằng = hoặc ~ (gặp «rác»)"


def test_empty_option_and_empty_question_text():
    assert problems_of("{=a ~}") == [
        "dòng 1: câu hỏi không có nội dung",
        "dòng 1: phương án trống",
    ]


def test_unclosed_title():
    assert problems_of("::Q1 Câu hỏi?{T}") == ["dòng 1: thiếu dấu :: đóng tên câu hỏi"]


def test_a_free_text_moodle_id_number_gives_a_code():
    """Moodle's ID number is free text: one that is not a code gives one, the same
    each time (diacritics dropped, other characters "-"); one with nothing left of
    it is refused."""
    text = "// [id:câu 1]\nMột?{T}\n\n// [id:HP1 - Câu 01 (Đ/S)]\nHai?{F}"
    assert [q.code for q in parse_gift(text, "T")] == ["cau-1", "HP1-Cau-01-D-S"]
    (problem,) = problems_of("// [id:*** ]\nHỏi?{T}")
    assert problem.startswith("dòng 1: mã câu hỏi [id:***] không hợp lệ")


def test_duplicate_codes_are_rejected():
    assert problems_of("// [id:T-002]\nMột?{T}\n\nHai?{F}") == [
        "dòng 4: mã câu hỏi «T-002» trùng với câu ở dòng 2"
    ]


def test_all_problems_are_collected_in_line_order_and_nothing_is_returned():
    text = (
        "Tốt?{T}\n\n"
        "Ghép:{=a -> b =c -> d}\n\n"
        "Tốt nữa?{=a ~b}\n\n"
        "Chưa đóng{=a ~b\n\n"
        "Năm?{#2019}\n"
    )
    with pytest.raises(ConversionError) as caught:
        parse_gift(text, "T")
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.problems == [
        "dòng 3: câu dạng ghép đôi (matching) không được hỗ trợ",
        "dòng 7: thiếu dấu } đóng phần đáp án",
        "dòng 9: câu dạng số (numerical) không được hỗ trợ",
    ]
    assert "dòng 7: thiếu dấu }" in str(error)


def test_a_file_with_no_question_is_refused_not_imported_as_nothing():
    with pytest.raises(ConversionError, match="không có câu hỏi nào"):
        parse_gift("\ufeff// chỉ có ghi chú\n\n$CATEGORY: x\n", "T")


# --- export -----------------------------------------------------------------------


def test_export_writes_moodle_gift():
    questions = [
        QuestionData(
            code="VHCV-M3-002",
            type=SINGLE,
            stem="“3 không” là gì?",
            options=(
                OptionData(
                    "a", "Không vô cảm", False, None, "Không có trong “3 không”."
                ),
                OptionData("b", "Không cáu gắt", True),
            ),
            explanation="Theo KH 115: không hách dịch…",
            source="KH 115 Sóc Trăng, mục III.1.b–4 +1",
            tags=("giao-tiep", "3-khong"),
        ),
        QuestionData(
            code="VHCV-M3-003",
            type=TRUEFALSE,
            stem="Kiên Giang nêu “3 không”.",
            answer=False,
            feedback_true="Chưa đúng.",
            feedback_false="Chính xác.",
        ),
        QuestionData(
            code="VHCV-M3-004",
            type=MULTIPLE,
            stem="Chọn tất cả.",
            options=(
                OptionData("a", "Xin phép", True),
                OptionData("b", "Xin chờ", False),
                OptionData("c", "Luôn nhẹ nhàng", True),
            ),
        ),
    ]
    assert export_gift(questions, category="$course$/top/VHCV") == (
        "$CATEGORY: $course$/top/VHCV\n"
        "\n"
        "// [id:VHCV-M3-002] [tag:giao-tiep] [tag:3-khong]\n"
        "// [source:KH 115 Sóc Trăng, mục III.1.b–4 +1]\n"
        "::VHCV-M3-002::[markdown]“3 không” là gì?{\n"
        "\t~Không vô cảm#Không có trong “3 không”.\n"
        "\t=Không cáu gắt\n"
        "\t####Theo KH 115\\: không hách dịch…\n"
        "}\n"
        "\n"
        "// [id:VHCV-M3-003]\n"
        "::VHCV-M3-003::[markdown]Kiên Giang nêu “3 không”."
        "{FALSE#Chưa đúng.#Chính xác.}\n"
        "\n"
        "// [id:VHCV-M3-004]\n"
        "::VHCV-M3-004::[markdown]Chọn tất cả.{\n"
        "\t~%50%Xin phép\n"
        "\t~%-50%Xin chờ\n"
        "\t~%50%Luôn nhẹ nhàng\n"
        "}\n"
    )


def test_export_without_category_or_questions():
    assert export_gift([]) == ""
    assert export_gift([], category="VHCV") == "$CATEGORY: VHCV\n"


@pytest.mark.parametrize(
    ("answer", "feedback_true", "feedback_false", "block"),
    [
        (True, "", "", "{TRUE}"),
        (True, "đúng", "", "{TRUE##đúng}"),
        (True, "", "sai", "{TRUE#sai}"),
        (False, "sai", "đúng", "{FALSE#sai#đúng}"),
        (False, "", "đúng", "{FALSE##đúng}"),
    ],
)
def test_export_true_false_feedback_in_moodle_order(
    answer, feedback_true, feedback_false, block
):
    question = QuestionData(
        "TF",
        TRUEFALSE,
        "Câu?",
        answer=answer,
        feedback_true=feedback_true,
        feedback_false=feedback_false,
    )
    assert export_gift([question]).endswith(f"Câu?{block}\n")


@pytest.mark.parametrize(
    "question",
    [
        QuestionData("bad code", TRUEFALSE, "?", answer=True),
        QuestionData("Q", TRUEFALSE, "?"),
        QuestionData(
            "Q", SINGLE, "?", (OptionData("a", "x", True), OptionData("b", "y", True))
        ),
        QuestionData(
            "Q",
            MULTIPLE,
            "?",
            (OptionData("a", "x", True, -0.5), OptionData("b", "y", False)),
        ),
        QuestionData("Q", "essay", "?"),
        QuestionData("Q", TRUEFALSE, "?", answer=True, tags=("a<b",)),
        QuestionData("Q", TRUEFALSE, "?", answer=True, source="dòng 1\ndòng 2"),
    ],
)
def test_export_refuses_what_gift_cannot_carry(question):
    with pytest.raises(ValueError):
        export_gift([question])


# --- round trip -------------------------------------------------------------------


def normalised(question: QuestionData) -> QuestionData:
    """Weights None -> the derived weights (the export writes them out); no line."""
    if question.type == MULTIPLE:
        weights = option_weights(question.options)
        options = tuple(replace(o, weight=weights[o.key]) for o in question.options)
        question = replace(question, options=options)
    return replace(question, line=0)


ROUND_TRIP = [
    QuestionData(
        code="VHCV-M3-001",
        type=MULTIPLE,
        stem=(
            "Theo KH 115: những cụm nào thuộc “4 xin, 4 luôn, 3 không”?\n\n"
            "Ký hiệu: a = b, ~c, #d, {e}, C:\\tmp, **đậm**"
        ),
        options=(
            OptionData("a", "Xin phép", True),
            OptionData(
                "b", "Xin chờ", False, None, "Không có trong “4 xin”: #1 = {x}."
            ),
            OptionData("c", "Luôn nhẹ nhàng", True),
            OptionData("d", "Luôn đúng hẹn: ~100%", False),
            OptionData("e", "Không cáu gắt", True),
        ),
        explanation="Giải thích: “4 xin” = xin chào, xin lỗi…\n\n- dòng 2",
        source="KH 115 Sóc Trăng, mục III.1.b–4 +1 [bản 2019]",
        tags=("giao-tiep", "nguoi-dan", "4-xin-4-luon-3-khong"),
    ),
    QuestionData(
        code="VHCV-M3-002",
        type=SINGLE,
        stem="“3 không” là gì?",
        options=(
            OptionData("a", "%50% số người: không vô cảm", False),
            OptionData("b", "=Không hách dịch, không nhũng nhiễu, không cáu gắt", True),
            OptionData("c", "[html] không phải định dạng", False, None, "[plain] nữa"),
            OptionData("d", "Không nịnh bợ", False, None, "Chuẩn mực với cấp trên."),
        ),
        explanation="[markdown] ở đầu giải thích",
        source="KH 115 Sóc Trăng",
        tags=("3-khong",),
    ),
    QuestionData(
        code="VHCV-M3-003",
        type=TRUEFALSE,
        stem="Đúng hay sai: Kiên Giang quy định “4 xin, 4 luôn, 3 không”.",
        answer=False,
        explanation="Sai. KH Kiên Giang, mục II.2.a: chỉ “4 xin, 4 luôn”.",
        source="KH Kiên Giang, mục II.2.a",
        tags=("so-sanh",),
        feedback_true="Chưa đúng: “3 không” có trong kế hoạch tỉnh Sóc Trăng.",
        feedback_false="Chính xác #1.",
    ),
    QuestionData(
        code="VHCV-M3-004",
        type=TRUEFALSE,
        stem="Đúng?",
        answer=True,
        feedback_true="Chính xác.",
    ),
    QuestionData(
        code="q.5_weights",
        type=MULTIPLE,
        stem="Trọng số cho sẵn",
        options=(
            OptionData("a", "hai phần ba", True, 2 / 3),
            OptionData("b", "một phần ba", True, 1 / 3),
            OptionData("c", "không điểm", False, 0.0),
            OptionData("d", "trừ một nửa", False, -0.5),
            OptionData("e", "một phần bảy âm", False, -1 / 7),
        ),
    ),
]


def test_round_trip_gives_back_equal_questions():
    text = export_gift(ROUND_TRIP, category="$course$/top/VHCV-M3")
    assert [normalised(q) for q in parse_gift(text, "X")] == [
        normalised(replace(q, category="$course$/top/VHCV-M3")) for q in ROUND_TRIP
    ]


def test_round_trip_keeps_the_lines_of_the_exported_file():
    text = export_gift(ROUND_TRIP[2:4])
    lines = text.split("\n")
    for question in parse_gift(text, "X"):
        assert lines[question.line - 1].startswith(f"::{question.code}::")


def test_round_trip_of_a_parsed_moodle_file_is_stable():
    questions = parse_gift((DATA / "moodle-export.txt").read_text("utf-8"), "VHCV")
    again = parse_gift(export_gift(questions), "VHCV")
    assert [normalised(q) for q in again] == [normalised(q) for q in questions]


def test_a_problem_names_its_line_in_the_readers_language(ctx):
    from flask_babel import force_locale

    assert problems_of("::Q1 Câu hỏi?{T}") == ["dòng 1: thiếu dấu :: đóng tên câu hỏi"]
    with force_locale("en"):
        (problem,) = problems_of("::Q1 Câu hỏi?{T}")
    assert problem.startswith("line 1: ")
    unsorted = "::A:: Câu?{=x ~y}\n\n" * 4 + "::Q:: Câu?{\n\n::R:: Câu?{~x ~y}\n"
    lines = [int(p.split(":")[0].split()[1]) for p in problems_of(unsorted)]
    assert lines == sorted(lines) and len(lines) >= 2
