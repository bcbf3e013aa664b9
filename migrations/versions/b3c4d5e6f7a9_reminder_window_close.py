"""reminder: the close a scheduled reminder was made for, so that a window moved
to another last day is reminded again of its new close

Revision ID: b3c4d5e6f7a9
Revises: a2b3c4d5e6f8
Create Date: 2026-12-08 01:30:00

A nullable column, filled for the scheduled reminders already made from their
window's close as it stands (the campaign's own, or the unit's quiz window), and
the unique index of the scheduled reminders widened to it. Old servers running
beside it do not fill it: a scheduled reminder one of them makes during the
rollout has none, and counts as made for its window whatever its close
(app.reminders.services._scheduled_exists), as before.
"""

import sqlalchemy as sa
from alembic import op

revision = "b3c4d5e6f7a9"
down_revision = "a2b3c4d5e6f8"
branch_labels = None
depends_on = None

SCHEDULED = sa.text("kind <> 'manual'")


def upgrade():
    with op.batch_alter_table("reminder") as batch_op:
        batch_op.add_column(
            sa.Column("window_closes_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.execute(
        "UPDATE reminder SET window_closes_at = (SELECT campaign.closes_at FROM "
        "campaign WHERE campaign.id = reminder.campaign_id) "
        "WHERE kind <> 'manual' AND window_key = 0"
    )
    op.execute(
        "UPDATE reminder SET window_closes_at = (SELECT quiz_window.closes_at FROM "
        "quiz_window JOIN quiz ON quiz.id = quiz_window.quiz_id JOIN campaign ON "
        "campaign.quiz_code = quiz.code WHERE campaign.id = reminder.campaign_id "
        "AND quiz_window.unit_id = reminder.window_key) "
        "WHERE kind <> 'manual' AND window_key <> 0"
    )
    with op.batch_alter_table("reminder") as batch_op:
        batch_op.drop_index(
            "uq_reminder_scheduled",
            sqlite_where=SCHEDULED,
            postgresql_where=SCHEDULED,
        )
        batch_op.create_index(
            "uq_reminder_scheduled",
            ["campaign_id", "window_key", "kind", "window_closes_at"],
            unique=True,
            sqlite_where=SCHEDULED,
            postgresql_where=SCHEDULED,
        )


def downgrade():
    with op.batch_alter_table("reminder") as batch_op:
        batch_op.drop_index(
            "uq_reminder_scheduled",
            sqlite_where=SCHEDULED,
            postgresql_where=SCHEDULED,
        )
    op.execute(
        "DELETE FROM reminder_delivery WHERE reminder_id IN (SELECT r.id FROM "
        "reminder r WHERE r.kind <> 'manual' AND EXISTS (SELECT 1 FROM reminder o "
        "WHERE o.campaign_id = r.campaign_id AND o.window_key = r.window_key AND "
        "o.kind = r.kind AND o.id < r.id))"
    )
    op.execute(
        "DELETE FROM reminder WHERE kind <> 'manual' AND EXISTS (SELECT 1 FROM "
        "reminder o WHERE o.campaign_id = reminder.campaign_id AND o.window_key = "
        "reminder.window_key AND o.kind = reminder.kind AND o.id < reminder.id)"
    )
    with op.batch_alter_table("reminder") as batch_op:
        batch_op.create_index(
            "uq_reminder_scheduled",
            ["campaign_id", "window_key", "kind"],
            unique=True,
            sqlite_where=SCHEDULED,
            postgresql_where=SCHEDULED,
        )
        batch_op.drop_column("window_closes_at")
