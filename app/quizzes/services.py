"""The quizzes domain's public door for other domains and the views."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.accounts.models import Unit, User
from app.courses import services as courses
from app.extensions import db
from app.signals import (
    attempt_certificate_asked,
    counted_attempt_asked,
    course_quizzes_asked,
)

from . import windows
from .attempts import (  # noqa: F401  (the domain's public door)
    attempts_used,
    best_attempt,
    check_start,
    discard_previews,
    finalise,
    history,
    open_attempt,
    start_attempt,
)
from .lookup import any_quiz, get_quiz  # noqa: F401  (the domain's public door)
from .models import Attempt, Quiz, QuizWindow
from .refit import refit_open_attempts  # noqa: F401  (the domain's public door)
from .sweep import close_overdue, has_overdue  # noqa: F401  (the domain's public door)
from .windows import (  # noqa: F401  (the domain's public door)
    Window,
    clear_unit_windows,
    quiz_window,
    set_unit_window,
    unit_windows,
    window_closed_sql,
    window_for,
    window_of_unit,
    window_of_unit_closed_sql,
    window_open_sql,
)


def quizzes_by_code(codes: list[str]) -> dict[str, Quiz]:
    """The quizzes of `codes` by code, active or not (get_quiz: active only), in
    one query; a code of no quiz is left out."""
    if not codes:
        return {}
    found = db.session.scalars(select(Quiz).where(Quiz.code.in_(codes)))
    return {quiz.code: quiz for quiz in found}


def takers_of(quiz: Quiz) -> set[int]:
    """Ids of the users who have started an attempt of `quiz` (previews excluded)."""
    return set(
        db.session.scalars(
            select(Attempt.user_id)
            .where(Attempt.quiz_id == quiz.id, Attempt.preview.is_(False))
            .distinct()
        )
    )


def count_open_attempts(
    quiz: Quiz, unit: Unit | None = None, outside: list[str] | None = None
) -> int:
    """Attempts of `quiz` running now (previews excluded); only those of cadres in
    `unit`'s subtree when given, and none of cadres in the subtrees `outside`."""
    query = select(func.count(Attempt.id)).where(
        Attempt.quiz_id == quiz.id,
        Attempt.takes_saves(windows.save_cutoff()),  # not one whose time ran out
        Attempt.preview.is_(False),
    )
    if unit is not None or outside:
        cadres = select(User.id).join(Unit, Unit.id == User.unit_id)
        if unit is not None:
            cadres = cadres.where(Unit.in_subtree(unit.path))
        if outside:
            cadres = cadres.where(~Unit.in_subtrees(outside))
        query = query.where(Attempt.user_id.in_(cadres))
    return db.session.scalar(query)


def deeper_window_paths(quiz: Quiz, unit: Unit | None = None) -> list[str]:
    """Paths of the units with a window of their own for `quiz` strictly inside
    `unit`'s subtree (every one when None): their cadres keep their own window
    whatever is done to `unit`'s or the quiz's."""
    query = (
        select(Unit.path)
        .join(QuizWindow, QuizWindow.unit_id == Unit.id)
        .where(QuizWindow.quiz_id == quiz.id)
    )
    if unit is not None:
        query = query.where(Unit.in_subtree(unit.path), Unit.id != unit.id)
    return list(db.session.scalars(query))


def attempts_allowed_for(user: User, quiz: Quiz) -> int:
    """The attempts `user` may make of `quiz`, its accommodation included."""
    return windows.attempts_allowed(quiz, windows.accommodation_for(user, quiz))


def out_of_attempts(quiz: Quiz, user_ids) -> set[int]:
    """Those of `user_ids` (a list or a select of them) with no attempt of `quiz`
    left and none open — attempts_allowed_for's rule, accommodations in force
    included, read for all of them at once."""
    tallies = db.session.execute(
        select(
            Attempt.user_id,
            func.count(Attempt.id),
            func.count(Attempt.id).filter(Attempt.takes_saves(windows.save_cutoff())),
        )
        .where(
            Attempt.quiz_id == quiz.id,
            Attempt.user_id.in_(user_ids),
            windows.counted(quiz),
        )
        .group_by(Attempt.user_id)
    ).all()
    granted = windows.accommodations_in_force(quiz, [t[0] for t in tallies])
    return {
        user_id
        for user_id, used, still_open in tallies
        if not still_open
        and used >= windows.attempts_allowed(quiz, granted.get(user_id))
    }


def set_window(quiz: Quiz, opens_at: datetime, closes_at: datetime) -> None:
    """Attempts of `quiz` may run only between these times (a campaign's window)."""
    quiz.opens_at, quiz.closes_at = opens_at, closes_at


def set_required_modules(quiz: Quiz, codes: list[str] | None) -> None:
    """Starting `quiz` needs these modules of its course read (a campaign's set);
    None: every module of the course."""
    quiz.required_modules = None if codes is None else list(codes)


def modules_read_for(user: User, quiz: Quiz) -> bool:
    """True when `quiz` has no course, or the user has read the modules it needs
    (its required ones, else every module of its course)."""
    if not quiz.course_code:
        return True
    return courses.has_read(user, quiz.course_code, quiz.required_modules)


def quizzes_for_course(course_code: str) -> list[Quiz]:
    """The course's active quizzes, their targets loaded with them (one query)."""
    return list(
        db.session.scalars(
            select(Quiz)
            .where(Quiz.course_code == course_code, Quiz.active.is_(True))
            .options(selectinload(Quiz.targets))
        )
    )


@course_quizzes_asked.connect
def _on_course_quizzes_asked(course_code: str, user=None, **_) -> list[Quiz]:
    """The course's quizzes; with `user`, those its targets let that user take."""
    found = quizzes_for_course(course_code)
    if user is None:
        return found
    return [quiz for quiz in found if windows.is_targeted(user, quiz)]


@dataclass
class ResultNextInfo:
    """What the result page of a finished attempt leads on to: the certificate it
    earned ({"url", "serial"}) after a pass; after a fail, how many attempts are
    left and whether another may start now (else `reasons`, why not)."""

    certificate: dict | None = None
    attempts_left: int = 0
    attempts_allowed: int = 0  # accommodations included
    can_retry: bool = False
    reasons: list[str] = field(default_factory=list)


def result_next(user: User, attempt: Attempt, now: datetime) -> ResultNextInfo:
    """ResultNextInfo of `user`'s finished `attempt` (nothing for a preview)."""
    if attempt.preview or attempt.passed is None:
        return ResultNextInfo()
    if attempt.passed and not attempt.quiz.sealed:  # a contest round has no pass
        answers = attempt_certificate_asked.send(attempt)
        found = [answer for _, answer in answers if answer]
        return ResultNextInfo(certificate=found[0] if found else None)
    quiz = attempt.quiz
    used = attempts_used(user, quiz)  # read once: the check's too
    check = check_start(user, quiz, now, modules_read_for(user, quiz), used)
    left = max(0, check.attempts_allowed - used)
    return ResultNextInfo(
        attempts_left=left,
        attempts_allowed=check.attempts_allowed,
        can_retry=check.allowed,
        reasons=check.reasons,
    )


@dataclass
class BestShown:
    """The attempt a cadre's quiz and result pages show as the one that counts,
    and, for a contest round, whether its ranking has been made."""

    attempt: Attempt | None = None
    ranked: bool = False


def best_shown(user: User, quiz: Quiz, now: datetime) -> BestShown:
    """The best finished attempt by percent (best_attempt); of a contest round (a
    sealed quiz), once its results are visible, the one its latest ranking counts
    — the contests' rule (most right answers, then the prediction gap, time and
    submission), asked through app.signals.counted_attempt_asked: none before it
    is ranked, nor while the round is sealed."""
    if not quiz.sealed:
        return BestShown(best_attempt(user, quiz))
    if not windows.results_visible(quiz, now):
        return BestShown()
    answers = [a for _, a in counted_attempt_asked.send(quiz, user=user) if a]
    if not answers:
        return BestShown()
    attempt_id = answers[0]["attempt_id"]
    attempt = db.session.get(Attempt, attempt_id) if attempt_id else None
    return BestShown(attempt if attempt and attempt.user_id == user.id else None, True)
