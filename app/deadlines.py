"""The days a window has left, in the words pages and emails write them: "còn 3
ngày", and on its last day "hôm nay là ngày cuối" rather than "còn 0 ngày". The
count itself is timeutil.days_left (Vietnam's calendar days)."""

from flask_babel import gettext as _
from flask_babel import ngettext


def days_left_text(days: int) -> str:
    """`days` (timeutil.days_left) in the reader's language."""
    if days <= 0:
        return _("hôm nay là ngày cuối")
    return ngettext("còn %(num)d ngày", "còn %(num)d ngày", days)
