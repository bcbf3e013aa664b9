"""Question banks, versioned questions, quizzes, and attempts with their answers."""

from datetime import datetime

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import UTCDateTime, utcnow

OPEN, FINISHED = "open", "finished"
# How an attempt ended (Attempt.finished_by): the cadre submitted it; the page's
# timer ran out and the page submitted it; or, past its deadline plus grace, it
# was finalised by the next request that touched it or by the sweep.
BY_SUBMIT, BY_PAGE_TIMER, BY_DEADLINE, BY_SWEEP = "submit", "auto", "deadline", "sweep"
ENDED_BY_TIME = (BY_PAGE_TIMER, BY_DEADLINE, BY_SWEEP)


class QuestionBank(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(255))
    course_code: Mapped[str | None] = mapped_column(String(40))
    module_code: Mapped[str | None] = mapped_column(String(40))
    # "file" (quizzes/, synced) or "import" (GIFT/Aiken into the database only).
    origin: Mapped[str] = mapped_column(String(20), default="file")
    # The unit whose trainers may author it (its subtree's trainers); None: admin only.
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    # Groups of question codes never drawn into one attempt together (the bank
    # file's `exclusive`); the server default lets older servers insert banks.
    exclusive: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")

    questions: Mapped[list["Question"]] = relationship(
        back_populates="bank", order_by="Question.code"
    )


class Question(db.Model):
    """A question's identity; its text and options live in its versions."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_bank.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_version.id", use_alter=True)
    )
    # content_hash as last synced from or exported to its file (three-way sync rule).
    synced_hash: Mapped[str] = mapped_column(String(64), default="")
    # Its name in Moodle (GIFT ::title::, Moodle XML <name>), kept for export; the
    # code stays the stable id. Not versioned: a label, not content.
    name: Mapped[str] = mapped_column(String(255), default="", server_default="")
    # the Moodle category it was imported from, kept for export ("" for none)
    category: Mapped[str] = mapped_column(String(1000), default="", server_default="")
    # its Moodle ID number as imported, when it is not its code ("Câu 1" for the
    # code Cau-1), written back on export ("" for none)
    idnumber: Mapped[str] = mapped_column(String(100), default="", server_default="")

    bank: Mapped[QuestionBank] = relationship(back_populates="questions")
    current_version: Mapped["QuestionVersion | None"] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )


class QuestionVersion(db.Model):
    """One text of a question, rendered once. Attempts point at it; never edited.

    `options` is a list of {key, text, html, correct, weight, feedback, feedback_html};
    a true/false question stores its Đúng/Sai options there too.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    type: Mapped[str] = mapped_column(String(20))
    stem_md: Mapped[str] = mapped_column(Text)
    stem_html: Mapped[str] = mapped_column(Text)
    options: Mapped[list] = mapped_column(JSON)
    answer: Mapped[bool | None] = mapped_column()
    explanation_md: Mapped[str] = mapped_column(Text, default="")
    explanation_html: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(400), default="")
    tags: Mapped[list] = mapped_column(JSON, default=list)
    content_hash: Mapped[str] = mapped_column(String(64))
    # "file" (flask content sync), "import" (GIFT/Aiken/Word) or "browser".
    origin: Mapped[str] = mapped_column(String(20), default="file")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    question: Mapped[Question] = relationship(foreign_keys=[question_id])

    __table_args__ = (
        UniqueConstraint("question_id", "number", name="uq_question_version"),
    )


class Quiz(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(255))
    course_code: Mapped[str | None] = mapped_column(String(40))
    time_limit_seconds: Mapped[int] = mapped_column(default=1800)
    pass_percent: Mapped[int] = mapped_column(default=80)
    attempts_allowed: Mapped[int] = mapped_column(default=1)
    shuffle_questions: Mapped[bool] = mapped_column(default=True)
    shuffle_options: Mapped[bool] = mapped_column(default=True)
    questions_per_page: Mapped[int] = mapped_column(default=5)
    review_policy: Mapped[str] = mapped_column(String(20), default="after_submit")
    partial_credit: Mapped[bool] = mapped_column(default=False)
    # [{"count": n, "bank": code | None, "tag": tag | None}]
    draw_rules: Mapped[list] = mapped_column(JSON, default=list)
    # The window in which attempts may run (a campaign sets them); None = no limit.
    # A unit subtree may have its own (QuizWindow): see quizzes.windows.
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Codes of the course's modules to read before starting (a campaign's, set with
    # its window); None: every module the course has.
    required_modules: Mapped[list | None] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    # content_hash as last synced from or exported to its file (three-way sync rule).
    synced_hash: Mapped[str] = mapped_column(String(64), default="")
    # "file" when the settings are the file's, "browser" after an edit in the browser.
    origin: Mapped[str] = mapped_column(String(20), default="file")
    active: Mapped[bool] = mapped_column(default=True)
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # A contest round's prediction question ("Dự đoán có bao nhiêu người trả lời
    # đúng tất cả…"): when set, each attempt carries an integer answer to it
    # (Attempt.prediction), required to submit. None: no prediction.
    prediction_prompt: Mapped[str | None] = mapped_column(Text)
    # Sealed until its window closes: no score, ranking or right answer is shown to
    # anyone (learner, trainer, HR, administrator) before closes_at.
    sealed: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The units whose subtrees' cadres may take it (QuizTarget); none: everyone.
    # Loaded when asked for (starting, the course's list of quizzes): not by every
    # page that loads the quiz, as the attempt page and its saves.
    targets: Mapped[list["QuizTarget"]] = relationship(cascade="all, delete-orphan")

    @property
    def question_count(self) -> int:
        return sum(rule["count"] for rule in self.draw_rules)


class QuizTarget(db.Model):
    """A unit whose subtree's cadres may take the quiz; a quiz with no target is
    open to everyone (a contest round's are the contest's target units)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))

    __table_args__ = (UniqueConstraint("quiz_id", "unit_id", name="uq_quiz_target"),)


class QuizWindow(db.Model):
    """A unit subtree's own window for a quiz (a commune opening a week later): for
    the cadres of that subtree it replaces the quiz's window; the deepest applies."""

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("quiz_id", "unit_id", name="uq_window_unit"),)


class Accommodation(db.Model):
    """Extra time and/or extra attempts granted to one cadre for one quiz (WCAG
    2.2.1 Timing Adjustable; Moodle's user overrides): the time limit becomes
    limit × (1 + percent/100) + seconds; the attempts allowed grow by
    `extra_attempts`."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"))
    extra_seconds: Mapped[int] = mapped_column(default=0)
    extra_percent: Mapped[int] = mapped_column(default=0)
    extra_attempts: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str] = mapped_column(Text)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    quiz: Mapped["Quiz"] = relationship()

    __table_args__ = (
        UniqueConstraint("user_id", "quiz_id", name="uq_accommodation_user_quiz"),
    )

    def time_limit(self, seconds: int) -> int:
        """The quiz's time limit `seconds` with this extra time."""
        return seconds + seconds * self.extra_percent // 100 + self.extra_seconds


class Attempt(db.Model):
    """One sitting: questions and option order fixed at start; the server keeps time."""

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    state: Mapped[str] = mapped_column(String(20), default=OPEN)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How it ended: BY_SUBMIT, BY_PAGE_TIMER, BY_DEADLINE or BY_SWEEP (None: open).
    finished_by: Mapped[str | None] = mapped_column(String(20))
    # Moved on every accepted save: serialises saves with finalisation.
    last_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[float | None] = mapped_column()
    max_score: Mapped[float | None] = mapped_column()
    percent: Mapped[float | None] = mapped_column()
    passed: Mapped[bool | None] = mapped_column()
    # A trainer's preview: runs the real flow, counts for nothing.
    preview: Mapped[bool] = mapped_column(default=False)
    # The answer to the quiz's prediction question (Quiz.prediction_prompt).
    prediction: Mapped[int | None] = mapped_column()

    quiz: Mapped[Quiz] = relationship()
    slots: Mapped[list["AttemptSlot"]] = relationship(
        back_populates="attempt", order_by="AttemptSlot.position"
    )

    __table_args__ = (
        UniqueConstraint("quiz_id", "user_id", "number", name="uq_attempt_number"),
        # At most one open attempt per cadre per quiz, whatever the race.
        Index(
            "uq_attempt_one_open",
            "quiz_id",
            "user_id",
            unique=True,
            sqlite_where=text("state = 'open'"),
            postgresql_where=text("state = 'open'"),
        ),
        Index("ix_attempt_open_deadline", "state", "deadline_at"),
    )

    # The attempt's time rules, each defined once and usable both on an instance and
    # in a query (select(Attempt).where(Attempt.is_overdue(cutoff))). A save made at
    # `now` still counts while the deadline is at or after now minus the grace for
    # network latency: that moment is the `cutoff` (attempts.save_cutoff).

    @hybrid_method
    def is_open(self, now: datetime):
        """Still running: open and before its deadline."""
        return (self.state == OPEN) & (self.deadline_at > now)

    @hybrid_method
    def takes_saves(self, cutoff: datetime):
        """Open, and a save made now counts (its deadline is not before `cutoff`)."""
        return (self.state == OPEN) & (self.deadline_at >= cutoff)

    @hybrid_method
    def is_overdue(self, cutoff: datetime):
        """Open, but past its deadline plus grace: to be finalised with what was
        saved in time (lazily by the next request, or by the sweep)."""
        return (self.state == OPEN) & (self.deadline_at < cutoff)

    @property
    def ended_by_time(self) -> bool:
        """Submitted automatically when its time ran out (the page's timer, the next
        request or the sweep), with the answers saved in time."""
        return self.finished_by in ENDED_BY_TIME

    @property
    def seconds_used(self) -> float | None:
        """From its start to its submission, both on the server's clock (a contest
        ranking's time used); None while it runs."""
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

    def remaining_seconds(self, now: datetime) -> int:
        """Whole seconds left before the deadline; 0 once finished or past it."""
        return seconds_left(self.deadline_at, now) if self.state == OPEN else 0


def seconds_left(deadline: datetime, now: datetime) -> int:
    """Whole seconds from `now` to `deadline`, never negative: the countdown the
    pages and the autosave's answer give."""
    return max(0, int((deadline - now).total_seconds()))


class AttemptSlot(db.Model):
    """A question as drawn into an attempt, with its option order for this attempt."""

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"))
    position: Mapped[int] = mapped_column()
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_version.id"))
    # Option keys in the order shown; the browser only ever sees positions.
    option_order: Mapped[list] = mapped_column(JSON)
    # The cadre marked it to come back to (attempt page, confirm page).
    flagged: Mapped[bool] = mapped_column(default=False, server_default=false())

    attempt: Mapped[Attempt] = relationship(back_populates="slots")
    version: Mapped[QuestionVersion] = relationship()

    __table_args__ = (
        UniqueConstraint("attempt_id", "position", name="uq_slot_position"),
    )


class AttemptAnswer(db.Model):
    """The saved choice for one slot (upserted on every save)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("attempt_slot.id"), unique=True)
    selected: Mapped[list] = mapped_column(JSON, default=list)  # option keys
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The page journal's sequence number of the choice stored (saving.save_choices):
    # a retry of an older choice never overwrites a newer one. None: a form post
    # without the page script.
    seq: Mapped[int | None] = mapped_column()
    marks: Mapped[float | None] = mapped_column()


# What became of a save (AnswerSave.outcome).
SAVE_STORED = "stored"  # it is (or was, until a later save) the kept answer
SAVE_OLDER = "older"  # ignored: a choice with a higher journal number was kept
SAVE_LATE = "late"  # refused: past the deadline and its grace
SAVE_CLOSED = "closed"  # refused: the attempt had already ended


class AnswerSave(db.Model):
    """One save of a choice as it reached the server, kept or not: the facts behind
    an attempt's answers ("my answers were lost"). Append-only, written by
    saving.save_choices in the save's own transaction (a refused save, after the
    rollback, by the caller); never read on the way of a save."""

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("attempt_slot.id"))
    selected: Mapped[list] = mapped_column(JSON)  # option keys; [] clears
    # The page journal's number of the choice; None: a form post without the script.
    seq: Mapped[int | None] = mapped_column()
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(10))
