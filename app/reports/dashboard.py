"""What the HR dashboard pages show, always inside the viewer's scope. Read-only.

The campaign and unit in view come from query arguments (app.records.visibility
resolves the campaign, app.accounts.report_access the unit); a unit or a campaign the
viewer may not see raises NotFound (404, no leak), exactly like an id that does not
exist. Admins see everything.
"""

import math
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import Select, func, select

from app.accounts.models import Unit, User
from app.accounts.permissions import scope_paths
from app.accounts.report_access import ReportAccess
from app.accounts.rollup import ROLLED_UP, Structure
from app.accounts.scope import in_any_subtree
from app.accounts.services import search_users
from app.accounts.units import ancestors_of
from app.courses import services as courses
from app.extensions import db
from app.quizzes import services as quizzes
from app.quizzes.models import Attempt
from app.records import learner
from app.records import services as records
from app.records.models import (
    COMPLETED,
    IN_PROGRESS,
    NOT_STARTED,
    Campaign,
    TrainingRecord,
)
from app.records.rows import name_order, record_rows
from app.records.visibility import (
    ROLE,
    default_unit,
    pick_campaign,
    visible_campaigns,
)

from .asof import AsOf, unit_view
from .exports import as_of_records
from .queries import SummaryRow

# Downloads the dashboard links to, when their routes are registered.
EXPORT_ENDPOINTS = ("reports.export_csv", "reports.export_xlsx", "reports.annual_page")


@dataclass
class ReportScope:
    """The campaign and unit a report page shows, the campaigns the viewer may pick
    and the breadcrumb from the viewer's scope root down to the unit; `acts` when
    the unit is still there and lies in the viewer's scope today (the
    certificates, reminders and reward candidates of a unit are of its subtree
    today: not of a former unit, opened through its records or by an
    administrator)."""

    campaign: Campaign | None
    campaigns: list[Campaign]
    unit: Unit | None
    trail: list[Unit]
    acts: bool = True


@dataclass
class RowPage:
    """One page of (record, user, unit) rows, with what the pager macro needs;
    `elsewhere`: the ids of its cadres now outside the viewer's scope (listed for
    a record of a past day, their own page is not open to the viewer)."""

    items: list
    total: int
    page: int
    per_page: int
    elsewhere: set[int] = field(default_factory=set)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


@dataclass
class CadreDetailInfo:
    record: TrainingRecord | None
    reading: courses.CourseProgressInfo
    attempts: list[Attempt]
    pass_percent: int


def breadcrumb(viewer: User, unit: Unit, access: ReportAccess) -> list[Unit]:
    """Units from the viewer's scope root down to `unit`, never above that root;
    for a former unit outside the viewer's subtrees (opened because what it held
    rolls up into them: ReportAccess), the scope unit it rolls up into, then the
    units above it that the viewer may open too."""
    chain = ancestors_of(unit) + [unit]
    paths = scope_paths(viewer, ROLE)
    if paths is None:
        return chain
    roots = [p for p in paths if unit.in_subtree(p)]
    if roots:
        top = min(roots, key=len)
        return [u for u in chain if u.in_subtree(top)]
    tail: list[Unit] = []
    for above in reversed(chain):
        if not access.may_open(above.id):
            break
        tail.insert(0, above)
    homes = [
        home
        for home in viewer.role_units(ROLE)
        if unit.id in access.structure.scope(home.path)
    ]
    return homes[:1] + (tail or [unit])


def report_scope(
    viewer: User, code: str | None, unit_id: int | None, access: ReportAccess
) -> ReportScope:
    """Resolve the `campaign` and `unit` query arguments inside the viewer's scope
    (a unit by `access`: app.accounts.report_access)."""
    if unit_id is not None:
        unit = access.unit(unit_id)
    visible = visible_campaigns(viewer)
    campaign = pick_campaign(viewer, code, visible=visible)
    if unit_id is None:
        unit = default_unit(viewer, campaign)
    paths = scope_paths(viewer, ROLE)
    # a former unit has no subtree today, for an administrator neither
    acts = unit.active and (paths is None or in_any_subtree(unit.path, paths))
    trail = breadcrumb(viewer, unit, access)
    return ReportScope(campaign, visible, unit, trail, acts)


def record_page(
    campaign: Campaign,
    unit: Unit,
    status: str | None,
    text: str | None,
    page: int,
    per_page: int,
    direct_only: bool = False,
) -> RowPage:
    """A page of record_rows (Vietnamese order), with the total matching rows;
    `direct_only` keeps the cadres of `unit` itself, not of its children."""
    query: Select = record_rows(campaign.id, unit, status, text)
    if direct_only:
        query = query.where(TrainingRecord.unit_id == unit.id)
    return row_page(query, page, per_page)


def row_page(query: Select, page: int, per_page: int) -> RowPage:
    """Page `page` (counted from 1; less is the first) of `query`'s rows, in its
    order, with the count of all its rows."""
    total = db.session.scalar(
        select(func.count()).select_from(query.order_by(None).subquery())
    )
    page = max(1, page)
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    return RowPage(list(rows), int(total or 0), page, per_page)


def record_page_as_of(
    campaign: Campaign,
    unit: Unit,
    as_of: AsOf,
    structure: Structure,
    filters: dict,
    page: int,
    per_page: int,
    paths: list[str] | None,
) -> RowPage:
    """A page of the records the dashboard of `as_of` counts for `unit`
    (exports.as_of_records; `filters`: status, q, direct as the plain list's) as
    (record, cadre, the unit it counts for on the day, with that day's name);
    `paths`: the viewer's scope (RowPage.elsewhere)."""
    query = as_of_records(campaign, unit, as_of, structure, bool(filters["direct"]))
    if filters["status"] in (COMPLETED, IN_PROGRESS, NOT_STARTED):
        query = query.where(TrainingRecord.status == filters["status"])
    found = row_page(name_order(search_users(query, filters["q"])), page, per_page)
    rows = []
    for record, person, then in found.items:
        if as_of.attribution == ROLLED_UP:
            then = structure.successor(then)
        rows.append((record, person, unit_view(structure, then)))
    found.items = rows
    found.elsewhere = {
        person.id
        for _record, person, _unit in rows
        if not in_any_subtree(structure.today_paths.get(person.unit_id, ""), paths)
    }
    return found


def ranked(rows: list[SummaryRow]) -> list[tuple[int, SummaryRow]]:
    """Competition ranks (1, 2, 2, 4) by completion rate over already sorted rows."""
    result, previous, rank = [], None, 0
    for position, row in enumerate(rows, start=1):
        if row.completion_percent != previous:
            rank, previous = position, row.completion_percent
        result.append((rank, row))
    return result


def person_campaigns(
    viewer: User, person: User, visible: list[Campaign] | None = None
) -> list[Campaign]:
    """Campaigns `person` has a record in that the viewer may see, newest first
    (`visible`: visible_campaigns(viewer), when the caller has it)."""
    visible = visible_campaigns(viewer) if visible is None else visible
    ids = {c.id for c in visible}
    return [r.campaign for r in learner.transcript(person) if r.campaign.id in ids]


def cadre_detail(person: User, campaign: Campaign) -> CadreDetailInfo:
    """`person`'s record in `campaign`, reading of its course and its quiz attempts
    started in the cadre's window of the campaign (oldest first): not those of
    another year's campaign that reuses the quiz. The quiz may no longer be in
    use (inactive): its attempts are still the cadre's facts."""
    quiz = quizzes.any_quiz(campaign.quiz_code)
    ours = records.campaign_attempts(person, campaign, quiz)
    attempts = sorted(ours, key=lambda a: a.number)
    return CadreDetailInfo(
        record=records.record_for(person, campaign),
        reading=courses.course_progress(
            person, courses.get_course(campaign.course_code)
        ),
        attempts=attempts,
        pass_percent=quiz.pass_percent,
    )


def export_endpoints() -> list[str]:
    """The download endpoints that exist in this app (the dashboard links only to
    those)."""
    return [e for e in EXPORT_ENDPOINTS if e in current_app.view_functions]
