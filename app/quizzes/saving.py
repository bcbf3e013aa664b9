"""Saving answers: the one implementation behind the page script's autosave and the
plain form post (which works without JavaScript).

A save is three statements in the caller's transaction, after the caller has proved
who is saving (a signed autosave token, or the signed-in session):
  1. read the attempt's slots for the questions saved, joined to the attempt's owner
     (a question or option that is not in the owner's attempt changes nothing);
  2. claim the attempt row — a conditional UPDATE that only matches an open attempt
     of that owner whose deadline plus grace has not passed — which also serialises
     the save with finalisation and with other saves of the same attempt;
  3. upsert the answers, stamped with a time taken after the claim, under the row
     lock, so that of two racing saves the one stored is the one acknowledged last.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import bindparam, exists, select, text, update
from sqlalchemy.engine import Connection

from app.accounts.models import User
from app.errors import DomainError, NotFound, TimeExpired
from app.timeutil import utcnow

from .models import FINISHED, Attempt, AttemptAnswer, AttemptSlot, QuestionVersion
from .questions import MULTIPLE

NOT_YOURS = "Câu này không có trong lượt làm bài của bạn."
NO_SUCH_CHOICE = "Lựa chọn không tồn tại."
ONE_CHOICE_ONLY = "Câu này chỉ được chọn một đáp án."
ALREADY_SUBMITTED = "Bài đã được nộp; câu trả lời này không được lưu."
TOO_LATE = "Đã hết giờ làm bài; câu trả lời này không được lưu."

_TOKEN_SALT = "vhcv.autosave"


@dataclass(frozen=True)
class TokenHolder:
    """Whom an autosave token was given to: the attempt's owner, in the session
    version current when the page was served (a password change ends the token)."""

    user_id: int
    session_version: int


def _serializer(secret: str, fallbacks=()) -> URLSafeSerializer:
    # itsdangerous takes the keys oldest first and signs with the last.
    return URLSafeSerializer([*fallbacks, secret], salt=_TOKEN_SALT)


def autosave_token(
    secret: str, attempt_id: int, user_id: int, session_version: int
) -> str:
    """The token the attempt page gives its script to prove its saves."""
    return _serializer(secret).dumps([attempt_id, user_id, session_version])


def read_autosave_token(
    secret: str, token: str, attempt_id: int, fallbacks=()
) -> TokenHolder:
    """Who holds `token` for `attempt_id`; NotFound when it is not a token signed
    with our key for that attempt. Reads nothing from the database."""
    try:
        data = _serializer(secret, fallbacks).loads(token or "")
    except BadSignature:
        raise NotFound(NOT_YOURS) from None
    if (
        not isinstance(data, list)
        or len(data) != 3
        or not all(type(v) is int for v in data)
        or data[0] != attempt_id
    ):
        raise NotFound(NOT_YOURS)
    return TokenHolder(data[1], data[2])


@dataclass(frozen=True)
class SaveResult:
    saved_at: datetime
    deadline_at: datetime


_SLOTS = (
    select(
        AttemptSlot.position,
        AttemptSlot.id,
        AttemptSlot.option_order,
        QuestionVersion.type,
    )
    .join(QuestionVersion, QuestionVersion.id == AttemptSlot.question_version_id)
    .join(Attempt, Attempt.id == AttemptSlot.attempt_id)
    .where(
        AttemptSlot.attempt_id == bindparam("attempt_id"),
        Attempt.user_id == bindparam("user_id"),
        AttemptSlot.position.in_(bindparam("positions", expanding=True)),
    )
)

# Same syntax on SQLite (>= 3.24) and PostgreSQL.
_UPSERT = text(
    "INSERT INTO attempt_answer (attempt_id, slot_id, selected, saved_at) "
    "VALUES (:attempt_id, :slot_id, :selected, :saved_at) "
    "ON CONFLICT (slot_id) DO UPDATE SET "
    "selected = excluded.selected, saved_at = excluded.saved_at"
).bindparams(
    bindparam("selected", type_=AttemptAnswer.__table__.c.selected.type),
    bindparam("saved_at", type_=AttemptAnswer.__table__.c.saved_at.type),
)


def save_choices(
    connection: Connection,
    attempt_id: int,
    user_id: int,
    choices: dict[int, list[int]],
    grace: timedelta,
    now: datetime | None = None,
    session_version: int | None = None,
) -> SaveResult:
    """Save, for the attempt `attempt_id` of `user_id`, the choices of each question
    position in `choices` (option positions as shown, 0-based; an empty list clears
    the answer) on `connection`, in its transaction.

    `session_version`, when given (a token's holder), must still be the user's and
    the user active; None means the caller checked the session. `now` is the time
    the deadline is judged at; the answers are stamped after the claim.
    Raises NotFound (not the user's attempt, or a question or option not in it),
    DomainError (several choices for a single-answer question) and TimeExpired
    (finished, or past the deadline plus `grace`). After a raise the caller rolls
    back; nothing is written before every check has passed.
    """
    judged_at = now or utcnow()
    slots = {
        row.position: row
        for row in connection.execute(
            _SLOTS,
            {"attempt_id": attempt_id, "user_id": user_id, "positions": list(choices)},
        )
    }
    rows = [_answer_row(slots, p, picked) for p, picked in choices.items()]
    deadline_at = _claim(
        connection, attempt_id, user_id, judged_at, grace, session_version
    )
    saved_at = now or utcnow()  # under the attempt's row lock (see the module)
    for row in rows:
        row.update(attempt_id=attempt_id, saved_at=saved_at)
    if rows:
        connection.execute(_UPSERT, rows)
    return SaveResult(saved_at, deadline_at)


def _answer_row(slots: dict, position: int, picked: list[int]) -> dict:
    slot = slots.get(position)
    if slot is None:
        raise NotFound(NOT_YOURS)
    if any(c < 0 or c >= len(slot.option_order) for c in picked):
        raise NotFound(NO_SUCH_CHOICE)
    if slot.type != MULTIPLE and len(picked) > 1:
        raise DomainError(ONE_CHOICE_ONLY)
    selected = [slot.option_order[c] for c in sorted(set(picked))]
    return {"slot_id": slot.id, "selected": selected}


def _claim(connection, attempt_id, user_id, now, grace, session_version) -> datetime:
    """Take the attempt row if it still accepts saves; its deadline. Waits for a
    finalisation in progress and then sees it finished, so a save racing the end
    is either counted by the grading or refused — never half-kept."""
    conditions = [
        Attempt.id == attempt_id,
        Attempt.user_id == user_id,
        Attempt.accepts_saves(now, grace),
    ]
    if session_version is not None:
        conditions.append(
            exists().where(
                User.id == user_id,
                User.session_version == session_version,
                User.active.is_(True),
            )
        )
    deadline_at = connection.scalar(
        update(Attempt)
        .where(*conditions)
        .values(last_saved_at=now)
        .returning(Attempt.deadline_at)
    )
    if deadline_at is None:
        _refuse(connection, attempt_id, user_id, session_version)
    return deadline_at


def _refuse(connection, attempt_id, user_id, session_version):
    """No claim: why. Only the token's or session's owner learns more than 404."""
    row = connection.execute(
        select(Attempt.state, User.session_version, User.active)
        .join(User, User.id == Attempt.user_id)
        .where(Attempt.id == attempt_id, Attempt.user_id == user_id)
    ).first()
    stale = session_version is not None and (
        row is None or not row.active or row.session_version != session_version
    )
    if row is None or stale:
        raise NotFound(NOT_YOURS)
    raise TimeExpired(ALREADY_SUBMITTED if row.state == FINISHED else TOO_LATE)
