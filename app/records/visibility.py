"""Which campaigns and units an HR officer's pages show: the campaigns whose targets
meet the officer's scope, the one in view (asked for by code, else the newest), and
the unit in view (asked for by id inside the scope, else a sensible default). A
campaign or unit outside the scope is NotFound (404, no leak), exactly like one that
does not exist. Administrators see everything.
"""

from sqlalchemy import select

from app.accounts.asof import later_units
from app.accounts.models import Unit, User
from app.accounts.permissions import get_scoped_unit, scope_paths
from app.accounts.scope import in_subtree
from app.errors import NotFound
from app.errors import lazy_gettext as _l
from app.extensions import db

from . import services
from .models import Campaign

ROLE = "hr"


def _overlaps(
    campaign: Campaign, paths: list[str] | None, later: dict | None = None
) -> bool:
    """True when a target subtree of `campaign` meets one of the scope subtrees;
    with `later` ({unit id: paths of the units it was merged or split into}), a
    target that has since gone into a unit of the scope counts too (a 2024
    campaign of Kiên Giang is seen by An Giang's officers)."""
    if paths is None:
        return True
    targets = [t.unit.path for t in campaign.targets]
    for t in campaign.targets:
        targets += (later or {}).get(t.unit_id, [])
    return any(in_subtree(t, p) or in_subtree(p, t) for t in targets for p in paths)


def seen_from(campaign: Campaign, paths: list[str] | None) -> bool:
    """Whether a scope of the subtrees `paths` (None: everything) sees `campaign`:
    a target meets them, or went since into a unit of them (as
    visible_campaigns)."""
    if paths is None:
        return True
    return _overlaps(campaign, paths, _successor_paths())


def _successor_paths() -> dict[int, list[str]]:
    """{unit id: today's paths of every unit it went into, directly or not}
    (accounts.asof.later_units)."""
    later = later_units()
    if not later:
        return {}
    paths = dict(db.session.execute(select(Unit.id, Unit.path)).all())
    return {
        start: [paths[u] for u in units if u in paths] for start, units in later.items()
    }


def visible_campaigns(viewer: User) -> list[Campaign]:
    """Campaigns whose targets, or the units these went into since, overlap the
    viewer's scope, newest year first."""
    paths = scope_paths(viewer, ROLE)
    later = _successor_paths() if paths is not None else None
    return [c for c in services.list_campaigns() if _overlaps(c, paths, later)]


def pick_campaign(
    viewer: User,
    code: str | None,
    preferred: list[Campaign] | None = None,
    visible: list[Campaign] | None = None,
) -> Campaign | None:
    """The campaign `code` if the viewer may see it (else NotFound); without a code,
    the newest visible one (the first of `preferred` that is visible, if any).
    `visible` saves a query when the caller already has visible_campaigns()."""
    visible = visible_campaigns(viewer) if visible is None else visible
    if code:
        campaign = services.get_campaign(code)
        if campaign.id not in {c.id for c in visible}:
            raise NotFound(_l("Không có đợt bồi dưỡng “%(code)s”.", code=code))
        return campaign
    ids = {c.id for c in visible}
    chosen = [c for c in preferred or [] if c.id in ids]
    return (chosen or visible or [None])[0]


def _hr_units(viewer: User) -> list[Unit]:
    return viewer.role_units(ROLE)


def default_unit(viewer: User, campaign: Campaign | None) -> Unit:
    """Admin: the campaign's first target. HR: its first scope unit that the
    campaign reaches, else its first scope unit. NotFound when there is none."""
    if viewer.has_role("admin"):
        if campaign is not None and campaign.targets:
            return campaign.targets[0].unit
        root = db.session.scalar(
            select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id)
        )
        if root is not None:
            return root
    else:
        units = _hr_units(viewer)
        reached = [u for u in units if campaign and _overlaps(campaign, [u.path])]
        if reached or units:
            return (reached or units)[0]
    raise NotFound(_l("Không có đơn vị nào trong phạm vi của bạn."))


def selection(
    viewer: User, code: str | None, unit_id: int | None
) -> tuple[Campaign, Unit]:
    """The campaign `code` and the unit `unit_id` (None: the defaults above) as the
    downloads take them; NotFound when unknown, outside the viewer's scope, or when
    the viewer sees no campaign at all."""
    campaign = pick_campaign(viewer, code)
    if campaign is None:
        raise NotFound(_l("Chưa có đợt bồi dưỡng nào trong phạm vi của bạn."))
    if unit_id is None:
        unit_id = default_unit(viewer, campaign).id
    return campaign, get_scoped_unit(viewer, unit_id, ROLE)
