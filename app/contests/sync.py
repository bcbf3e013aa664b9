"""Checked contest files into the database, by the three-way rule of the content
layer (app.content.sync_rules): a contest, its targets, its rounds and each round's
quiz (sealed, answers after close, the contest's targets copied into QuizTarget).
The checks that need the database live here too. Operations flush, never commit."""

from dataclasses import fields
from pathlib import Path

from sqlalchemy import false, inspect, select

from app.accounts.models import Unit
from app.content.load import ContentPart
from app.content.problems import Problem
from app.content.quizfiles import QuizContent
from app.content.sync_quizzes import set_quiz
from app.content.sync_rules import (
    CONFLICT,
    KEEP_BROWSER,
    SAME,
    SyncResult,
    settle,
)
from app.content.transfer import quiz_data_of
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.markdown import render_markdown
from app.quizzes.models import Attempt, Quiz, QuizTarget
from app.quizzes.questions import QuizData
from app.quizzes.windows import quiz_window
from app.timeutil import utcnow

from .files import ContestData, RoundData, contest_hash, load_contests
from .models import PRIZE_LEVELS, Contest, ContestRound, ContestTarget
from .targets import target_problems

# A round taken out of its file keeps its quiz and attempts, out of the numbering.
RETIRED_NUMBER = 100_000
# What may still change once a round has started (someone has begun it: a change of
# its draw or rules would rank its attempts by two measures) or closed (its right
# answers and results may be public): its name and the number of prizes (a late
# correction of the prize list goes through a new ranking). Its window, draw and
# rules stay as they were, whether the change comes from the browser
# (app.contests.editing) or a file: both ask `fixed_changes`.
AFTER_CLOSE = {"title", "prizes"}
# Why a round's settings are fixed (fixed_changes).
CLOSED, STARTED = "closed", "started"


# --- the database as a file would say it ---------------------------------------


def current_rounds(contest: Contest) -> list[ContestRound]:
    return [r for r in contest.rounds if not is_retired(r)]


def is_retired(row: ContestRound) -> bool:
    """Taken out of its contest's file: kept with its attempts and rankings."""
    return row.number >= RETIRED_NUMBER


def contest_data_of(contest: Contest) -> ContestData:
    """The ContestData a contest in the database stands for (its file's content)."""
    codes = dict(
        db.session.execute(
            select(Unit.id, Unit.code).where(
                Unit.id.in_(
                    [t.unit_id for t in contest.targets] + [contest.owner_unit_id]
                )
            )
        ).all()
    )
    return ContestData(
        code=contest.code,
        title=contest.title,
        organiser=contest.organiser,
        description=contest.description_md,
        rules=contest.rules_md,
        targets=tuple(sorted(codes[t.unit_id] for t in contest.targets)),
        owner=codes.get(contest.owner_unit_id, ""),
        overall=contest.overall,
        one_prize_per_contest=contest.one_prize_per_contest,
        rounds=tuple(round_data_of(r) for r in current_rounds(contest)),
    )


def round_data_of(row: ContestRound) -> RoundData:
    quiz = row.quiz
    return RoundData(
        code=row.code,
        title=row.title,
        opens_at=quiz.opens_at,
        closes_at=quiz.closes_at,
        quiz=quiz_data_of(quiz),
        prediction=quiz.prediction_prompt or "",
        prizes=tuple((level, int(row.prizes.get(level, 0))) for level in PRIZE_LEVELS),
    )


def round_changes(old: RoundData, new: RoundData) -> list[str]:
    """The names of the settings `new` changes in `old` (a round's, its quiz's)."""
    changed = [
        f.name
        for f in fields(RoundData)
        if f.name not in ("quiz", "line")
        and getattr(old, f.name) != getattr(new, f.name)
    ]
    changed += [
        f.name
        for f in fields(QuizData)
        if getattr(old.quiz, f.name) != getattr(new.quiz, f.name)
    ]
    return changed


def fixed_after_close(changed: list[str]) -> list[str]:
    """Of the settings `changed` (round_changes), those a closed round keeps."""
    return [name for name in changed if name not in AFTER_CLOSE]


def has_started(row: ContestRound) -> bool:
    """Someone has begun the round: its quiz has an attempt that is not a preview."""
    found = db.session.scalar(
        select(Attempt.id)
        .where(Attempt.quiz_id == row.quiz_id, Attempt.preview == false())
        .limit(1)
    )
    return found is not None


def fixed_changes(
    row: ContestRound, new: RoundData, now
) -> tuple[str | None, list[str]]:
    """The one rule of what a round's settings may still become, for the browser's
    editor and the file check alike: (why — CLOSED, STARTED or None —, the settings
    `new` changes that the round keeps). A round that has closed, or that someone
    has started, keeps all but its name and prize counts (AFTER_CLOSE); a started
    round that has not closed may still close later (an outage, a late unit), never
    earlier."""
    old = round_data_of(row)
    fixed = fixed_after_close(round_changes(old, new))
    if not fixed:
        return None, []
    if quiz_window(row.quiz).has_closed(now):
        return CLOSED, fixed
    if old.closes_at is not None and new.closes_at > old.closes_at:
        fixed = [name for name in fixed if name != "closes_at"]
    if fixed and has_started(row):
        return STARTED, fixed
    return None, []


# --- checks against the database ---------------------------------------------------


def _left_for_later(contests: list[ContestData], what: str, why: str) -> list[str]:
    """A notice per contest: `what` was not done to it, and `why`."""
    return [f"{c.path}: {what} cuộc thi {c.code}: {why}." for c in contests]


def database_problems(
    contests: list[ContestData], strict: bool = True
) -> tuple[list[Problem], list[str], list[ContestData]]:
    """(problems, notices, the contests that may be synced): units named that do not
    exist or are closed, round codes that another quiz has. Not `strict` (`flask
    content sync` before `flask demo seed`: no unit at all yet), contests are left
    for later with a notice instead."""
    if not contests:
        return [], [], []
    if not inspect(db.session.connection()).has_table(Unit.__tablename__):
        why = "cơ sở dữ liệu chưa được tạo (`flask db upgrade`)"
        return [], _left_for_later(contests, "chưa kiểm tra đơn vị của", why), []
    if not strict and db.session.scalar(select(Unit.id).limit(1)) is None:
        why = "chưa có đơn vị nào; tạo đơn vị rồi chạy `flask contests sync`"
        return [], _left_for_later(contests, "chưa đồng bộ", why), []
    needed = {code for c in contests for code in (*c.targets, c.owner)}
    units = dict(
        db.session.execute(
            select(Unit.code, Unit.active).where(Unit.code.in_(needed))
        ).all()
    )
    round_codes = [r.code for c in contests for r in c.rounds]
    taken = dict(
        db.session.execute(
            select(Quiz.code, Contest.code)
            .outerjoin(ContestRound, ContestRound.quiz_id == Quiz.id)
            .outerjoin(Contest, Contest.id == ContestRound.contest_id)
            .where(Quiz.code.in_(round_codes))
        ).all()
    )
    problems = []
    for contest in contests:
        for code in dict.fromkeys((*contest.targets, contest.owner)):
            if code not in units:
                message = _l("không có đơn vị mã “%(code)s”", code=code)
            elif not units[code]:
                message = _l("đơn vị “%(code)s” đã ngừng hoạt động", code=code)
            else:
                continue
            problems.append(Problem(contest.path, contest.line, message))
        for round_data in contest.rounds:
            if round_data.code in taken and taken[round_data.code] != contest.code:
                message = _l(
                    "mã đợt thi “%(code)s” đã là mã của một bài kiểm tra "
                    "khác trong cơ sở dữ liệu",
                    code=round_data.code,
                )
                problems.append(Problem(contest.path, round_data.line, message))
    for contest in contests:
        problems += _target_problems(contest) + _fixed_round_problems(contest)
    bad = {p.path for p in problems}
    return problems, [], [c for c in contests if c.path not in bad]


def _target_problems(data: ContestData) -> list[Problem]:
    """Targets nested in one another; a changed file changing the targets of a
    contest one of whose rounds has opened (app.contests.targets)."""
    contest = db.session.scalar(select(Contest).where(Contest.code == data.code))
    old, rounds = data.targets, []
    if contest is not None and contest.synced_hash != contest_hash(data):
        old, rounds = contest_data_of(contest).targets, current_rounds(contest)
    found = target_problems(old, data.targets, rounds, utcnow())
    return [Problem(data.path, data.line, message) for message in found]


def _fixed_round_problems(data: ContestData) -> list[Problem]:
    """A file changed since its last sync may not redraw or reopen a round that
    has closed (its answers may be public) or that someone has started (its
    attempts would be measured two ways): as in the browser's editor
    (fixed_changes), only its name and prize counts change (taking it out of the
    file retires it, rankings kept). A file unchanged since its last sync is not
    applied: no check."""
    contest = db.session.scalar(select(Contest).where(Contest.code == data.code))
    if contest is None or contest.synced_hash == contest_hash(data):
        return []
    now, problems = utcnow(), []
    in_file = {r.code: r for r in data.rounds}
    for row in current_rounds(contest):
        new = in_file.get(row.code)
        if new is None:  # taken out of the file: retired, its rankings kept
            continue
        why, fixed = fixed_changes(row, new, now)
        if why is None:
            continue
        message = _l(
            "đợt thi “%(code)s” đã kết thúc: chỉ sửa được tên đợt và số giải"
            " (tệp đổi: %(fixed)s)",
            code=row.code,
            fixed=", ".join(fixed),
        )
        if why == STARTED:
            message = _l(
                "đợt thi “%(code)s” đã có người làm bài: chỉ sửa được tên đợt,"
                " số giải và lùi giờ kết thúc (tệp đổi: %(fixed)s)",
                code=row.code,
                fixed=", ".join(fixed),
            )
        problems.append(Problem(data.path, new.line or data.line, message))
    return problems


def contest_part(
    quizzes_root: Path, quizzes: QuizContent, strict: bool = False
) -> ContentPart:
    """The contest files of `quizzes_root`, checked (files, then the database), and
    how to sync them, for `flask content check|sync` and `flask contests …`."""
    quiz_codes = {q.code: (q.path, q.line or 1) for q in quizzes.quizzes}
    content = load_contests(quizzes_root, quizzes.banks, quizzes.bank_paths, quiz_codes)
    problems, notices, ready = database_problems(content.contests, strict)
    return ContentPart(
        label="Cuộc thi",
        problems=content.problems + problems,
        notices=notices,
        count=f"{len(ready)} cuộc thi",
        sync=lambda prefer_files: sync_contests(ready, prefer_files),
    )


# --- writing -----------------------------------------------------------------------


def sync_contests(
    contests: list[ContestData], prefer_files: bool = False
) -> SyncResult:
    result = SyncResult()
    for data in contests:
        sync_contest(data, result, prefer_files)
    return result


def sync_contest(
    data: ContestData, result: SyncResult, prefer_files: bool = False
) -> Contest:
    """Bring one contest in line with its file: a contest edited in the browser is
    kept while its file has not changed, a conflict when both have."""
    digest = contest_hash(data)
    contest = db.session.scalar(select(Contest).where(Contest.code == data.code))
    if contest is None:
        contest = Contest(code=data.code)  # added by set_contest, once filled
        result.created.append(data.code)
    else:
        at = (data.path, data.line or 1)
        current = contest_hash(contest_data_of(contest))
        rule = settle(
            result, contest, digest, prefer_files, at, "cuộc thi", current_hash=current
        )
        if rule in (CONFLICT, KEEP_BROWSER):
            return contest
        if rule == SAME:
            contest.synced_hash = digest
            result.unchanged.append(data.code)
            return contest
        result.updated.append(data.code)
    set_contest(contest, data, origin="file")
    contest.synced_hash = digest
    return contest


def set_contest(contest: Contest, data: ContestData, origin: str) -> None:
    """Give `contest`, its targets, its rounds and their quizzes the content of
    `data` (a file's, or the browser's: app.contests.editing). The units named must
    exist (database_problems)."""
    units = dict(
        db.session.execute(
            select(Unit.code, Unit.id).where(Unit.code.in_({*data.targets, data.owner}))
        ).all()
    )
    contest.title, contest.organiser = data.title, data.organiser
    contest.description_md = data.description
    contest.description_html = render_markdown(data.description).html
    contest.rules_md, contest.rules_html = data.rules, render_markdown(data.rules).html
    contest.overall = data.overall
    contest.one_prize_per_contest = data.one_prize_per_contest
    contest.owner_unit_id = units[data.owner]
    contest.origin, contest.active = origin, True
    db.session.add(contest)
    target_ids = [units[code] for code in data.targets]
    _set_units(contest.targets, ContestTarget, target_ids)
    db.session.flush()
    rows = {
        r.code: r
        for r in db.session.scalars(
            select(ContestRound).where(ContestRound.contest_id == contest.id)
        )
    }
    for row in rows.values():  # out of the way of the new numbers
        row.number = -row.id
    db.session.flush()
    for number, round_data in enumerate(data.rounds, start=1):
        row = rows.pop(round_data.code, None)
        if row is None:
            row = _new_round(contest, round_data)
        row.number, row.title = number, round_data.title
        row.prizes = round_data.prize_counts
        set_round_quiz(row.quiz, round_data, contest.owner_unit_id, target_ids, origin)
    for row in rows.values():
        row.number = RETIRED_NUMBER + row.id
        row.quiz.active = False
    contest.content_hash = contest_hash(data)
    db.session.flush()
    db.session.expire(contest, ["rounds"])


def _new_round(contest: Contest, data: RoundData) -> ContestRound:
    quiz = db.session.scalar(select(Quiz).where(Quiz.code == data.code))
    if quiz is None:
        quiz = Quiz(code=data.code, title=data.title)
        db.session.add(quiz)
    row = ContestRound(contest=contest, code=data.code, title=data.title, quiz=quiz)
    db.session.add(row)
    return row


def set_round_quiz(
    quiz: Quiz, data: RoundData, owner_id: int, target_ids: list[int], origin: str
) -> None:
    """The round's quiz: the draw and settings, its window, sealed until it closes,
    right answers shown after it closes, the prediction question, the targets."""
    set_quiz(quiz, data.quiz)
    quiz.course_code = None
    quiz.opens_at, quiz.closes_at = data.opens_at, data.closes_at
    quiz.sealed, quiz.prediction_prompt = True, data.prediction
    quiz.owner_unit_id, quiz.active, quiz.origin = owner_id, True, origin
    if origin == "file":
        quiz.synced_hash = quiz.content_hash
    _set_units(quiz.targets, QuizTarget, target_ids)


def _set_units(rows: list, model, unit_ids: list[int]) -> None:
    """Make the target rows `rows` (a relationship's list) name exactly `unit_ids`,
    keeping those already there (a unit is never removed and re-added in one
    flush)."""
    wanted = set(unit_ids)
    for row in [r for r in rows if r.unit_id not in wanted]:
        rows.remove(row)
    have = {r.unit_id for r in rows}
    rows.extend(model(unit_id=u) for u in unit_ids if u not in have)
