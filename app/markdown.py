"""The one Markdown pipeline: render + sanitise, and report unsupported syntax.

Pure functions; no database, and no Flask but its lazy messages. Raw HTML in the
source is never passed through (Python-Markdown's raw-HTML processors are removed, so
"<script>" comes out as text) and the output is cleaned again by nh3 against an
explicit allow-list.
"""

import html
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import markdown
import nh3
from markdown.treeprocessors import Treeprocessor

from app.errors import lazy_gettext as _l
from app.vntext import fold, nfc

LinkResolver = Callable[[str], str | None]


@dataclass(frozen=True)
class TocEntry:
    level: int  # 2 or 3
    anchor: str  # the id of the heading
    title: str  # plain text


@dataclass(frozen=True)
class Rendered:
    html: str
    toc: list[TocEntry]


def slugify(value: str, separator: str = "-") -> str:
    """Readable ASCII anchor: "Điều 1 — Định nghĩa" -> "dieu-1-dinh-nghia".

    `value` may hold HTML entities (Python-Markdown's toc passes heading text);
    they are unescaped first. Never returns "": a title with no letter or digit
    gives "muc".
    """
    folded = fold(html.unescape(value))
    slug = re.sub(r"[^a-z0-9]+", separator, folded).strip(separator)
    return slug or "muc"


# Extensions are named, not instantiated: each thread's parser builds its own.
EXTENSIONS: list[str] = ["tables", "toc", "attr_list", "admonition", "sane_lists"]
EXTENSION_CONFIGS: dict[str, dict] = {
    "toc": {"slugify": slugify, "toc_depth": "2-3"},
    # `align` survives the sanitiser; the default style="text-align: …" would not.
    "tables": {"use_align_attribute": True},
}

ALLOWED_TAGS = {
    "p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "blockquote",
    "table", "thead", "tbody", "tr", "th", "td", "a", "img", "code", "pre", "hr",
    "br", "div", "span", "dl", "dt", "dd", "sup", "sub",
}  # fmt: skip
_CELL = {"align", "colspan", "rowspan"}
ALLOWED_ATTRIBUTES = {
    "*": {"id", "class"},
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": _CELL,
    "td": _CELL,
}
ADMONITION_TYPES = {"note", "tip", "warning", "important", "danger", "info"}
# Every id in rendered Markdown starts with this (headings' anchors and any an author
# sets with {#id}), and so does every class but those of admonitions, which the
# stylesheet draws: no author can take an id or class of the page's own markup or
# script ("q3", "timer", "question"…). Links to "#anchor" in the text follow.
ID_PREFIX = "md-"
CLASS_PREFIX = "md-"
OWN_CLASSES = {"admonition", "admonition-title", *ADMONITION_TYPES}
URL_SCHEMES = {"http", "https", "mailto"}
_URL_ATTRIBUTE = {"a": "href", "img": "src"}


_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")  # a backslash before ASCII punctuation


def as_plain(text) -> str:
    """A question's Markdown as text for the staff's lists, previews and CSV (the
    `md_plain` filter): the escapes of the imports' escaper (content.gift_syntax
    as_markdown) undone — "Điều 5 \\* khoản 2" reads
    "Điều 5 * khoản 2", "&lt;" reads "<" — and other Markdown (a trainer's
    **bold**) left as written. The page escapes the result as any text."""
    return html.unescape(_ESCAPED.sub(r"\1", str(text)))  # str: a lazy label


def render_markdown(text: str, link_resolver: LinkResolver | None = None) -> Rendered:
    """Render Markdown `text` to sanitised HTML and its h2–h3 table of contents.

    `link_resolver`, if given, is called with every relative link or image URL (no
    scheme, not starting with "/" or "#"; it may carry a "#fragment"); a string it
    returns replaces the URL, None leaves it as is. Safe to call from any thread.
    """
    busy = getattr(_thread, "busy", False)
    md = _new_parser() if busy else _parser()  # a render inside a render: its own
    links = md.treeprocessors["links"]
    links.resolve, _thread.busy = link_resolver, True
    try:
        body = md.reset().convert(nfc(text))
        toc = _toc(md.toc_tokens)
    finally:
        links.resolve, _thread.busy = None, busy
    return Rendered(html=sanitise(body), toc=toc)


_thread = threading.local()


def _parser() -> markdown.Markdown:
    """This thread's parser: Python-Markdown's instances are reused after `reset()`
    (building one costs three times a short render) but not shared by threads."""
    md = getattr(_thread, "parser", None)
    if md is None:
        md = _thread.parser = _new_parser()
    return md


def _new_parser() -> markdown.Markdown:
    md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    # After "unescape" (priority 0), so URLs hold their final characters.
    md.treeprocessors.register(_LinkRewriter(md), "links", -10)
    return md


def sanitise(fragment: str) -> str:
    """Clean an HTML fragment with the allow-lists above (nh3), every id prefixed."""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_own_names,
        id_prefix=ID_PREFIX,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def _own_names(tag: str, attribute: str, value: str) -> str | None:
    """Classes prefixed (admonitions' kept); a link to an anchor of this site
    ("#muc", "/modules/M3#muc") pointed at the prefixed id."""
    if attribute == "class":
        names = [
            name
            if name in OWN_CLASSES or name.startswith(CLASS_PREFIX)
            else CLASS_PREFIX + name
            for name in value.split()
        ]
        return " ".join(names) or None
    if tag == "a" and attribute == "href" and value.startswith(("#", "/")):
        path, hash_, fragment = value.partition("#")
        if hash_ and not fragment.startswith(ID_PREFIX):
            return f"{path}#{ID_PREFIX}{fragment}"
    return value


def is_relative_url(url: str) -> bool:
    """True for "03-x.md#muc" or "images/a.png"; False for "/a", "#a", "x:…", "//h"."""
    if not url or url.startswith(("/", "#")):
        return False
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


class _LinkRewriter(Treeprocessor):
    """Relative URLs through the render's `link_resolver` (`resolve`), if any."""

    resolve: LinkResolver | None = None

    def run(self, root: Element) -> None:
        if self.resolve is None:
            return
        for element in root.iter():
            attribute = _URL_ATTRIBUTE.get(element.tag)
            url = _plain_url(element.get(attribute) or "") if attribute else ""
            if is_relative_url(url):
                resolved = self.resolve(url)
                if resolved is not None:
                    element.set(attribute, resolved)


def _plain_url(value: str) -> str:
    # Automatic links hold entity-encoded characters behind a placeholder ampersand.
    return html.unescape(value.replace(markdown.util.AMP_SUBSTITUTE, "&"))


def _toc(tokens: list[dict]) -> list[TocEntry]:
    return [
        TocEntry(
            level=t["level"],
            anchor=ID_PREFIX + t["id"],
            title=html.unescape(t["name"]),
        )
        for t in _walk(tokens)
        if 2 <= t["level"] <= 3
    ]


def _walk(tokens: list[dict]) -> Iterator[dict]:
    for token in tokens:
        yield token
        yield from _walk(token.get("children", []))


# --- unsupported syntax ------------------------------------------------------------

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
_ADMONITION = re.compile(r"^\s*!!!\s*([\w-]*)")
_SETEXT_H1 = re.compile(r"^ {0,3}=+\s*$")
# Messages are lazy (lazy_gettext): read in the reader's language when shown,
# Vietnamese outside a request (`flask content check`).
_H1_MESSAGE = _l("không dùng tiêu đề cấp 1 (tiêu đề lấy từ front matter)")
_LINE_RULES: list[tuple[re.Pattern[str], object]] = [
    (
        re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<!(?:--|\[|[A-Za-z])"),
        _l("HTML thô không được phép (raw HTML)"),
    ),
    (re.compile(r"\[\^[^\]]*\]"), _l("chú thích cuối trang không được hỗ trợ")),
    (re.compile(r"^\s*\?\?\?"), _l("cú pháp ??? không được hỗ trợ")),
    (re.compile(r"^\s*#(?!#)"), _H1_MESSAGE),
    (re.compile(r"\{\{|\{%"), _l("cú pháp mẫu {{ }} không được hỗ trợ")),
    (re.compile(r"\[\[.*?\]\]"), _l("liên kết kiểu wiki không được hỗ trợ")),
]
_FENCE_MESSAGE = _l("khối mã không được hỗ trợ")
_ADMONITION_MESSAGE = _l("loại admonition không hợp lệ")
_SETEXT_MESSAGE = _H1_MESSAGE


def markdown_problems(text: str) -> list[tuple[int, str]]:
    """List (line, message) for syntax the platform does not support, in line order
    (each message lazy: str() reads it in the reader's language).

    Lines are 1-based in `text`. A fenced code block is reported once, at its
    opening line, and its content is not scanned; inline code spans are skipped.
    """
    problems = [(n, _FENCE_MESSAGE) for n, opening in _fences(text) if opening]
    previous = ""
    for number, line in prose_lines(text):
        problems += [(number, message) for message in _line_problems(line)]
        if _SETEXT_H1.match(line) and previous.strip():
            problems.append((number - 1, _SETEXT_MESSAGE))
        previous = line
    return sorted(problems, key=lambda problem: problem[0])


def prose_lines(text: str) -> Iterator[tuple[int, str]]:
    """Yield (1-based line number, line without inline code) outside code fences."""
    fenced = {n for n, _ in _fences(text)} | set(_fenced_lines(text))
    for number, line in enumerate(text.split("\n"), start=1):
        if number not in fenced:
            yield number, _CODE_SPAN.sub("", line.rstrip("\r"))


def _line_problems(line: str) -> list[str]:
    messages = [message for rule, message in _LINE_RULES if rule.search(line)]
    admonition = _ADMONITION.match(line)
    if admonition and admonition.group(1) not in ADMONITION_TYPES:
        messages.append(_ADMONITION_MESSAGE)
    return messages


def _fences(text: str) -> Iterator[tuple[int, bool]]:
    """Yield (line number, is_opening) for every fence line."""
    opening = ""
    for number, line in enumerate(text.split("\n"), start=1):
        fence = _FENCE.match(line)
        if not fence:
            continue
        marker = fence.group(1)
        if not opening:
            opening = marker
            yield number, True
        elif marker[0] == opening[0] and len(marker) >= len(opening):
            opening = ""
            yield number, False


def _fenced_lines(text: str) -> Iterator[int]:
    """Yield the numbers of the lines between an opening fence and its closing one."""
    fences = list(_fences(text))
    lines = text.count("\n") + 1
    for i, (start, is_opening) in enumerate(fences):
        if is_opening:
            end = fences[i + 1][0] if i + 1 < len(fences) else lines + 1
            yield from range(start + 1, end)
