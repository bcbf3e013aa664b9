"""Questions keep the Moodle category they were imported from (GIFT $CATEGORY,
Moodle XML category questions), for export

Revision ID: b8c9d0e1f2a3
Revises: a9b8c7d6e5f4
Create Date: 2026-12-06 20:30:00

A column with a server default: old servers neither read nor write it.
"""

import sqlalchemy as sa
from alembic import op

revision = "b8c9d0e1f2a3"
down_revision = "a9b8c7d6e5f4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("question") as batch_op:
        batch_op.add_column(
            sa.Column(
                "category", sa.String(length=1000), nullable=False, server_default=""
            )
        )


def downgrade():
    with op.batch_alter_table("question") as batch_op:
        batch_op.drop_column("category")
