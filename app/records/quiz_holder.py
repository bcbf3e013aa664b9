"""Which campaign a quiz serves now. A later campaign may reuse last year's quiz
once the campaign holding it has closed (refuse_running_holder: never while it
runs or is still to open, or it would take the quiz from under it): creating it
gives the quiz its window, drops the earlier unit windows and sets the modules to
read (services.create_campaign), so the campaign whose window the quiz has holds
them (as services.window_of reads it), else the one that opens last. An earlier
campaign of the same quiz may still be edited, closed or brought up to date, but
only its own columns: never the quiz its successor now runs."""

from datetime import datetime

from sqlalchemy import select

from app.errors import Conflict
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.quizzes import services as quizzes
from app.quizzes.models import Quiz
from app.timeutil import format_vn_date, utcnow

from .models import Campaign


def holder(quiz_code: str) -> Campaign | None:
    """The campaign the quiz `quiz_code` serves now (None: no campaign uses it)."""
    found = list(
        db.session.scalars(
            select(Campaign)
            .where(Campaign.quiz_code == quiz_code)
            .order_by(Campaign.opens_at.desc(), Campaign.id.desc())
        )
    )
    if len(found) < 2:
        return found[0] if found else None
    quiz = quizzes.get_quiz(quiz_code)
    window = (quiz.opens_at, quiz.closes_at)
    return next((c for c in found if (c.opens_at, c.closes_at) == window), found[0])


def holds_its_quiz(campaign: Campaign) -> bool:
    """True unless another campaign runs `campaign`'s quiz now."""
    current = holder(campaign.quiz_code)
    return current is None or current.id == campaign.id


def last_close(campaign: Campaign) -> datetime:
    """When `campaign` has closed for every unit: its window's close, or a later
    close of a unit's own window of its quiz while it holds the quiz."""
    closes = [campaign.closes_at]
    if holds_its_quiz(campaign):
        quiz = quizzes.get_quiz(campaign.quiz_code)
        closes += [row.closes_at for row in quizzes.unit_windows(quiz)]
    return max(closes)


def refuse_running_holder(quiz_code: str, now: datetime | None = None) -> None:
    """Conflict when the campaign holding the quiz `quiz_code` has not closed yet
    (its window, or a unit's own, open or still to open): a new campaign on the
    quiz would take its window, unit windows and attempts from it. Once it has
    closed, the quiz may be reused (next year's campaign on last year's quiz).
    The quiz's row is locked first: two campaigns created at once on a free quiz
    would each find no running holder (PostgreSQL; SQLite's writers wait anyway);
    and read again, its window the one the holder is known by."""
    locked = select(Quiz).where(Quiz.code == quiz_code).with_for_update()
    db.session.scalars(locked.execution_options(populate_existing=True)).all()
    current = holder(quiz_code)
    if current is None:
        return
    closes = last_close(current)
    if closes <= (now or utcnow()):
        return
    raise Conflict(
        _l(
            "Bài kiểm tra “%(quiz)s” đang được dùng cho đợt “%(title)s” (%(code)s), "
            "đến %(closes)s mới kết thúc. Hãy chọn bài kiểm tra khác (ví dụ một bản "
            "sao của bài với mã riêng), hoặc tạo đợt này sau khi đợt %(code)s đã "
            "kết thúc.",
            quiz=quiz_code,
            title=current.title,
            code=current.code,
            closes=format_vn_date(closes, with_time=True),
        )
    )
