"""Attempts: start, save one answer, finalise, sweep. The server owns time.

Operations flush, never commit (the view or command commits once). Races are settled
in the database: a unique index allows one open attempt per cadre and quiz, and a
conditional UPDATE on the attempt row decides between a late save and finalisation,
and between two submits.
"""

import hashlib
import hmac
import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.errors import (  # noqa: F401  (TimeExpired, QuizClosed re-exported)
    Conflict,
    DomainError,
    NotAllowed,
    NotFound,
    QuizClosed,
    TimeExpired,
)
from app.extensions import db
from app.signals import attempt_finished
from app.timeutil import utcnow

from .models import (
    FINISHED,
    OPEN,
    Attempt,
    AttemptAnswer,
    AttemptSlot,
    Question,
    QuestionBank,
    QuestionVersion,
    Quiz,
)
from .questions import MULTIPLE, TRUEFALSE, grade


@dataclass
class StartCheck:
    """Why a cadre may not start `quiz` now; empty `reasons` means it may."""

    reasons: list[str]

    @property
    def allowed(self) -> bool:
        return not self.reasons


def get_quiz(code: str) -> Quiz:
    quiz = db.session.scalar(select(Quiz).where(Quiz.code == code))
    if quiz is None or not quiz.active:
        raise NotFound(f"Không có bài kiểm tra “{code}”.")
    return quiz


def get_own_attempt(user: User, attempt_id: int) -> Attempt:
    """The user's own attempt; NotFound for anyone else's (no hint it exists)."""
    attempt = db.session.get(Attempt, attempt_id, options=[joinedload(Attempt.quiz)])
    if attempt is None or attempt.user_id != user.id:
        raise NotFound("Không tìm thấy lượt làm bài này.")
    return attempt


@dataclass(frozen=True)
class AttemptHead:
    """An attempt as its page reads it, with its quiz's title and page size: one row
    read through Core, not ORM objects (loading the attempt and its quiz through
    the ORM cost a tenth of the attempt page)."""

    id: int
    user_id: int
    state: str
    started_at: datetime
    deadline_at: datetime
    preview: bool
    title: str
    questions_per_page: int
    # slot id → (option keys, saved at), when read with the head (read_own_attempt)
    saved: dict[int, tuple[frozenset[str], datetime]] | None = None

    is_overdue = Attempt.is_overdue  # reads only state and deadline_at

    @classmethod
    def of(cls, attempt: Attempt) -> "AttemptHead":
        quiz = attempt.quiz
        return cls(
            attempt.id,
            attempt.user_id,
            attempt.state,
            attempt.started_at,
            attempt.deadline_at,
            attempt.preview,
            quiz.title,
            quiz.questions_per_page,
        )


_HEAD = (
    select(
        Attempt.id,
        Attempt.user_id,
        Attempt.state,
        Attempt.started_at,
        Attempt.deadline_at,
        Attempt.preview,
        Quiz.title,
        Quiz.questions_per_page,
    )
    .join(Quiz, Quiz.id == Attempt.quiz_id)
    .where(Attempt.id == bindparam("attempt_id"))
)


# Saved answers are read as one JSON array in one value, not a row per answer: the
# database driver lets go of Python's lock for every row it fetches, and under a
# threaded server each time costs a thread switch (measured: thirty rows made the
# 30-question page a fifth slower at four threads a worker).
_ANSWER_ITEMS = {
    "sqlite": lambda a: func.json_group_array(
        func.json_array(a.slot_id, func.json(a.selected), a.saved_at)
    ),
    "postgresql": lambda a: func.json_agg(
        func.json_build_array(a.slot_id, a.selected, a.saved_at)
    ),
}


def _answers_of(attempt_id, dialect: str):
    items = _ANSWER_ITEMS[dialect](AttemptAnswer)
    return select(items).where(AttemptAnswer.attempt_id == attempt_id)


_SAVED = {d: _answers_of(bindparam("attempt_id"), d) for d in _ANSWER_ITEMS}
_HEAD_SAVED = {
    d: _HEAD.add_columns(_answers_of(Attempt.id, d).scalar_subquery())
    for d in _ANSWER_ITEMS
}


def _decode_saved(items) -> dict[int, tuple[frozenset[str], datetime]]:
    if isinstance(items, str):  # SQLite gives the JSON text
        items = json.loads(items)
    saved = {}
    for slot_id, selected, saved_at in items or ():  # PostgreSQL: NULL for none
        moment = datetime.fromisoformat(saved_at)
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
        saved[slot_id] = (frozenset(selected), moment.astimezone(UTC))
    return saved


def saved_answers(attempt_id: int) -> dict[int, tuple[frozenset[str], datetime]]:
    """slot id → (option keys saved, when) of an attempt's answers."""
    connection = db.session.connection()
    statement = _SAVED.get(connection.dialect.name)
    if statement is None:  # another database: a row per answer
        rows = connection.execute(
            select(
                AttemptAnswer.slot_id, AttemptAnswer.selected, AttemptAnswer.saved_at
            ).where(AttemptAnswer.attempt_id == attempt_id)
        )
        return {r.slot_id: (frozenset(r.selected), r.saved_at) for r in rows}
    return _decode_saved(
        connection.execute(statement, {"attempt_id": attempt_id}).scalar()
    )


def read_own_attempt(user_id: int, attempt_id: int) -> AttemptHead:
    """`get_own_attempt` for pages that only read: the same NotFound rule. The
    head comes with its saved answers, in the same statement."""
    connection = db.session.connection()
    statement = _HEAD_SAVED.get(connection.dialect.name, _HEAD)
    row = connection.execute(statement, {"attempt_id": attempt_id}).first()
    if row is None or row.user_id != user_id:
        raise NotFound("Không tìm thấy lượt làm bài này.")
    if statement is _HEAD:
        return AttemptHead(*row, saved=saved_answers(attempt_id))
    return AttemptHead(*row[:-1], saved=_decode_saved(row[-1]))


def open_attempt(user: User, quiz: Quiz, preview: bool = False) -> Attempt | None:
    """The user's open attempt of `quiz` (its open preview when `preview`)."""
    return db.session.scalar(
        select(Attempt).where(
            Attempt.quiz_id == quiz.id,
            Attempt.user_id == user.id,
            Attempt.state == OPEN,
            Attempt.preview.is_(preview),
        )
    )


def discard_previews(user: User, quiz: Quiz) -> int:
    """Delete the user's previews of `quiz` (open or finished), with their slots and
    answers; the count. A preview records nothing, so nothing else points at it."""
    ids = list(
        db.session.scalars(
            select(Attempt.id).where(
                Attempt.quiz_id == quiz.id,
                Attempt.user_id == user.id,
                Attempt.preview.is_(True),
            )
        )
    )
    if ids:
        for model, column in (
            (AttemptAnswer, AttemptAnswer.attempt_id),
            (AttemptSlot, AttemptSlot.attempt_id),
            (Attempt, Attempt.id),
        ):
            db.session.execute(
                delete(model)
                .where(column.in_(ids))
                .execution_options(synchronize_session=False)
            )
        db.session.expire_all()
    return len(ids)


def attempts_used(user: User, quiz: Quiz) -> int:
    return db.session.scalar(
        select(func.count(Attempt.id)).where(
            Attempt.quiz_id == quiz.id,
            Attempt.user_id == user.id,
            Attempt.preview.is_(False),
        )
    )


def check_start(
    user: User, quiz: Quiz, now: datetime, modules_read: bool = True
) -> StartCheck:
    """Small predicates, each with its reason, on whether `user` may start `quiz`."""
    reasons = []
    if not quiz.is_open(now):
        reasons.append("Bài kiểm tra chưa mở hoặc đã đóng.")
    if attempts_used(user, quiz) >= quiz.attempts_allowed:
        reasons.append(f"Bạn đã dùng hết {quiz.attempts_allowed} lượt làm bài.")
    if not modules_read:
        reasons.append("Bạn cần đọc xong tất cả học phần trước khi làm bài kiểm tra.")
    return StartCheck(reasons)


def _candidates(rule: dict) -> list[QuestionVersion]:
    query = (
        select(QuestionVersion)
        .join(Question, Question.current_version_id == QuestionVersion.id)
        .where(Question.active.is_(True))
        .order_by(Question.code)
    )
    if rule.get("bank"):
        query = query.join(QuestionBank).where(QuestionBank.code == rule["bank"])
    versions = list(db.session.scalars(query))
    if rule.get("tag"):
        versions = [v for v in versions if rule["tag"] in v.tags]
    return versions


def draw_questions(quiz: Quiz, rng: random.Random) -> list[QuestionVersion]:
    """Questions for one attempt, by the quiz's draw rules, never twice the same."""
    drawn: list[QuestionVersion] = []
    seen: set[int] = set()
    for rule in quiz.draw_rules:
        pool = [v for v in _candidates(rule) if v.question_id not in seen]
        if len(pool) < rule["count"]:
            where = rule.get("bank") or f"thẻ {rule.get('tag')}"
            raise DomainError(
                f"Không đủ câu hỏi để rút: cần {rule['count']} từ {where}, "
                f"có {len(pool)}."
            )
        picked = rng.sample(pool, rule["count"])
        seen.update(v.question_id for v in picked)
        drawn.extend(picked)
    if quiz.shuffle_questions:
        rng.shuffle(drawn)
    return drawn


def _option_order(version: QuestionVersion, shuffle: bool, rng: random.Random):
    keys = [o["key"] for o in version.options]
    if shuffle and version.type != TRUEFALSE:
        rng.shuffle(keys)
    return keys


def start_attempt(
    user: User,
    quiz: Quiz,
    now: datetime | None = None,
    modules_read: bool = True,
    preview: bool = False,
    rng: random.Random | None = None,
) -> Attempt:
    """Resume the user's open attempt, or start a new one with its questions and
    option orders fixed. Raises QuizClosed / NotAllowed with the reason.

    A `preview` (a trainer's) skips the start checks and the quiz's window; a real
    start discards the user's open preview (one open attempt per user and quiz)."""
    now = now or utcnow()
    current = open_attempt(user, quiz, preview)
    if current is not None and finalise_if_overdue(current, now):
        current = None
    if current is not None:
        return current
    if not preview:
        check = check_start(user, quiz, now, modules_read)
        if not check.allowed:
            error = QuizClosed if not quiz.is_open(now) else NotAllowed
            raise error(" ".join(check.reasons))
        discard_previews(user, quiz)
    rng = rng or random.SystemRandom()
    versions = draw_questions(quiz, rng)
    deadline = now + timedelta(seconds=quiz.time_limit_seconds)
    if quiz.closes_at is not None and not preview:
        deadline = min(deadline, quiz.closes_at)
    attempt = Attempt(
        quiz_id=quiz.id,
        user_id=user.id,
        number=attempts_used(user, quiz) + 1 if not preview else 0,
        state=OPEN,
        started_at=now,
        deadline_at=deadline,
        preview=preview,
    )
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
            db.session.flush()
            for position, version in enumerate(versions, start=1):
                db.session.add(
                    AttemptSlot(
                        attempt_id=attempt.id,
                        position=position,
                        question_version_id=version.id,
                        option_order=_option_order(version, quiz.shuffle_options, rng),
                    )
                )
            db.session.flush()
    except IntegrityError:
        # Another request started it first: there is exactly one, use it.
        existing = open_attempt(user, quiz, preview)
        if existing is None:
            raise Conflict(
                "Không bắt đầu được lượt làm bài; vui lòng thử lại."
            ) from None
        return existing
    return attempt


def grace(seconds: int) -> timedelta:
    return timedelta(seconds=seconds)


# Same syntax on SQLite (>= 3.24) and PostgreSQL; text() is compiled once and cached.
_UPSERT_ANSWER = text(
    "INSERT INTO attempt_answer (attempt_id, slot_id, selected, saved_at) "
    "VALUES (:attempt_id, :slot_id, :selected, :saved_at) "
    "ON CONFLICT (slot_id) DO UPDATE SET "
    "selected = excluded.selected, saved_at = excluded.saved_at"
).bindparams(
    bindparam("selected", type_=AttemptAnswer.__table__.c.selected.type),
    bindparam("saved_at", type_=AttemptAnswer.__table__.c.saved_at.type),
)


def save_answer(
    attempt: Attempt,
    position: int,
    choices: list[int],
    now: datetime | None = None,
    grace_seconds: int = 0,
) -> AttemptAnswer:
    """Save the choice for the question at `position`; `choices` are option positions
    as shown (0-based). Raises TimeExpired after the deadline (plus grace), NotFound
    for a question or option that is not in the attempt."""
    now = now or utcnow()
    slot = next((s for s in attempt.slots if s.position == position), None)
    if slot is None:
        raise NotFound(f"Câu {position} không có trong lượt làm bài này.")
    if any(c < 0 or c >= len(slot.option_order) for c in choices):
        raise NotFound("Lựa chọn không tồn tại.")
    if slot.version.type != MULTIPLE and len(choices) > 1:
        raise DomainError("Câu này chỉ được chọn một đáp án.")
    _claim_for_save(attempt, now, grace_seconds)
    selected = [slot.option_order[c] for c in sorted(set(choices))]
    answer = db.session.scalar(
        select(AttemptAnswer).where(AttemptAnswer.slot_id == slot.id)
    )
    if answer is None:
        answer = AttemptAnswer(attempt_id=attempt.id, slot_id=slot.id)
        db.session.add(answer)
    answer.selected = selected
    answer.saved_at = now
    db.session.flush()
    return answer


def _claim_for_save(attempt: Attempt, now: datetime, grace_seconds: int) -> None:
    """Lock the attempt row if it is still open and in time, else refuse the save.

    The UPDATE waits for a finalisation in progress and then sees it finished, so a
    save racing the deadline is either counted or refused — never half-kept.
    """
    latest = now - timedelta(seconds=grace_seconds)
    claimed = db.session.execute(
        update(Attempt)
        .where(
            Attempt.id == attempt.id,
            Attempt.state == OPEN,
            Attempt.deadline_at >= latest,
        )
        .values(last_saved_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.refresh(attempt)
        if attempt.state == FINISHED:
            raise TimeExpired("Bài đã được nộp; câu trả lời này không được lưu.")
        raise TimeExpired("Đã hết giờ làm bài; câu trả lời này không được lưu.")


def finalise(attempt: Attempt, now: datetime | None = None, by: str = "submit") -> bool:
    """Grade and close `attempt` once. Returns True if this call finalised it, False
    if it was already finished (a second submit grades nothing)."""
    now = now or utcnow()
    claimed = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.state == OPEN)
        .values(
            state=FINISHED, finished_at=min(now, attempt.deadline_at), finished_by=by
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(attempt)
    if claimed != 1:
        return False
    _grade(attempt)
    db.session.flush()
    attempt_finished.send(attempt)
    return True


def _grade(attempt: Attempt) -> None:
    answers = {
        a.slot_id: a
        for a in db.session.scalars(
            select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)
        )
    }
    partial = attempt.quiz.partial_credit
    total = 0.0
    for slot in attempt.slots:
        answer = answers.get(slot.id)
        if answer is None:
            continue
        answer.marks = grade(
            slot.version.type, slot.version.options, answer.selected, partial
        )
        total += answer.marks
    attempt.score = round(total, 4)
    attempt.max_score = float(len(attempt.slots))
    attempt.percent = (
        round(100 * total / len(attempt.slots), 2) if attempt.slots else 0.0
    )
    attempt.passed = attempt.percent >= attempt.quiz.pass_percent


def finalise_if_overdue(
    attempt: Attempt, now: datetime | None = None, grace_seconds: int = 0
) -> bool:
    """Finalise an attempt past its deadline with what was saved before it."""
    now = now or utcnow()
    if attempt.is_overdue(now, timedelta(seconds=grace_seconds)):
        return finalise(attempt, now, by="deadline")
    return False


def close_overdue(now: datetime | None = None, grace_seconds: int = 0) -> int:
    """Finalise every overdue open attempt (`flask attempts close-overdue`)."""
    now = now or utcnow()
    latest = now - timedelta(seconds=grace_seconds)
    overdue = db.session.scalars(
        select(Attempt).where(Attempt.state == OPEN, Attempt.deadline_at < latest)
    ).all()
    return sum(finalise(a, now, by="sweep") for a in overdue)


def best_attempt(user: User, quiz: Quiz) -> Attempt | None:
    return db.session.scalar(
        select(Attempt)
        .where(
            Attempt.quiz_id == quiz.id,
            Attempt.user_id == user.id,
            Attempt.state == FINISHED,
            Attempt.preview.is_(False),
        )
        .order_by(Attempt.percent.desc(), Attempt.finished_at)
        .limit(1)
    )


def history(user: User, quiz: Quiz | None = None) -> list[Attempt]:
    query = select(Attempt).where(
        Attempt.user_id == user.id, Attempt.preview.is_(False)
    )
    if quiz is not None:
        query = query.where(Attempt.quiz_id == quiz.id)
    return list(db.session.scalars(query.order_by(Attempt.started_at.desc())))


# --- The autosave path --------------------------------------------------------------
# A save from the attempt page's script is authenticated by a capability token bound
# to the attempt, its owner and the owner's session version (a password change ends
# it). The token only ever appears in the page served to the signed-in owner, so it
# also stops cross-site requests. The save then needs no session, sign-in lookup or
# CSRF check: two statements in one transaction — the claim of the attempt row with
# the joined read of slot, owner and question as one UPDATE … RETURNING, then the
# upsert. The claim serialises the save with finalisation (see _claim_for_save).

_CLAIM_AND_READ = (
    text(
        "UPDATE attempt SET last_saved_at = :now "
        "WHERE attempt.id = :attempt_id AND attempt.state = 'open' "
        "AND attempt.deadline_at >= :latest "
        "RETURNING attempt.user_id, attempt.deadline_at, "
        '(SELECT u.session_version FROM "user" u '
        " WHERE u.id = attempt.user_id AND u.active) AS session_version, "
        "(SELECT s.id FROM attempt_slot s WHERE s.attempt_id = attempt.id "
        " AND s.position = :position) AS slot_id, "
        "(SELECT s.option_order FROM attempt_slot s WHERE s.attempt_id = attempt.id "
        " AND s.position = :position) AS option_order, "
        "(SELECT v.type FROM attempt_slot s JOIN question_version v "
        " ON v.id = s.question_version_id WHERE s.attempt_id = attempt.id "
        " AND s.position = :position) AS type"
    )
    .bindparams(
        bindparam("now", type_=Attempt.__table__.c.last_saved_at.type),
        bindparam("latest", type_=Attempt.__table__.c.deadline_at.type),
    )
    .columns(
        Attempt.__table__.c.user_id,
        Attempt.__table__.c.deadline_at,
        User.__table__.c.session_version,
        AttemptSlot.__table__.c.id.label("slot_id"),
        AttemptSlot.__table__.c.option_order,
        QuestionVersion.__table__.c.type,
    )
)

# Why a claim found no open attempt in time (read only then).
_OWNER_AND_STATE = (
    select(Attempt.user_id, Attempt.state, User.session_version, User.active)
    .join(User, User.id == Attempt.user_id)
    .where(Attempt.id == bindparam("attempt_id"))
)

NOT_YOURS = "Câu này không có trong lượt làm bài của bạn."


def attempt_token(secret: str, attempt_id: int, user_id: int, session_version: int):
    message = f"autosave:{attempt_id}:{user_id}:{session_version}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def _holds_token(token, secret, attempt_id, user_id, session_version) -> bool:
    if session_version is None:  # the owner was deactivated
        return False
    expected = attempt_token(secret, attempt_id, user_id, session_version)
    return hmac.compare_digest(expected.encode(), (token or "").encode())


def fast_save(
    attempt_id: int,
    position: int,
    choices: list[int],
    token: str,
    secret: str,
    now: datetime | None = None,
    grace_seconds: int = 0,
    connection=None,
) -> datetime:
    """Save one choice for the holder of `token`, on `connection` (by default the
    session's); the attempt's deadline. Raises NotFound for a bad token or a
    question/option not in the attempt, TimeExpired after the deadline or once
    finished; the caller then rolls back (the claim may have been taken)."""
    now = now or utcnow()
    connection = connection if connection is not None else db.session.connection()
    latest = now - timedelta(seconds=grace_seconds)
    row = connection.execute(
        _CLAIM_AND_READ,
        {"attempt_id": attempt_id, "position": position, "latest": latest, "now": now},
    ).first()
    if row is None:
        _refuse_unclaimed(connection, attempt_id, token, secret)
    user_id, deadline_at, session_version, slot_id, option_order, kind = row
    if not _holds_token(token, secret, attempt_id, user_id, session_version):
        raise NotFound(NOT_YOURS)
    if slot_id is None:
        raise NotFound(NOT_YOURS)
    if any(c < 0 or c >= len(option_order) for c in choices):
        raise NotFound("Lựa chọn không tồn tại.")
    if kind != MULTIPLE and len(choices) > 1:
        raise DomainError("Câu này chỉ được chọn một đáp án.")
    connection.execute(
        _UPSERT_ANSWER,
        {
            "attempt_id": attempt_id,
            "slot_id": slot_id,
            "selected": [option_order[c] for c in sorted(set(choices))],
            "saved_at": now,
        },
    )
    return deadline_at


def _refuse_unclaimed(connection, attempt_id: int, token: str, secret: str):
    """No open attempt in time to claim: why, told only to the token's holder."""
    owner = connection.execute(_OWNER_AND_STATE, {"attempt_id": attempt_id}).first()
    if owner is None or not _holds_token(
        token,
        secret,
        attempt_id,
        owner.user_id,
        owner.session_version if owner.active else None,
    ):
        raise NotFound(NOT_YOURS)
    if owner.state == FINISHED:
        raise TimeExpired("Bài đã được nộp; câu trả lời này không được lưu.")
    raise TimeExpired("Đã hết giờ làm bài; câu trả lời này không được lưu.")
