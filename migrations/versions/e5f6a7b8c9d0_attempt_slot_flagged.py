"""Attempt slots: a question flagged to come back to

Revision ID: e5f6a7b8c9d0
Revises: a1b2c3d4e5f7
Create Date: 2026-05-01 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "e5f6a7b8c9d0"
down_revision = "a1b2c3d4e5f7"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("attempt_slot") as batch_op:
        batch_op.add_column(
            sa.Column(
                "flagged", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade():
    with op.batch_alter_table("attempt_slot") as batch_op:
        batch_op.drop_column("flagged")
