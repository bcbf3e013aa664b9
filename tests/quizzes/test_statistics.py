"""Item statistics in Vietnamese number format, with blank answers counted and
every index named in full and explained."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.quizzes import statistics
from app.quizzes.models import Quiz
from app.vntext import vn_number, vn_percent
from tests.authoring.helpers import make_authoring
from tests.authoring.test_quizzes import _fixed_attempts


@pytest.fixture
def content(app, tmp_path):
    return make_authoring(app, tmp_path)


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (0.75, 2, "0,75"),
        (0.5345, 2, "0,53"),
        (-0.12, 2, "-0,12"),
        (1234.56, 1, "1.234,6"),
        (80, 0, "80"),
        (None, 2, "—"),
    ],
)
def test_vietnamese_numbers(value, places, text):
    assert vn_number(value, places) == text


def test_vietnamese_percentages():
    assert vn_percent(75) == "75,0\u00a0%"
    assert vn_percent(33.333) == "33,3\u00a0%"
    assert vn_percent(None) == "—"


def test_blank_answers_are_counted(app, content):
    _fixed_attempts(app)  # attempt 4 left S2 unanswered (no answer row)
    with app.app_context():
        quiz = db.session.scalar(select(Quiz).where(Quiz.code == "Q"))
        items = {i.code: i for i in statistics.item_statistics(quiz)}
    assert items["S2"].blank == 1 and items["S2"].blank_percent == pytest.approx(20)
    assert items["S1"].blank == 0 and items["M1"].blank == 0
    shares = sum(o.percent for o in items["S2"].options)
    assert shares + items["S2"].blank_percent == pytest.approx(100)


def test_an_answer_that_chose_nothing_is_blank():
    sums = statistics._Sums()
    sums.add(0.0, 2.0, [])
    sums.add(1.0, 3.0, ["a"])
    assert sums.blank == 1 and sums.chosen == {"a": 1}


def test_page_uses_vietnamese_numbers_full_labels_and_explains_them(
    app, client, auth, content
):
    _fixed_attempts(app)
    auth.login("trainer")
    page = client.get("/authoring/quizzes/Q/statistics").get_data(as_text=True)
    for label in (
        "Số lượt trả lời",
        "Bỏ trống",
        "Chỉ số độ dễ",
        "Chỉ số phân biệt",
        "Tỉ lệ chọn từng phương án",
    ):
        assert page.count(label) >= 2  # the column and its explanation
    assert "80,0\u00a0%" in page  # S1's facility
    assert "0,53" in page  # S1's discrimination, 4/√56
    assert "40,0\u00a0%" in page  # S2's facility
    assert "20,0\u00a0%" in page  # S2 left blank once in five
    assert "53.5" not in page and "80.0" not in page
    assert "<dt>" in page and "từ −1 đến 1" in page
    assert "tổng là 100\u00a0% với câu một đáp án đúng." in page and "%%" not in page


def test_the_english_page_writes_numbers_the_english_way(app, client, auth, content):
    """The numbers follow the page's language: a decimal point and the percent
    sign close up in English."""
    _fixed_attempts(app)
    auth.login("trainer")
    token = auth.token("/authoring/quizzes/Q/statistics")
    client.post("/language", data={"language": "en", "csrf_token": token})
    page = client.get("/authoring/quizzes/Q/statistics").get_data(as_text=True)
    assert "80.0%" in page and "40.0%" in page and "20.0%" in page
    assert "0.53" in page
    assert "the total is 100% for single-answer questions." in page
    assert "80,0" not in page and "0,53" not in page and "\u00a0%" not in page


def test_csv_has_the_blank_column(app, client, auth, content):
    _fixed_attempts(app)
    auth.login("trainer")
    text = client.get("/authoring/quizzes/Q/statistics.csv").get_data(as_text=True)
    header, *rows = text.lstrip("\ufeff").splitlines()
    assert header.split(",")[3:5] == ["Số lượt trả lời", "Số lượt bỏ trống"]
    s2 = next(r for r in rows if r.startswith("S2,"))
    assert ",5,1," in s2


def test_options_alike_at_the_start_are_told_apart_on_the_page(
    app, client, auth, content
):
    # Options were cut at 40 characters: those of one question that begin alike
    # (“Phong trào thi đua “Cán bộ, công…”) all read the same.
    from app.quizzes.models import Question

    _fixed_attempts(app)
    common = "Phong trào thi đua “Cán bộ, công chức, viên chức "
    texts = [common + "tỉnh Sóc Trăng thi đua”", common + "thi đua thực hiện”"]
    with app.app_context():
        version = db.session.scalar(
            select(Question).where(Question.code == "S1")
        ).current_version
        options = [dict(o) for o in version.options]
        for option, text in zip(options, texts, strict=False):
            option["text"] = text
        version.options = options
        db.session.commit()
    auth.login("trainer")
    page = client.get("/authoring/quizzes/Q/statistics").get_data(as_text=True)
    for text in texts:
        assert text in page
