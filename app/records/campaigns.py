"""Running a campaign after it is created: edit it, give a unit subtree its own quiz
window (a commune opening a week later), close it early. Every change is audited and
applies at once to the open attempts of its quiz (quizzes.refit_open_attempts).
Operations flush, never commit.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from app.accounts import asof
from app.accounts.models import Unit, User
from app.accounts.scope import path_ids
from app.audit import services as audit
from app.errors import InvalidInput
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.numbers import lazy_number
from app.quizzes import services as quizzes
from app.timeutil import format_vn_date, utcnow, vn_day_end

from .models import COMPLETED, Campaign, CampaignTarget, TrainingRecord
from .quiz_holder import HeldQuiz, holder, holds_its_quiz, last_close, own_window
from .services import check_scope_and_window, ensure_records, module_changes


@dataclass
class UnitWindowInfo:
    unit: Unit
    opens_at: datetime
    closes_at: datetime


def _check_window(opens_at: datetime, closes_at: datetime) -> None:
    if closes_at <= opens_at:
        raise InvalidInput(_l("Thời điểm đóng phải sau thời điểm mở."))


def _refuse_closing_by_edit(
    old_close: datetime | None, new_close: datetime | None, running: int
) -> None:
    """An edit may not move a close that is still ahead to now or the past while
    attempts are `running` there: it would end them at once, without the preview
    and confirmation of closing the campaign ("Đóng đợt bồi dưỡng ngay"). A window
    already closed, or with nobody sitting the quiz, may be edited."""
    now = utcnow()
    still_open = old_close is None or old_close > now
    if new_close is None or new_close > now or not still_open or not running:
        return
    raise InvalidInput(
        _l(
            "Thời điểm đóng mới đã qua: %(n)s lượt đang làm bài sẽ kết thúc ngay. Để "
            "kết thúc đợt ngay, hãy dùng “Đóng đợt bồi dưỡng ngay” (có xem trước và "
            "xác nhận).",
            n=lazy_number(running),
        )
    )


def edit_campaign(
    campaign: Campaign,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    targets: list[Unit],
    categories: list[str] | None = None,
    actor: User | None = None,
) -> Campaign:
    """Change a campaign's title, window, target units and categories. Cadres newly
    in scope get a record; records of cadres no longer in scope are kept (what was
    earned stays earned). The window is the quiz's too unless a later campaign has
    taken the quiz (quiz_holder). Raises InvalidInput with the reason."""
    title = title.strip()
    if not title:
        raise InvalidInput(_l("Tên đợt bồi dưỡng không được để trống."))
    check_scope_and_window(opens_at, closes_at, targets, categories)
    quiz = quizzes.get_quiz(campaign.quiz_code) if holds_its_quiz(campaign) else None
    if quiz is None and closes_at > utcnow():
        raise InvalidInput(_reopen_refused(campaign))
    _refuse_closing_by_edit(campaign.closes_at, closes_at, _governed(quiz))
    before = {
        "title": campaign.title,
        "opens_at": format_vn_date(campaign.opens_at, with_time=True),
        "closes_at": format_vn_date(campaign.closes_at, with_time=True),
        "targets": sorted(t.unit.code for t in campaign.targets),
        "categories": list(campaign.categories),
    }
    campaign.title = title
    campaign.opens_at, campaign.closes_at = opens_at, closes_at
    wanted = {u.id for u in targets}
    campaign.targets = [t for t in campaign.targets if t.unit_id in wanted] + [
        CampaignTarget(unit_id=u.id)
        for u in targets
        if u.id not in {t.unit_id for t in campaign.targets}
    ]
    campaign.categories = list(categories or [])
    db.session.flush()
    if quiz is not None:
        quizzes.set_window(quiz, opens_at, closes_at)
    ensure_records(campaign)
    if quiz is not None:
        quizzes.refit_open_attempts(quiz)
    audit.record(
        "campaign.updated",
        actor=actor,
        target=campaign,
        before=before,
        after={
            "title": title,
            "opens_at": format_vn_date(opens_at, with_time=True),
            "closes_at": format_vn_date(closes_at, with_time=True),
            "targets": sorted(u.code for u in targets),
            "categories": list(categories or []),
        },
    )
    return campaign


def _reopen_refused(campaign: Campaign):
    """Why `campaign`, whose quiz a later campaign runs now, cannot be given a
    close still ahead: it would run again with records and reminders, but its
    cadres could not take the quiz (the quiz keeps the later campaign's window)."""
    return _l(
        "Bài kiểm tra “%(quiz)s” của đợt này nay được dùng cho đợt %(code)s: không "
        "mở lại đợt này được (thời điểm đóng phải là thời điểm đã qua).",
        quiz=campaign.quiz_code,
        code=holder(campaign.quiz_code).code,
    )


def _governed(quiz) -> int:
    """The open attempts of `quiz` its own window governs (not those of units with
    their own); 0 for None (a campaign whose quiz a later one has taken)."""
    if quiz is None:
        return 0
    return quizzes.count_open_attempts(quiz, outside=quizzes.deeper_window_paths(quiz))


def unit_windows(
    campaign: Campaign, held: HeldQuiz | None = None
) -> list[UnitWindowInfo]:
    """The units of the campaign that have their own quiz window (none for an
    earlier campaign whose quiz a later campaign has taken; `held`:
    held_quiz(campaign), when the caller has it)."""
    if held is not None:
        rows = held.windows
    elif holds_its_quiz(campaign):
        rows = quizzes.unit_windows(quizzes.get_quiz(campaign.quiz_code))
    else:
        return []
    if not rows:
        return []
    units = {
        u.id: u
        for u in db.session.scalars(
            select(Unit).where(Unit.id.in_([r.unit_id for r in rows]))
        )
    }
    return [UnitWindowInfo(units[r.unit_id], r.opens_at, r.closes_at) for r in rows]


def set_unit_window(
    campaign: Campaign,
    unit: Unit,
    opens_at: datetime | None,
    closes_at: datetime | None,
    actor: User | None = None,
) -> None:
    """Give `unit`'s subtree its own window for the campaign's quiz (both None: back
    to the campaign's). The unit must lie in a target subtree, and the quiz must
    still be the campaign's (not taken by a later campaign)."""
    _refuse_taken_quiz(campaign)
    if not unit.in_subtrees([t.unit.path for t in campaign.targets]):
        raise InvalidInput(
            _l("Đơn vị “%(name)s” không thuộc đợt bồi dưỡng này.", name=unit.name)
        )
    if opens_at is not None or closes_at is not None:
        if opens_at is None or closes_at is None:
            raise InvalidInput(_l("Cần cả thời điểm mở và thời điểm đóng."))
        _check_window(opens_at, closes_at)
    quiz = quizzes.get_quiz(campaign.quiz_code)
    before = quizzes.window_of_unit(quiz, unit)
    after = closes_at
    if opens_at is None and closes_at is None:  # back to the window above it
        after = quizzes.window_of_unit(quiz, unit.parent).closes_at
    running = quizzes.count_open_attempts(
        quiz, unit, outside=quizzes.deeper_window_paths(quiz, unit)
    )
    _refuse_closing_by_edit(before.closes_at, after, running)
    quizzes.set_unit_window(quiz, unit, opens_at, closes_at)
    quizzes.refit_open_attempts(quiz)
    audit.record(
        "campaign.unit_window" if opens_at else "campaign.unit_window_removed",
        actor=actor,
        target=campaign,
        unit=unit.code,
        opens_at=format_vn_date(opens_at, with_time=True),
        closes_at=format_vn_date(closes_at, with_time=True),
    )


def _refuse_taken_quiz(campaign: Campaign) -> None:
    """InvalidInput when a later campaign has taken `campaign`'s quiz: its windows
    are that campaign's now."""
    newest = holder(campaign.quiz_code)
    if newest is not None and newest.id != campaign.id:
        raise InvalidInput(
            _l(
                "Bài kiểm tra của đợt này hiện được dùng cho đợt “%(code)s”: thời "
                "gian làm bài của đơn vị đặt ở trang của đợt đó.",
                code=newest.code,
            )
        )


def close_campaign(
    campaign: Campaign, now: datetime | None = None, actor: User | None = None
) -> int:
    """Close the campaign's quiz now, for every unit: no attempt starts any more, and
    the open ones end now with what they saved (the next request or the sweep grades
    them); a unit's own window not yet open is removed (its cadres go by the
    window above them, closed), not left opening and closing now. The number of open
    attempts ended. A campaign whose quiz a later one has
    taken closes alone: the quiz, and its attempts, are the later campaign's."""
    now = now or utcnow()
    quiz = quizzes.get_quiz(campaign.quiz_code)
    own = quizzes.unit_windows(quiz) if holds_its_quiz(campaign) else None
    if own is None:
        return _close_alone(campaign, now, actor)
    if last_close(campaign) <= now:
        raise InvalidInput(_l("Đợt bồi dưỡng này đã kết thúc."))
    # never later than it was (only a unit's own window may still be open)
    campaign.closes_at = min(campaign.closes_at, max(now, campaign.opens_at))
    quizzes.set_window(quiz, campaign.opens_at, campaign.closes_at)
    for row in own:
        if row.opens_at >= now:  # never opened: its unit goes by the one above
            db.session.delete(row)
        row.closes_at = min(row.closes_at, now)
    db.session.flush()
    ended = quizzes.refit_open_attempts(quiz, now=now)
    audit.record("campaign.closed", actor=actor, target=campaign, attempts_ended=ended)
    return ended


def _close_alone(campaign: Campaign, now: datetime, actor: User | None) -> int:
    """Close a campaign whose quiz a later campaign has taken: its own close only."""
    if own_window(campaign).has_closed(now):
        raise InvalidInput(_l("Đợt bồi dưỡng này đã kết thúc."))
    campaign.closes_at = max(now, campaign.opens_at)
    db.session.flush()
    audit.record("campaign.closed", actor=actor, target=campaign, attempts_ended=0)
    return 0


@dataclass
class ClosePreview:
    open_attempts: int
    not_completed: int


def close_preview(campaign: Campaign, held: HeldQuiz | None = None) -> ClosePreview:
    """What closing the campaign now would do: open attempts ended, records left
    uncompleted (`held`: as unit_windows)."""
    quiz = held.quiz if held else quizzes.get_quiz(campaign.quiz_code)
    holds = held.holds if held else holds_its_quiz(campaign)
    return ClosePreview(
        open_attempts=quizzes.count_open_attempts(quiz) if holds else 0,
        not_completed=db.session.scalar(
            select(func.count(TrainingRecord.id)).where(
                TrainingRecord.campaign_id == campaign.id,
                TrainingRecord.status != COMPLETED,
            )
        ),
    )


@dataclass
class ModulesPreview:
    """What making the campaign require its course's modules of now would do."""

    added: list[str]  # codes of modules to be required from now
    removed: list[str]  # codes no longer in the course

    @property
    def changes(self) -> bool:
        return bool(self.added or self.removed)


def modules_preview(campaign: Campaign) -> ModulesPreview:
    """The modules the course has now against those the campaign requires (the
    records it would judge again are close_preview's not_completed)."""
    _now, added, removed = module_changes(campaign)
    return ModulesPreview(added=added, removed=removed)


def campaign_on(unit: Unit, day: date) -> Campaign | None:
    """The campaign of `unit`'s reports of `day` (Vietnam days): of the campaigns
    with a target at or above `unit` on that day (its path of that day) that had
    opened by its end, the one open latest on or before it — running on the day,
    else the one that closed last before it; of several running, the one that
    opened last. None when there is none (or `unit` did not exist then)."""
    version = asof.unit_as_of(unit.id, day)
    if version is None:
        return None
    ids = path_ids(version.path)
    end = vn_day_end(day)
    found = db.session.scalars(
        select(Campaign).where(
            Campaign.opens_at <= end,
            Campaign.id.in_(
                select(CampaignTarget.campaign_id).where(
                    CampaignTarget.unit_id.in_(ids)
                )
            ),
        )
    )
    return max(
        found, key=lambda c: (min(c.closes_at, end), c.opens_at, c.id), default=None
    )
