"""How the audit log names a reminder (app.audit.targets)."""

from sqlalchemy.orm import selectinload

from app.audit import targets
from app.errors import lazy_gettext as _l

from .models import Reminder


def reminder_name(reminder: Reminder) -> str:
    """“Bồi dưỡng năm 2026 (C2026) · Văn phòng — Sở Nội vụ”."""
    scope = reminder.unit.display_name if reminder.unit else _l("Cả đợt")
    return f"{targets.titled(reminder.campaign)} · {scope}"


targets.register(
    "reminder",
    _l("Lời nhắc"),
    targets.rows(
        Reminder,
        reminder_name,
        selectinload(Reminder.campaign),
        selectinload(Reminder.unit),
    ),
)
