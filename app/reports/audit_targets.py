"""The targets of audit events as people read them: the Vietnamese name of each
target type and the target's own name or code ("Cuộc thi: Tìm hiểu văn hóa công
vụ (CT)") instead of "#12", loaded with one query per target type.

A target type recorded by audit.record( is the model's class name in lower case
(app.audit.services); one missing here is shown by its type and id.
"""

from collections.abc import Callable, Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounts.models import Unit, User
from app.audit.models import AuditEvent
from app.contests.models import Contest, ContestRound, Ranking
from app.courses.models import Module
from app.extensions import db
from app.quizzes.models import Question, QuestionBank, Quiz
from app.records.models import Campaign, Certificate
from app.reminders.models import Reminder
from app.rewards.models import Nomination, RewardPeriod

TARGET_LABELS = {
    "apitoken": _l("Khóa API"),
    "campaign": _l("Đợt bồi dưỡng"),
    "certificate": _l("Giấy chứng nhận"),
    "contest": _l("Cuộc thi"),
    "module": _l("Học phần"),
    "nomination": _l("Đề nghị khen thưởng"),
    "question": _l("Câu hỏi"),
    "questionbank": _l("Ngân hàng câu hỏi"),
    "quiz": _l("Bài kiểm tra"),
    "ranking": _l("Bảng xếp hạng cuộc thi"),
    "reminder": _l("Lời nhắc"),
    "rewardperiod": _l("Đợt sơ kết, tổng kết"),
    "unit": _l("Đơn vị"),
    "user": _l("Cán bộ"),
}

Loader = Callable[[set[int]], dict[int, str]]


def _rows(model, name: Callable, *options) -> Loader:
    """A loader of `model` rows by id (one query, `options` loading what `name`
    reads), each named by `name`."""

    def load(ids: set[int]) -> dict[int, str]:
        query = select(model).where(model.id.in_(ids)).options(*options)
        return {row.id: name(row) for row in db.session.scalars(query)}

    return load


def _titled(row) -> str:
    return f"{row.title} ({row.code})"


def _module_name(module: Module) -> str:
    version = module.current_version
    return f"{version.title} ({module.code})" if version else module.code


def _reminder_name(reminder: Reminder) -> str:
    """“Bồi dưỡng năm 2026 (C2026) · Văn phòng — Sở Nội vụ”."""
    scope = reminder.unit.display_name if reminder.unit else _l("Cả đợt")
    return f"{_titled(reminder.campaign)} · {scope}"


def _nomination_name(n: Nomination) -> str:
    """The nominee (a cadre and its unit, or a unit) and the campaign or period."""
    nominee = n.unit.display_name
    if n.user is not None:
        nominee = f"{n.user.full_name} — {nominee}"
    target = n.campaign or n.period
    return f"{nominee} ({target.code})" if target else nominee


def _ranking_names(ids: set[int]) -> dict[int, str]:
    """“Cuộc thi … (CT) · CT-1, phiên bản 2”: the contest, the round, the version."""
    query = (
        select(Ranking.id, Ranking.version, Contest.title, Contest.code, ContestRound)
        .join(Contest, Contest.id == Ranking.contest_id)
        .outerjoin(ContestRound, ContestRound.id == Ranking.round_id)
        .where(Ranking.id.in_(ids))
    )
    names = {}
    for ranking_id, version, title, code, round_ in db.session.execute(query):
        what = round_.code if round_ is not None else _l("toàn cuộc thi")
        names[ranking_id] = str(
            _l(
                "%(contest)s · %(what)s, phiên bản %(n)d",
                contest=f"{title} ({code})",
                what=what,
                n=version,
            )
        )
    return names


# How a target's name is read, per target type (one query for a page's targets).
_TARGET_NAMES: dict[str, Loader] = {
    "campaign": _rows(Campaign, _titled),
    "certificate": _rows(Certificate, lambda c: f"{c.serial} — {c.full_name}"),
    "contest": _rows(Contest, _titled),
    "module": _rows(Module, _module_name, selectinload(Module.current_version)),
    "nomination": _rows(
        Nomination,
        _nomination_name,
        selectinload(Nomination.unit),
        selectinload(Nomination.user),
        selectinload(Nomination.campaign),
        selectinload(Nomination.period),
    ),
    "question": _rows(Question, lambda q: q.code),
    "questionbank": _rows(QuestionBank, _titled),
    "quiz": _rows(Quiz, _titled),
    "ranking": _ranking_names,
    "reminder": _rows(
        Reminder,
        _reminder_name,
        selectinload(Reminder.campaign),
        selectinload(Reminder.unit),
    ),
    "rewardperiod": _rows(RewardPeriod, _titled),
    "unit": _rows(Unit, lambda u: u.display_name),
    "user": _rows(User, lambda u: f"{u.full_name} ({u.username})"),
}


def target_names(events: Iterable[AuditEvent]) -> dict[tuple[str, str], str]:
    """{(target type, target id): name} for `events`, one query per target type.
    A target gone from the database, or of a type without a name, is left out."""
    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.target_type in _TARGET_NAMES and (event.target_id or "").isdigit():
            wanted.setdefault(event.target_type, set()).add(int(event.target_id))
    names = {}
    for kind, ids in wanted.items():
        for target_id, name in _TARGET_NAMES[kind](ids).items():
            names[(kind, str(target_id))] = name
    return names


def target_text(event: AuditEvent, names: dict) -> str:
    """“Đơn vị: Sở Nội vụ”; the id when the name is unknown."""
    if not event.target_type:
        return ""
    kind = str(TARGET_LABELS.get(event.target_type, event.target_type))
    name = names.get((event.target_type, event.target_id))
    if name is None and event.target_type == "apitoken":
        name = event.detail.get("name") if isinstance(event.detail, dict) else None
    return f"{kind}: {name or '#' + (event.target_id or '')}"
