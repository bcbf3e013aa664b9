"""How the audit log names a nomination and a reward period (app.audit.targets)."""

from sqlalchemy.orm import selectinload

from app.audit import targets
from app.errors import lazy_gettext as _l

from .models import Nomination, RewardPeriod


def nomination_name(n: Nomination) -> str:
    """The nominee (a cadre and its unit, or a unit) and the campaign or period."""
    nominee = n.unit.display_name
    if n.user is not None:
        nominee = f"{n.user.full_name} — {nominee}"
    target = n.campaign or n.period
    return f"{nominee} ({target.code})" if target else nominee


targets.register(
    "nomination",
    _l("Đề nghị khen thưởng"),
    targets.rows(
        Nomination,
        nomination_name,
        selectinload(Nomination.unit),
        selectinload(Nomination.user),
        selectinload(Nomination.campaign),
        selectinload(Nomination.period),
    ),
)
targets.register(
    "rewardperiod",
    _l("Đợt sơ kết, tổng kết"),
    targets.rows(RewardPeriod, targets.titled),
)
