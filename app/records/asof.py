"""The choice of a report as of a day, for every report (app.reports: the
dashboard, the annual report, the ranking, the exports; app.rewards: the reward
candidates): `?as_of=YYYY-MM-DD&attribution=at_time|rolled_up` (and the CLI's
--as-of/--attribution), the statement each report prints of it, and a record's unit
at the time. The rules of the tree of a day and of successors: app.accounts.rollup.

- `at_time` (the default): each record counts for the unit it was earned in, shown
  where that unit sat on the day (a unit ended by then sits where it was last);
- `rolled_up`: each record counts for that unit's successor alive on the day
  (today by default: "An Giang" including former Kiên Giang).

Every report states its day and its choice (`AsOf.statement`); nothing is rewritten
silently.
"""

from dataclasses import dataclass
from datetime import date

import click
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.accounts.days import check_day
from app.accounts.models import Assignment
from app.accounts.rollup import AT_TIME, ATTRIBUTIONS, ROLLED_UP, today
from app.errors import DomainError, InvalidInput
from app.errors import lazy_gettext as _l
from app.timeutil import to_vn

from .models import TrainingRecord

STATEMENTS = {
    AT_TIME: "Số liệu tại ngày {day}; ghi nhận theo đơn vị tại thời điểm hoàn thành.",
    ROLLED_UP: "Số liệu tại ngày {day}; cộng dồn vào đơn vị kế thừa tại ngày đó.",
}
# Said after the statement of a past day: the day decides the structure, names and
# attribution; each record's state (completed, passed, score) is its state now; a
# cadre whose recorded history begins after the day (joined since, or entered in the
# platform since with no earlier history) counts in its unit now (at_time_unit).
STATE_NOW = (
    "Tình trạng hoàn thành và kết quả của từng người tính đến lúc lập báo cáo; "
    "người chưa có quá trình công tác ghi nhận tại ngày đó được tính theo đơn vị "
    "hiện nay."
)
ATTRIBUTION_LABELS = {
    AT_TIME: _l("Theo đơn vị tại thời điểm hoàn thành"),
    ROLLED_UP: _l("Cộng dồn vào đơn vị kế thừa tại ngày báo cáo"),
}


@dataclass(frozen=True)
class AsOf:
    """The day a report is as of and how it attributes records."""

    day: date
    attribution: str = AT_TIME

    @property
    def is_today(self) -> bool:
        return self.day == today()

    @property
    def day_text(self) -> str:
        return self.day.strftime("%d/%m/%Y")

    @property
    def statement(self) -> str:
        """What the report says of itself, in Vietnamese whatever the screen
        language (it is printed on the official paper too)."""
        return STATEMENTS[self.attribution].format(day=self.day_text)

    @property
    def figures_statement(self) -> str:
        """The statement of figures counted from the records (the dashboard, the
        annual report, the reward candidates): of a past day, it also says that
        each record's state is its state now (exact for a campaign closed by that
        day)."""
        return self.statement if self.is_today else f"{self.statement} {STATE_NOW}"

    @property
    def screen_statement(self) -> str:
        """`figures_statement` in the reader's language, for the pages (the
        dashboard, the ranking); the paper and the files keep the Vietnamese."""
        day = self.day_text
        if self.attribution == ROLLED_UP:
            text = _(
                "Số liệu tại ngày %(day)s; cộng dồn vào đơn vị kế thừa tại ngày đó.",
                day=day,
            )
        else:
            text = _(
                "Số liệu tại ngày %(day)s; ghi nhận theo đơn vị tại thời điểm "
                "hoàn thành.",
                day=day,
            )
        if self.is_today:
            return text
        state_now = _(
            "Tình trạng hoàn thành và kết quả của từng người tính đến lúc lập báo "
            "cáo; người chưa có quá trình công tác ghi nhận tại ngày đó được tính "
            "theo đơn vị hiện nay."
        )
        return f"{text} {state_now}"

    @property
    def args(self) -> dict:
        """The query arguments that ask for this again (links keep the choice)."""
        return {"as_of": self.day.isoformat(), "attribution": self.attribution}


def parse_as_of(value: str | None, attribution: str | None) -> AsOf:
    """`as_of` (YYYY-MM-DD, default today) and `attribution` (default at_time);
    InvalidInput (400, a message) when either is not one of those."""
    day = today()
    if value not in (None, ""):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput(
                _l(
                    "Ngày “%(value)s” không hợp lệ: nhập theo dạng YYYY-MM-DD.",
                    value=value,
                )
            ) from None
        check_day(day)  # the bounds of every effective day (accounts.days)
    chosen = (attribution or AT_TIME).strip()
    if chosen not in ATTRIBUTIONS:
        raise InvalidInput(
            _l(
                "Cách ghi nhận “%(value)s” không hợp lệ: chọn “%(at_time)s” "
                "(at_time) hoặc “%(rolled_up)s” (rolled_up).",
                value=attribution,
                at_time=ATTRIBUTION_LABELS[AT_TIME],
                rolled_up=ATTRIBUTION_LABELS[ROLLED_UP],
            )
        )
    return AsOf(day, chosen)


def as_of_from(args) -> AsOf:
    """The choice a request's (or a job's) arguments `args` state: `as_of` and
    `attribution` (parse_as_of: InvalidInput, a 400 page, when bad)."""
    return parse_as_of(args.get("as_of"), args.get("attribution"))


# The command line's options of every report (`flask reports …`, `flask rewards …`).
AS_OF_OPTION = click.option(
    "--as-of",
    "as_of",
    help=_l("Số liệu tại ngày (YYYY-MM-DD); mặc định hôm nay."),
)
ATTRIBUTION_OPTION = click.option(
    "--attribution",
    type=click.Choice(list(ATTRIBUTIONS)),
    default=AT_TIME,
    show_default=True,
    help=_l(
        "at_time: theo đơn vị tại thời điểm hoàn thành; "
        "rolled_up: cộng dồn vào đơn vị kế thừa."
    ),
)


def cli_as_of(value: str | None, attribution: str) -> AsOf:
    """parse_as_of for a command: a bad day is a ClickException (its message)."""
    try:
        return parse_as_of(value, attribution)
    except DomainError as error:  # InvalidInput, or check_day's bounds
        raise click.ClickException(error.message) from None


def close_day(campaign, day: date) -> date:
    """The day a report of `day` takes a campaign's records at: its closing day,
    or `day` when that comes first."""
    return min(to_vn(campaign.closes_at).date(), day)


def at_time_unit(campaign, day: date):
    """SQL: a record's unit at the time (app.accounts.rollup's rules) for a report
    of `day`. A record not completed whose cadre has no assignment on the day
    counts in its unit now: its history may begin only when it was entered in the
    platform (its records of earlier years imported with it), which cannot be told
    from having joined since — as STATE_NOW says on every report of a past day."""
    record = TrainingRecord
    when = close_day(campaign, day)
    if when == today():
        # the unit now is the one (a later day may hold a move dated ahead)
        return func.coalesce(record.completed_unit_id, record.unit_id)
    assignment = select(Assignment.unit_id).where(
        Assignment.user_id == record.user_id, Assignment.valid_on(when)
    )
    return func.coalesce(
        record.completed_unit_id,
        assignment.order_by(Assignment.valid_from.desc()).limit(1).scalar_subquery(),
        record.unit_id,
    )


__all__ = [
    "AT_TIME",
    "ATTRIBUTIONS",
    "ATTRIBUTION_LABELS",
    "ROLLED_UP",
    "AS_OF_OPTION",
    "ATTRIBUTION_OPTION",
    "AsOf",
    "as_of_from",
    "at_time_unit",
    "cli_as_of",
    "close_day",
    "parse_as_of",
]
