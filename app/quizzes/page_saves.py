"""The attempt page's form post (sent without the page script, or after it): its
choices, flags and prediction saved under the rules of a save (app.quizzes.saving),
in the caller's transaction. The caller commits, or rolls back on a DomainError."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.database import db_int
from app.extensions import db

from . import flags, prediction, saving
from .models import Attempt, AttemptAnswer, AttemptSlot


@dataclass(frozen=True)
class PageForm:
    """What the attempt page's form (posted without or after the page script)
    asks: the choices to save, the flags of its questions, where to go next."""

    choices: list[tuple[int, list[int]]]  # (position, option positions picked)
    flags: dict[int, bool]  # position → flagged, for every question of the page
    # a journal number for the form's choices: sent by the page script of before
    # (an offline copy of the page may still run it); the script now saves no
    # choice through the form
    seq: int | None
    target: str  # `go`: a page number, or "submit"
    goto: int | None  # a question picked in the navigator
    # position → the options shown ticked, of the questions left as the page
    # showed them (not saved: what is stored may be another page's since)
    left: dict[int, list[int]] = field(default_factory=dict)


def read_page_form(form: MultiDict) -> PageForm:
    """Read the page's form. Each question of the page sends its position
    (`positions`), its ticked options (`q<position>`), its flag box
    (`flag<position>`) and, when the page showed it answered, the options it
    showed ticked (`shown<position>`, "0,2"). Only a question the cadre changed
    on the page is saved: one left as the page showed it keeps what another tab
    or device saved meanwhile (saved again, the page's old choice would replace
    the newer one); one unticked is saved as unanswered. (A page of before
    `shown` sends `answered` with its position instead: its answered questions
    are saved as ticked.)
    Choices and `seq` are read as the autosave reads them (saving.read_choices,
    read_seq); a position, flag or page that is not a number is dropped."""
    positions = list(dict.fromkeys(form.getlist("positions", type=db_int)))
    shown_answered = set(form.getlist("answered", type=db_int))
    choices, left = [], {}
    for position in positions:
        picked = saving.read_choices(form.getlist(f"q{position}"))
        shown = _shown(form.get(f"shown{position}"), position in shown_answered)
        if shown is not None and sorted(set(picked)) == shown:
            left[position] = shown  # not changed on this page
        elif picked or shown or position in shown_answered:
            choices.append((position, picked))
    goto = form.get("goto", type=db_int)
    return PageForm(
        choices=choices,
        flags={p: form.get(f"flag{p}") == "1" for p in positions},
        seq=saving.read_seq(form),
        target=form.get("go", ""),
        goto=goto if goto and goto > 0 else None,
        left=left,
    )


def _shown(text: str | None, answered: bool) -> list[int] | None:
    """The options a question's page showed ticked, sorted (`shown<position>`):
    none when it sent none and no `answered`; None when unknown (a page of
    before that sent `answered`, or a value that is no list of numbers)."""
    if text is None:
        return None if answered else []
    if not text.strip():  # the page script's word for a question it shows empty
        return []
    try:
        return sorted({int(part) for part in text.split(",")})
    except ValueError:
        return None


def save_page_form(
    attempt: Attempt,
    user_id: int,
    form: PageForm,
    guess: int | None,
    cutoff: datetime,
) -> bool:
    """Save the choices of `form` (read_page_form's) together, in one save
    (saving.save_choices: as many statements for a page of 3 questions as for
    one of 12), then its flags while the attempt takes saves at `cutoff`, then
    the typed prediction `guess` unless None. Returns True when a newer choice
    (saved from another page) was kept instead of one of the form's, or is held
    by a question the form left as its page showed it (while the attempt takes
    saves). Raises as saving.save_choices, flags.set_flags and prediction.save."""
    results = saving.save_choices(
        db.session.connection(),
        attempt.id,
        user_id,
        form.choices,
        cutoff,
        seq=form.seq,
    )
    in_time = attempt.takes_saves(cutoff)
    if form.flags and in_time:
        flags.set_flags(attempt, form.flags, cutoff)
    if guess is not None:
        prediction.save(attempt, user_id, guess, cutoff)
    kept_newer = not all(result.stored for result in results)
    # past the deadline, what the page shows and the server does not hold is a
    # late choice (not counted, as the page says), not a newer one elsewhere
    return kept_newer or (in_time and _changed_elsewhere(attempt.id, form.left))


def _changed_elsewhere(attempt_id: int, left: dict[int, list[int]]) -> bool:
    """Does a question the form left as its page showed it (`left`) hold another
    choice now (saved from another tab or device since): one SELECT."""
    if not left:
        return False
    rows = db.session.execute(
        select(AttemptSlot.position, AttemptSlot.option_order, AttemptAnswer.selected)
        .outerjoin(AttemptAnswer, AttemptAnswer.slot_id == AttemptSlot.id)
        .where(AttemptSlot.attempt_id == attempt_id)
        .where(AttemptSlot.position.in_(list(left)))
    )
    return any(
        saving.shown_options(row.option_order, row.selected) != left[row.position]
        for row in rows
    )
