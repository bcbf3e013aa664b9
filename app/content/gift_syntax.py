"""GIFT text as both directions read and write it: escapes, format prefixes,
weights, safe codes; and a question's block of lines as the parser sees it.

`\\~ \\= \\# \\{ \\} \\:` are literal characters, `\\n` a newline, `\\\\` a
backslash (as in Moodle's importer, question/format/gift/format.php).
"""

import html
import re
from collections.abc import Callable
from fractions import Fraction

import nh3

from app.vntext import unaccent

# While parsing, an escaped character stands as a private-use placeholder so that it
# never counts as syntax; placeholders become the characters at the end.
_PLACEHOLDERS = {
    "\\": "\ue000",
    ":": "\ue001",
    "#": "\ue002",
    "=": "\ue003",
    "{": "\ue004",
    "}": "\ue005",
    "~": "\ue006",
    "n": "\ue007",
}
_CHARACTERS = {p: ("\n" if c == "n" else c) for c, p in _PLACEHOLDERS.items()}
_ESCAPE = re.compile(r"\\([\\:#={}~n])")
_PLACEHOLDER = re.compile("[\ue000-\ue007]")

FORMATS = ("moodle", "html", "plain", "markdown")
FORMAT_PREFIX = re.compile(r"\[(?:moodle|html|plain|markdown)\]")
SAFE_CODE = re.compile(r"[A-Za-z0-9._-]+")
_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9._-]+")
# What a tag may not hold: Moodle refuses <, > and ` in a tag, and a line break
# would end the GIFT comment line that carries it.
_UNFIT_TAG = re.compile(r"[<>`\x00-\x1f\x7f]")


def tag_fits(tag: str) -> bool:
    """Whether `tag` can be written to a GIFT file (and imported by Moodle)."""
    return bool(tag.strip()) and not _UNFIT_TAG.search(tag)


# Moodle: /^%\-*([0-9]{1,2})\.?([0-9]*)%/ ; a `%…%` that is not a number is an error.
WEIGHT = re.compile(r"%(-?\d+(?:\.\d+)?)%")
WEIGHT_LIKE = re.compile(r"%[^%\s]*%")


def protect(text: str) -> str:
    return _ESCAPE.sub(lambda m: _PLACEHOLDERS[m.group(1)], text)


def restore(text: str) -> str:
    return _PLACEHOLDER.sub(lambda m: _CHARACTERS[m.group(0)], text)


def text_format(raw: str, default: str = "moodle") -> str:
    """The format a GIFT text is written in: its [prefix], else `default`."""
    text = raw.strip()
    if text.startswith("["):
        end = text.find("]")
        if end > 0 and text[1:end] in FORMATS:
            return text[1:end]
    return default


def plain_text(
    raw: str, one_line: bool = False, default: str = "moodle", label: bool = False
) -> str:
    """Text as written in GIFT (escapes protected) -> our text: format prefix
    dropped, escapes resolved, blank (comment) lines dropped, surrounding
    whitespace removed. A text without a prefix is in the `default` format (as in
    Moodle, an answer or feedback is in its question text's format). Our texts
    are Markdown: one in another format is made Markdown that shows it as it was
    (as_markdown). A `label` (a question's name, never rendered) has no format,
    as in Moodle: a "[plain]" at its start is part of the name."""
    text = raw.strip()
    if label:
        text = restore("\n".join(x for x in text.split("\n") if x.strip())).strip()
        return re.sub(r"\s*\n\s*", " ", text) if one_line else text
    fmt = text_format(text, default)
    if text.startswith(f"[{fmt}]"):
        text = text[len(fmt) + 2 :]
    text = "\n".join(line for line in text.split("\n") if line.strip())
    if fmt == "html":  # VHCV renders Markdown and escapes raw HTML: keep the words
        text = html_to_text(text)
    text = restore(text).strip()
    if fmt != "markdown":
        text = as_markdown(text)
    if one_line:
        text = re.sub(r"\s*\n\s*", " ", text)
    return text


_PARAGRAPH_ENDS = re.compile(
    r"<\s*/\s*(?:p|div|h[1-6]|ul|ol|blockquote|pre)\s*>", re.IGNORECASE
)
_BREAKS = re.compile(r"<\s*(?:br\s*/?|/\s*li)\s*>", re.IGNORECASE)


def html_to_text(text: str) -> str:
    """Moodle's HTML text as plain text: a paragraph ends in a blank line, a line
    break in a newline, tags dropped. (Images and tables are refused before:
    app.content.problems.media_in.)"""
    text = _BREAKS.sub("\n", _PARAGRAPH_ENDS.sub("\n\n", text))
    text = html.unescape(nh3.clean(text, tags=set())).replace("\xa0", " ")
    return paragraphs(text)


def paragraphs(text: str) -> str:
    """`text` with each line's trailing spaces dropped and its paragraphs apart by
    exactly one blank line."""
    lines = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n"))
    return re.sub(r"\n{3,}", "\n\n", lines).strip()


# Markdown's marks that VHCV's pipeline would read in a plain text: anywhere, and
# at the start of a line (headings, quotes, lists, admonitions, "1." lists).
_MARKS = re.compile(r"([\\`*_\[\]{}|])")
_LINE_MARKS = re.compile(r"^([#>+\-!])", re.MULTILINE)
_ORDERED = re.compile(r"^(\d+)([.)])", re.MULTILINE)
# What a backslash cannot escape in Python-Markdown, written as a character
# reference: an "&" that starts one ("&copy;" would show ©), a "<" that could open
# an autolink ("<https://…>", "<a@b.vn>") and a line of "=" (it makes the line
# above a heading).
_REFERENCE = re.compile(r"&(?=#\d+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")
_OPENING = re.compile(r"<(?=[^<>]*>)")
_UNDERLINE = re.compile(r"^=(?==*[ \t]*$)", re.MULTILINE)


def as_markdown(text: str) -> str:
    """Plain text -> Markdown that shows it as it is: the marks escaped with a
    backslash (or as a character reference where a backslash cannot), lines'
    leading spaces dropped (four would make code). The one escaper of plain text
    for every import (GIFT, Moodle XML, Aiken, Word); app.markdown.as_plain undoes
    it for the staff's lists."""
    text = "\n".join(line.lstrip() for line in text.split("\n"))
    text = _REFERENCE.sub("&amp;", text)
    text = _OPENING.sub("&lt;", text)
    text = _UNDERLINE.sub("&#61;", text)
    text = _MARKS.sub(r"\\\1", text)
    text = _LINE_MARKS.sub(r"\\\1", text)
    return _ORDERED.sub(r"\1\\\2", text)


def fraction(percent: str) -> float:
    """A GIFT percentage as a fraction. Moodle's 7-digit forms of k/n (33.33333,
    -14.28571) are read as the exact fraction, the weight VHCV derives itself."""
    value = float(percent) / 100
    near = Fraction(value).limit_denominator(100)
    return float(near) if abs(float(near) - value) <= 6e-8 else value


Report = Callable[[int, str], None]  # problem(line, message)


class Block:
    """One blank-line-separated block: comment text apart, the rest as `body` with
    comment and $CATEGORY lines blanked so offsets still map to lines."""

    def __init__(self, numbered: list[tuple[int, str]]):
        self.start = numbered[0][0]
        self.comments: list[tuple[int, str]] = []
        self.categories: list[tuple[int, str]] = []  # its $CATEGORY: (line, path)
        kept = []
        for number, line in numbered:
            stripped = line.strip()
            if stripped.startswith("//"):
                self.comments.append((number, stripped[2:]))
                kept.append("")
            elif stripped.startswith("$CATEGORY:"):
                path = stripped.removeprefix("$CATEGORY:").strip()
                self.categories.append((number, path))
                kept.append("")
            else:
                kept.append(line)
        self.body = protect("\n".join(kept))
        content = [n for (n, _), line in zip(numbered, kept, strict=True) if line]
        self.first_line = content[0] if content else 0

    def line_at(self, offset: int) -> int:
        return self.start + self.body.count("\n", 0, offset)


def code_of_idnumber(idnumber: str) -> str:
    """The question code a Moodle ID number gives: itself when it is one (letters
    without diacritics, digits, . _ -); else, as Moodle's ID number is free text
    ("Câu 1", "HP1 - Câu 01"), the same without diacritics, each run of other
    characters and dashes one "-" ("Cau-1", "HP1-Cau-01"): the same file gives the
    same codes each time. "" when nothing is left."""
    if SAFE_CODE.fullmatch(idnumber):
        return idnumber
    code = _UNSAFE_RUN.sub("-", unaccent(idnumber))
    return re.sub("-{2,}", "-", code).strip("-")
