"""A cadre's quiz attempts as staff see them: the list, and each attempt's review
with the full history of its saves, so that a complaint ("my answers were lost")
is answered from facts. Read-only.

Who sees: HR officers and trainers whose subtree holds the cadre's unit, and
administrators; anyone else gets NotFound (404, no leak), as for an id that does
not exist. A trainer's preview is nobody's attempt and is never shown.
"""

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.accounts.permissions import get_scoped_user, scope_paths, scoped_users
from app.accounts.services import search_users, vietnamese_order
from app.errors import NotFound
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.quizzes import windows
from app.quizzes.attempts import attempts_used, open_attempt
from app.quizzes.models import (
    FINISHED,
    SAVE_STORED,
    AnswerSave,
    Attempt,
    AttemptAnswer,
    AttemptSlot,
    QuestionVersion,
)
from app.quizzes.questions import option_html
from app.timeutil import to_vn, utcnow

# The roles whose subtree lets their holder see a cadre's attempts.
STAFF_ROLES = ("hr", "trainer")
NO_SUCH_ATTEMPT = _l("Không tìm thấy bài làm này trong phạm vi của bạn.")


@dataclass(frozen=True)
class SaveRow:
    """One save of a question, as it reached the server."""

    at: datetime
    # the options chosen, as lettered on the cadre's page; "" clears; None:
    # hidden from the viewer (AttemptReviewInfo.held_from_viewer)
    letters: str | None
    seq: int | None  # the page journal's number; None: a form post without script
    outcome: str  # models.SAVE_*
    final: bool  # its choice is the answer kept at the end

    @property
    def at_text(self) -> str:
        """Vietnam time to the second (saves come seconds apart)."""
        return to_vn(self.at).strftime("%d/%m/%Y %H:%M:%S")


@dataclass(frozen=True)
class OptionRow:
    letter: str
    html: Markup
    chosen: bool
    correct: bool


@dataclass(frozen=True)
class QuestionRow:
    """A question of the attempt in the order the cadre had it."""

    position: int
    code: str
    stem_html: Markup
    options: list[OptionRow]  # in the order the cadre saw them
    marks: float | None  # None: not graded (the attempt is still open)
    saved_at: datetime | None  # when the kept answer was saved
    seq: int | None
    saves: list[SaveRow]
    # an answer is kept (told even where the choices are hidden from the viewer)
    answered: bool = False


@dataclass
class AttemptReviewInfo:
    attempt: Attempt
    person: User
    questions: list[QuestionRow]
    # Right options are shown once the attempt has ended, never while it runs.
    shows_answers: bool
    # False for a sealed quiz before its windows close: no score, pass or fail,
    # mark or right option (quizzes.windows.results_visible).
    shows_results: bool = True
    # The viewer may still take the quiz itself (an HR officer who is also one of
    # its cadres): no right option or mark, whatever the attempt, and neither the
    # cadre's choices nor its score (with a score in the lists, the choices of a
    # perfect attempt would be the key): only when each save came and its fate.
    held_from_viewer: bool = False

    @property
    def answered(self) -> int:
        return sum(q.answered for q in self.questions)

    @property
    def refused(self) -> int:
        """Saves not stored: older retries, and saves refused for time."""
        return sum(s.outcome != SAVE_STORED for q in self.questions for s in q.saves)


def cadre_attempts(person: User) -> list[Attempt]:
    """`person`'s attempts of every quiz (previews left out), newest first."""
    return list(
        db.session.scalars(
            select(Attempt)
            .options(joinedload(Attempt.quiz))
            .where(Attempt.user_id == person.id, Attempt.preview.is_(False))
            .order_by(Attempt.started_at.desc(), Attempt.id.desc())
        )
    )


def people_query(viewer: User, text: str | None) -> Select:
    """The cadres whose attempts `viewer` may see, matching `text` (a name without
    diacritics or the start of an employee code), in Vietnamese order."""
    return vietnamese_order(search_users(scoped_users(viewer, *STAFF_ROLES), text))


def scoped_person(viewer: User, user_id: int) -> User:
    """The cadre `user_id` if `viewer` may see its attempts; else NotFound."""
    return get_scoped_user(viewer, user_id, *STAFF_ROLES)


def scoped_attempt(viewer: User, attempt_id: int) -> Attempt:
    """The attempt `attempt_id` if `viewer` may see it (its cadre in the viewer's
    HR or trainer subtree, or an administrator); NotFound otherwise, also for a
    preview."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.preview:
        raise NotFound(NO_SUCH_ATTEMPT)
    try:
        scoped_person(viewer, attempt.user_id)
    except NotFound:
        raise NotFound(NO_SUCH_ATTEMPT) from None
    return attempt


def sees_report_page(viewer: User, person: User) -> bool:
    """Whether `viewer` may open `person`'s HR report page (reports.cadre)."""
    return person.unit.in_subtrees(scope_paths(viewer, "hr"))


def may_still_take(viewer: User, quiz, now: datetime) -> bool:
    """Whether `viewer` is one of `quiz`'s cadres who may still take it: a learner
    of its target units taking it now (an open attempt, its last one too), or its
    window not closed and an attempt left."""
    if not viewer.has_role("learner") or not windows.is_targeted(viewer, quiz):
        return False
    if open_attempt(viewer, quiz) is not None:
        return True
    if windows.window_for(viewer, quiz).has_closed(now):
        return False
    allowed = windows.attempts_allowed(quiz, windows.accommodation_for(viewer, quiz))
    return attempts_used(viewer, quiz) < allowed


def attempt_review(
    attempt: Attempt, now: datetime | None = None, viewer: User | None = None
) -> AttemptReviewInfo:
    """Every question of `attempt` in its order with the options as the cadre saw
    them, the kept answer and its marks, and every save of it (three queries); of a
    sealed quiz before its windows close, no marks and no right options; to a
    `viewer` who may still take the quiz itself (may_still_take), not the cadre's
    choices either."""
    slots = db.session.scalars(
        select(AttemptSlot)
        .options(joinedload(AttemptSlot.version).joinedload(QuestionVersion.question))
        .where(AttemptSlot.attempt_id == attempt.id)
        .order_by(AttemptSlot.position)
    ).all()
    answers = {
        a.slot_id: a
        for a in db.session.scalars(
            select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)
        )
    }
    saves: dict[int, list[AnswerSave]] = {}
    for save in db.session.scalars(
        select(AnswerSave)
        .where(AnswerSave.attempt_id == attempt.id)
        .order_by(AnswerSave.id)  # the order the saves were made in
    ):
        saves.setdefault(save.slot_id, []).append(save)
    now = now or utcnow()
    shows_results = windows.results_visible(attempt.quiz, now)
    held = viewer is not None and may_still_take(viewer, attempt.quiz, now)
    shows_answers = attempt.state == FINISHED and shows_results and not held
    return AttemptReviewInfo(
        attempt=attempt,
        person=db.session.get(User, attempt.user_id),
        questions=[
            _question(
                slot, answers.get(slot.id), saves.get(slot.id, []), shows_answers, held
            )
            for slot in slots
        ],
        shows_answers=shows_answers,
        shows_results=shows_results,
        held_from_viewer=held,
    )


def letter(index: int) -> str:
    """A, B, C… for the options in the order shown."""
    return chr(ord("A") + index) if index < 26 else str(index + 1)


def _question(slot: AttemptSlot, answer, saves: list, shows_answers: bool, held: bool):
    """The question of `slot` as reviewed; `held`: without the cadre's choices."""
    version = slot.version
    options = {o["key"]: o for o in version.options}
    chosen = set(answer.selected) if answer and not held else set()
    letters = {key: letter(i) for i, key in enumerate(slot.option_order)}
    return QuestionRow(
        position=slot.position,
        code=version.question.code,
        stem_html=Markup(version.stem_html),
        options=[
            OptionRow(
                letters[key],
                option_html(version.type, options[key]),
                key in chosen,
                shows_answers and bool(options[key]["correct"]),
            )
            for key in slot.option_order
        ],
        marks=answer.marks if answer and shows_answers else None,
        saved_at=answer.saved_at if answer else None,
        seq=answer.seq if answer else None,
        saves=_save_rows(saves, None if held else letters, answer),
        answered=bool(answer and answer.selected),
    )


def _save_rows(saves: list, letters: dict[str, str] | None, answer) -> list[SaveRow]:
    """The saves of a question, oldest first; the last one stored made the answer
    kept (a later one, older or refused, changed nothing). `letters` None: what
    each chose is not shown."""
    stored = [s.id for s in saves if s.outcome == SAVE_STORED]
    final = stored[-1] if stored and answer is not None else None
    return [
        SaveRow(
            at=s.saved_at,
            letters=None
            if letters is None
            else ", ".join(sorted(letters.get(k, "?") for k in s.selected)),
            seq=s.seq,
            outcome=s.outcome,
            final=s.id == final,
        )
        for s in saves
    ]
