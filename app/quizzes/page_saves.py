"""The attempt page's form post (sent without the page script, or after it): its
choices, flags and prediction saved under the rules of a save (app.quizzes.saving),
in the caller's transaction. The caller commits, or rolls back on a DomainError."""

from datetime import datetime

from app.extensions import db

from . import flags, prediction, saving
from .models import Attempt


def save_page_form(
    attempt: Attempt,
    user_id: int,
    form: saving.PageForm,
    guess: int | None,
    cutoff: datetime,
) -> bool:
    """Save the choices of `form` (saving.read_page_form's), then its flags while
    the attempt takes saves at `cutoff`, then the typed prediction `guess` unless
    None. Returns True when a newer choice (saved from another page) was kept
    instead of one of the form's. Raises as saving.save_choice, flags.set_flags
    and prediction.save."""
    kept_newer = False
    for position, picked in form.choices:
        connection = db.session.connection()
        kept_newer |= not saving.save_choice(
            connection,
            saving.read_slot(connection, attempt.id, position),
            user_id,
            picked,
            cutoff,
            seq=form.seq,
        ).stored
    if form.flags and attempt.takes_saves(cutoff):
        flags.set_flags(attempt, form.flags, cutoff)
    if guess is not None:
        prediction.save(attempt, user_id, guess, cutoff)
    return kept_newer
