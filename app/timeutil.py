"""The one clock, and the UTC-aware column type every timestamp uses."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.types import DateTime, TypeDecorator

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def to_vn(moment: datetime) -> datetime:
    """Return `moment` (aware, or naive meaning UTC) in Vietnam time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VN_TZ)


def vn_day_start(day: date) -> datetime:
    """Midnight at the start of `day` in Vietnam time (aware)."""
    return datetime.combine(day, time.min, VN_TZ)


def vn_day_end(day: date) -> datetime:
    """The last second of `day` in Vietnam time: a window runs through its end date."""
    return vn_day_start(day) + timedelta(days=1, seconds=-1)


def last_day(closes_at: datetime) -> date:
    """The last Vietnam calendar day of a window closing at `closes_at`: its
    day, or the day before when it closes at midnight (00:00 on the 9th ends the
    8th, its last day)."""
    return to_vn(closes_at - timedelta(microseconds=1)).date()


def days_left(closes_at: datetime, now: datetime) -> int:
    """The days a window closing at `closes_at` has left at `now`, counted in
    Vietnam's calendar days, not 24-hour blocks: one closing at 23:59 on the 31st
    (or at 00:00 on the 1st) has 7 left all day on the 24th and 0 on the 31st, its
    last day (and after)."""
    return max(0, (last_day(closes_at) - to_vn(now).date()).days)


def paper_dated(place: str, day: date) -> str:
    """A paper's place and date, "An Giang, ngày 05 tháng 02 năm 2026"
    (Nghị định 30/2020/NĐ-CP, Phụ lục I: a leading zero for the days below 10 and
    for the months 1 and 2: "ngày 01 tháng 3"); without a place, "Ngày …"."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    dated = f"ngày {day.day:02d} tháng {month} năm {day.year}"
    return f"{place}, {dated}" if place else dated.capitalize()


def from_vn_local(moment: datetime, shown: datetime | None = None) -> datetime:
    """A naive wall-clock time read in Vietnam (a form's datetime-local), as aware.
    `shown`: the moment the form showed, to the minute — sent back unchanged, it
    is kept as it was, its seconds with it (a close at 23:59:59 stays so when
    only a campaign's title is edited)."""
    aware = moment.replace(tzinfo=VN_TZ)
    if shown is not None and to_vn(shown).replace(second=0, microsecond=0) == aware:
        return shown
    return aware


def format_vn_date(moment: datetime | None, with_time: bool = False) -> str:
    """dd/mm/yyyy (and HH:MM) in Vietnam time; empty for None."""
    if moment is None:
        return ""
    local = to_vn(moment)
    return local.strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")


class UTCDateTime(TypeDecorator):
    """Stores UTC (naive on SQLite) and always returns aware UTC datetimes."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def duration(seconds: float | None) -> str:
    """mm:ss (minutes past 59 keep counting: 75:03); whole seconds, rounded down."""
    if seconds is None:
        return ""
    whole = max(0, int(seconds))
    return f"{whole // 60:02d}:{whole % 60:02d}"
