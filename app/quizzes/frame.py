"""The attempt page, rendered once per shape and filled per request.

A cadre's quiz page is the page everyone else taking the quiz sees, but for a few
values: the quiz title, the cadre's name, the clock, the attempt's addresses and
tokens, and the questions and navigator (presenters fills those from stencils).
Rendering quizzes/attempt.html through Jinja for each reload cost a third of the
page, so it is rendered once per language, set of roles (the site navigation) and
page shape (preview or not, which page of how many, how many questions), with a
marker (`presenters.Stencil`) in place of each of those values, and kept as a
%-format string per process. A request escapes its values and fills them in.

While a flashed message waits to be shown, the page is rendered as usual: the
messages are the one part of the layout that is neither fixed nor a marker (and
so is any request but a GET). tests/quizzes/test_attempt_pages.py renders both
ways and compares them.
"""

import threading
from dataclasses import dataclass
from types import SimpleNamespace

from flask import current_app, render_template, request, session, url_for
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

from .presenters import AttemptPageInfo, Stencil, navigator_html, question_html

TEMPLATE = "quizzes/attempt.html"
MAX_FRAMES = 256  # shapes kept per process (first in, first out)
_frames_lock = threading.Lock()


@dataclass(frozen=True)
class AttemptUrls:
    page: str
    status: str
    save: str
    autosave: str
    submit: str

    @classmethod
    def of(cls, attempt_id: int) -> "AttemptUrls":
        return cls(
            *(
                url_for(endpoint, attempt_id=attempt_id)
                for endpoint in (
                    "quizzes.attempt",
                    "quizzes.status",
                    "quizzes.save_page",
                    "quizzes.autosave",
                    "quizzes.submit",
                )
            )
        )


def render_attempt_page(info: AttemptPageInfo, token: str) -> str:
    """The HTML of the attempt page `info` describes; `token` proves its saves."""
    urls = AttemptUrls.of(info.attempt.id)
    if request.method != "GET" or session.get("_flashes"):
        return render_attempt_template(info, token, urls)
    frame = _frame(info)
    attempt = info.attempt
    return frame % {
        "TITLE": escape(attempt.title),
        "NAME": escape(current_user.full_name),
        "NEXT": escape(request.full_path),
        "CSRF": escape(generate_csrf()),
        "TOKEN": escape(token),
        "REMAINING": info.remaining_seconds,
        "TIMER": info.timer_text,
        "ANSWERED": info.answered,
        "DEADLINE": escape(info.deadline_text),
        "URL_STATUS": escape(urls.status),
        "URL_SAVE": escape(urls.save),
        "URL_AUTOSAVE": escape(urls.autosave),
        "URL_SUBMIT": escape(urls.submit),
        "NAVIGATOR": navigator_html(info, urls.page),
        "QUESTIONS": question_html(info.slots),
    }


def render_attempt_template(info: AttemptPageInfo, token: str, urls: AttemptUrls):
    """The same page through Jinja, every value in place."""
    return render_template(
        TEMPLATE,
        info=info,
        urls=urls,
        token=token,
        questions=question_html(info.slots),
        navigator=navigator_html(info, urls.page),
    )


def _frame(info: AttemptPageInfo) -> str:
    roles = frozenset(current_user.role_names)
    shape = (info.attempt.preview, info.page, info.pages, len(info.navigator))
    key = (str(get_locale()), roles, *shape)
    frames = current_app.extensions.setdefault("vhcv_attempt_frames", {})
    frame = frames.get(key)
    if frame is None:
        frame = Stencil(_render_with_markers(*shape)).format()
        with _frames_lock:
            if len(frames) >= MAX_FRAMES:
                del frames[next(iter(frames))]
            frames[key] = frame
    return frame


def _render_with_markers(preview: bool, page: int, pages: int, count: int) -> str:
    """The template rendered for this shape, each per-request value a marker."""
    m = Stencil.marker
    info = SimpleNamespace(
        attempt=SimpleNamespace(title=m("TITLE"), preview=preview),
        page=page,
        pages=pages,
        navigator=range(count),
        remaining_seconds=m("REMAINING"),
        timer_text=m("TIMER"),
        answered=m("ANSWERED"),
        deadline_text=m("DEADLINE"),
    )
    urls = SimpleNamespace(
        status=m("URL_STATUS"),
        save=m("URL_SAVE"),
        autosave=m("URL_AUTOSAVE"),
        submit=m("URL_SUBMIT"),
    )
    return render_template(
        TEMPLATE,
        info=info,
        urls=urls,
        token=m("TOKEN"),
        questions=m("QUESTIONS"),
        navigator=m("NAVIGATOR"),
        # Context values a render would take from this request:
        current_user=SimpleNamespace(is_authenticated=True, full_name=m("NAME")),
        request=SimpleNamespace(method="GET", full_path=m("NEXT")),
        csrf_token=lambda: m("CSRF"),
    )
