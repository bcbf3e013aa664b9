"""indexes for the reports as of a day: records by the unit they were completed
in, and the assignments closed after a day

Revision ID: d4a5f0e1b2c3
Revises: e1f2a3b4c5d7
Create Date: 2026-12-06 08:05:00.000000

Indexes only: servers of the previous version run on beside it.
"""

from alembic import op

revision = "d4a5f0e1b2c3"
down_revision = "e1f2a3b4c5d7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_record_asof",
        "training_record",
        [
            "campaign_id",
            "completed_unit_id",
            "unit_id",
            "status",
            "passed",
            "best_percent",
        ],
    )
    op.create_index(
        "ix_assignment_closed",
        "assignment",
        ["valid_to", "valid_from", "user_id", "unit_id"],
    )


def downgrade():
    op.drop_index("ix_assignment_closed", table_name="assignment")
    op.drop_index("ix_record_asof", table_name="training_record")
