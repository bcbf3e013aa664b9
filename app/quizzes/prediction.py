"""The answer to a quiz's prediction question (Quiz.prediction_prompt, a contest
round's tie-break: "how many will answer every question right?"): one whole number
per attempt (Attempt.prediction), required to submit.

It is saved under the rules of an answer (saving.py): only into the owner's open
attempt while it still takes saves (its deadline plus the grace), by a conditional
UPDATE of the attempt row, which serialises it with finalisation and moves
`last_saved_at` like any save. An attempt ended by its time (the timer, a request
after the deadline, the sweep) needs none: it keeps None.

Operations flush, never commit (the view commits once)."""

import re
from datetime import datetime

from sqlalchemy import update

from app.errors import InvalidInput, NotFound, TimeExpired
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.timeutil import utcnow

from .models import FINISHED, Attempt
from .saving import NOT_YOURS

MAX_PREDICTION = 10_000_000
BAD_PREDICTION = _l("Dự đoán phải là một số nguyên từ 0 đến 10.000.000.")
NOT_ASKED = _l("Bài này không có câu hỏi dự đoán.")
REQUIRED = _l("Bạn cần nhập dự đoán trước khi nộp bài.")
CLOSED = _l("Bài đã được nộp hoặc đã hết giờ; dự đoán không được lưu.")
# Thousands grouped with dots, as Vietnamese writes them and the page's hint shows
# the bound (10.000.000): groups of exactly three digits after the first.
_GROUPED = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")


def parse(text: str | None) -> int:
    """The whole number typed in `text` (blanks around it allowed, thousands
    grouped with dots as in 1.500); InvalidInput for anything else: empty, a sign,
    a fraction, letters, above MAX_PREDICTION."""
    value = (text or "").strip()
    if _GROUPED.fullmatch(value):
        value = value.replace(".", "")
    if not value or len(value) > 8 or not (value.isascii() and value.isdigit()):
        raise InvalidInput(BAD_PREDICTION)
    number = int(value)
    if number > MAX_PREDICTION:
        raise InvalidInput(BAD_PREDICTION)
    return number


def save(
    attempt: Attempt,
    user_id: int,
    value: int,
    cutoff: datetime,
    now: datetime | None = None,
) -> None:
    """Store `value` as `attempt`'s prediction. Raises InvalidInput when its quiz
    asks none or the value is out of bounds, NotFound when the attempt is not
    `user_id`'s, TimeExpired when it is finished or past its deadline and grace
    (`cutoff`, attempts.save_cutoff)."""
    if not attempt.quiz.prediction_prompt:
        raise InvalidInput(NOT_ASKED)
    if type(value) is not int or not 0 <= value <= MAX_PREDICTION:
        raise InvalidInput(BAD_PREDICTION)
    claimed = db.session.execute(
        update(Attempt)
        .where(
            Attempt.id == attempt.id,
            Attempt.user_id == user_id,
            Attempt.takes_saves(cutoff),
        )
        .values(prediction=value, last_saved_at=now or utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(attempt)
    if claimed != 1:
        if attempt.user_id != user_id:
            raise NotFound(NOT_YOURS)
        raise TimeExpired(CLOSED)


def before_submit(
    attempt: Attempt,
    text: str | None,
    cutoff: datetime,
    now: datetime,
    by_timer: bool = False,
) -> None:
    """What "Nộp bài" needs of the prediction: the value typed on the confirm page
    (`text`, None when the form has no such field; the page's timer sends what the
    page's field holds) is saved first; then an open attempt of a quiz that asks
    one must have one, unless its deadline has passed on the server's clock —
    for the page's timer too: anyone may send its "auto", so it earns no early
    end without a prediction (a timer a moment ahead, the status having said
    "0 seconds" with less than one left, is refused; the confirm page it lands
    on posts again at zero). Raises InvalidInput (bad value, or none yet) or as
    `save`; the caller rolls back and shows the message. For the timer
    (`by_timer`), a value that is bad or comes too late is left unsaved instead:
    it never holds back the end of an attempt whose time is up."""
    quiz = attempt.quiz
    if not quiz.prediction_prompt or attempt.state == FINISHED:
        return
    if text is not None and text.strip():
        try:
            value = parse(text)
            if value != attempt.prediction:
                save(attempt, attempt.user_id, value, cutoff, now)
        except (InvalidInput, TimeExpired):
            if not by_timer:
                raise
    if attempt.prediction is not None:
        return
    # Still running, so not ended by its time: a prediction is needed.
    if attempt.is_open(now):
        raise InvalidInput(REQUIRED)
