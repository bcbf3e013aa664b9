"""Numbers on pages, in the reader's language: "1.234,5" and "75,0 %" on a
Vietnamese page, "1,234.5" and "75.0%" on an English one. The page filters
(`number`, `score`, `percent`) and any text a page shows call these.

Official papers (certificates, the annual report, prize and reward lists, files for
Vietnamese offices) are Vietnamese whatever the reader's language: they call
app.vntext's `vn_number`, `vn_score` and `vn_percent` (the `vn_…` filters) instead,
and a page that shows a paper under its toolbar renders the paper inside
`{% call in_vietnamese() %}…{% endcall %}`, so that the macros it shares with the
pages (their `_()` texts and page filters) write Vietnamese there too.
"""

import functools

from flask_babel import force_locale, get_locale
from flask_babel.speaklater import LazyString
from jinja2 import pass_context

from app.vntext import format_number, format_percent, format_score

PAPER_LOCALE = "vi"  # official papers are Vietnamese whatever the screen's language


def page_locale() -> str:
    """The language numbers are written in now: the request's (or one forced by
    flask_babel.force_locale); the default language in a job or command, and `vi`
    with no application at all."""
    locale = get_locale()
    return str(locale) if locale is not None else "vi"


def number(value: float | None, places: int = 1, empty: str = "—") -> str:
    """`value` with `places` decimals in the page's language; `empty` for None."""
    return format_number(value, places, empty, page_locale())


def count(value: int) -> str:
    """A count in the page's language, for a message's count that can reach
    thousands: "30.000" / "30,000". ngettext still chooses the form by the integer:
    `ngettext("%(n)s dòng", "%(n)s dòng", rows, n=count(rows))` (not `num=`:
    Flask-Babel's ngettext takes `num` as its count and refuses it as a value). A
    lazy message takes `lazy_number(rows)` instead, written when read."""
    return number(value, 0)


def score(value: float | None, empty: str = "—") -> str:
    """A score or marks in the page's language: "27", "27,33" / "27.33"."""
    return format_score(value, empty, page_locale())


def percent(value: float | None, places: int = 1, empty: str = "—") -> str:
    """A percentage given out of 100 in the page's language: "75,0 %" / "75.0%"."""
    return format_percent(value, places, empty, page_locale())


def page_filter(function):
    """`function` as a template filter worked out when the page is rendered, in its
    reader's language. Jinja works a plain filter of a constant out once, when it
    compiles the template ("{{ 100|percent(0) }}" in the language of the first
    request), and keeps that text for every later reader; a filter that takes the
    context (unused here) is never worked out in advance."""

    @pass_context
    @functools.wraps(function)
    def page_function(context, value, *args, **kwargs):
        return function(value, *args, **kwargs)

    return page_function


def in_vietnamese(caller) -> str:
    """What the template's `{% call in_vietnamese() %}` block renders, in
    Vietnamese — its texts and numbers — whatever the reader's language: the
    official paper of a page whose toolbar stays in the reader's language."""
    with force_locale(PAPER_LOCALE):
        return caller()


class LazyNumber(LazyString):
    """`number(value, places)` written when read, in the reader's language; its
    value and places public, as a lazy message's parts are (app/jobs/messages.py
    keeps it as a number, not as the text of the language it was raised in)."""

    def __init__(self, value: float, places: int = 0):
        self.value, self.places = value, places

    def __str__(self) -> str:
        return number(self.value, self.places)


def lazy_number(value: float, places: int = 0) -> LazyNumber:
    """`number(value, places)` written when read, in the reader's language: for
    the values of a lazy message (a limit in an import's refusal)."""
    return LazyNumber(value, places)
