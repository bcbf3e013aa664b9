"""Frozen rankings of a contest: of one round after its quiz has closed, and of the
whole contest from the rounds' latest rankings.

A round's participants are the cadres with at least one finished, non-preview attempt
of the round's quiz whose unit on the day it submitted (its assignment then) lies,
in today's tree, in the subtree of one of the contest's targets; it counts for that
unit. Each counts with its best attempt: the most right answers (a right answer is
a question with full marks), and among attempts with as many, the one with the better
tie-break. The order (the contest's rules, thể lệ):

1. right answers, most first;
2. |prediction − actual|, smallest first, where `actual` is the number of
   participants whose best attempt has every answer right; an attempt without a
   prediction ranks after every one with one;
3. time used (finished_at − started_at, both the server's), shortest first;
4. submission time (finished_at), earliest first.

Entries equal on all four share a rank (1, 2, 2, 4) and are marked `tied`; their
order among themselves (by user id) means nothing. A ranking is never rewritten: a
recomputation is a new version, and every version after the first is a late
correction, which needs a reason and is written to the audit log.

Set-based: one query reads every finished attempt of the quiz with its right answers
(Attempt.score when the quiz has no partial credit, since each question is worth one
mark; else a grouped count of full-mark answers), Python picks the best attempts and
sorts them, and the entries go in with one bulk insert (bench/contest.py: 30,000
participants in well under the 10 s budget on both databases).
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import false, func, select

from app.accounts.models import User
from app.audit import services as audit
from app.errors import Conflict, InvalidInput, QuizClosed
from app.errors import lazy_gettext as _l
from app.errors import lazy_ngettext as _nl
from app.extensions import db
from app.numbers import lazy_number
from app.quizzes import services as quiz_services
from app.quizzes import windows
from app.quizzes.models import OPEN, Attempt, Quiz
from app.signals import results_opened
from app.timeutil import utcnow

from . import overall, prizes, results
from .candidates import best_attempts, entry_row, read_candidates
from .entries import NO_PROGRESS, store
from .lookup import latest
from .models import Contest, ContestRound, Ranking
from .order import is_all_right
from .participation import round_state
from .sync import current_rounds, is_retired


@dataclass
class RankingResult:
    ranking: Ranking
    entries: int
    prizes: int
    pending: int  # entries tied across a level's last place, left to the council

    @property
    def summary(self):
        """What was ranked, as a lazy message (a job's page shows it in the
        reader's language)."""
        r = self.ranking
        return _l(
            "Xếp hạng phiên bản %(v)d: %(n)s, %(p)s đúng tất cả %(q)s; %(z)s, "
            "%(t)s đồng hạng chờ Hội đồng xét.",
            v=r.version,
            n=_nl(
                "%(n)s người dự thi",
                "%(n)s người dự thi",
                r.participants,
                n=lazy_number(r.participants),
            ),
            p=_nl(
                "%(n)s người",
                "%(n)s người",
                r.perfect_count,
                n=lazy_number(r.perfect_count),
            ),
            q=_nl("%(num)d câu", "%(num)d câu", r.question_count),
            z=_nl(
                "%(n)s giải",
                "%(n)s giải",
                self.prizes,
                n=lazy_number(self.prizes),
            ),
            t=_nl(
                "%(n)s người",
                "%(n)s người",
                self.pending,
                n=lazy_number(self.pending),
            ),
        )


@dataclass
class OverviewRow:
    """A round on the staff's overview: its state (participation.round_state, as
    the public page shows it), whether it may be ranked, its latest ranking."""

    round: ContestRound
    state: str
    closed: bool
    latest: Ranking | None
    retired: bool


def overview(contest: Contest, now: datetime | None = None) -> list[OverviewRow]:
    """Every round of the contest, retired ones (after the current) marked."""
    now = now or utcnow()
    return [
        OverviewRow(
            r,
            round_state(r.quiz.opens_at, r.quiz.closes_at, now),
            is_closed(r, now),
            latest(contest, r),
            is_retired(r),
        )
        for r in contest.rounds
    ]


def is_closed(round_: ContestRound, now: datetime | None = None) -> bool:
    """Every window of the round's quiz (its own and each unit's) has closed."""
    return windows.all_closed(round_.quiz, now or utcnow())


def check_round(round_: ContestRound, reason: str, now: datetime | None = None):
    """What rank_round would refuse before it starts (the page asks first): the
    round still open (QuizClosed), a late correction without a reason."""
    if not is_closed(round_, now or utcnow()):
        raise QuizClosed(_not_closed(round_))
    _checked_reason(latest(round_.contest, round_), reason)


def _check_earlier_ranked(round_: ContestRound, now: datetime) -> None:
    """With one prize per contest, a round's prizes skip the earlier rounds'
    winners: so an earlier round that has closed must be ranked first (rank-due
    with --queue sends every due round at once; the later ones are refused and
    ranked at its next run). Conflict otherwise."""
    contest = round_.contest
    if not contest.one_prize_per_contest:
        return
    for earlier in current_rounds(contest):
        if (
            earlier.number < round_.number
            and is_closed(earlier, now)
            and latest(contest, earlier) is None
        ):
            raise Conflict(
                _l(
                    "Cần xếp hạng “%(earlier)s” trước: mỗi người chỉ nhận một giải"
                    " trong cuộc thi, nên giải của đợt sau tính sau đợt trước.",
                    earlier=earlier.title,
                )
            )


def _not_closed(round_: ContestRound):
    return _l(
        "“%(r)s” chưa kết thúc: chỉ xếp hạng sau khi đợt thi đóng.",
        r=round_.title,
    )


def rank_round(
    round_: ContestRound,
    actor: User | None = None,
    reason: str = "",
    now: datetime | None = None,
    progress=NO_PROGRESS,
) -> RankingResult:
    """Compute and store a new version of the round's ranking with its prizes.

    Raises QuizClosed before the round's quiz has closed (every unit's window),
    Conflict while an attempt is still open within its grace, and InvalidInput for
    a late correction (a version after the first) without a reason. Flushes; the
    caller commits. `progress` (a job's, app.jobs.progress) is told the stages and
    the entries written."""
    now = now or utcnow()
    if not is_closed(round_, now):
        raise QuizClosed(_not_closed(round_))
    contest = round_.contest
    _check_earlier_ranked(round_, now)
    previous = latest(contest, round_)
    reason = _checked_reason(previous, reason)
    progress.begin(_("Đọc các bài thi đã nộp"))
    _finish_overdue(round_.quiz, now)
    candidates = read_candidates(contest, round_.quiz)
    questions = round_.quiz.question_count or max(
        (c.questions for c in candidates), default=0
    )
    actual = len({c.user_id for c in candidates if is_all_right(c.right, questions)})
    best = best_attempts(candidates, actual)
    ranking = Ranking(
        contest_id=contest.id,
        round_id=round_.id,
        version=previous.version + 1 if previous else 1,
        computed_at=now,
        computed_by_id=actor.id if actor else None,
        reason=reason,
        question_count=questions,
        perfect_count=actual,
        participants=len(best),
    )
    rows = [entry_row(c, actual) for c in best]
    store(ranking, rows, progress=progress)
    progress.begin(_("Tổng hợp theo đơn vị và lập danh sách giải"), 2)
    results.freeze_units(contest, ranking)
    progress.step()
    draw = prizes.award(ranking, round_, rows)
    progress.step()
    _audit(ranking, actor, round_.code, previous is not None)
    results_opened.send(round_.quiz, now=now)  # e.g. the scores to the LRS (xapi)
    return RankingResult(ranking, len(rows), len(draw.awards), len(draw.pending))


def rank_contest(
    contest: Contest,
    actor: User | None = None,
    reason: str = "",
    now: datetime | None = None,
    progress=NO_PROGRESS,
) -> RankingResult:
    """A new version of the whole contest's ranking, from the latest ranking of
    each round (app.contests.overall has the rule). A version made after a round
    was (re)ranked follows it; one made from the same round rankings as the
    previous is a late correction and needs a reason (InvalidInput without).
    Raises Conflict when no round has a ranking yet."""
    now = now or utcnow()
    rounds = [
        (r, ranking) for r in current_rounds(contest) if (ranking := latest(contest, r))
    ]
    if not rounds:
        raise Conflict(_l("Chưa có đợt thi nào được xếp hạng."))
    previous = latest(contest, None)
    if previous is None or any(r.computed_at > previous.computed_at for _, r in rounds):
        # A round was ranked since: an update, not a correction (no reason needed).
        reason, late = reason.strip(), False
    else:
        reason, late = _checked_reason(previous, reason), True
    progress.begin(_("Đọc bảng xếp hạng các đợt"))
    rows, question_count = overall.combine(contest, [r for _, r in rounds])
    ranking = Ranking(
        contest_id=contest.id,
        round_id=None,
        version=previous.version + 1 if previous else 1,
        computed_at=now,
        computed_by_id=actor.id if actor else None,
        reason=reason,
        question_count=question_count,
        perfect_count=sum(
            1 for row in rows if is_all_right(row["right_answers"], question_count)
        ),
        participants=len(rows),
    )
    store(ranking, rows, overall.row_key(contest), progress)
    progress.begin(_("Tổng hợp theo đơn vị"), 1)
    results.freeze_units(contest, ranking)
    progress.step()
    _audit(ranking, actor, contest.code, late)
    return RankingResult(ranking, len(rows), 0, 0)


def _checked_reason(previous: Ranking | None, reason: str) -> str:
    reason = (reason or "").strip()
    if previous is not None and not reason:
        raise InvalidInput(
            _l(
                "Đã có bảng xếp hạng phiên bản %(v)d: xếp hạng lại là đính chính muộn, "
                "cần ghi lý do.",
                v=previous.version,
            )
        )
    return reason


def _finish_overdue(quiz: Quiz, now: datetime) -> None:
    """Finalise the quiz's attempts left open past their deadline (the sweep may
    not have run yet: quizzes' close_overdue); refuse while one may still be saved
    within its grace."""
    quiz_services.close_overdue(now, quiz=quiz)
    still_open = db.session.scalar(
        select(func.count())
        .select_from(Attempt)
        .where(Attempt.quiz_id == quiz.id, Attempt.state == OPEN)
        .where(Attempt.preview == false())
    )
    if still_open:
        raise Conflict(
            _nl(
                "Còn %(n)s bài thi đang trong thời gian nộp; thử lại sau ít phút.",
                "Còn %(n)s bài thi đang trong thời gian nộp; thử lại sau ít phút.",
                still_open,
                n=lazy_number(still_open),
            )
        )


def _audit(ranking: Ranking, actor: User | None, code: str, late: bool) -> None:
    audit.record(
        "contests.ranking_corrected" if late else "contests.ranked",
        actor=actor,
        target=ranking,
        code=code,
        version=ranking.version,
        participants=ranking.participants,
        perfect=ranking.perfect_count,
        reason=ranking.reason,
    )
