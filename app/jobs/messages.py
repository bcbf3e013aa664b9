"""The runner's failure messages, and how a job's stored message is shown.

A job's message is stored on its row as text in the platform's default language
(BABEL_DEFAULT_LOCALE, Vietnamese): a job ends in a worker or a thread, with no
reader to speak to, and the row is read by commands and tests as well as pages. The
job's page shows it in the reader's language (`shown`): a stored message that is a
catalogue message word for word is translated, the runner's time limit read back
with its minutes; any other text is shown as stored.
"""

from flask import current_app
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l

BROKEN = _l("Việc gặp lỗi hệ thống và đã dừng; chưa có gì được ghi. Bấm “Thử lại”.")
LOST = _l(
    "Việc bị gián đoạn (tiến trình xử lý đã dừng đột ngột); chưa có gì được ghi. "
    "Bấm “Thử lại”."
)
NOT_HANDED = _l(
    "Không giao được việc cho máy xử lý (hàng đợi không trả lời); chưa có gì được "
    "ghi. Bấm “Thử lại” sau ít phút."
)


def too_long(minutes: int):
    """Why a job stopped at the time limit of `minutes` (a lazy message)."""
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
