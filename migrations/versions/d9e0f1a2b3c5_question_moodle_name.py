"""Questions keep their Moodle name (GIFT ::title::, Moodle XML <name>)

Revision ID: d9e0f1a2b3c5
Revises: e5f6a7b8c9d0
Create Date: 2026-12-06 06:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "d9e0f1a2b3c5"
down_revision = "e5f6a7b8c9d0"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("question") as batch_op:
        batch_op.add_column(
            sa.Column(
                "name", sa.String(length=255), nullable=False, server_default=""
            )
        )


def downgrade():
    with op.batch_alter_table("question") as batch_op:
        batch_op.drop_column("name")
