"""Effective days: Vietnam calendar days, parsed and bounded the one way."""

from datetime import date, timedelta

from app.errors import InvalidInput
from app.errors import lazy_gettext as _l
from app.timeutil import to_vn, utcnow

FIRST_DAY = date(1945, 9, 2)  # no unit of this state is older
DAYS_AHEAD = 2 * 366  # a decision is not dated further ahead than this


def vn_today() -> date:
    """Today's calendar day in Vietnam."""
    return to_vn(utcnow()).date()


def last_day(ended: date | None, now: date) -> date | None:
    """The last day a unit was there, when it has ended by `now`: `ended` is the
    valid_to of its last UnitVersion, the first day it is gone (a unit ended on
    1/7/2025 was there until 30/6/2025, its last day). None while it is there:
    never ended, or ending after `now` (a merger decided for a later day). The one
    rule of "the last day of a former unit" (the reports' access and scope,
    app.reports: Structure.last_day; the admin's page of an ended unit)."""
    if ended is None or ended > now:
        return None
    return ended - timedelta(days=1)


def format_day(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"  # 01/01/0001, not …/1


def day_range() -> tuple[date, date]:
    """The first and the last plausible effective day: from 2/9/1945 to two years
    ahead of today (the date inputs' min and max, the `day_range` of templates)."""
    return FIRST_DAY, vn_today() + timedelta(days=DAYS_AHEAD)


def check_day(day: date) -> date:
    """`day` when it is within `day_range`; InvalidInput otherwise."""
    first, last = day_range()
    if day < first or day > last:
        raise InvalidInput(
            _l(
                "Ngày %(day)s nằm ngoài khoảng cho phép (từ %(first)s đến %(last)s).",
                day=format_day(day),
                first=format_day(first),
                last=format_day(last),
            )
        )
    return day


def parse_day(text: str | None) -> date | None:
    """The day written as YYYY-MM-DD (or dd/mm/yyyy), checked by `check_day`; None
    for an empty text; InvalidInput for anything else."""
    text = (text or "").strip()
    if not text:
        return None
    day = None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        parts = text.split("/")
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            try:
                day = date(int(parts[2]), int(parts[1]), int(parts[0]))
            except ValueError:
                day = None
    if day is None:
        raise InvalidInput(
            _l(
                "Ngày “%(text)s” không hợp lệ; hãy nhập theo dạng YYYY-MM-DD "
                "(ví dụ 2025-07-01).",
                text=text[:40],
            )
        )
    return check_day(day)


def effective(day: date | None) -> date:
    """The effective day of a change: `day` checked, or today."""
    return vn_today() if day is None else check_day(day)
