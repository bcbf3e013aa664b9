"""A reminder's window (audience.CampaignWindow) opens and closes as every quiz
window does (quizzes.Window): at its opening instant, and at its close instant."""

from datetime import UTC, datetime, timedelta

from app.reminders.audience import CampaignWindow
from app.reminders.services import due_kind

OPENS = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
CLOSES = datetime(2026, 12, 31, 16, 59, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def test_a_campaign_window_is_open_from_its_opening_to_before_its_close():
    window = CampaignWindow(OPENS, CLOSES)
    instants = (OPENS - SECOND, OPENS, CLOSES - SECOND, CLOSES)
    assert [window.is_open(t) for t in instants] == [False, True, True, False]
    assert window.key == 0 and window.unit is None
    assert due_kind(window, CLOSES - SECOND) is not None
    assert due_kind(window, CLOSES) is None  # nothing is due once it has closed
