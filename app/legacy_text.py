"""Detect and convert Vietnamese text typed in legacy 8-bit encodings to Unicode NFC.

Government Excel files still hold names typed with TCVN3 (ABC, TCVN 5712; fonts
".VnTime", ".VnArial", capitals via ".VnTimeH"-style fonts) or VNI-Windows (fonts
"VNI-Times", ...). Read by Excel, openpyxl or a CSV reader, their bytes show up as
the Windows-1252 (cp1252) characters of the same byte values, e.g. "B¶o Th¾ng"
(TCVN3) or "Xin chaøo caùc baïn" (VNI). The tables below map those characters.

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

Pure functions; no Flask, no database. Per the import rules (sources README §3.6),
the caller shows a preview and keeps the original: `Conversion.confident` is False
whenever the result is a guess.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from app.vntext import nfc

__all__ = [
    "Conversion",
    "TCVN3_TO_UNICODE",
    "VNI_TO_UNICODE",
    "convert",
    "detect_encoding",
    "fix_text",
]

ENCODINGS = ("tcvn3", "vni")

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
_TCVN3_MARKS = {
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
_TCVN3_CONTEXTUAL = frozenset("€‚„…†‡ˆ‰‹‘’“”•–—˜™›")
_TCVN3_DIRECT = {
    k: v for k, v in TCVN3_TO_UNICODE.items() if k not in _TCVN3_CONTEXTUAL
}
# Bytes 0x80-0x9F read as Latin-1 (C1 controls) are never punctuation.
for _byte in range(0x80, 0xA0):
    _letter = TCVN3_TO_UNICODE.get(_cp1252(_byte))
    if _letter:
        _TCVN3_DIRECT[chr(_byte)] = _letter
_TCVN3_TRANSLATE = str.maketrans(_TCVN3_DIRECT)
_TCVN3_C0 = frozenset(c for c in _TCVN3_DIRECT if c < " ")  # VN1 capitals Ú Ụ Ừ ...
_TCVN3_SPECIAL = _TCVN3_CONTEXTUAL | frozenset(_TCVN3_MARKS)

# Codes that look like symbols in cp1252, never like letters of a Unicode name.
_TCVN3_STRONG = frozenset(
    c
    for c in _TCVN3_DIRECT
    if not unicodedata.category(c).startswith("L") or c in "ªµº"
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
_VNI_STRONG = frozenset("øûäåüØÛÄÅÜ")


def _build_vni_decode() -> dict[str, str]:
    table = dict(VNI_TO_UNICODE)
    for code, letter in VNI_TO_UNICODE.items():
        if len(code) == 2:  # base + mark: accept a mark of the other case
            table.setdefault(code[0] + code[1].swapcase(), letter)
    return table


_VNI_DECODE = _build_vni_decode()
_VNI_RE = re.compile(
    "|".join(re.escape(k) for k in sorted(_VNI_DECODE, key=len, reverse=True))
)

# ------------------------------------------------------------ syllable validation
_ONSETS = (
    "ngh ng gh gi kh nh ph th tr ch qu b c d đ g h k l m n p r s t v x".split() + [""]
)
_RHYMES: dict[str, tuple[str, ...]] = {
    "a": ("", "c", "ch", "m", "n", "ng", "nh", "p", "t", "i", "o", "u", "y"),
    "ă": ("c", "m", "n", "ng", "p", "t"),
    "â": ("c", "m", "n", "ng", "p", "t", "u", "y"),
    "e": ("", "c", "m", "n", "ng", "p", "t", "o"),
    "ê": ("", "ch", "m", "n", "nh", "p", "t", "u"),
    "i": ("", "ch", "m", "n", "nh", "p", "t", "u", "a"),
    "o": ("", "c", "m", "n", "ng", "p", "t", "i"),
    "ô": ("", "c", "m", "n", "ng", "p", "t", "i"),
    "ơ": ("", "m", "n", "p", "t", "i"),
    "u": ("", "c", "m", "n", "ng", "p", "t", "i", "a", "ơ"),
    "ư": ("", "c", "n", "ng", "t", "i", "u", "a"),
    "y": ("",),
    "iê": ("", "c", "m", "n", "ng", "p", "t", "u"),  # open: minority names (Niê)
    "yê": ("c", "m", "n", "ng", "p", "t", "u"),
    "oa": ("", "c", "ch", "m", "n", "ng", "nh", "p", "t", "i", "y", "o"),
    "oă": ("c", "m", "n", "ng", "t"),
    "oe": ("", "n", "t", "o"),
    "oo": ("c", "ng"),
    "uâ": ("n", "ng", "t", "y"),
    "uê": ("", "ch", "n", "nh"),
    "uô": ("c", "m", "n", "ng", "t", "i"),
    "uy": ("", "ch", "n", "nh", "p", "t", "a", "u"),
    "uyê": ("n", "t"),
    "ươ": ("c", "m", "n", "ng", "p", "t", "i", "u"),
}


def _tone_places(nucleus: str, coda: str) -> frozenset[int]:
    """Where the tone mark may sit in the rhyme nucleus + coda (index)."""
    if len(nucleus) == 3:  # uyê
        return frozenset({2})
    if len(nucleus) == 1:
        return frozenset({1}) if nucleus + coda == "uơ" else frozenset({0})
    if nucleus in ("oa", "oe", "uy") and not coda:  # hòa / hoà, thủy / thuỷ
        return frozenset({0, 1})
    return frozenset({1})


_RHYME_TONES = {
    n + c: _tone_places(n, c) for n, codas in _RHYMES.items() for c in codas
}
_STOP_TONES = frozenset(("\u0301", "\u0323"))  # after -c -ch -p -t: sắc or nặng only
_LETTERS = frozenset("aăâbcdđeêghiklmnoôơpqrstuưvxy")
# Latin-1 letters of Vietnamese Unicode; other Latin-1 letters are "foreign".
_VIET_LATIN1 = frozenset("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý")
_TONE_SET = frozenset(_TONES[1:])


def _is_syllable(word: str) -> bool:
    """True when `word` spells one Vietnamese syllable: one tone at most, written in
    lower case, Title case or capitals ("TuÊn" is not)."""
    if not (word.islower() or word.isupper() or word.istitle()):
        return False
    tone = ""
    tone_at = -1  # index of the toned letter
    letters = 0
    base: list[str] = []
    last = ""
    for ch in unicodedata.normalize("NFD", word.lower()):
        if ch in _TONE_SET:
            if tone or not last or last not in "aeiouy":
                return False
            tone, tone_at = ch, letters - 1
        elif unicodedata.combining(ch):
            if ch not in "\u0302\u0306\u031b" or not base:
                return False
            base.append(ch)
        else:
            base.append(ch)
            last = ch
            letters += 1
    text = nfc("".join(base))
    if not text or any(c not in _LETTERS for c in text):
        return False
    for onset in _ONSETS:
        if not text.startswith(onset):
            continue
        rest = text[len(onset) :]
        candidates = [(rest, len(onset))]
        if onset == "gi":
            candidates.append(("i" + rest, len(onset) - 1))
        elif onset == "qu":
            if rest[:1] in ("o", "u", "ư"):
                continue
            candidates.append(("u" + rest, len(onset) - 1))
        for rhyme, offset in candidates:
            places = _RHYME_TONES.get(rhyme)
            if places is None:
                continue
            if tone and tone_at - offset not in places:
                continue
            if rhyme.endswith(("c", "ch", "p", "t")) and tone not in _STOP_TONES:
                continue
            return True
    return False


# -------------------------------------------------------------------- conversion
# Words: runs between whitespace and ASCII punctuation. U+0085 is whitespace to
# Python but byte 0x85 read as Latin-1, i.e. TCVN3 "Ặ".
_TOKEN_RE = re.compile(r"(?:[^\s!-/:-@\[-`{-~]|\x85)+")
# A capital right after a small letter ("NguyÔn", "TrÇn"): not Unicode spelling.
_MIXED_CASE = re.compile(r"[a-z\u00df-\u00ff][\u00c0-\u00de]")
_EDGE_PUNCT = "‘’“”‚„–—…•‹›"  # not « »: TCVN3 ô and ằ
_O_HORN = frozenset("ơờởỡớợƠỜỞỠỚỢ")
_U_HORN = frozenset("ưừửữứựƯỪỬỮỨỰ")


def _core(word: str) -> str:
    return word.strip(_EDGE_PUNCT)


def _tcvn3_starts_lower(ch: str) -> bool:
    if "a" <= ch <= "z":
        return True
    letter = _TCVN3_DIRECT.get(ch)
    return bool(letter) and letter.islower()


def _tcvn3_token(token: str) -> tuple[str, bool]:
    """Decode one TCVN3 word; returns (text, repaired)."""
    if not _TCVN3_SPECIAL.intersection(token):
        out = token.translate(_TCVN3_TRANSLATE)
    else:
        chars: list[str] = []
        for i, ch in enumerate(token):
            if ch in _TCVN3_CONTEXTUAL:
                nxt = token[i + 1 : i + 2]
                if i == 0 and nxt and _tcvn3_starts_lower(nxt):
                    ch = TCVN3_TO_UNICODE[ch]
            elif ch in _TCVN3_MARKS:
                prev = chars[-1] if chars else ""
                if prev and nfc(prev).lower() in "aăâeêioôơuưy":
                    ch = _TCVN3_MARKS[ch]
            else:
                ch = _TCVN3_DIRECT.get(ch, ch)
            chars.append(ch)
        out = "".join(chars)
    out = nfc(out)
    # A lost soft hyphen (U+00AD = ư, dropped by many copy paths) leaves "ơng",
    # "ơc", "ơu": never Vietnamese, always "ương", "ươc", "ươu".
    if _O_HORN.intersection(out) and not _is_syllable(_core(out)):
        for i, ch in enumerate(out):
            if ch in _O_HORN and (i == 0 or out[i - 1] not in _U_HORN):
                fixed = out[:i] + ("Ư" if ch.isupper() else "ư") + out[i:]
                if _is_syllable(_core(fixed)):
                    return fixed, True
    return out, False


def _vni_token(token: str) -> str:
    return nfc(_VNI_RE.sub(lambda m: _VNI_DECODE[m.group()], token))


def _upper(text: str) -> str:
    return "".join(u if len(u := c.upper()) == 1 else c for c in text)


def convert(text: str, encoding: str, uppercase_font: bool = False) -> str:
    """Convert `text` from `encoding` ("tcvn3" or "vni") to Unicode NFC.

    `uppercase_font=True` is for ".VnTimeH"-style fonts, which draw the lowercase
    codes as capitals: the result is upper-cased.
    """
    if encoding == "tcvn3":
        out = _TOKEN_RE.sub(lambda m: _tcvn3_token(m.group())[0], text)
    elif encoding == "vni":
        out = _TOKEN_RE.sub(lambda m: _vni_token(m.group()), text)
    else:
        raise ValueError(f"unknown legacy encoding: {encoding!r}")
    out = nfc(out)
    return _upper(out) if uppercase_font else out


# --------------------------------------------------------------------- detection
_CP1252_EXTRA = frozenset(
    bytes(range(0x80, 0xA0)).decode("cp1252", errors="ignore")
) - frozenset(chr(b) for b in range(0x80, 0xA0))


def _unicode_only(ch: str) -> bool:
    """A character no legacy file read as cp1252 can contain (e.g. "ễ", "ă", NFD)."""
    return ord(ch) > 0xFF and ch not in _CP1252_EXTRA


@dataclass
class _Stats:
    good: int = 0  # not Vietnamese before, a valid syllable after
    bad: int = 0  # changed into something that is not a syllable
    ambiguous: int = 0  # a valid syllable before and after ("Lê" -> "Lờ")
    foreign: int = 0  # good words whose only legacy code is a foreign letter ("Hå")
    repaired: bool = False  # a lost character was restored
    case_suspect: bool = False  # a capital the font could not show

    @property
    def plausible(self) -> bool:
        return self.good >= 1 and self.bad < self.good

    @property
    def changed(self) -> bool:
        return bool(self.good or self.bad or self.ambiguous or self.repaired)


def _analyze(text: str, encoding: str) -> _Stats:
    stats = _Stats()
    strong = _TCVN3_STRONG if encoding == "tcvn3" else _VNI_STRONG
    tokens = _TOKEN_RE.findall(text)
    title_case = any(t[0].isupper() and t[0].isascii() for t in tokens)
    for token in tokens:
        if _plain_ascii(token):
            continue
        if encoding == "tcvn3":
            out, repaired = _tcvn3_token(token)
            stats.repaired |= repaired
        else:
            out = _vni_token(token)
        if any("0" <= c <= "9" for c in token):
            continue
        if out == token:
            # Left alone, yet not Vietnamese: evidence against this encoding
            # ("Ph¹m" read as VNI). Typographic punctuation alone is no evidence.
            if any(c not in _CP1252_EXTRA for c in token if not c.isascii()) and (
                not _is_syllable(_core(token))
            ):
                stats.bad += 1
            continue
        if not _is_syllable(_core(out)):
            stats.bad += 1
        elif _is_syllable(_core(token)):
            stats.ambiguous += 1
        else:
            stats.good += 1
            codes = [c for c in token if not c.isascii()]
            if (
                len(codes) == 1
                and codes[0] not in _VIET_LATIN1
                and codes[0] not in strong
                and not _MIXED_CASE.search(token)
            ):
                stats.foreign += 1
            first = _core(token)[:1]
            if (
                encoding == "tcvn3"
                and title_case
                and not first.isascii()
                and _core(out)[:1].islower()
            ):
                stats.case_suspect = True
    return stats


def _decide(stats: dict[str, _Stats]) -> tuple[str | None, bool]:
    plausible = [e for e in ENCODINGS if stats[e].plausible]
    if len(plausible) != 1:
        return None, all(not s.good for s in stats.values())
    enc = plausible[0]
    s = stats[enc]
    # Borderline: the only evidence is one word with a foreign letter.
    confident = (
        s.bad == 0
        and not s.repaired
        and not s.case_suspect
        and (s.good >= 2 or s.foreign == 0)
    )
    return enc, confident


def _plain_ascii(text: str) -> bool:
    return text.isascii() and not _TCVN3_C0.intersection(text)


def _prescreen(text: str) -> bool | None:
    """None if `text` may be legacy; else the `confident` value for "not legacy"."""
    if _plain_ascii(text):
        return True
    if any(_unicode_only(c) for c in text):
        # Real Unicode; doubtful only if it also holds TCVN3 symbol codes.
        return not any(c in _TCVN3_STRONG for c in text if not c.isalpha())
    return None


def detect_encoding(text: str) -> str | None:
    """Return "tcvn3", "vni", or None (Unicode, ASCII, foreign or undecidable)."""
    text = nfc(text or "")
    if _prescreen(text) is not None:
        return None
    return _decide({e: _analyze(text, e) for e in ENCODINGS})[0]


@dataclass(frozen=True)
class Conversion:
    original: str
    text: str  # Unicode NFC (== original, NFC-normalised, when nothing was detected)
    encoding: str | None  # "tcvn3", "vni" or None
    confident: bool  # True when the detection is unambiguous


def _font_hint(font_name: str | None) -> tuple[str | None, bool]:
    name = (font_name or "").strip()
    if name[:3].lower() == ".vn":
        return "tcvn3", name.endswith("H")
    if name[:4].upper() == "VNI-":
        return "vni", False
    return None, False


def fix_text(text: str, font_name: str | None = None) -> Conversion:
    """Detect the encoding of one cell (helped by its font name) and convert it.

    Text that is already Unicode or plain ASCII is returned unchanged (NFC).
    """
    original = text
    text = nfc(text or "")
    screened = _prescreen(text)
    if screened is not None:
        return Conversion(original, text, None, screened)
    stats = {e: _analyze(text, e) for e in ENCODINGS}
    hinted, upper = _font_hint(font_name)
    if hinted:
        s = stats[hinted]
        if s.good and s.bad < s.good:
            confident = s.bad == 0 and not s.repaired and (upper or not s.case_suspect)
            return Conversion(original, convert(text, hinted, upper), hinted, confident)
        if not s.changed:
            return Conversion(original, text, None, True)
        # The font says legacy but no word reads better converted: often Unicode
        # pasted into an old-font cell ("Lê Hà" would become "Lờ HỔ"). Keep the
        # text; offer another encoding only when it clearly fits.
        enc, _ = _decide(stats)
        if enc is None or enc == hinted:
            return Conversion(original, text, None, False)
        return Conversion(original, convert(text, enc), enc, False)
    enc, confident = _decide(stats)
    if enc is None:
        return Conversion(original, text, None, confident)
    return Conversion(original, convert(text, enc), enc, confident)
