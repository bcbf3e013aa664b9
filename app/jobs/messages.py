"""The runner's failure messages, and how a job's stored message is shown.

A job's message is stored on its row as text in the platform's default language
(BABEL_DEFAULT_LOCALE, Vietnamese): a job ends in a worker or a thread, with no
reader to speak to, and the row is read by commands and tests as well as pages. The
job's page shows it in the reader's language (`shown`): a stored message that is a
catalogue message word for word is translated, the runner's time limit read back
with its minutes; any other text is shown as stored.

A message made of catalogue entries with values (a lazy message: a count, a
campaign's code, a nested message) cannot be found again from its text, so it is
also kept as its parts (`parts`: the entries and the values, JSON), from which the
page renders it in the reader's language (`outcome`). A job's title is kept the
same way, and shown by the same function (`title`).
"""

import flask_babel
from flask import current_app
from flask_babel import force_locale, gettext, ngettext
from flask_babel.speaklater import LazyString

from app.errors import DomainError, LazyJoin, LazyMessage, join_parts
from app.errors import lazy_gettext as _l
from app.numbers import LazyNumber, number, percent

from .models import TITLE_LENGTH
from .tasks import KEEPS_DONE

BROKEN = _l("Việc gặp lỗi hệ thống và đã dừng; chưa có gì được ghi. Bấm “Thử lại”.")
LOST = _l(
    "Việc bị gián đoạn (tiến trình xử lý đã dừng đột ngột); chưa có gì được ghi. "
    "Bấm “Thử lại”."
)
NOT_HANDED = _l(
    "Không giao được việc cho máy xử lý (hàng đợi không trả lời); chưa có gì được "
    "ghi. Bấm “Thử lại” sau ít phút."
)


# The same, for a job of a task that keeps what it has done (tasks.KEEPS_DONE).
BROKEN_KEPT = _l(
    "Việc gặp lỗi hệ thống và đã dừng; phần đã làm xong (như các thư đã gửi) vẫn "
    "được giữ. Bấm “Thử lại” để làm tiếp phần còn lại, không lặp lại phần đã xong."
)
LOST_KEPT = _l(
    "Việc bị gián đoạn (tiến trình xử lý đã dừng đột ngột); phần đã làm xong (như "
    "các thư đã gửi) vẫn được giữ. Bấm “Thử lại” để làm tiếp phần còn lại, không "
    "lặp lại phần đã xong."
)


def broken(kind: str | None):
    """Why a job of `kind` stopped on an error of the system: nothing written, or,
    for a task that keeps what it has done, that part kept."""
    return BROKEN_KEPT if kind in KEEPS_DONE else BROKEN


def lost(kind: str | None):
    """Why a job of `kind` stopped when its process died (as `broken`)."""
    return LOST_KEPT if kind in KEEPS_DONE else LOST


def too_long(minutes: int, kind: str | None = None):
    """Why a job of `kind` stopped at the time limit of `minutes` (as `broken`)."""
    if kind in KEEPS_DONE:
        return _l(
            "Việc chạy quá thời gian cho phép (%(minutes)s phút) nên đã bị dừng; phần "
            "đã làm xong (như các thư đã gửi) vẫn được giữ. Bấm “Thử lại” để làm "
            "tiếp phần còn lại.",
            minutes=minutes,
        )
    return _l(
        "Việc chạy quá thời gian cho phép (%(minutes)s phút) nên đã bị dừng; chưa có "
        "gì được ghi. Bấm “Thử lại” lúc máy chủ vắng hơn, hoặc chia nhỏ (theo đơn vị).",
        minutes=minutes,
    )


def stored(message) -> str:
    """`message` (a lazy message, a DomainError or text) as the job row keeps it:
    in the default language, even when the job fails during a page's request."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return str(message)


def shown(message: str | None) -> str | None:
    """The stored `message` in the reader's language, where it is known."""
    if not message:
        return message
    limit = too_long(current_app.config["JOBS_TIMEOUT_SECONDS"] // 60)
    if message == stored(limit):
        return str(limit)
    return gettext(message)  # a catalogue message as it stands, else itself


# The functions that render a message's parts again, by a short name
# ("u": a number, app.numbers.lazy_number, written in the reader's language).
_RENDER = {
    "g": flask_babel.gettext,
    "n": flask_babel.ngettext,
    "j": join_parts,
    "u": number,
}


def parts(message) -> dict | None:
    """`message` (a lazy message, a DomainError or text) as its catalogue entries
    and values, to be rendered again in another language; None for plain text."""
    if isinstance(message, DomainError):
        message = message.args[0]  # as raised: lazy, when it was
    if isinstance(message, LazyJoin):
        return {"f": "j", "a": [message.separator, _value(message.parts)], "k": {}}
    if isinstance(message, LazyNumber):
        return {"f": "u", "a": [message.value, message.places], "k": {}}
    if not isinstance(message, LazyMessage):
        return None
    values = {key: _value(value) for key, value in message.values.items()}
    if message.plural is None:
        return {"f": "g", "a": [message.msgid], "k": values}
    return {"f": "n", "a": [message.msgid, message.plural, message.num], "k": values}


def _value(value):
    if isinstance(value, LazyString):  # the project's, or another library's
        return parts(value) or {"s": stored(value)}
    if isinstance(value, list | tuple):
        return [_value(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return {"s": stored(value)}


def render(kept):
    """The message of `parts` (or a value of it) in the reader's language."""
    if isinstance(kept, list):
        return [render(item) for item in kept]
    if not isinstance(kept, dict):
        return kept
    text = kept.get("s")  # a value kept as text (not inside gettext's call:
    if text is not None:  # pybabel would extract the key as a message)
        return gettext(text)
    args = [render(value) for value in kept["a"]]
    kwargs = {key: render(value) for key, value in kept["k"].items()}
    return _RENDER[kept["f"]](*args, **kwargs)


def in_readers_language(
    text: str | None, kept: dict | None, cut: int | None = None
) -> str | None:
    """A job's stored `text` (its title or message) in the reader's language: from
    its parts `kept` when they are that text's (a server of the previous version,
    during a rollout, writes the text and leaves the parts of an earlier run),
    else as `shown`. `cut`: the length the text was cut to when stored."""
    if kept:
        try:
            with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
                same = str(render(kept))[:cut] == text
            if same:
                return render(kept)
        except (KeyError, TypeError, ValueError):  # parts of another version
            pass
    return shown(text)


def outcome(job) -> str | None:
    """How the job ended (its message), in the reader's language."""
    return in_readers_language(job.message, job.message_parts)


def title(job) -> str:
    """What the job is, in the reader's language."""
    return in_readers_language(job.title, job.title_parts, TITLE_LENGTH)


def progress_texts(job) -> tuple[str, str | None]:
    """How far `job` got as its page writes it, in the reader's language: the
    percentage ("50 %", the <progress> element's text) and "20 / 40 (50 %)" (None
    while its total is not known). The page and its status JSON, which the
    page's script writes in, both say these."""
    count = None
    if job.total:
        done, total = number(job.done, 0), number(job.total, 0)
        count = f"{done} / {total} ({percent(job.percent, 0)})"
    return percent(job.percent or 0, 0), count


def lifetime(seconds: int) -> str:
    """How long a result is kept, in the reader's language: "2 giờ 30 phút",
    "45 phút" (minutes under an hour, at least one), "1 hour"."""
    hours, minutes = seconds // 3600, seconds % 3600 // 60
    said = [ngettext("%(num)d giờ", "%(num)d giờ", hours)] if hours else []
    if minutes or not hours:
        said.append(ngettext("%(num)d phút", "%(num)d phút", max(1, minutes)))
    return " ".join(said)
