"""The campaign and the unit a report download asks for (`selection`); which
units a viewer may open is app.accounts.report_access (ReportAccess), shared with
the reward candidates.
"""

from app.accounts.models import Unit, User
from app.accounts.report_access import ReportAccess
from app.records import visibility
from app.records.models import Campaign


def selection(
    viewer: User, code: str | None, unit_id: int | None, access: ReportAccess | None
) -> tuple[Campaign, Unit]:
    """The campaign `code` and the unit `unit_id` as the downloads take them
    (defaults as on the dashboard: app.records.visibility), the unit by
    ReportAccess (`access`: the viewer's, when the caller has one); NotFound when
    unknown or out of the viewer's reach."""
    campaign, default = visibility.selection(viewer, code, None)
    if unit_id is None:
        return campaign, default
    access = access or ReportAccess.of(viewer)
    return campaign, access.unit(unit_id)
