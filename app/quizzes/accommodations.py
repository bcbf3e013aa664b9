"""Granting a cadre extra time and/or extra attempts for a quiz (WCAG 2.2.1 Timing
Adjustable; Moodle's user overrides, Open edX's allowances).

An HR officer grants within its subtree (administrators anywhere), always with a
reason; each grant and removal goes to the audit log. A grant applies to the attempts
started afterwards, and its extra time to the cadre's open attempt too (the page's
timer follows at its next re-sync with the server). A grant belongs to the round of
the quiz it was made in: once a campaign is created on the quiz (next year's, reusing
it) it has lapsed (windows.in_force), still listed, as lapsed, until HR grants it
again (which renews it) or removes it. Operations flush, never commit.
"""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts.models import Unit, User
from app.accounts.permissions import can_manage_account, scope_paths
from app.audit import services as audit
from app.errors import InvalidInput, NotAllowed, NotFound
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.timeutil import utcnow

from .models import Accommodation, Quiz
from .refit import refit_open_attempts
from .windows import grant_of, in_force, rounds_begun

MAX_EXTRA_MINUTES = 600
MAX_EXTRA_PERCENT = 300
MAX_EXTRA_ATTEMPTS = 10
MAX_REASON = 500


def _check_scope(actor: User | None, user: User) -> None:
    """An actor (None: the command line) may grant only to cadres of its subtree,
    never to itself, and — as with every account action (can_manage_account) — an
    HR officer only to accounts whose every role is learner: extra attempts for a
    fellow officer, a trainer or an administrator are an administrator's call."""
    if actor is None:
        return
    if not user.unit.in_subtrees(scope_paths(actor, "hr")):
        raise NotFound(_l("Không tìm thấy cán bộ này trong phạm vi của bạn."))
    if actor.id == user.id and not actor.has_role("admin"):
        raise NotAllowed(_l("Bạn không thể tự điều chỉnh cho chính mình."))
    if not can_manage_account(actor, user):
        raise NotAllowed(
            _l(
                "Chỉ quản trị viên điều chỉnh được cho tài khoản có vai trò khác "
                "ngoài học viên."
            )
        )


def _bounded(value: int | None, high: int, what: str) -> int:
    value = value or 0
    if not 0 <= value <= high:
        raise InvalidInput(_l("%(what)s phải từ 0 đến %(high)s.", what=what, high=high))
    return value


def grant(
    user: User,
    quiz: Quiz,
    reason: str,
    extra_minutes: int | None = 0,
    extra_percent: int | None = 0,
    extra_attempts: int | None = 0,
    actor: User | None = None,
) -> Accommodation:
    """Give `user` these extras for `quiz` (replacing an earlier grant, in force or
    lapsed: granted now, it applies to this round)."""
    _check_scope(actor, user)
    minutes = _bounded(extra_minutes, MAX_EXTRA_MINUTES, _l("Số phút thêm"))
    percent = _bounded(
        extra_percent, MAX_EXTRA_PERCENT, _l("Tỷ lệ thời gian thêm (phần trăm)")
    )
    attempts = _bounded(extra_attempts, MAX_EXTRA_ATTEMPTS, _l("Số lượt làm thêm"))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_l("Cần ghi lý do điều chỉnh."))
    if len(reason) > MAX_REASON:
        raise InvalidInput(_l("Lý do dài quá %(n)s ký tự.", n=MAX_REASON))
    if not (minutes or percent or attempts):
        raise InvalidInput(_l("Cần cho thêm thời gian hoặc lượt làm bài."))
    accommodation = grant_of(user, quiz)
    if accommodation is None:
        accommodation = Accommodation(user_id=user.id, quiz_id=quiz.id)
        db.session.add(accommodation)
    accommodation.extra_seconds = minutes * 60
    accommodation.extra_percent = percent
    accommodation.extra_attempts = attempts
    accommodation.reason = reason
    accommodation.granted_by_id = actor.id if actor is not None else None
    accommodation.granted_at = utcnow()
    db.session.flush()
    refit_open_attempts(quiz, [user])
    audit.record(
        "accommodation.granted",
        actor=actor,
        target=user,
        quiz=quiz.code,
        extra_minutes=minutes,
        extra_percent=percent,
        extra_attempts=attempts,
        reason=reason,
    )
    return accommodation


def remove(user: User, quiz: Quiz, reason: str, actor: User | None = None) -> None:
    """Take back `user`'s extras for `quiz`; an open attempt keeps the time it was
    given until now (it ends now at the earliest). A lapsed grant may be removed
    too."""
    _check_scope(actor, user)
    accommodation = grant_of(user, quiz)
    if accommodation is None:
        raise NotFound(_l("Cán bộ này không có điều chỉnh nào cho bài kiểm tra này."))
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise InvalidInput(_l("Cần ghi lý do (tối đa 500 ký tự)."))
    db.session.delete(accommodation)
    db.session.flush()
    refit_open_attempts(quiz, [user])
    audit.record(
        "accommodation.removed", actor=actor, target=user, quiz=quiz.code, reason=reason
    )


def _with_force(grants: list[Accommodation]) -> list[bool]:
    """Whether each of `grants` (their quizzes loaded) is in force, the latest
    campaign of all their quizzes read at once."""
    begun = rounds_begun(list({g.quiz_id: g.quiz for g in grants}.values()))
    return [in_force(g, begun) for g in grants]


def of_user(user: User) -> list[tuple[Accommodation, bool]]:
    """`user`'s grants, oldest first, each with whether it is in force
    (windows.in_force): a lapsed one was granted for an earlier round of its quiz."""
    grants = list(
        db.session.scalars(
            select(Accommodation)
            .options(joinedload(Accommodation.quiz))
            .where(Accommodation.user_id == user.id)
            .order_by(Accommodation.granted_at)
        )
    )
    return list(zip(grants, _with_force(grants), strict=True))


def listing(quiz: Quiz | None = None, viewer: User | None = None) -> list:
    """(accommodation, user, in force) triples, of `quiz` or all, within `viewer`'s
    HR scope (None: all, for the command line); in force as of_user's."""
    query = (
        select(Accommodation, User)
        .options(joinedload(Accommodation.quiz))
        .join(User, User.id == Accommodation.user_id)
        .join(Unit, Unit.id == User.unit_id)
        .order_by(Accommodation.granted_at)
    )
    if quiz is not None:
        query = query.where(Accommodation.quiz_id == quiz.id)
    if viewer is not None:
        query = query.where(Unit.in_subtrees(scope_paths(viewer, "hr")))
    rows = db.session.execute(query).all()
    force = _with_force([grant for grant, _user in rows])
    return [(g, u, f) for (g, u), f in zip(rows, force, strict=True)]
