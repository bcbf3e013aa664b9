"""What a learner sees of the records domain: the campaigns it is in, with what to
do next (the home page), and its transcript."""

from dataclasses import dataclass
from datetime import datetime

from flask import g

from app.accounts.models import User
from app.courses import services as courses
from app.errors import NotFound
from app.quizzes import services as quizzes
from app.timeutil import days_left, utcnow

from .models import COMPLETED, Campaign, TrainingRecord
from .services import records_of, window_of

# The quiz of a campaign as the cadre stands: not started, an attempt open, passed,
# failed with attempts left and none open ("retry"), failed with none left, failed
# and the cadre's window closed ("closed": no attempt left to take either), never
# taken and the cadre's window closed ("missed").
QUIZ_NOT_STARTED, QUIZ_IN_PROGRESS, QUIZ_PASSED, QUIZ_RETRY, QUIZ_FAILED = (
    "not_started",
    "in_progress",
    "passed",
    "retry",
    "failed",
)
QUIZ_CLOSED, QUIZ_MISSED = "closed", "missed"


@dataclass
class QuizStandingInfo:
    state: str  # one of QUIZ_*
    open_attempt_id: int | None
    attempts_left: int
    # the cadre's window has closed with the record not completed: nothing more
    # to read or take for it ("Đã kết thúc — chưa hoàn thành")
    ended: bool = False
    # the quiz's review policy shows the learner no result ("none"): its score and
    # verdict are not shown here either, as on the quiz and result pages
    results_hidden: bool = False


def quiz_standing(
    user: User,
    record: TrainingRecord,
    now: datetime | None = None,
    window: quizzes.Window | None = None,
) -> QuizStandingInfo:
    """Where `user` stands with the quiz of `record`'s campaign at `now`. Once the
    cadre's window has closed, the record alone says it: the quiz's open attempt
    and attempts left are then those of a later campaign that reuses the quiz, or
    none (closing ends the open ones). `window`: the cadre's (window_of), when the
    caller has it."""
    window = window or window_of(user, record.campaign)
    quiz = _quiz_of(record.campaign)
    hidden = quiz is not None and quiz.review_policy == "none"
    if window.has_closed(now or utcnow()):
        # completed means passed, even where the attempts are not kept (history
        # written from an older system)
        passed = record.passed or record.status == COMPLETED
        state = QUIZ_PASSED if passed else QUIZ_MISSED
        if not passed and record.attempts:
            state = QUIZ_CLOSED
        ended = record.status != COMPLETED
        return QuizStandingInfo(state, None, 0, ended, hidden)
    if quiz is None or not quiz.active:
        quiz = quizzes.get_quiz(record.campaign.quiz_code)  # NotFound, as ever
    current = quizzes.open_attempt(user, quiz)
    allowed = quizzes.attempts_allowed_for(user, quiz)  # accommodations included
    left = max(0, allowed - quizzes.attempts_used(user, quiz))
    return QuizStandingInfo(
        state=_quiz_state(record, current, left),
        open_attempt_id=current.id if current else None,
        attempts_left=left,
        results_hidden=hidden,
    )


def _quiz_of(campaign: Campaign):
    """The campaign's quiz, active or not; None when there is none (a campaign of
    history written from an older system). Read once per request and code: the
    campaigns of several years reuse one quiz."""
    memo = g.setdefault("vhcv_campaign_quizzes", {})
    code = campaign.quiz_code
    if code not in memo:
        try:
            memo[code] = quizzes.any_quiz(code)
        except NotFound:
            memo[code] = None
    return memo[code]


@dataclass
class CampaignProgressInfo:
    campaign: Campaign
    record: TrainingRecord
    reading: courses.CourseProgressInfo
    quiz_code: str
    quiz_state: str
    open_attempt_id: int | None
    days_left: int
    is_open: bool
    window: quizzes.Window  # the cadre's: its unit's own, else the campaign's
    opens_later: bool  # its window has not opened yet
    attempts_left: int = 0
    ended: bool = False  # QuizStandingInfo.ended: closed, not completed
    results_hidden: bool = False  # QuizStandingInfo.results_hidden

    @property
    def modules_shown(self) -> tuple[int, int, int]:
        """(read, total, percent) for the reading bar: today's reading, or, the
        campaign ended, the record's as it closed (reading since counts for no
        closed campaign)."""
        if self.ended:
            read, total = self.record.modules_read, self.record.modules_total
        else:
            read, total = self.reading.read_count, self.reading.total
        return read, total, courses.reading_percent(read, total)


def _quiz_state(record: TrainingRecord, open_attempt, attempts_left: int) -> str:
    if open_attempt is not None:
        return QUIZ_IN_PROGRESS
    if record.passed:
        return QUIZ_PASSED
    if record.attempts:
        return QUIZ_RETRY if attempts_left else QUIZ_FAILED
    return QUIZ_NOT_STARTED


def campaigns_for(
    user: User, now: datetime | None = None
) -> list[CampaignProgressInfo]:
    """The campaigns `user` is in, newest first, with what to do next."""
    now = now or utcnow()
    infos, reading = [], {}  # reading: one course_progress per course, not per year
    for record in sorted(records_of(user), key=lambda r: -r.campaign.year):
        campaign = record.campaign
        code = campaign.course_code
        if code not in reading:
            reading[code] = courses.course_progress(user, courses.get_course(code))
        window = window_of(user, campaign)  # its unit's own, or last year's dates
        standing = quiz_standing(user, record, now, window)
        closes_at = window.closes_at or campaign.closes_at
        infos.append(
            CampaignProgressInfo(
                campaign=campaign,
                record=record,
                reading=reading[code],
                quiz_code=campaign.quiz_code,
                quiz_state=standing.state,
                open_attempt_id=standing.open_attempt_id,
                days_left=days_left(closes_at, now),
                is_open=window.is_open(now),
                window=window,
                opens_later=window.not_yet_open(now),
                attempts_left=standing.attempts_left,
                ended=standing.ended,
                results_hidden=standing.results_hidden,
            )
        )
    return infos


def transcript(user: User) -> list[TrainingRecord]:
    """Every campaign record of `user`, newest year first."""
    return sorted(records_of(user), key=lambda r: (-r.campaign.year, r.campaign.code))


@dataclass
class TranscriptRow:
    record: TrainingRecord
    quiz: QuizStandingInfo


def transcript_rows(user: User) -> list[TranscriptRow]:
    """The transcript page: each record of transcript() with where the cadre
    stands with its quiz."""
    return [TranscriptRow(r, quiz_standing(user, r)) for r in transcript(user)]
