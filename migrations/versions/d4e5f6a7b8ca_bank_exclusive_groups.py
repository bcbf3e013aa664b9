"""question bank: groups of questions never drawn into one attempt together

Revision ID: d4e5f6a7b8ca
Revises: d4e5f6a7b8c9
Create Date: 2026-12-07 09:00:00.000000

A new column with a server default: servers of the previous version insert banks
without it and draw as before.
"""

import sqlalchemy as sa
from alembic import op

revision = "d4e5f6a7b8ca"
down_revision = "d4e5f6a7b8c9"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("question_bank") as batch:
        batch.add_column(
            sa.Column("exclusive", sa.JSON(), nullable=False, server_default="[]")
        )


def downgrade():
    with op.batch_alter_table("question_bank") as batch:
        batch.drop_column("exclusive")
