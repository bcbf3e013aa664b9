"""The code tables of the legacy 8-bit Vietnamese encodings, as app.legacy_text reads
them: each legacy byte as the Windows-1252 (cp1252) character it shows as once read
by Excel, openpyxl or a CSV reader, mapped to Unicode NFC.

Sources of the tables, checked against each other:
- TCVN3: TCVN 5712:1993 as implemented by glibc iconv ("TCVN5712-1") and X11
  `lcUniConv/tcvn.h`; the lowercase set and the 7 capitals Ă Â Ê Ô Ơ Ư Đ (the "VN3"
  subset used by the ABC fonts) also match duydev/vietnamese-conversion,
  min-kha/viet-converter (`tcvn3_map.json`) and cmpitg/bogoengine. The other 60
  capitals only exist in the full "VN1" table (C0, C1 and spare Latin-1 positions).
- VNI-Windows: duydev/vietnamese-conversion `src/charsets.ts`, cross-checked with
  other public converters: base letter + one mark character (ø huyền, ù sắc,
  û hỏi, õ ngã, ï nặng, â circumflex, ê breve, with combined circumflex/breve + tone
  marks), single characters for ơ ư đ and the i tones, uppercase marks for capitals.

Pure data built once at import; no Flask, no database.
"""

import re
import unicodedata

from app.vntext import nfc

# Tones in the order: none, huyền, hỏi, ngã, sắc, nặng.
_TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
_VOWELS = ("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y")


def _cp1252(byte: int) -> str:
    """The character a legacy byte shows as once read as Windows-1252."""
    if byte < 0x80:
        return chr(byte)
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:  # 0x81 0x8D 0x8F 0x90 0x9D: Windows keeps U+0081...
        return chr(byte)


# --------------------------------------------------------------------------- TCVN3
# TCVN 5712 byte values per vowel, for the tones in _TONES (None: plain ASCII).
_TCVN3_LOWER = {
    "a": (None, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9),
    "ă": (0xA8, 0xBB, 0xBC, 0xBD, 0xBE, 0xC6),
    "â": (0xA9, 0xC7, 0xC8, 0xC9, 0xCA, 0xCB),
    "e": (None, 0xCC, 0xCE, 0xCF, 0xD0, 0xD1),
    "ê": (0xAA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6),
    "i": (None, 0xD7, 0xD8, 0xDC, 0xDD, 0xDE),
    "o": (None, 0xDF, 0xE1, 0xE2, 0xE3, 0xE4),
    "ô": (0xAB, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9),
    "ơ": (0xAC, 0xEA, 0xEB, 0xEC, 0xED, 0xEE),
    "u": (None, 0xEF, 0xF1, 0xF2, 0xF3, 0xF4),
    "ư": (0xAD, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9),
    "y": (None, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE),
}
_TCVN3_UPPER = {  # A1-A7 are in the ABC (VN3) fonts; the toned capitals are VN1 only
    "a": (None, 0x80, 0x81, 0x82, 0x83, 0x84),
    "ă": (0xA1, 0xAF, 0xBA, 0xBF, 0xC0, 0x85),
    "â": (0xA2, 0xC1, 0xC2, 0xC3, 0xC4, 0x86),
    "e": (None, 0x87, 0x88, 0x89, 0x8A, 0x8B),
    "ê": (0xA3, 0xC5, 0xCD, 0xD9, 0xDA, 0x8C),
    "i": (None, 0x8D, 0x8E, 0x8F, 0x90, 0x91),
    "o": (None, 0x92, 0x93, 0x94, 0x95, 0x96),
    "ô": (0xA4, 0xDB, 0xE0, 0xF0, 0xFF, 0x97),
    "ơ": (0xA5, 0x98, 0x99, 0x9A, 0x9B, 0x9C),
    "u": (None, 0x9D, 0x9E, 0x9F, 0x01, 0x02),
    "ư": (0xA6, 0x04, 0x05, 0x06, 0x11, 0x12),
    "y": (None, 0x13, 0x14, 0x15, 0x16, 0x17),
}
_TCVN3_D = {0xAE: "đ", 0xA7: "Đ"}
# VN1 combining tone marks (used only right after an untoned vowel).
TCVN3_MARKS = {
    "°": "\u0300",
    "±": "\u0309",
    "²": "\u0303",
    "³": "\u0301",
    "´": "\u0323",
}


def _build_tcvn3() -> dict[str, str]:
    table = {}
    for vowel in _VOWELS:
        for case, rows in ((str.lower, _TCVN3_LOWER), (str.upper, _TCVN3_UPPER)):
            for tone, byte in zip(_TONES, rows[vowel], strict=True):
                if byte is not None:
                    table[_cp1252(byte)] = nfc(case(vowel) + tone)
    for byte, letter in _TCVN3_D.items():
        table[_cp1252(byte)] = letter
    return table


#: The 134 Vietnamese letters: TCVN3 code (as its cp1252 character) -> Unicode.
TCVN3_TO_UNICODE: dict[str, str] = _build_tcvn3()

# VN1 capitals whose cp1252 rendering is common punctuation (smart quotes, dashes,
# ellipsis, bullet, ...). Word processors put that punctuation into TCVN3 text, so
# these are read as capitals only at the start of a word followed by a lowercase
# letter ("’" in "H’Hen" stays an apostrophe).
TCVN3_CONTEXTUAL = frozenset("€‚„…†‡ˆ‰‹‘’“”•–—˜™›")
TCVN3_DIRECT = {k: v for k, v in TCVN3_TO_UNICODE.items() if k not in TCVN3_CONTEXTUAL}
# Bytes 0x80-0x9F read as Latin-1 (C1 controls) are never punctuation.
for _byte in range(0x80, 0xA0):
    _letter = TCVN3_TO_UNICODE.get(_cp1252(_byte))
    if _letter:
        TCVN3_DIRECT[chr(_byte)] = _letter
TCVN3_TRANSLATE = str.maketrans(TCVN3_DIRECT)
TCVN3_C0 = frozenset(c for c in TCVN3_DIRECT if c < " ")  # VN1 capitals Ú Ụ Ừ ...
TCVN3_SPECIAL = TCVN3_CONTEXTUAL | frozenset(TCVN3_MARKS)

# Codes that look like symbols in cp1252, never like letters of a Unicode name.
TCVN3_STRONG = frozenset(
    c for c in TCVN3_DIRECT if not unicodedata.category(c).startswith("L") or c in "ªµº"
)

# ----------------------------------------------------------------------------- VNI
_VNI_TONE = dict(zip(_TONES, ("", "ø", "û", "õ", "ù", "ï"), strict=True))
_VNI_CIRCUMFLEX = dict(zip(_TONES, ("â", "à", "å", "ã", "á", "ä"), strict=True))
_VNI_BREVE = dict(zip(_TONES, ("ê", "è", "ú", "ü", "é", "ë"), strict=True))
_VNI_I = dict(zip(_TONES, ("i", "ì", "æ", "ó", "í", "ò"), strict=True))
_VNI_BASE = {"ơ": "ô", "ư": "ö"}  # single characters, tone mark follows


def _vni_lower(vowel: str, tone: str) -> str:
    if vowel == "i":
        return _VNI_I[tone]
    if vowel == "y" and tone == "\u0323":
        return "î"
    if vowel in ("â", "ê", "ô"):
        return unicodedata.normalize("NFD", vowel)[0] + _VNI_CIRCUMFLEX[tone]
    if vowel == "ă":
        return "a" + _VNI_BREVE[tone]
    return _VNI_BASE.get(vowel, vowel) + _VNI_TONE[tone]


def _build_vni() -> dict[str, str]:
    table = {}
    for vowel in _VOWELS:
        for tone in _TONES:
            code = _vni_lower(vowel, tone)
            if code == vowel:  # plain ASCII a e i o u y
                continue
            letter = nfc(vowel + tone)
            table[code] = letter
            # VNI capitals use the cp1252 uppercase of every character.
            table[code.upper()] = letter.upper()
    table["ñ"] = "đ"
    table["Ñ"] = "Đ"
    return table


#: The 134 Vietnamese letters: VNI-Windows sequence (as cp1252 text) -> Unicode.
VNI_TO_UNICODE: dict[str, str] = _build_vni()

_VNI_MARKS_LOWER = "øûõùïâàåãáäêèúüéë"
_VNI_MARKS = frozenset(_VNI_MARKS_LOWER + _VNI_MARKS_LOWER.upper())
# Marks that do not follow a vowel in other languages (strong evidence); ï and ë
# do ("Loïc", "Gaël"), so they are not.
VNI_STRONG = frozenset("øûäåüØÛÄÅÜ")


def _build_vni_decode() -> dict[str, str]:
    table = dict(VNI_TO_UNICODE)
    for code, letter in VNI_TO_UNICODE.items():
        if len(code) == 2:  # base + mark: accept a mark of the other case
            table.setdefault(code[0] + code[1].swapcase(), letter)
    return table


VNI_DECODE = _build_vni_decode()
VNI_RE = re.compile(
    "|".join(re.escape(k) for k in sorted(VNI_DECODE, key=len, reverse=True))
)
