"""A contest edited in the browser by a trainer of its owner unit's subtree (an
administrator: any): its own fields and targets, and each round's settings. Every
change is checked as the file would be, written by the same `set_contest` as the
sync (so the file and the browser meet by the three-way rule: origin "browser",
then `flask content sync` keeps it or reports a conflict), audited, and the public
page's cached copy is dropped. A round someone has started, or that has closed,
keeps all but its name and prize counts (app.contests.sync.fixed_changes); a change
to a round already open that nobody has started needs confirming. Operations
flush, never commit."""

import hashlib
import json
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime

from sqlalchemy import select

from app.accounts.models import Unit, User
from app.accounts.permissions import scope_paths
from app.audit import services as audit
from app.content.ownership import AUTHOR_ROLES, get_owned, scoped
from app.content.quiz_editing import draw_problems
from app.errors import InvalidInput, NotFound, Stale, lazy_join
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.markdown import markdown_problems
from app.numbers import lazy_number
from app.quizzes.windows import Window
from app.timeutil import utcnow

from .files import ContestData, RoundData
from .models import OVERALL_BEST, OVERALL_SUM, PRIZE_LEVELS, Contest, ContestRound
from .pages import forget_contest_page
from .sync import (
    CLOSED,
    contest_data_of,
    current_rounds,
    fixed_changes,
    round_changes,
    round_data_of,
    set_contest,
)
from .targets import target_problems

MAX_PRIZES = 1000


def contests_for(user: User) -> list[Contest]:
    """The contests `user` may edit: owned by a unit of its trainer scope."""
    return list(db.session.scalars(scoped(Contest, user).order_by(Contest.code)))


def owned_contest(user: User, code: str) -> Contest:
    return get_owned(Contest, user, code=code)


def owned_round(contest: Contest, code: str) -> ContestRound:
    found = next((r for r in current_rounds(contest) if r.code == code), None)
    if found is None:
        raise NotFound(_l("Cuộc thi không có đợt thi này."))
    return found


def target_roots(user: User) -> list[str] | None:
    """The subtrees whose units `user` may make targets (None: every unit)."""
    return scope_paths(user, *AUTHOR_ROLES)


def _fingerprint(data: ContestData | RoundData) -> str:
    fields_ = asdict(replace(data, line=0))
    encoded = json.dumps(fields_, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def contest_base(contest: Contest) -> str:
    """The fingerprint of the contest's own fields and targets, not its rounds': the
    base the contest form opens with (a round saved since does not make it stale)."""
    return _fingerprint(replace(contest_data_of(contest), rounds=(), path=""))


def round_base(row: ContestRound) -> str:
    """The fingerprint of one round's settings: the base its form opens with."""
    return _fingerprint(round_data_of(row))


STALE_CONTEST = _l(
    "Cuộc thi này đã được lưu ở nơi khác (một thẻ khác, một người khác hoặc đồng "
    "bộ tệp) sau khi bạn mở trang. Chưa lưu: các ô bên dưới vẫn giữ những gì bạn "
    "nhập; bấm “Lưu cuộc thi” lần nữa để ghi đè, hoặc mở lại trang để xem bản mới."
)
STALE_ROUND = _l(
    "Đợt thi này đã được lưu ở nơi khác (một thẻ khác, một người khác hoặc đồng "
    "bộ tệp) sau khi bạn mở trang. Chưa lưu: các ô bên dưới vẫn giữ những gì bạn "
    "nhập; bấm “Lưu đợt thi” lần nữa để ghi đè, hoặc mở lại trang để xem bản mới."
)


@dataclass(frozen=True)
class Outcome:
    changed: list[str]  # the fields that changed (or would)
    needs_confirm: bool = False  # nothing written: the round is open, confirm first


def apply_contest(
    contest: Contest, user: User, base: str | None = None, **changes
) -> list[str]:
    """Give the contest these fields (of ContestData: title, organiser,
    description, rules, overall, one_prize_per_contest, targets as unit codes);
    the names of those that changed. InvalidInput, changing nothing, when a value
    is refused (targets nested, or changed once a round has opened:
    app.contests.targets); Stale when `base` (contest_base when the form was
    opened) is no longer the contest's: a change saved since would be
    overwritten unseen."""
    before = contest_data_of(contest)
    data = replace(before, **changes)
    problems = []
    if not data.title.strip() or not data.organiser.strip() or not data.rules.strip():
        problems.append(_l("Tên, đơn vị tổ chức và thể lệ không được để trống."))
    if data.overall not in (OVERALL_SUM, OVERALL_BEST):
        problems.append(_l("Cách tính xếp hạng chung không hợp lệ."))
    if not data.targets:
        problems.append(_l("Cần chọn ít nhất một đơn vị dự thi."))
    roots = target_roots(user)
    allowed = set(
        db.session.scalars(
            select(Unit.code).where(
                Unit.code.in_(data.targets),
                Unit.active.is_(True),
                Unit.in_subtrees(roots),
            )
        )
    )
    if set(data.targets) - allowed:
        problems.append(_l("Có đơn vị dự thi ngoài phạm vi của bạn."))
    rounds = current_rounds(contest)
    problems += target_problems(before.targets, data.targets, rounds, utcnow())
    problems += markdown_problems_of(data)
    if problems:
        raise InvalidInput(lazy_join(problems))
    data = replace(data, targets=tuple(sorted(set(data.targets))))
    changed = [
        f.name
        for f in fields(ContestData)
        if getattr(before, f.name) != getattr(data, f.name)
    ]
    if not changed:
        return []
    if base and base != contest_base(contest):
        raise Stale(STALE_CONTEST)
    _write(contest, user, data)
    audit.record("contest.changed", actor=user, target=contest, fields=changed)
    return changed


def markdown_problems_of(data: ContestData) -> list:
    """The Markdown of the introduction and the thể lệ that the contest file's check
    refuses (raw HTML, a code block, …), naming the field and its line."""
    texts = ((_l("Giới thiệu"), data.description), (_l("Thể lệ"), data.rules))
    return [
        _l("%(field)s, dòng %(line)s: %(problem)s", field=f, line=n, problem=m)
        for f, text in texts
        for n, m in markdown_problems(text)
    ]


ROUND_CLOSED = _l(
    "Đợt thi đã kết thúc: chỉ sửa được tên đợt và số giải; thời gian, đề và cách "
    "làm bài của đợt đã cố định."
)
ROUND_STARTED = _l(
    "Đợt thi đã có người làm bài: chỉ sửa được tên đợt, số giải và lùi giờ kết "
    "thúc; giờ mở, đề và cách làm bài của đợt đã cố định để mọi bài thi được tính "
    "như nhau."
)


def round_problems(
    contest: Contest, row: ContestRound, data: RoundData, user: User
) -> list[str]:
    """Why the round's settings `data` are refused: its window (closing after it
    opens, not overlapping the rounds before and after it), the prediction
    question, the prizes and the draw (as the quiz settings check it)."""
    problems = []
    if data.closes_at <= data.opens_at:
        problems.append(_l("Đợt thi phải đóng sau khi mở."))
    rounds = current_rounds(contest)
    index = next(i for i, r in enumerate(rounds) if r.id == row.id)
    before = rounds[index - 1] if index > 0 else None
    after = rounds[index + 1] if index + 1 < len(rounds) else None
    if before is not None and data.opens_at < before.quiz.closes_at:
        problems.append(_l("Đợt thi mở trước khi đợt “%(t)s” đóng.", t=before.title))
    if after is not None and data.closes_at > after.quiz.opens_at:
        problems.append(_l("Đợt thi đóng sau khi đợt “%(t)s” mở.", t=after.title))
    if not data.prediction.strip():
        problems.append(_l("Cần câu hỏi dự đoán."))
    if not data.title.strip():
        problems.append(_l("Cần tên đợt thi."))
    for level, count in data.prizes:
        if level not in PRIZE_LEVELS or not 0 <= count <= MAX_PRIZES:
            problems.append(
                _l("Số giải phải từ 0 đến %(n)s.", n=lazy_number(MAX_PRIZES))
            )
            break
    return problems + draw_problems(data.quiz.draw, user, row.quiz)


def apply_round(
    contest: Contest,
    row: ContestRound,
    user: User,
    data: RoundData,
    now: datetime,
    confirmed: bool = False,
    base: str | None = None,
) -> Outcome:
    """Give the round the settings of `data` (its code stays). Nothing is written
    while the round is open at `now` unless `confirmed` (the outcome says so);
    InvalidInput, changing nothing, when round_problems refuses them or when they
    change what a closed or started round keeps (fixed_changes); Stale when
    `base` (round_base when the form was opened) is no longer the round's."""
    problems = round_problems(contest, row, data, user)
    if problems:
        raise InvalidInput(lazy_join(problems))
    old = round_data_of(row)
    data = replace(data, code=row.code, quiz=replace(data.quiz, code=row.code))
    changed = round_changes(old, data)
    if not changed:
        return Outcome([])
    if base and base != round_base(row):
        raise Stale(STALE_ROUND)
    why, _fixed = fixed_changes(row, data, now)
    if why is not None:
        raise InvalidInput(ROUND_CLOSED if why == CLOSED else ROUND_STARTED)
    is_open = Window(old.opens_at, old.closes_at).is_open(now)
    if is_open and not confirmed:
        return Outcome(changed, needs_confirm=True)
    before = contest_data_of(contest)
    rounds = tuple(data if r.code == row.code else r for r in before.rounds)
    _write(contest, user, replace(before, rounds=rounds))
    audit.record(
        "contest.round_changed",
        actor=user,
        target=contest,
        round=row.code,
        fields=changed,
        while_open=is_open,
    )
    return Outcome(changed)


def _write(contest: Contest, user: User, data: ContestData) -> None:
    set_contest(contest, data, origin="browser")
    contest.updated_at, contest.updated_by_id = utcnow(), user.id
    db.session.flush()
    forget_contest_page(contest.code)
