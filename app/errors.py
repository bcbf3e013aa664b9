"""Domain errors raised by services, the handlers that turn them into pages, and
the lazy messages they (and forms, loaders, jobs) are made of."""

from http import HTTPStatus

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel.speaklater import LazyString
from flask_wtf.csrf import CSRFError


class LazyMessage(LazyString):
    """A message of the catalogue with its values, read in the reader's language
    each time it is shown (Flask-Babel's gettext, or ngettext for a count).

    Flask-Babel's own lazy strings keep their entry and values private; these say
    them publicly — `msgid`, `plural` and `num` (a count's), `values` — so that a
    message can be kept as its parts and read again in another language
    (app/jobs/messages.py). Made by `lazy_gettext` and `lazy_ngettext` below,
    imported as `_l` and `_nl`, the keywords pybabel extracts.
    """

    def __init__(
        self,
        msgid: str,
        values: dict,
        plural: str | None = None,
        num: int | None = None,
    ):
        self.msgid, self.values, self.plural, self.num = msgid, values, plural, num

    def __str__(self) -> str:
        if self.plural is None:
            return _(self.msgid, **self.values)
        return ngettext(self.msgid, self.plural, self.num, **self.values)


def lazy_gettext(msgid: str, /, **values) -> LazyMessage:
    """`msgid` with its named `values`, read when shown (as flask_babel's)."""
    return LazyMessage(msgid, values)


def lazy_ngettext(singular: str, plural: str, num: int, /, **values) -> LazyMessage:
    """The form of `num` (singular or plural), read when shown (as flask_babel's)."""
    return LazyMessage(singular, values, plural, num)


_l = lazy_gettext

SHOWN_CHARS = 200  # of a value a message echoes (a cell may hold 131,072)


def excerpt(value: str, limit: int = SHOWN_CHARS) -> str:
    """`value` as a message echoes it: whole when short, else its first `limit`
    characters and "…", so that a page of messages stays the size of its rows."""
    return value if len(value) <= limit else value[:limit] + "…"


class DomainError(Exception):
    """A rule of the domain refused the operation; `message` is shown to the user.

    The message may be a lazy string (`lazy_gettext` with named placeholders), so a
    service raises it without a request: `message` and str() render it in the
    reader's language when read (Vietnamese in a command, a job or a test without a
    request), and always as a plain str, which templates escape.
    """

    status = 400

    def __init__(self, message: "str | LazyString"):
        super().__init__(message)
        self._message = message

    @property
    def message(self) -> str:
        return str(self._message)

    def __str__(self) -> str:
        return self.message


class NotAllowed(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class Stale(Conflict):
    """A save over a change saved since the page was opened (another tab, another
    trainer, a file sync): refused once; the page takes the current fingerprint as
    its new base, so that saving again overwrites."""


class QuizClosed(DomainError):
    """The quiz is outside its window."""

    status = 403


class TimeExpired(DomainError):
    """A save or submit came after the attempt's deadline (and grace)."""

    status = 409


class InvalidInput(DomainError):
    status = 400


class ImportRejected(DomainError):
    """An import found problems; nothing was written. `problems` are located messages."""

    status = 400

    def __init__(self, message: "str | LazyString", problems: list):
        super().__init__(message)
        self._problems = list(problems)

    @property
    def problems(self) -> list[str]:
        return [str(problem) for problem in self._problems]


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(CSRFError, _csrf_error)
    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, _http_error)


def _render(status: int, title: str, message: str):
    return render_template(
        "errors.html", status=status, title=title, message=message
    ), status


def _domain_error(error: DomainError):
    return _render(error.status, _("Không thực hiện được"), error.message)


def _csrf_error(error: CSRFError):
    return _render(
        400,
        _("Phiên làm việc đã hết hạn"),
        _("Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang và thử lại."),
    )


_TITLES = {
    400: (_l("Yêu cầu không hợp lệ"), _l("Yêu cầu không hợp lệ.")),
    403: (
        _l("Không có quyền truy cập"),
        _l("Bạn không có quyền thực hiện thao tác này."),
    ),
    404: (_l("Không tìm thấy"), _l("Trang hoặc dữ liệu bạn tìm không tồn tại.")),
    405: (_l("Không hỗ trợ"), _l("Phương thức này không được hỗ trợ.")),
    413: (
        _l("Yêu cầu quá lớn"),
        _l("Dữ liệu gửi lên quá lớn. Tệp tải lên cần nhỏ hơn giới hạn của trang."),
    ),
    429: (
        _l("Quá nhiều yêu cầu"),
        _l("Bạn đã thử quá nhiều lần. Vui lòng đợi một lát rồi thử lại."),
    ),
    500: (_l("Lỗi hệ thống"), _l("Đã có lỗi xảy ra. Vui lòng thử lại sau.")),
}


API_PREFIX = "/api/"


def api_error(status: int, message: str, headers=None):
    """The JSON API's error response: {"error": {"code": "not_found", "message": …}}
    (the code is the HTTP status's name in snake case)."""
    try:
        code = HTTPStatus(status).name.lower()
    except ValueError:
        code = "error"
    response = jsonify(error={"code": code, "message": str(message)})
    response.status_code = status
    for name, value in headers or ():
        if name.lower() != "content-type":
            response.headers[name] = value
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="vhcv"'
    return response


def _http_error(error):
    status = getattr(error, "code", 500) or 500
    title, message = _TITLES.get(status, _TITLES[500])
    if request.path.startswith(API_PREFIX):  # errors outside the API's views too
        headers = error.get_headers() if hasattr(error, "get_headers") else None
        return api_error(status, str(message), headers)
    # A 429's Retry-After (the sign-in's guesses, app/accounts/guesses.py) is kept.
    kept = [
        (name, value)
        for name, value in (
            error.get_headers() if hasattr(error, "get_headers") else ()
        )
        if name == "Retry-After"
    ]
    if request.accept_mimetypes.best == "application/json":
        return {"error": str(message)}, status, kept
    return *_render(status, str(title), str(message)), kept


def join_parts(separator: str, parts: list) -> str:
    """`parts` (lazy messages or str) read now and joined (lazy_join's reading)."""
    return separator.join(str(part) for part in parts)


class LazyJoin(LazyString):
    """`parts` (lazy messages or str) joined by `separator` when read, in the
    reader's language; both public, as a LazyMessage's parts are."""

    def __init__(self, parts: list, separator: str = " "):
        self.parts, self.separator = list(parts), separator

    def __str__(self) -> str:
        return join_parts(self.separator, self.parts)


def lazy_join(parts: list, separator: str = " ") -> LazyJoin:
    """`parts` (lazy messages or str) joined when read, in the reader's language."""
    return LazyJoin(parts, separator)
