import subprocess
import time
import unicodedata

import pytest

from app.legacy_tables import TCVN3_TO_UNICODE, VNI_TO_UNICODE
from app.legacy_text import Conversion, convert, detect_encoding, fix_text

TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
LOWER = [
    unicodedata.normalize("NFC", v + t)
    for v in ("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y")
    for t in TONES
]
LOWER = [c for c in LOWER if not c.isascii()] + ["đ"]
UPPER = [c.upper() for c in LOWER]
ALL_LETTERS = LOWER + UPPER

ENCODE = {
    "tcvn3": {v: k for k, v in TCVN3_TO_UNICODE.items()},
    "vni": {v: k for k, v in VNI_TO_UNICODE.items()},
}


def encode(text: str, encoding: str) -> str:
    table = ENCODE[encoding]
    return "".join(table.get(c, c) for c in text)


# --------------------------------------------------------------------- tables


def test_tables_cover_all_134_letters_once():
    assert len(ALL_LETTERS) == 134
    for table in (TCVN3_TO_UNICODE, VNI_TO_UNICODE):
        assert len(table) == 134
        assert sorted(table.values()) == sorted(ALL_LETTERS)


def test_tcvn3_table_matches_published_values():
    # min-kha/viet-converter tcvn3_map.json, duydev/vietnamese-conversion
    expected = {
        "µ": "à", "¸": "á", "¶": "ả", "·": "ã", "¹": "ạ", "¨": "ă", "¾": "ắ",
        "©": "â", "Ê": "ấ", "ª": "ê", "Õ": "ế", "Ö": "ệ", "Ý": "í", "Ü": "ĩ",
        "«": "ô", "è": "ố", "¬": "ơ", "ê": "ờ", "\xad": "ư", "ø": "ứ", "ú": "ỳ",
        "þ": "ỵ", "®": "đ", "¡": "Ă", "¢": "Â", "£": "Ê", "¤": "Ô", "¥": "Ơ",
        "¦": "Ư", "§": "Đ",
    }  # fmt: skip
    for code, letter in expected.items():
        assert TCVN3_TO_UNICODE[code] == letter


def test_vni_table_matches_published_values():
    # duydev/vietnamese-conversion src/charsets.ts
    expected = {
        "aø": "à", "aù": "á", "aû": "ả", "aõ": "ã", "aï": "ạ", "aê": "ă",
        "aé": "ắ", "aè": "ằ", "aú": "ẳ", "aü": "ẵ", "aë": "ặ", "aâ": "â",
        "aá": "ấ", "aà": "ầ", "aå": "ẩ", "aã": "ẫ", "aä": "ậ", "ì": "ì",
        "í": "í", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "ô": "ơ", "ôù": "ớ", "ö": "ư",
        "öï": "ự", "î": "ỵ", "ñ": "đ", "Ñ": "Đ", "AÙ": "Á", "EÂ": "Ê",
        "OÄ": "Ộ", "Ô": "Ơ", "Ö": "Ư", "ÖÙ": "Ứ", "Ó": "Ĩ", "Î": "Ỵ",
    }  # fmt: skip
    for code, letter in expected.items():
        assert VNI_TO_UNICODE[code] == letter


def test_tcvn3_table_agrees_with_iconv_tcvn5712():
    """Cross-check against glibc's iconv (libc-bin, on every Debian machine)."""
    codes = list(TCVN3_TO_UNICODE)
    raw = bytes(ord(c) if ord(c) < 0x100 else c.encode("cp1252")[0] for c in codes)
    done = subprocess.run(
        ["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=raw, capture_output=True
    )
    assert done.returncode == 0, done.stderr
    decoded = unicodedata.normalize("NFC", done.stdout.decode())
    assert list(decoded) == [TCVN3_TO_UNICODE[c] for c in codes]


# ----------------------------------------------------------------- round trips


def title_words(letters_lower, letters_upper):
    return " ".join(u + lo for u, lo in zip(letters_upper, letters_lower, strict=True))


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_round_trip_of_all_134_letters(encoding):
    text = (
        title_words(LOWER, UPPER)
        + " "
        + " ".join(LOWER)
        + " Nguyễn Thị Thu Hương, Đặng Văn Ước - xã Mường Khương"
    )
    assert set(ALL_LETTERS) <= set(text)
    legacy = encode(text, encoding)
    assert legacy != text
    assert convert(legacy, encoding) == text


def test_vni_round_trip_without_spaces():
    text = "".join(ALL_LETTERS)
    assert convert(encode(text, "vni"), "vni") == text


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_round_trip_through_an_uppercase_font(encoding):
    # ".VnTimeH" fonts draw the lowercase codes as capitals.
    text = "".join(LOWER) + " nguyễn văn đức"
    assert convert(encode(text, encoding), encoding, uppercase_font=True) == (
        text.upper()
    )


# ------------------------------------------------------------ README signatures


def test_readme_tcvn3_signature():
    assert convert("B¶o Th¾ng", "tcvn3") == "Bảo Thắng"
    result = fix_text("B¶o Th¾ng")
    assert result == Conversion("B¶o Th¾ng", "Bảo Thắng", "tcvn3", True)
    assert detect_encoding("B¶o Th¾ng") == "tcvn3"


def test_readme_tcvn3_signature_with_soft_hyphen():
    # "ư" is byte 0xAD, the soft hyphen: invisible, and often dropped on copy.
    intact = "M\xadêng Kh\xad¬ng"
    assert fix_text(intact) == Conversion(intact, "Mường Khương", "tcvn3", True)
    # As printed in the README, without the soft hyphens: "Mờng" and "Khơng" are not
    # Vietnamese, so the "ư" is restored, but the result is flagged for review.
    damaged = fix_text("Mêng Kh¬ng")
    assert (damaged.text, damaged.encoding) == ("Mường Khương", "tcvn3")
    assert not damaged.confident


def test_readme_vni_signature():
    assert convert("Xin chaøo caùc baïn", "vni") == "Xin chào các bạn"
    result = fix_text("Xin chaøo caùc baïn")
    assert result == Conversion("Xin chaøo caùc baïn", "Xin chào các bạn", "vni", True)
    assert detect_encoding("Xin chaøo caùc baïn") == "vni"


# ------------------------------------------------------------------ real names

NAMES = [
    "Nguyễn Văn An",
    "Trần Thị Hương",
    "Lê Văn Đức",
    "Phạm Minh Chính",
    "Võ Nguyên Giáp",
    "Đặng Thùy Trâm",
    "Hoàng Văn Thụ",
    "Bùi Thị Xuân",
    "Huỳnh Tấn Phát",
    "Ngô Bảo Châu",
    "Lý Thường Kiệt",
    "Đỗ Thị Quỳnh Như",
]
TCVN3_NAMES = [
    "NguyÔn V¨n An",
    "TrÇn ThÞ H\xad¬ng",
    "Lª V¨n §øc",
    "Ph¹m Minh ChÝnh",
    "Vâ Nguyªn Gi¸p",
    "§Æng Thïy Tr©m",
    "Hoµng V¨n Thô",
    "Bïi ThÞ Xu©n",
    "Huúnh TÊn Ph¸t",
    "Ng« B¶o Ch©u",
    "Lý Th\xadêng KiÖt",
    "§ç ThÞ Quúnh Nh\xad",
]
VNI_NAMES = [
    "Nguyeãn Vaên An",
    "Traàn Thò Höông",
    "Leâ Vaên Ñöùc",
    "Phaïm Minh Chính",
    "Voõ Nguyeân Giaùp",
    "Ñaëng Thuøy Traâm",
    "Hoaøng Vaên Thuï",
    "Buøi Thò Xuaân",
    "Huyønh Taán Phaùt",
    "Ngoâ Baûo Chaâu",
    "Lyù Thöôøng Kieät",
    "Ñoã Thò Quyønh Nhö",
]


# The one borderline entry: its only legacy code is one letter that also occurs in
# foreign names ("ï": Loïc, Anaïs). Right, but confirmed by the font name only.
BORDERLINE = {"Phaïm Minh Chính"}


@pytest.mark.parametrize(
    ("encoding", "legacy", "unicode"),
    [("tcvn3", t, u) for t, u in zip(TCVN3_NAMES, NAMES, strict=True)]
    + [("vni", v, u) for v, u in zip(VNI_NAMES, NAMES, strict=True)],
)
def test_realistic_names(encoding, legacy, unicode):
    assert encode(unicode, encoding) == legacy  # the literal agrees with the table
    assert convert(legacy, encoding) == unicode
    assert detect_encoding(legacy) == encoding
    confident = legacy not in BORDERLINE
    assert fix_text(legacy) == Conversion(legacy, unicode, encoding, confident)
    font = ".VnTime" if encoding == "tcvn3" else "VNI-Times"
    assert fix_text(legacy, font) == Conversion(legacy, unicode, encoding, True)


def test_vni_all_capitals():
    assert fix_text("NGUYEÃN VAÊN ÑÖÙC").text == "NGUYỄN VĂN ĐỨC"
    assert fix_text("NGUYEÃN VAÊN ÑÖÙC").encoding == "vni"


def test_place_names_and_sentences():
    assert fix_text("Phßng Tµi chÝnh - KÕ ho¹ch").text == "Phòng Tài chính - Kế hoạch"
    assert fix_text("Sôû Noäi vuï tænh Kieân Giang").text == (
        "Sở Nội vụ tỉnh Kiên Giang"
    )


# ------------------------------------------------------------ uppercase fonts


def test_uppercase_font_conversion():
    assert convert("nguyÔn", "tcvn3", uppercase_font=True) == "NGUYỄN"
    assert convert("nguyÔn", "tcvn3") == "nguyễn"
    assert convert("®inh", "tcvn3", uppercase_font=True) == "ĐINH"


@pytest.mark.parametrize("font", [".VnTimeH", ".VnArialH", ".VnArial NarrowH"])
def test_fix_text_with_uppercase_font(font):
    result = fix_text("nguyÔn v¨n an", font_name=font)
    assert result == Conversion("nguyÔn v¨n an", "NGUYỄN VĂN AN", "tcvn3", True)


# ------------------------------------------------------------------ font names


def test_fix_text_with_tcvn3_font():
    result = fix_text("nguyÔn v¨n an", font_name=".VnTime")
    assert (result.text, result.encoding, result.confident) == (
        "nguyễn văn an",
        "tcvn3",
        True,
    )
    # One word with one ambiguous code is borderline alone, settled by the font.
    assert not fix_text("Hå").confident
    assert fix_text("Hå", font_name=".VnTime") == Conversion("Hå", "Hồ", "tcvn3", True)


def test_fix_text_with_vni_font():
    result = fix_text("Ñinh", font_name="VNI-Times")
    assert result == Conversion("Ñinh", "Đinh", "vni", True)
    assert fix_text("Ñinh").encoding == "vni"
    assert not fix_text("Ñinh").confident


def test_legacy_font_with_unicode_or_ascii_text_is_left_alone():
    assert fix_text("Nguyễn Văn An", ".VnTime") == Conversion(
        "Nguyễn Văn An", "Nguyễn Văn An", None, True
    )
    assert fix_text("Nguyen Van An", ".VnTimeH").text == "Nguyen Van An"
    # Unicode "Lê Hà" pasted into a .VnTime cell would read "Lờ HỔ" as TCVN3:
    # kept as is, but flagged for review.
    assert fix_text("Lê Hà", ".VnTime") == Conversion("Lê Hà", "Lê Hà", None, False)


def test_font_contradicted_by_text():
    result = fix_text("Nguyeãn Vaên An", font_name=".VnTime")
    assert (result.text, result.encoding, result.confident) == (
        "Nguyễn Văn An",
        "vni",
        False,
    )
    assert fix_text("Müller", font_name=".VnTime").text == "Müller"


def test_other_fonts_fall_back_to_detection():
    assert fix_text("B¶o Th¾ng", "Times New Roman").text == "Bảo Thắng"
    assert fix_text("Bảo Thắng", "Times New Roman").encoding is None


# ------------------------------------------------------------------- no-ops


@pytest.mark.parametrize(
    "text",
    [
        "Nguyễn Văn An",
        "Lê Hà",
        "Hoà Bình",
        "Tô Lâm",
        "Nguyen Van An",
        "Müller",
        "José",
        "Øystein",
        "François",
        "Peña",
        "Raúl",
        "Zoë",
        "Ångström",
        "",
        "12/05/1980",
        "Nguyễn Thị Hoà — Phòng “Tổ chức”",
    ],
)
def test_unicode_ascii_and_foreign_names_are_unchanged(text):
    result = fix_text(text)
    assert result.text == text
    assert result.encoding is None
    assert detect_encoding(text) is None


FOREIGN_NAMES = (
    "Müller Jürgen Schröder Björn Åsa Øystein Søren Jørgen Mäkinen Väinö Citroën "
    "Noël Zoë Gaël Raphaël Anaïs Héloïse Moïse Haïti José María Peña Muñoz Núñez "
    "Ibáñez Gómez Pérez Raúl Inés Ángel Álvaro Sá São João Conceição Gonçalves "
    "Antônio Lúcia Mônica Fábio François Benoît Jérôme Hélène Gérard Chloé Thérèse "
    "Cécile Aimée Frédéric Amélie Sébastien Ève Maël Joël Inès Léa Zoé Íñigo Óscar "
    "Úrsula Tomás Ramón Dürr Süß Straße Dvořák Łódź"
).split()


@pytest.mark.parametrize("name", FOREIGN_NAMES)
def test_foreign_latin_names_are_not_detected(name):
    result = fix_text(name)
    assert result.encoding is None
    assert result.text == name


def test_short_foreign_lookalikes_are_never_confident():
    # Each reads as one Vietnamese syllable; converted, but flagged for review.
    for name in ("Loïc", "Hå", "Lü"):
        assert not fix_text(name).confident


def test_decomposed_unicode_becomes_nfc():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    result = fix_text(decomposed)
    assert result.text == "Nguyễn Thị Ánh"
    assert result.encoding is None
    assert result.original == decomposed


def test_outputs_are_nfc():
    samples = TCVN3_NAMES + VNI_NAMES + ["Mêng Kh¬ng", "Ha° Néi"]
    for sample in samples:
        assert unicodedata.is_normalized("NFC", fix_text(sample).text)
        assert unicodedata.is_normalized("NFC", convert(sample, "tcvn3"))
        assert unicodedata.is_normalized("NFC", convert(sample, "vni"))


# --------------------------------------------------------------- borderlines


def test_capital_the_font_could_not_show_is_flagged():
    # .VnTime has no "Á": typists used "á". Converted faithfully, but not confident.
    result = fix_text("Lª ¸nh TuyÕt")
    assert (result.text, result.encoding) == ("Lê ánh Tuyết", "tcvn3")
    assert not result.confident


def test_punctuation_stays_punctuation():
    assert fix_text("H’Hen Niª").text == "H’Hen Niê"
    assert fix_text("“B¶o” Th¾ng").text == "“Bảo” Thắng"
    assert convert("Nhiệt độ 25°C", "tcvn3") == "Nhiệt độ 25°C"
    # VN1 combining tone marks after a vowel
    assert convert("Ha° Néi", "tcvn3") == "Hà Nội"


def test_ambiguous_or_mixed_text_is_not_guessed():
    # Valid Vietnamese as typed and also read as legacy: left alone.
    assert fix_text("Hoà").encoding is None  # VNI "Hồ", or Unicode "Hoà"
    # Two readings, each a Vietnamese syllable: VNI "Lưu" / TCVN3 "Lửu".
    assert fix_text("Löu") == Conversion("Löu", "Löu", None, False)
    assert detect_encoding("Löu") is None
    # ... unless the font tells: settled.
    assert fix_text("Löu", "VNI-Times").text == "Lưu"
    # The tone position settles "Leâ": TCVN3 "Leõ" puts the tone on the glide.
    assert fix_text("Leâ") == Conversion("Leâ", "Lê", "vni", True)
    # Unicode and legacy in one cell: not converted
    assert fix_text("Nguyễn V¨n").encoding is None
    assert not fix_text("Nguyễn V¨n").confident


def test_unknown_encoding_is_an_error():
    with pytest.raises(ValueError):
        convert("abc", "viscii")


def test_fast_enough_for_big_sheets():
    cells = (TCVN3_NAMES + VNI_NAMES + NAMES) * 100
    start = time.perf_counter()
    for cell in cells:
        fix_text(cell)
    assert time.perf_counter() - start < 2.0
