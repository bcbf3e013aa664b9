"""The rules of a contest's targets (the units whose cadres take part), for the
file check (app.contests.sync) and the browser's editor (app.contests.editing)
alike:

- no target lies inside another: the results per unit (app.contests.results)
  count each unit under one target, so a nested one would be counted twice or
  under the wrong row;
- once a round of the contest (a current one, not retired) has opened, the
  targets are fixed: the ranking reads the contest's targets when it is made, so
  a change would drop from a later version someone who took part, or refuse
  mid-round a cadre who has begun."""

from datetime import datetime

from sqlalchemy import select

from app.accounts.models import Unit
from app.accounts.scope import in_subtree
from app.errors import LazyMessage
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.quizzes.windows import round_opened_at

from .models import ContestRound

TARGETS_FIXED = _l(
    "Cuộc thi đã có đợt thi mở: các đơn vị dự thi đã cố định (đổi đơn vị dự thi "
    "sẽ làm thay đổi những người được xếp hạng)."
)


def nested_targets(codes) -> list[tuple[str, str]]:
    """(inner, outer) for each target code lying in the subtree of another."""
    paths = dict(
        db.session.execute(
            select(Unit.code, Unit.path).where(Unit.code.in_(set(codes)))
        ).all()
    )
    return [
        (inner, outer)
        for inner, path in sorted(paths.items())
        for outer, root in sorted(paths.items())
        if inner != outer and in_subtree(path, root)
    ]


def has_opened(rounds: list[ContestRound], now: datetime) -> bool:
    """One of `rounds` has opened at `now` (its earliest window, a unit's too)."""
    for row in rounds:
        opened = round_opened_at(row.quiz)
        if opened is not None and opened <= now:
            return True
    return False


def target_problems(
    old: tuple[str, ...],
    new: tuple[str, ...],
    rounds: list[ContestRound],
    now: datetime,
) -> list[LazyMessage]:
    """Why the targets `new` (unit codes) are refused for a contest whose targets
    are `old` and whose current rounds are `rounds`."""
    problems = [
        _l(
            "Đơn vị dự thi “%(inner)s” nằm trong đơn vị dự thi “%(outer)s”: chỉ "
            "chọn đơn vị cấp trên (cán bộ của đơn vị cấp dưới đã được tính).",
            inner=inner,
            outer=outer,
        )
        for inner, outer in nested_targets(new)
    ]
    if set(old) != set(new) and has_opened(rounds, now):
        problems.append(TARGETS_FIXED)
    return problems
