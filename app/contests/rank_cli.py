"""`flask contests rank|rank-due`: rankings as background jobs, run here at once
(or on the workers with --queue), each printing its summary."""

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy import select

from app.errors import DomainError, LazyMessage
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.jobs import services as jobs
from app.jobs.cli import runs_here

from . import lookup, ranking
from .models import Contest, ContestRound
from .sync import current_rounds, is_retired


def round_title(round_: ContestRound) -> LazyMessage:
    """The title of the job ranking a round (rank --round and rank-due alike)."""
    return _l("Xếp hạng đợt %(code)s", code=round_.code)


def contest_title(contest: Contest) -> LazyMessage:
    """The title of the job ranking a whole contest."""
    return _l("Xếp hạng %(title)s", title=contest.code)


def _run(params: dict, title: LazyMessage, here: bool) -> bool:
    """Submit the ranking job (`here`: in this process); print its outcome.
    False when it failed."""
    job = jobs.submit("contests.rank", title, None, params, here=here)
    if not here:
        click.echo(_("Đã giao việc %(id)s cho worker.", id=job.id))
        return True
    if job.state != "finished":
        message = job.message or _("việc không hoàn thành.")
        click.echo(f"{title}: {message}", err=True)
        return False
    click.echo(f"{title}: {job.message}")
    return True


QUEUE = click.option(
    "--queue", is_flag=True, help=_l("Giao cho worker thay vì chạy ngay tại đây.")
)


@click.command(
    "rank",
    help=_l(
        "Xếp hạng một đợt thi đã đóng (và xét giải), hoặc cả cuộc thi từ bảng xếp "
        "hạng mới nhất của các đợt thi. Mỗi lần tạo một phiên bản mới; từ lần thứ "
        "hai là đính chính, cần --reason."
    ),
)
@with_appcontext
@click.option("--round", "round_code", help=_l("Mã đợt thi (vòng) cần xếp hạng."))
@click.option(
    "--contest", "contest_code", help=_l("Mã cuộc thi: xếp hạng toàn cuộc thi.")
)
@click.option("--reason", default="", help=_l("Lý do (bắt buộc khi xếp hạng lại)."))
@QUEUE
def rank_command(round_code, contest_code, reason, queue) -> None:
    """Rank a closed round (and draw its prizes), or the whole contest from its
    rounds' latest rankings. A new version each time; after the first, a late
    correction that needs --reason."""
    if bool(round_code) == bool(contest_code):
        raise click.UsageError(_("Cho đúng một trong hai: --round hoặc --contest."))
    try:
        if round_code:
            round_ = lookup.get_round_by_code(round_code.strip())
            params = {"round": round_.code}
            title = round_title(round_)
        else:
            contest = lookup.get_contest(contest_code.strip())
            params = {"contest": contest.code}
            title = contest_title(contest)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    if reason.strip():
        params["reason"] = reason.strip()
    if not _run(params, title, runs_here(queue)):
        raise click.ClickException(_("Không xếp hạng được."))


def _round_due(round_: ContestRound) -> bool:
    """A round rank-due ranks: current (a round taken out of the file is not
    ranked), closed, with no ranking yet."""
    return (
        not is_retired(round_)
        and ranking.is_closed(round_)
        and lookup.latest(round_.contest, round_) is None
    )


def _contest_due(contest: Contest) -> bool:
    """The whole contest's ranking is missing or older than a round's, and every
    round that has closed is ranked (one still due, or sent to the workers and
    not ranked yet, waits: the contest is ranked at a later run)."""
    rounds = current_rounds(contest)
    if any(_round_due(r) for r in rounds):
        return False
    ranked = [found for r in rounds if (found := lookup.latest(contest, r))]
    overall = lookup.latest(contest, None)
    return any(
        overall is None or found.computed_at > overall.computed_at for found in ranked
    )


@click.command(
    "rank-due",
    help=_l(
        "Xếp hạng mọi đợt thi đã đóng mà chưa có xếp hạng của các cuộc thi đang "
        "hoạt động, rồi xếp hạng cả cuộc thi khi mọi đợt thi đã được xếp hạng và "
        "xếp hạng chung còn thiếu hoặc cũ hơn. Chạy theo lịch (với --queue, cuộc "
        "thi được xếp hạng ở lần chạy sau khi việc của các đợt thi xong)."
    ),
)
@with_appcontext
@QUEUE
def rank_due_command(queue: bool) -> None:
    """Rank every closed round of an active contest that has no ranking yet, then
    the whole contest of each whose rounds are all ranked and whose own ranking is
    missing or older than theirs (run it from a timer: with --queue, a contest
    is ranked by the run after its rounds' jobs have done)."""
    active = select(Contest).where(Contest.active.is_(True)).order_by(Contest.code)
    contests = db.session.scalars(active).all()
    due = [r for c in contests for r in current_rounds(c) if _round_due(r)]
    ok, here = True, runs_here(queue) if due else None
    for round_ in due:
        ok &= _run({"round": round_.code}, round_title(round_), here)
    stale = [c for c in contests if _contest_due(c)]
    if stale and here is None:
        here = runs_here(queue)
    for contest in stale:
        ok &= _run({"contest": contest.code}, contest_title(contest), here)
    if not due and not stale:
        click.echo(_("Không có đợt thi nào cần xếp hạng."))
    if not ok:
        raise click.ClickException(_("Có đợt thi chưa xếp hạng được."))
