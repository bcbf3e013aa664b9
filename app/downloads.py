"""HTTP downloads: a streamed body that keeps its request's context only while each
chunk is made, the Content-Disposition header of an attachment, the CSV separator
an officer chose (the same for every CSV of the app, remembered) and the one
writer of every CSV the app makes (csv_chunks)."""

import contextvars
import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
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


# CSV field separators offered: "," (the standard), ";" (what Excel expects under
# Vietnamese regional settings, where "," is the decimal mark). The choice is kept
# in a cookie (SEPARATOR_COOKIE), for every CSV download of the app, and goes with
# the job of a large export.
SEPARATORS = (",", ";")
SEPARATOR_COOKIE = "vhcv_csv_sep"
SEPARATOR_DAYS = 365


def separator(asked: str | None, remembered: str | None = None) -> str:
    """The separator asked for, else the remembered one, else ","."""
    for value in (asked, remembered):
        if value in SEPARATORS:
            return value
    return SEPARATORS[0]


def chosen_separator() -> str:
    """The request's separator: `?sep=`, else the remembered one, else ","."""
    return separator(request.args.get("sep"), request.cookies.get(SEPARATOR_COOKIE))


def remember_separator(response, sep: str):
    """Keep the separator for the next CSV (a year; HttpOnly, SameSite)."""
    response = current_app.make_response(response)
    response.set_cookie(
        SEPARATOR_COOKIE,
        sep,
        max_age=SEPARATOR_DAYS * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


def decimal(value: float | None, places: int, sep: str) -> str:
    """A number for a CSV cell: "" for None; a decimal comma when the fields are
    separated by ";" (Excel under Vietnamese settings reads "0,75" as a number)."""
    if value is None:
        return ""
    return decimal_mark(f"{value:.{places}f}", sep)


def decimal_mark(number: str, sep: str) -> str:
    """A number written with "." for a CSV whose fields `sep` separates: with a
    decimal comma under ";" (Excel with Vietnamese settings), as it is under ","."""
    return number.replace(".", ",") if sep == ";" else number


# What Excel runs as a formula when a CSV cell starts with it (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: str) -> str:
    """`text` for a CSV cell that Excel shows as text: a leading ' where it would
    start a formula."""
    return f"'{text}" if text[:1] in FORMULA_STARTS else text


BOM = "\ufeff"  # so that Excel reads the file as UTF-8 (Vietnamese)


def csv_chunks(
    header: Iterable, rows: Iterable[Iterable], sep: str = ",", every: int = 500
) -> Iterator[str]:
    """A CSV file for Excel in chunks: the BOM and `header` first, then `rows`
    (their cells already made safe with csv_cell where they hold text), `every`
    rows to a chunk; fields separated by `sep` ("," or ";", else ",")."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator(sep))
    buffer.write(BOM)
    writer.writerow(header)
    for count, row in enumerate(rows, 1):
        writer.writerow(row)
        if count % every == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
