"""Detect and convert Vietnamese text typed in legacy 8-bit encodings to Unicode NFC.

Government Excel files still hold names typed with TCVN3 (ABC, TCVN 5712; fonts
".VnTime", ".VnArial", capitals via ".VnTimeH"-style fonts) or VNI-Windows (fonts
"VNI-Times", ...). Read by Excel, openpyxl or a CSV reader, their bytes show up as
the Windows-1252 (cp1252) characters of the same byte values, e.g. "B¶o Th¾ng"
(TCVN3) or "Xin chaøo caùc baïn" (VNI). The tables of app.legacy_tables map those
characters (and name their sources).

Pure functions; no Flask, no database. Per the import rules (sources README §3.6),
the caller shows a preview and keeps the original: `Conversion.confident` is False
whenever the result is a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.legacy_tables import (
    TCVN3_C0,
    TCVN3_CONTEXTUAL,
    TCVN3_DIRECT,
    TCVN3_MARKS,
    TCVN3_SPECIAL,
    TCVN3_STRONG,
    TCVN3_TO_UNICODE,
    TCVN3_TRANSLATE,
    VNI_DECODE,
    VNI_RE,
    VNI_STRONG,
)
from app.vntext import is_syllable, nfc

__all__ = ["Conversion", "convert", "detect_encoding", "fix_text"]

ENCODINGS = ("tcvn3", "vni")

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
    letter = TCVN3_DIRECT.get(ch)
    return bool(letter) and letter.islower()


def _tcvn3_token(token: str) -> tuple[str, bool]:
    """Decode one TCVN3 word; returns (text, repaired)."""
    if not TCVN3_SPECIAL.intersection(token):
        out = token.translate(TCVN3_TRANSLATE)
    else:
        chars: list[str] = []
        for i, ch in enumerate(token):
            if ch in TCVN3_CONTEXTUAL:
                nxt = token[i + 1 : i + 2]
                if i == 0 and nxt and _tcvn3_starts_lower(nxt):
                    ch = TCVN3_TO_UNICODE[ch]
            elif ch in TCVN3_MARKS:
                prev = chars[-1] if chars else ""
                if prev and nfc(prev).lower() in "aăâeêioôơuưy":
                    ch = TCVN3_MARKS[ch]
            else:
                ch = TCVN3_DIRECT.get(ch, ch)
            chars.append(ch)
        out = "".join(chars)
    out = nfc(out)
    # A lost soft hyphen (U+00AD = ư, dropped by many copy paths) leaves "ơng",
    # "ơc", "ơu": never Vietnamese, always "ương", "ươc", "ươu".
    if _O_HORN.intersection(out) and not is_syllable(_core(out)):
        for i, ch in enumerate(out):
            if ch in _O_HORN and (i == 0 or out[i - 1] not in _U_HORN):
                fixed = out[:i] + ("Ư" if ch.isupper() else "ư") + out[i:]
                if is_syllable(_core(fixed)):
                    return fixed, True
    return out, False


def _vni_token(token: str) -> str:
    return nfc(VNI_RE.sub(lambda m: VNI_DECODE[m.group()], token))


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
# Latin-1 letters of Vietnamese Unicode; other Latin-1 letters are "foreign".
_VIET_LATIN1 = frozenset("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý")
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
    strong = TCVN3_STRONG if encoding == "tcvn3" else VNI_STRONG
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
                not is_syllable(_core(token))
            ):
                stats.bad += 1
            continue
        if not is_syllable(_core(out)):
            stats.bad += 1
        elif is_syllable(_core(token)):
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
    return text.isascii() and not TCVN3_C0.intersection(text)


def _prescreen(text: str) -> bool | None:
    """None if `text` may be legacy; else the `confident` value for "not legacy"."""
    if _plain_ascii(text):
        return True
    if any(_unicode_only(c) for c in text):
        # Real Unicode; doubtful only if it also holds TCVN3 symbol codes.
        return not any(c in TCVN3_STRONG for c in text if not c.isalpha())
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
