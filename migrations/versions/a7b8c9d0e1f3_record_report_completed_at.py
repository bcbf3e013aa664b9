"""training_record: ix_record_report also covers completed_at

Revision ID: a7b8c9d0e1f3
Revises: f0a1b2c3d4e6
Create Date: 2026-12-06 11:15:00.000000

The dashboard's completion chart (app.reports.charts.completion_by_day) reads the
day each record of a subtree was completed: with completed_at in the index it
reads the index alone, not every completed record's row. Index only.
"""

from alembic import op

revision = "a7b8c9d0e1f3"
down_revision = "f0a1b2c3d4e6"
branch_labels = None
depends_on = None

BEFORE = ["campaign_id", "unit_id", "status", "passed", "best_percent"]


def upgrade():
    op.drop_index("ix_record_report", table_name="training_record")
    op.create_index(
        "ix_record_report", "training_record", [*BEFORE, "completed_at"]
    )


def downgrade():
    op.drop_index("ix_record_report", table_name="training_record")
    op.create_index("ix_record_report", "training_record", BEFORE)
