import re
import unicodedata
from pathlib import Path

import pytest

from app.vntext import (
    clean_text,
    fold,
    is_syllable,
    name_sort_key,
    nfc,
    split_name,
)


def test_fold_removes_diacritics_and_case_including_d_stroke():
    assert fold("Nguyễn Văn ĐỨC") == "nguyen van duc"
    assert fold("  Lê   Thị  Minh Phụng ") == "le thi minh phung"


def test_nfc_normalises_decomposed_input():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    assert decomposed != "Nguyễn Thị Ánh"
    assert nfc(decomposed) == "Nguyễn Thị Ánh"
    assert clean_text(decomposed) == "Nguyễn Thị Ánh"


def test_nfc_keeps_spacing_and_clean_text_tidies_it():
    text = unicodedata.normalize("NFD", "  Lê\tThị \n Ánh  ")
    assert nfc(text) == "  Lê\tThị \n Ánh  "
    assert clean_text(text) == "Lê Thị Ánh"
    assert nfc("a | b") == "a | b"  # certificate payloads keep every character


@pytest.mark.parametrize("function", [nfc, clean_text])
def test_empty_and_none_give_the_empty_string(function):
    assert function(None) == ""
    assert function("") == ""
    assert function("   ") == ("   " if function is nfc else "")


@pytest.mark.parametrize("function", [nfc, clean_text])
def test_non_text_is_refused(function):
    with pytest.raises(TypeError):
        function(b"Nguy\xe1\xbb\x85n")
    with pytest.raises(TypeError):
        function(42)


def test_split_name_uses_last_word_or_override():
    parts = split_name("Lê Thị Minh Phụng")
    assert (parts.family, parts.middle, parts.given) == ("Lê", "Thị Minh", "Phụng")
    khmer = split_name("Thạch Thị Sa Rây", given="Sa Rây")
    assert (khmer.family, khmer.middle, khmer.given) == ("Thạch", "Thị", "Sa Rây")


def test_sort_by_given_name_then_middle_then_family_with_vietnamese_letters():
    names = [
        "Phạm Đức",
        "Trần Văn Chuyện",
        "Võ Thị Ân",
        "Nguyễn Văn An",
        "Lê Văn Ánh",
        "Đỗ Ba",
        "Ngô Ăn",
        "Hồ Văn Dũng",
        "Trần Thị Anh",
    ]
    ordered = sorted(names, key=name_sort_key)
    assert ordered == [
        "Nguyễn Văn An",
        "Trần Thị Anh",
        "Lê Văn Ánh",
        "Ngô Ăn",
        "Võ Thị Ân",
        "Đỗ Ba",
        "Trần Văn Chuyện",
        "Hồ Văn Dũng",
        "Phạm Đức",
    ]


def test_tones_order_after_letters():
    # Same letters: no mark < huyền < hỏi < ngã < sắc < nặng.
    names = ["A Ma", "A Mạ", "A Má", "A Mã", "A Mả", "A Mà"]
    assert sorted(names, key=name_sort_key) == [
        "A Ma",
        "A Mà",
        "A Mả",
        "A Mã",
        "A Má",
        "A Mạ",
    ]


def test_sort_key_is_ascii_digits_so_any_collation_agrees():
    key = name_sort_key("Đặng Thị Ngọc Ánh")
    assert key.isdigit()


def test_a_syllable_is_an_onset_a_rhyme_and_one_tone_in_its_place():
    for word in ("Nguyễn", "hòa", "hoà", "thuỷ", "NGHIÊNG", "quốc", "gì", "Niê"):
        assert is_syllable(word), word
    for word in ("TuÊn", "xyz", "hóà", "bách̀", "Smith", "tiếc̃"):
        assert not is_syllable(word), word


def test_text_sort_key_orders_letters_first_then_tones_as_a_dictionary():
    from app.vntext import text_sort_key

    letters = "a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y".split()
    assert sorted(reversed(letters), key=text_sort_key) == letters
    tones = ["ba", "bà", "bả", "bã", "bá", "bạ"]  # ngang huyền hỏi ngã sắc nặng
    assert sorted(reversed(tones), key=text_sort_key) == tones
    assert text_sort_key("An") < text_sort_key("Ăn") < text_sort_key("Ân")
    # base letters first, tones only as the tie-break
    assert text_sort_key("Bà Rịa") < text_sort_key("Ba Tri")
    assert text_sort_key("Văn") < text_sort_key("Văn phòng") < text_sort_key("Vân")
    assert text_sort_key("ĐỘI") == text_sort_key("đội")  # case does not count
    nfd = unicodedata.normalize("NFD", "Ủy ban")
    assert text_sort_key(nfd) == text_sort_key("Ủy ban")


def test_a_score_is_written_with_the_vietnamese_decimal_comma():
    """Scores and marks on the result, review, contest and verify pages: a whole
    number bare, partial credit with a comma ("27.3333" before)."""
    from app.vntext import vn_score

    assert vn_score(27.0) == "27"
    assert vn_score(27 + 1 / 3) == "27,33"
    assert vn_score(0.5) == "0,5"
    assert vn_score(1234.5) == "1.234,5"
    assert vn_score(None) == "—"


OLD_PLACEMENT = re.compile(r"(?<![qQ])(o[áàảãạéèẻẽẹ]|u[ýỳỷỹỵ])(?![^\W\d_])", re.I)


def test_the_apps_own_words_place_the_tone_one_way():
    """The app writes "xóa", "hóa", "khỏe", "thủy": no "xoá" beside them (the
    translation files follow the strings, so they are left out)."""
    app_dir = Path(__file__).parent.parent / "app"
    old = [
        f"{path.relative_to(app_dir)}:{n}: {line.strip()}"
        for path in sorted(app_dir.rglob("*"))
        if path.suffix in (".py", ".html", ".js") and path.name != "vntext.py"
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if OLD_PLACEMENT.search(line)
    ]
    assert not old, "\n".join(old)
