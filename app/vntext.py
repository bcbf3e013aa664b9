"""Vietnamese text: NFC, diacritic-free folding for search, name parts, collation keys,
and whether a word spells one Vietnamese syllable (`is_syllable`); numbers in a given
locale, and always the Vietnamese way for papers (`vn_number`, `vn_percent`…).

The one home of Unicode normalisation in the application: `nfc` (NFC only, for text
whose spacing matters: certificate payloads, Markdown, legacy-font conversion) and
`clean_text` (NFC and spacing tidied, for names and one-line fields).

Pure functions; no Flask, no database. Collation follows CLDR `vi`: letters
a < ă < â, d < đ, e < ê, o < ô < ơ, u < ư differ at the primary level; tones are
secondary, ordered none < huyền < hỏi < ngã < sắc < nặng.
"""

import functools
import unicodedata
from dataclasses import dataclass

from babel import Locale
from babel.numbers import format_decimal, parse_pattern

_ALPHABET = "0123456789aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
# Two-digit primary codes from 20 upwards; "0" ends a field and "1" separates words,
# so shorter names sort first and the key sorts the same under any collation.
_PRIMARY = {ch: f"{i + 20:02d}" for i, ch in enumerate(_ALPHABET)}
_TONES = {"\u0300": "2", "\u0309": "3", "\u0303": "4", "\u0301": "5", "\u0323": "6"}
# Marks that are part of the letter (ă â ê ô ơ ư), not a tone.
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}


def nfc(text: str | None) -> str:
    """Return `text` in Unicode NFC, spacing untouched ("" for None)."""
    return unicodedata.normalize("NFC", text or "")


def clean_text(text: str | None) -> str:
    """Return `text` in Unicode NFC with surrounding and repeated whitespace removed
    (one space between words; "" for None)."""
    return " ".join(nfc(text).split())


def _vietnamese_letters() -> frozenset[str]:
    bases = "abcdefghijklmnopqrstuvwxyzăâđêôơư"
    tones = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
    letters = set()
    for base in bases + bases.upper():
        for tone in tones:
            letter = nfc(base + tone)
            if len(letter) == 1:
                letters.add(letter)
    return frozenset(letters)


#: Every letter of Vietnamese text (Latin letters with their tones), as one character.
VIETNAMESE_LETTERS = _vietnamese_letters()
#: Typography common in Vietnamese office files (non-breaking space, dashes, quotes…).
TYPOGRAPHY = frozenset("\u00a0–—‘’“”…•·°№₫")


def unaccent(text: str) -> str:
    """`text` without its diacritics, case kept: "Câu Đúng" -> "Cau Dung"."""
    decomposed = unicodedata.normalize("NFD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.replace("đ", "d").replace("Đ", "D")


def fold(text: str) -> str:
    """Lower-case, diacritic-free form: "Nguyễn Văn Đức" -> "nguyen van duc"."""
    return " ".join(unaccent(text).casefold().split())


@dataclass(frozen=True)
class NameParts:
    family: str
    middle: str
    given: str


def split_name(full_name: str, given: str | None = None) -> NameParts:
    """Split a Vietnamese full name into họ, tên đệm, tên (the last word by default).

    `given` overrides the given name (for Khmer and other names that do not end
    with it); it must then be the tail of the full name, else it is used as is.
    """
    words = clean_text(full_name).split(" ")
    if given:
        given = clean_text(given)
        tail = given.split(" ")
        if words[-len(tail) :] == tail:
            words = words[: -len(tail)]
        rest = words
    else:
        given, rest = words[-1], words[:-1]
    family = rest[0] if rest else ""
    middle = " ".join(rest[1:])
    return NameParts(family=family, middle=middle, given=given)


def _letter(char: str) -> tuple[str, str]:
    """Primary letter (with its letter-forming marks) and tone digit of `char`."""
    decomposed = unicodedata.normalize("NFD", char.lower())
    tone = "1"
    base = ""
    for c in decomposed:
        if c in _TONES:
            tone = _TONES[c]
        elif not unicodedata.combining(c) or c in _LETTER_MARKS:
            base += c
    base = nfc(base)
    return base, tone


def _field_key(words: list[str]) -> tuple[str, str]:
    primary, secondary = [], []
    for i, word in enumerate(words):
        if i:
            primary.append("1")
        for char in word:
            base, tone = _letter(char)
            code = _PRIMARY.get(base)
            if code is None:
                continue
            primary.append(code)
            secondary.append(tone)
    primary.append("0")
    return "".join(primary), "".join(secondary)


def sort_key(parts: NameParts) -> str:
    """A string that orders names the Vietnamese way: tên, then tên đệm, then họ.

    It is made of ASCII digits only, so a plain ORDER BY on it is correct in SQLite
    and in PostgreSQL whatever the database collation.
    """
    fields = [parts.given.split(), parts.middle.split(), parts.family.split()]
    keys = [_field_key(f) for f in fields]
    return "".join(k[0] for k in keys) + "0" + "".join(k[1] for k in keys)


def name_sort_key(full_name: str, given: str | None = None) -> str:
    return sort_key(split_name(full_name, given))


def text_sort_key(text: str | None) -> str:
    """The collation key of any text (a unit's name, a title), words in the order
    written: letters first (a < ă < â … đ … ư), then tones as the tie-break (none <
    huyền < hỏi < ngã < sắc < nặng), as a Vietnamese dictionary orders them. The
    same key as `sort_key`, over one field; ASCII digits, so it sorts the same in
    Python and in any SQL collation."""
    primary, secondary = _field_key(clean_text(text).split())
    return primary + "0" + secondary


# --- syllables: onset + rhyme (nucleus and coda), and where the tone may sit
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
_SYLLABLE_LETTERS = frozenset("aăâbcdđeêghiklmnoôơpqrstuưvxy")
_TONE_MARKS = frozenset(_TONES)


def is_syllable(word: str) -> bool:
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
        if ch in _TONE_MARKS:
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
    if not text or any(c not in _SYLLABLE_LETTERS for c in text):
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


@functools.lru_cache(maxsize=4096)
def format_number(
    value: float | None, places: int = 1, empty: str = "—", locale: str = "vi"
) -> str:
    """`value` with `places` decimals by Babel's `locale` ("0,75", "1.234,5" in
    `vi`; "0.75", "1,234.5" in `en`); `empty` for None. Memoised, the locale part of
    the key: a page of counts formats the same few numbers again and again (a
    Babel format is ~15 µs)."""
    if value is None:
        return empty
    pattern = "#,##0." + "0" * places if places else "#,##0"
    return format_decimal(value, format=pattern, locale=locale)


def format_score(value: float | None, empty: str = "—", locale: str = "vi") -> str:
    """A score or a question's marks: a whole number bare ("27"), else with up to
    two decimals ("27,33" in `vi`, "27.33" in `en`: partial credit)."""
    if value is None:
        return empty
    return format_decimal(value, format="#,##0.##", locale=locale)


def format_percent(
    value: float | None, places: int = 1, empty: str = "—", locale: str = "vi"
) -> str:
    """A percentage given out of 100: "75,0 %" in `vi` (a no-break space before
    the sign, as Vietnamese writes it; CLDR has none), else the sign where the
    locale's percent pattern puts it ("75.0%" in `en`)."""
    if value is None:
        return empty
    number = format_number(value, places, empty, locale)
    if locale == "vi":
        return f"{number}\u00a0%"
    prefix, suffix = _percent_affixes(locale)
    return f"{prefix}{number}{suffix}"


@functools.lru_cache(maxsize=16)
def _percent_affixes(locale: str) -> tuple[str, str]:
    """What the locale's percent pattern writes before and after the number."""
    pattern = parse_pattern(Locale.parse(locale).percent_formats[None].pattern)
    return pattern.prefix[0], pattern.suffix[0]


# Official papers (certificates, the annual report, prize and reward lists, files for
# Vietnamese offices) are Vietnamese whatever the reader's language: they call these.
def vn_number(value: float | None, places: int = 1, empty: str = "—") -> str:
    """`value` the Vietnamese way: decimal comma, dot between thousands ("0,75",
    "1.234,5"); `empty` for None."""
    return format_number(value, places, empty, "vi")


def vn_score(value: float | None, empty: str = "—") -> str:
    """A score or marks the Vietnamese way: "27", "27,33"."""
    return format_score(value, empty, "vi")


def vn_percent(value: float | None, places: int = 1, empty: str = "—") -> str:
    """A percentage given out of 100, as Vietnamese writes it: "75,0 %"."""
    return format_percent(value, places, empty, "vi")
