"""The kinds of background work: each domain registers its long tasks here with
`@task("kind")` (the modules of TASK_MODULES in app/__init__.py), and the runner
calls them by name.

A task is `fn(params, owner_id, progress) -> Outcome`. It runs in an app context of
its own, outside any request; it re-checks what the page that started it checked
(the owner's role and unit scope, from `owner_id`), reports how far it got through
`progress`, writes a file result only to `progress.output(...)`, and leaves its
database writes uncommitted: the runner commits them together with the job's end,
so a job that dies has written nothing and its retry starts afresh. A task that
keeps what it has done (`keeps_done`) commits as it goes instead, each batch through
`progress.commit()` (fenced by the job's run, as the runner's own commit is). A
DomainError's message is what the officer reads when it fails.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.errors import DomainError


@dataclass(frozen=True)
class Outcome:
    # What the job page says when it has finished: a lazy message (_l, _nl), which
    # the page shows in its reader's language (jobs.messages.parts), or text.
    message: object
    file: Path | None = None  # progress.output()'s path, when it wrote one
    name: str | None = None  # the file's name for the download
    mime: str | None = None
    # Called once the task's writes are committed (e.g. delete the upload used).
    then: Callable[[], None] | None = None


TASKS: dict[str, Callable] = {}
# kind → `allowed(params, owner_id) -> bool`: may the owner still have the job's
# result (checked again at each download: an officer moved out of a unit loses its
# exports at once, not when they expire).
STILL_ALLOWED: dict[str, Callable[[dict, int | None], bool]] = {}
# The kinds whose work is committed as it goes (task's `keeps_done`).
KEEPS_DONE: set[str] = set()
# kind → `kept(params, owner_id) -> bool`: is what the job reads still there (an
# upload kept since its preview): a failed job whose input is gone is not offered
# "Thử lại", which could only fail again.
INPUT_KEPT: dict[str, Callable[[dict, int | None], bool]] = {}


def allowed_unless_refused(
    selection: Callable[[dict, int | None], object],
) -> Callable[[dict, int | None], bool]:
    """A `still_allowed` check made of the task's own selection, which raises a
    DomainError (the page's 404 or 403) when the owner may no longer have what
    the job made: allowed exactly when it does not raise."""

    def allowed(params: dict, owner_id: int | None) -> bool:
        try:
            selection(params, owner_id)
        except DomainError:
            return False
        return True

    return allowed


def task(
    kind: str,
    still_allowed: Callable[[dict, int | None], bool] | None = None,
    keeps_done: bool = False,
    input_kept: Callable[[dict, int | None], bool] | None = None,
):
    """Register `fn` as the task `kind`. `keeps_done`: it commits as it goes what
    cannot be undone (an email sent, a statement the LRS has), so a job of it that
    stops keeps what it did, and its retry does only the rest (KEEPS_DONE: what
    the officer is told when it fails, jobs.messages). `input_kept`: INPUT_KEPT."""

    def register(fn: Callable) -> Callable:
        if TASKS.get(kind, fn) is not fn:
            raise ValueError(f"two tasks named {kind!r}")
        TASKS[kind] = fn
        if still_allowed is not None:
            STILL_ALLOWED[kind] = still_allowed
        if keeps_done:
            KEEPS_DONE.add(kind)
        if input_kept is not None:
            INPUT_KEPT[kind] = input_kept
        return fn

    return register
