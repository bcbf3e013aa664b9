"""indexes for the dashboard's charts: a campaign's records by day of completion
and by best score, read from the index alone

Revision ID: c7d2e9a4b1f6
Revises: f8a9b0c1d2e3
Create Date: 2026-12-07 07:50:00.000000

Indexes only: servers of the previous version run on beside it.
"""

from alembic import op

revision = "c7d2e9a4b1f6"
down_revision = "f8a9b0c1d2e3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_record_completed",
        "training_record",
        ["campaign_id", "status", "completed_at"],
    )
    op.create_index("ix_record_best", "training_record", ["campaign_id", "best_percent"])


def downgrade():
    op.drop_index("ix_record_best", table_name="training_record")
    op.drop_index("ix_record_completed", table_name="training_record")
