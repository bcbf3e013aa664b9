"""HTTP downloads: a streamed body that keeps its request's context only while each
chunk is made, and the Content-Disposition header of an attachment."""

import contextvars
import re
from collections.abc import Callable, Iterator
from urllib.parse import quote

from flask import current_app, request

from app.vntext import fold


def stream_in_context(chunks: Callable[[], Iterator]) -> Iterator:
    """Like flask.stream_with_context, but the request's context (and with it a
    database session) lives in a private copy of the context variables, entered
    only while the next chunk is made. A download the client abandons, or a test
    that never reads it, leaves no Flask context pushed on the caller's side."""
    app, environ = current_app._get_current_object(), request.environ

    def produce() -> Iterator:
        with app.request_context(environ):
            yield from chunks()

    def relay() -> Iterator:
        private, inner = contextvars.copy_context(), produce()
        try:
            while True:
                try:
                    chunk = private.run(next, inner)
                except StopIteration:
                    return
                yield chunk
        finally:
            private.run(inner.close)

    return relay()


def content_disposition(filename: str) -> str:
    """An attachment header with an ASCII fallback and the UTF-8 name (RFC 6266)."""
    stem, dot, extension = filename.rpartition(".")
    ascii_stem = re.sub(r"[^a-z0-9_]+", "-", fold(stem or filename)).strip("-")
    fallback = f"{ascii_stem or 'export'}{dot}{extension if stem else ''}"
    return (
        f'attachment; filename="{fallback}"; '
        f"filename*=UTF-8''{quote(filename, safe='')}"
    )


# What Excel runs as a formula when a CSV cell starts with it (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: str) -> str:
    """`text` for a CSV cell that Excel shows as text: a leading ' where it would
    start a formula."""
    return f"'{text}" if text[:1] in FORMULA_STARTS else text
