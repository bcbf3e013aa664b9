"""Which campaign a quiz serves now. A later campaign may reuse last year's quiz
once the campaign holding it has closed (refuse_running_holder: never while it
runs or is still to open, or it would take the quiz from under it): creating it
gives the quiz its window, drops the earlier unit windows and sets the modules to
read (services.create_campaign), so the campaign whose window the quiz has holds
them (as services.window_of reads it), else the one that opens last. An earlier
campaign of the same quiz may still be edited, closed or brought up to date, but
only its own columns: never the quiz its successor now runs.

A database written before that rule held may have two campaigns of one quiz not
yet closed: the quiz then still serves one (holder: the one whose window it has),
a new campaign on the quiz waits until every one of them has closed, and
`running_conflicts` (`flask campaigns check`) names the others so that an
administrator closes them."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import false, func, not_, select, true

from app.accounts.models import Unit
from app.errors import Conflict
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.quizzes import services as quizzes
from app.quizzes.models import Quiz, QuizWindow
from app.timeutil import format_vn_date, utcnow

from .models import Campaign


@dataclass
class HeldQuiz:
    """A campaign's quiz as its page reads it once (held_quiz) and passes it on:
    the quiz, the campaign it serves now (holder), whether that is the campaign
    (`holds`: is_holder) and then its units' own windows ([] when it is not)."""

    quiz: Quiz
    holder: Campaign | None
    holds: bool
    windows: list[QuizWindow]


def held_quiz(campaign: Campaign) -> HeldQuiz:
    """`campaign`'s quiz, its holder and its units' own windows, each read once."""
    quiz = quizzes.any_quiz(campaign.quiz_code)
    current = holder(campaign.quiz_code, quiz)
    holds = is_holder(campaign, current)
    return HeldQuiz(quiz, current, holds, quizzes.unit_windows(quiz) if holds else [])


def holder(quiz_code: str, quiz: Quiz | None = None) -> Campaign | None:
    """The campaign the quiz `quiz_code` serves now (None: no campaign uses it);
    `quiz`: that quiz, when the caller has read it."""
    found = list(
        db.session.scalars(
            select(Campaign)
            .where(Campaign.quiz_code == quiz_code)
            .order_by(Campaign.opens_at.desc(), Campaign.id.desc())
        )
    )
    if len(found) < 2:
        return found[0] if found else None
    quiz = quiz or quizzes.any_quiz(quiz_code)
    window = (quiz.opens_at, quiz.closes_at)
    return next((c for c in found if (c.opens_at, c.closes_at) == window), found[0])


def latest_created(quiz_codes: list[str]) -> dict[str, datetime]:
    """quiz code → when the latest campaign using it was created (a code no campaign
    uses left out), for all of `quiz_codes` in one statement: what the records
    answer app.signals.quiz_campaigns_asked with."""
    if not quiz_codes:
        return {}
    rows = db.session.execute(
        select(Campaign.quiz_code, func.max(Campaign.created_at))
        .where(Campaign.quiz_code.in_(quiz_codes))
        .group_by(Campaign.quiz_code)
    )
    return {code: created for code, created in rows}


def holds_its_quiz(campaign: Campaign) -> bool:
    """True unless another campaign runs `campaign`'s quiz now."""
    return is_holder(campaign, holder(campaign.quiz_code))


def is_holder(campaign: Campaign, current: Campaign | None) -> bool:
    """holds_its_quiz, the quiz's holder read already (`current`: holder()'s)."""
    return current is None or current.id == campaign.id


def own_window(campaign: Campaign) -> quizzes.Window:
    """The campaign's own window, its units' own ones aside (last_close)."""
    return quizzes.Window(campaign.opens_at, campaign.closes_at)


def last_close(campaign: Campaign, held: HeldQuiz | None = None) -> datetime:
    """When `campaign` has closed for every unit: its window's close, or a later
    close of a unit's own window of its quiz while it holds the quiz (`held`:
    held_quiz(campaign), when the caller has it)."""
    held = held or held_quiz(campaign)  # its windows: [] when it does not hold
    return max([campaign.closes_at, *(row.closes_at for row in held.windows)])


def not_closed(campaigns: list[Campaign], now: datetime) -> list[Campaign]:
    """Those of `campaigns` whose last close (last_close: a unit's own window
    included) is still ahead at `now`, in their order. last_close is read only for
    a campaign closed itself whose quiz has a unit window closing later (one query
    finds those quizzes), not once per campaign."""
    later = set(
        db.session.scalars(
            select(Quiz.code)
            .join(QuizWindow, QuizWindow.quiz_id == Quiz.id)
            .where(not_(quizzes.window_closed_sql(QuizWindow.closes_at, now)))
        )
    )
    return [
        c
        for c in campaigns
        if not own_window(c).has_closed(now)  # last_close is never earlier
        or (c.quiz_code in later and last_close(c) > now)
    ]


def running_for_unit(campaigns: list[Campaign], unit, now: datetime) -> list[Campaign]:
    """Those of the running `campaigns` (not_closed) the cadres of `unit` take part
    in: a campaign closed itself, running on for a unit whose own window closes
    later, runs on only for that unit's cadres (the window of `unit` still open or
    to open), never for a cadre elsewhere."""
    return [
        c
        for c in campaigns
        if not own_window(c).has_closed(now)
        or not quizzes.window_of_unit(quizzes.any_quiz(c.quiz_code), unit).has_closed(
            now
        )
    ]


def running_for_unit_sql(campaign: Campaign, now: datetime):
    """running_for_unit as an SQL condition on Unit, for a query picking the cadres
    `campaign` runs for at `now` (a campaign that has closed for every unit runs
    for none): all while its own window has not closed; after, while it holds its
    quiz, those of the units whose window (window_of_unit) has not closed."""
    if not own_window(campaign).has_closed(now):
        return true()
    if not holds_its_quiz(campaign):  # the quiz's windows are a later campaign's
        return false()
    quiz = quizzes.any_quiz(campaign.quiz_code)
    return not_(quizzes.window_of_unit_closed_sql(quiz, Unit.path, now))


def unclosed(quiz_code: str, now: datetime | None = None) -> list[Campaign]:
    """The campaigns of the quiz `quiz_code` that have not closed at `now` (last
    close still ahead: open, or still to open), the holder first, then by opening.
    At most one, unless the database was written before one campaign at a time was
    the rule. The quiz, its holder and the holder's unit windows are read once."""
    now = now or utcnow()
    quiz = quizzes.any_quiz(quiz_code)
    current = holder(quiz_code, quiz)
    found = db.session.scalars(
        select(Campaign)
        .where(Campaign.quiz_code == quiz_code)
        .order_by(Campaign.opens_at, Campaign.id)
    )
    held = HeldQuiz(quiz, current, True, quizzes.unit_windows(quiz))
    other = HeldQuiz(quiz, current, False, [])  # a campaign not holding the quiz
    running = [c for c in found if last_close(c, held if c is current else other) > now]
    return sorted(running, key=lambda c: c is not current)


@dataclass
class HolderConflictRow:
    """A quiz with campaigns not yet closed besides the one holding it."""

    quiz_code: str
    holder: Campaign  # whose window the quiz has, closed or not
    others: list[Campaign]  # not closed, not holding the quiz: to be closed


def running_conflicts(now: datetime | None = None) -> list[HolderConflictRow]:
    """Every quiz, by code, with a campaign not yet closed that does not hold it
    (a database written before one campaign at a time was the rule): its cadres
    can take the quiz only in the holder's window."""
    codes = db.session.scalars(
        select(Campaign.quiz_code)
        .group_by(Campaign.quiz_code)
        .having(func.count(Campaign.id) > 1)
        .order_by(Campaign.quiz_code)
    )
    rows = []
    for code in codes:
        current = holder(code)
        others = [c for c in unclosed(code, now) if c.id != current.id]
        if others:
            rows.append(HolderConflictRow(code, current, others))
    return rows


def refuse_running_holder(quiz_code: str, now: datetime | None = None) -> None:
    """Conflict when a campaign of the quiz `quiz_code` has not closed yet — the one
    holding it (its window, or a unit's own, open or still to open), or in a
    database written before this rule another one (unclosed): a new campaign on
    the quiz would take its window, unit windows and attempts from it. Once they
    have closed, the quiz may be reused (next year's campaign on last year's quiz).
    The quiz's row is locked first: two campaigns created at once on a free quiz
    would each find no running holder (PostgreSQL; SQLite's writers wait anyway);
    and read again, its window the one the holder is known by."""
    locked = select(Quiz).where(Quiz.code == quiz_code).with_for_update()
    db.session.scalars(locked.execution_options(populate_existing=True)).all()
    running = unclosed(quiz_code, now)
    if not running:
        return
    current = running[0]
    raise Conflict(
        _l(
            "Bài kiểm tra “%(quiz)s” đang được dùng cho đợt “%(title)s” (%(code)s), "
            "đến %(closes)s mới kết thúc. Hãy chọn bài kiểm tra khác (ví dụ một bản "
            "sao của bài với mã riêng), hoặc tạo đợt này sau khi đợt %(code)s đã "
            "kết thúc.",
            quiz=quiz_code,
            title=current.title,
            code=current.code,
            closes=format_vn_date(last_close(current), with_time=True),
        )
    )
