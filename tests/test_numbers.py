"""Numbers in the page's language (app.numbers), the Vietnamese way on papers
(app.vntext's vn_…), whichever was asked first."""

import re

import pytest
from flask_babel import force_locale

from app import numbers
from app.vntext import format_number, format_percent, vn_number, vn_percent, vn_score


@pytest.mark.parametrize(
    ("locale", "number", "percent", "score"),
    [
        ("vi", "1.234,5", "75,0\u00a0%", "27,33"),
        ("en", "1,234.5", "75.0%", "27.33"),
    ],
)
def test_each_language_writes_its_own_way(locale, number, percent, score):
    from app.vntext import format_score

    assert format_number(1234.5, 1, locale=locale) == number
    assert format_percent(75, locale=locale) == percent
    assert format_score(27 + 1 / 3, locale=locale) == score
    assert format_percent(None, locale=locale) == "—"


def test_the_memo_keeps_the_languages_apart():
    """Memoised by value and language: an English number asked first does not come
    back on a Vietnamese paper, nor the other way round."""
    assert format_number(98765.4, 1, locale="en") == "98,765.4"
    assert vn_number(98765.4) == "98.765,4"
    assert vn_percent(12.5) == "12,5\u00a0%"
    assert format_percent(12.5, locale="en") == "12.5%"
    assert vn_percent(12.5) == "12,5\u00a0%"


def test_pages_follow_the_request_papers_stay_vietnamese(app):
    with app.test_request_context("/"), force_locale("en"):
        assert numbers.page_locale() == "en"
        assert numbers.number(1234.5) == "1,234.5"
        assert numbers.percent(75) == "75.0%"
        assert numbers.score(0.5) == "0.5"
        assert str(numbers.lazy_number(20000)) == "20,000"
        assert vn_number(1234.5) == "1.234,5" and vn_score(0.5) == "0,5"
        assert vn_percent(75) == "75,0\u00a0%"
    with app.test_request_context("/"):
        assert numbers.number(1234.5) == "1.234,5"
        assert numbers.percent(75) == "75,0\u00a0%"


def test_outside_a_request_numbers_are_vietnamese(app):
    """A job or a command (an app, no request), or no app at all: `vi`."""
    assert numbers.page_locale() == "vi" and numbers.number(1234.5) == "1.234,5"
    with app.app_context():
        assert numbers.page_locale() == "vi"
        assert numbers.percent(75) == "75,0\u00a0%"


def test_a_lazy_number_is_written_when_read(app):
    """A limit in a lazy message (an import refused) is written in the language
    it is read in, not the one it was made in."""
    from flask_babel import lazy_gettext as _l

    with app.test_request_context("/"):
        message = _l(
            "quá %(rows)s dòng; hãy chia tệp theo đơn vị",
            rows=numbers.lazy_number(100000),
        )
        assert str(message) == "quá 100.000 dòng; hãy chia tệp theo đơn vị"
        with force_locale("en"):
            assert str(message) == "more than 100,000 rows; split the file by unit"


def test_pages_use_the_page_filters():
    """A page (a template extending base.html) writes numbers in the reader's
    language: the vn_… filters are for the papers alone."""
    from pathlib import Path

    templates = Path(numbers.__file__).parent / "templates"
    wrong = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if '{% extends "base.html" %}' in (text := path.read_text(encoding="utf-8"))
        and any(f"|vn_{kind}" in text for kind in ("number", "percent", "score"))
    ]
    assert wrong == []


def test_papers_under_a_toolbar_are_rendered_in_vietnamese():
    """A page that shows an official paper (`<main class="sheet">`) under its
    translated toolbar renders the paper in_vietnamese: a macro it shares with
    the pages (the annual report's year table) writes Vietnamese there too."""
    from pathlib import Path

    templates = Path(numbers.__file__).parent / "templates"
    papers = {
        str(path.relative_to(templates)): text
        for path in templates.rglob("*.html")
        if '<main class="sheet">' in (text := path.read_text(encoding="utf-8"))
    }
    assert "reports/annual.html" in papers and len(papers) >= 3
    wrong = [
        name
        for name, text in papers.items()
        if '{% call in_vietnamese() %}\n<main class="sheet">' not in text
        or "</main>\n{% endcall %}" not in text
    ]
    assert wrong == []


# A "%" written after a `{{ … }}` (spaces between allowed, not a statement's "%}");
# `before` is what stands just before the expression on its line.
_PERCENT_AFTER = re.compile(r"(?P<before>[^\n{]*?)\{\{[^{}]*\}\}[ \t]*%(?!\})")
# Legitimate: a CSS or SVG length in percent (style="width: {{ x }}%" or
# width="{{ x }}%"), which no reader sees as text.
_LENGTH = re.compile(r"""\b(width|height|left|right|top|bottom|x|y)\s*[:=]\s*["']?$""")


def test_pages_write_percentages_with_the_percent_filter():
    """A page writes a percentage with the `percent` filter ("75,5 %" with its
    no-break space in Vietnamese, "75.5%" in English), never a number followed by
    a "%" of its own ("75,5%" on a Vietnamese page); nor with Flask-Babel's number
    filters, which the page filters (`number`, `percent`, `score`) replace."""
    from pathlib import Path

    templates = Path(numbers.__file__).parent / "templates"
    wrong = []
    for path in templates.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(templates))
        for match in _PERCENT_AFTER.finditer(text):
            if not _LENGTH.search(match["before"]):
                wrong.append(f"{name}: {match[0].strip()}")
        wrong += [
            f"{name}: |{kind}"
            for kind in ("numberformat", "decimalformat", "percentformat")
            if f"|{kind}" in text
        ]
    assert wrong == []


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("<td>{{ row.rate }}%</td>", True),
        ("({{ job.percent }} %)", True),
        ('<progress max="9">{{ info.percent or 0 }}%</progress>', True),
        ("<td>{{ row.rate|percent }}</td>", False),
        ('<div style="width: {{ x }}%"></div>', False),
        ('<rect width="{{ x }}%"/>', False),
        ("{% set d = {'a': {'b': 1}} %}", False),
    ],
)
def test_the_percent_guard_finds_a_bare_sign(line, found):
    """The guard above: a bare "%" after a number is found; a CSS width, the
    percent filter and a statement's closing "%}" are not."""
    hits = [m for m in _PERCENT_AFTER.finditer(line) if not _LENGTH.search(m["before"])]
    assert bool(hits) is found


def test_a_constant_is_written_in_each_readers_language(app):
    """Jinja works out a plain filter of a constant when it compiles a template:
    the page filters are worked out for each reader, "100 %" then "100%"."""
    template = app.jinja_env.from_string("{{ 100|percent(0) }} {{ 1234|number(0) }}")
    with app.test_request_context("/"):
        assert template.render() == "100\u00a0% 1.234"
    with app.test_request_context("/"), force_locale("en"):
        assert template.render() == "100% 1,234"
