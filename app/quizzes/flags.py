"""Questions a cadre flags to come back to: one mark per slot of an open attempt,
set from the page script (one question at a time) or with the page's form.

Operations flush, never commit (the view commits once)."""

from datetime import datetime

from sqlalchemy import update

from app.errors import NotFound, TimeExpired
from app.errors import lazy_gettext as _l
from app.extensions import db

from .models import Attempt, AttemptSlot
from .saving import NOT_YOURS

FLAG_CLOSED = _l("Bài đã được nộp hoặc đã hết giờ; không đánh dấu được câu hỏi.")


def set_flag(attempt: Attempt, position: int, flagged: bool, cutoff: datetime) -> None:
    """Flag (or unflag) the question at `position` of `attempt`, which must still
    take saves at `cutoff` (attempts.save_cutoff). Raises TimeExpired when the
    attempt is finished or past its deadline and grace, NotFound when it has no
    question at `position`. The caller has checked that the attempt is the user's."""
    set_flags(attempt, {position: flagged}, cutoff)


def set_flags(attempt: Attempt, flags: dict[int, bool], cutoff: datetime) -> None:
    """Set several questions' flags at once (the page's form); raises as set_flag
    (the caller then rolls back)."""
    if not attempt.takes_saves(cutoff):  # finished, or past the deadline and grace
        raise TimeExpired(FLAG_CLOSED)
    for flagged in (True, False):
        positions = [p for p, f in flags.items() if bool(f) is flagged]
        if not positions:
            continue
        changed = db.session.execute(
            update(AttemptSlot)
            .where(
                AttemptSlot.attempt_id == attempt.id,
                AttemptSlot.position.in_(positions),
            )
            .values(flagged=flagged)
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed != len(set(positions)):
            raise NotFound(NOT_YOURS)  # the caller rolls back
    db.session.flush()
