"""The background task xapi.send: the outbox to the LRS, by the job worker.

Like reminders.send it commits as it goes (a batch the LRS has taken is known as
sent even if the job dies afterwards); the LRS down fails nothing: what is left
waits for the next run."""

from flask_babel import gettext as _

from app.errors import lazy_ngettext as _nl
from app.jobs.tasks import Outcome, task
from app.numbers import lazy_number

from . import sender

KIND = "xapi.send"


@task(KIND, keeps_done=True)  # each batch marked sent in its commit
def send_task(params: dict, owner_id: int | None, progress) -> Outcome:
    progress.begin(_("Gửi dữ liệu học tập (xAPI)"), sender.backlog_count())
    result = sender.send_pending(params.get("batch"), step=progress.set)
    if result.error:
        return Outcome(
            _nl(
                "Đã gửi %(sent)s bản ghi xAPI; phần còn lại chờ lần sau (%(error)s).",
                "Đã gửi %(sent)s bản ghi xAPI; phần còn lại chờ lần sau (%(error)s).",
                result.sent,
                sent=lazy_number(result.sent),
                error=result.error,
            )
        )
    return Outcome(
        _nl(
            "Đã gửi %(sent)s bản ghi xAPI.",
            "Đã gửi %(sent)s bản ghi xAPI.",
            result.sent,
            sent=lazy_number(result.sent),
        )
    )
