"""Saving answers: the one implementation behind the page script's autosave (one
question) and the plain form post (which works without JavaScript; the questions of
its page together).

A save, after the caller has proved who is saving (a signed autosave token, or the
signed-in session), is four statements built once, however many questions it saves:
  1. `read_slots`: read the questions' slots (their option order and type) in one
     SELECT. A slot never changes, so on SQLite the autosave reads it before its
     write transaction, which then holds the write lock for the statements below
     only (elsewhere in the same transaction);
  2. `save_choices`, once the choices are checked against their slots: claim the
     attempt row, once, a conditional UPDATE that only matches an open attempt of
     that owner that still takes saves; it serialises the save with finalisation
     and with the attempt's other saves;
  3. upsert the answers (one statement, executemany), stamped with a time taken
     after the claim, under the row lock, so that of two racing saves the one
     stored is the one acknowledged last. The page script numbers its choices (a
     journal in the browser, sent in order and retried until acknowledged): a
     choice numbered below the stored one is a late retry and leaves the newer
     choice in place; equal numbers, or a form post without a number, follow the
     rule above. Numbers order the choices of one browser, not those of two
     devices: the save's result gives the number (and choice) the question holds,
     and the page numbers its next choices past it (read in one more SELECT, only
     when a newer choice was kept);
  4. append the saves to the attempt's save log (AnswerSave: what was chosen, when,
     its number, whether it was stored), one INSERT (executemany) that reads
     nothing.
Anything wrong (a question or option not in the attempt, not the owner's, too late)
raises before the upsert, and the caller rolls back. A save of the owner refused
for time raises RefusedSave, which carries its log rows: the caller writes them with
`log_refused` after the rollback, so that the log shows it too.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import bindparam, exists, func, select, text, update
from sqlalchemy.engine import Connection, Row
from werkzeug.datastructures import MultiDict

from app.accounts.models import User
from app.database import db_int
from app.errors import DomainError, NotFound, TimeExpired
from app.errors import lazy_gettext as _l
from app.timeutil import utcnow

from .models import (
    FINISHED,
    SAVE_CLOSED,
    SAVE_LATE,
    SAVE_OLDER,
    SAVE_STORED,
    AnswerSave,
    Attempt,
    AttemptAnswer,
    AttemptSlot,
    QuestionVersion,
)
from .questions import MULTIPLE

NOT_YOURS = _l("Câu này không có trong lượt làm bài của bạn.")
NO_SUCH_CHOICE = _l("Lựa chọn không tồn tại.")
BAD_SEQ = _l("Số thứ tự của lựa chọn không hợp lệ.")
ONE_CHOICE_ONLY = _l("Câu này chỉ được chọn một đáp án.")
ALREADY_SUBMITTED = _l("Bài đã được nộp; câu trả lời này không được lưu.")
TOO_LATE = _l("Đã hết giờ làm bài; câu trả lời này không được lưu.")
SESSION_ENDED = _l(
    "Phiên đăng nhập đã kết thúc nên lựa chọn chưa được lưu; nó vẫn được giữ trên"
    " máy này. Hãy đăng nhập lại rồi tải lại trang để gửi."
)

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


class SessionEnded(DomainError):
    """The token's holder owns the attempt, but its session ended after the page
    was served (signed out, password changed, account locked): 401, not 404, so that
    the page keeps the choice for after a new sign-in instead of dropping it."""

    status = 401


class RefusedSave(TimeExpired):
    """A save of the attempt's owner refused for time (finished, or too late);
    `entries` are its save-log rows (one per choice), for `log_refused` once the
    caller rolled back."""

    def __init__(self, message: str, entries: list[dict]):
        super().__init__(message)
        self.entries = entries


@dataclass(frozen=True)
class SaveResult:
    saved_at: datetime
    deadline_at: datetime
    # False: a newer choice (higher sequence number) was stored before this one
    # arrived, and is kept.
    stored: bool = True
    # The number of the choice the question holds after the save (None: a form
    # post without one) and, when it is not this save's, that choice (option
    # positions as shown): the page raises its numbering past it and shows it.
    stored_seq: int | None = None
    stored_choices: tuple[int, ...] | None = None


# Built once: the statement is the same for every save, only its parameters vary.
_CLAIM = (
    update(Attempt)
    .where(
        Attempt.id == bindparam("attempt_id"),
        Attempt.user_id == bindparam("owner_id"),
        Attempt.takes_saves(bindparam("cutoff", type_=Attempt.deadline_at.type)),
        exists().where(
            User.id == Attempt.user_id,
            User.active.is_(True),
            # A token's session version must still be the user's (None: the
            # session was checked by the caller).
            User.session_version
            == func.coalesce(bindparam("session_version"), User.session_version),
        ),
    )
    .values(last_saved_at=bindparam("now", type_=Attempt.last_saved_at.type))
    .returning(Attempt.deadline_at)
)

_SLOTS = (
    select(
        AttemptSlot.attempt_id,
        AttemptSlot.id,
        AttemptSlot.position,
        AttemptSlot.option_order,
        QuestionVersion.type,
    )
    .join(QuestionVersion, QuestionVersion.id == AttemptSlot.question_version_id)
    .where(
        AttemptSlot.attempt_id == bindparam("attempt_id"),
        AttemptSlot.position.in_(bindparam("positions", expanding=True)),
    )
)

# Same syntax on SQLite (>= 3.24) and PostgreSQL. No row changes (rowcount 0) when
# the stored choice has a higher sequence number than this one (a late retry), or
# the same number with another choice (two devices each numbering past the same
# stored choice): it is kept, and the page told what is held numbers its choice
# past it (the later acknowledgement still wins, and the other device learns of
# it). The same number with the same choice is that choice sent again: stored.
# A save without a number (a form post without the page script) that changes the
# choice takes the number after the stored one, so that the pages with the script
# learn at their next resync that another page's choice is held.
_UPSERT = text(
    "INSERT INTO attempt_answer (attempt_id, slot_id, selected, saved_at, seq) "
    "VALUES (:attempt_id, :slot_id, :selected, :saved_at, :seq) "
    "ON CONFLICT (slot_id) DO UPDATE SET "
    "selected = excluded.selected, saved_at = excluded.saved_at, "
    "seq = COALESCE(excluded.seq, attempt_answer.seq + CASE WHEN "
    "CAST(excluded.selected AS TEXT) = CAST(attempt_answer.selected AS TEXT) "
    "THEN 0 ELSE 1 END) "
    "WHERE excluded.seq IS NULL OR attempt_answer.seq IS NULL "
    "OR excluded.seq > attempt_answer.seq "
    "OR (excluded.seq = attempt_answer.seq "
    "AND CAST(excluded.selected AS TEXT) = CAST(attempt_answer.selected AS TEXT))"
).bindparams(
    bindparam("selected", type_=AttemptAnswer.__table__.c.selected.type),
    bindparam("saved_at", type_=AttemptAnswer.__table__.c.saved_at.type),
)


_HELD = select(AttemptAnswer.slot_id, AttemptAnswer.selected, AttemptAnswer.seq).where(
    AttemptAnswer.slot_id.in_(bindparam("ids", expanding=True))
)


_LOG = text(
    "INSERT INTO answer_save (attempt_id, slot_id, selected, seq, saved_at, outcome) "
    "VALUES (:attempt_id, :slot_id, :selected, :seq, :saved_at, :outcome)"
).bindparams(
    bindparam("selected", type_=AnswerSave.__table__.c.selected.type),
    bindparam("saved_at", type_=AnswerSave.__table__.c.saved_at.type),
)


def read_slots(
    connection: Connection, attempt_id: int, positions: Iterable[int]
) -> dict[int, Row]:
    """The slots of the questions at `positions` of the attempt (attempt_id, id,
    position, option_order, type) by position, in one SELECT; a position the
    attempt has not is left out."""
    rows = connection.execute(
        _SLOTS, {"attempt_id": attempt_id, "positions": list(positions)}
    )
    return {row.position: row for row in rows}


def save_choices(
    connection: Connection,
    attempt_id: int,
    user_id: int,
    choices: Sequence[tuple[int, list[int]]],
    cutoff: datetime,
    now: datetime | None = None,
    session_version: int | None = None,
    seq: int | None = None,
    slots: dict[int, Row] | None = None,
) -> list[SaveResult]:
    """Save `choices`, (position, option positions as shown, 0-based; none clears
    the answer) pairs, of an attempt of `user_id`, on `connection`, in its
    transaction; their results, in order. The autosave saves one, the page's form
    all of its page's, in as many statements.

    `slots` are read_slots' of the positions (read here when None). `cutoff` is
    the earliest deadline that still takes the save (attempts.save_cutoff).
    `session_version`, when given (a token's holder), must still be the user's
    and the user active; None means the caller checked the session. `seq` is the
    page journal's number of the choices (None: a form post without the page
    script); a choice numbered below the stored one is not stored (its result
    says so). `now` stamps the answers (tests); by default the time after the
    claim.
    Every choice that gets past the checks is logged (AnswerSave): a stored or
    older one here, in the transaction; a refused one by the caller.
    Raises NotFound (no such question or option, or not the user's attempt),
    DomainError (several choices for a single-answer question) and RefusedSave, a
    TimeExpired (finished, or too late); the caller then rolls back.
    """
    if not choices:
        return []
    if slots is None:
        slots = read_slots(connection, attempt_id, [p for p, _ in choices])
    picks = [(slots.get(p), _selected_keys(slots.get(p), c)) for p, c in choices]
    deadline_at = connection.scalar(
        _CLAIM,
        {
            "attempt_id": attempt_id,
            "owner_id": user_id,
            "cutoff": cutoff,
            "session_version": session_version,
            "now": now or utcnow(),
        },
    )
    if deadline_at is None:
        at = now or utcnow()
        entries = [_entry(slot, keys, seq, at) for slot, keys in picks]
        _refuse(connection, entries, user_id, session_version)
    saved_at = now or utcnow()  # under the attempt's row lock (see the module)
    entries = [_entry(slot, keys, seq, saved_at) for slot, keys in picks]
    return _store(connection, [s for s, _ in picks], entries, deadline_at)


def _store(connection, slots, entries: list[dict], deadline_at) -> list[SaveResult]:
    """Upsert the answers `entries` of `slots` and log them, in one statement each
    (the question's stored choice read, in one more, only when a newer one is
    kept); their results."""
    stored_count = connection.execute(_UPSERT, entries).rowcount
    held = {}
    if stored_count < len(entries):  # some kept a newer choice: which
        ids = [entry["slot_id"] for entry in entries]
        held = {row.slot_id: row for row in connection.execute(_HELD, {"ids": ids})}
    results = []
    for slot, entry in zip(slots, entries, strict=True):
        seq, saved_at = entry["seq"], entry["saved_at"]
        kept = held.get(slot.id)
        if kept is None or seq is None or _same(kept, entry):
            entry["outcome"] = SAVE_STORED
            results.append(SaveResult(saved_at, deadline_at, True, seq))
        else:  # the stored choice has a higher number, or the same for another
            entry["outcome"] = SAVE_OLDER
            shown = tuple(shown_options(slot.option_order, kept.selected))
            results.append(SaveResult(saved_at, deadline_at, False, kept.seq, shown))
    connection.execute(_LOG, entries)
    return results


def _same(kept, entry: dict) -> bool:
    """The question holds this entry's choice under its number (stored by it, or
    by the same choice sent before)."""
    return kept.seq == entry["seq"] and list(kept.selected) == entry["selected"]


def log_refused(connection: Connection, error: RefusedSave) -> None:
    """Append the refused saves of `error` to the save log, on `connection`, in its
    transaction (a new one: the save's was rolled back)."""
    connection.execute(_LOG, error.entries)


def _entry(slot, selected: list[str], seq: int | None, at: datetime) -> dict:
    """The parameters of the upsert and of the log row of a save."""
    return {
        "attempt_id": slot.attempt_id,
        "slot_id": slot.id,
        "selected": selected,
        "saved_at": at,
        "seq": seq,
    }


def _selected_keys(slot, picked: list[int]) -> list[str]:
    """The option keys of the positions `picked` in `slot` (a _SLOTS row or None);
    NotFound or DomainError when the choice does not fit the question."""
    if slot is None:
        raise NotFound(NOT_YOURS)
    if any(c < 0 or c >= len(slot.option_order) for c in picked):
        raise NotFound(NO_SUCH_CHOICE)
    if slot.type != MULTIPLE and len(picked) > 1:
        raise DomainError(ONE_CHOICE_ONLY)
    return [slot.option_order[c] for c in sorted(set(picked))]


def shown_options(option_order: list[str], keys) -> list[int]:
    """The option positions as the attempt shows them of the stored option
    `keys`, sorted: _selected_keys the other way round."""
    return sorted(option_order.index(key) for key in keys or ())


def form_number(value: str, instead: int) -> int:
    """A posted number within the database's integer range (db_int), else
    `instead`: the one reading of a save's numbers, for the autosave and the
    page's form."""
    try:
        return db_int(value)
    except ValueError:
        return instead


def read_choices(values: list[str]) -> list[int]:
    """The posted option positions; one that is not a number reads as -1 (no such
    option), which save_choices refuses: a bad value is never dropped, or a save
    with nothing left would clear the answer."""
    return [form_number(value, -1) for value in values]


def read_seq(form: MultiDict) -> int | None:
    """The page journal's number of the choice: None when the form has none, 0
    (refused: BAD_SEQ) when it is no number from 1 up."""
    if "seq" not in form:
        return None
    return max(form_number(form["seq"], 0), 0)


def _refuse(connection, entries: list[dict], user_id, session_version):
    """No claim: why. Only the token's or session's owner learns more than 404 (and
    only the owner's refused saves of a live session are logged)."""
    row = connection.execute(
        select(Attempt.state, User.session_version, User.active)
        .join(User, User.id == Attempt.user_id)
        .where(Attempt.id == entries[0]["attempt_id"], Attempt.user_id == user_id)
    ).first()
    stale = session_version is not None and (
        row is None or not row.active or row.session_version != session_version
    )
    if row is None:
        raise NotFound(NOT_YOURS)
    if stale:
        raise SessionEnded(SESSION_ENDED)
    if row.state == FINISHED:
        message, outcome = ALREADY_SUBMITTED, SAVE_CLOSED
    else:
        message, outcome = TOO_LATE, SAVE_LATE
    raise RefusedSave(message, [{**entry, "outcome": outcome} for entry in entries])
