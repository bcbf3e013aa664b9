"""The background task that sends a reminder's emails (reminders.send).

Unlike other tasks it commits as it goes (app.reminders.mailing): an email that
has left must be known as sent even if the job dies afterwards, so that its retry
sends only what is still pending."""

from flask_babel import gettext as _

from app.accounts.models import User
from app.accounts.permissions import scope_paths
from app.errors import LazyMessage, NotAllowed, NotFound, lazy_join
from app.errors import lazy_gettext as _l
from app.errors import lazy_ngettext as _nl
from app.extensions import db
from app.jobs.tasks import Outcome, task
from app.numbers import lazy_number

from . import mailing, services

KIND = "reminders.send"


def title(reminder) -> LazyMessage:
    return _l("Gửi thư nhắc đợt %(code)s", code=reminder.campaign.code)


def _check_owner(owner_id: int | None, reminder) -> None:
    """As the page that started it: the owner is still an active officer whose
    scope holds the reminder's unit (no owner: the command line)."""
    if owner_id is None:
        return
    owner = db.session.get(User, owner_id)
    if owner is None or not owner.active:
        raise NotFound(_l("Tài khoản đã bắt đầu việc này không còn hoạt động."))
    if not owner.has_role("hr", "admin") or not services.in_scope(
        reminder, scope_paths(owner, "hr")
    ):
        raise NotAllowed(_l("Lời nhắc này không còn trong phạm vi của bạn."))


@task(KIND, keeps_done=True)  # an email sent has left
def send_task(params: dict, owner_id: int | None, progress) -> Outcome:
    """params: reminder (id). Sends the pending emails; a retry never sends an
    email that has left (each is claimed, then marked, in commits of its own)."""
    reminder = services.get_reminder(int(params["reminder"]))
    _check_owner(owner_id, reminder)
    progress.begin(_("Gửi thư nhắc nhở"))
    result = mailing.send_pending(reminder, step=progress.set)
    if result.failed:
        said = [
            _l(
                "Đã gửi %(sent)s; %(failed)s thư không gửi được.",
                sent=_nl(
                    "%(n)s thư",
                    "%(n)s thư",
                    result.sent,
                    n=lazy_number(result.sent),
                ),
                failed=lazy_number(result.failed),
            )
        ]
    else:
        said = [
            _nl(
                "Đã gửi %(sent)s thư nhắc nhở.",
                "Đã gửi %(sent)s thư nhắc nhở.",
                result.sent,
                sent=lazy_number(result.sent),
            )
        ]
    if result.done:
        said.append(
            _l(
                "%(done)s người đã hoàn thành trước khi thư được gửi: không gửi.",
                done=lazy_number(result.done),
            )
        )
    if result.out_of_attempts:
        said.append(
            _l(
                "%(stuck)s người đã hết lượt làm bài (chưa đạt) trước khi thư được "
                "gửi: không gửi.",
                stuck=lazy_number(result.out_of_attempts),
            )
        )
    if result.closed:
        said.append(
            _l(
                "%(closed)s người đã hết thời gian làm bài trước khi thư được gửi: "
                "không gửi.",
                closed=lazy_number(result.closed),
            )
        )
    return Outcome(lazy_join(said))
