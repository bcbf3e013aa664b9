"""Questions keep their Moodle ID number (GIFT [id:…], Moodle XML <idnumber>)
when it is not their code, for export

Revision ID: a2b3c4d5e6f8
Revises: c5d6e7f8a9b1
Create Date: 2026-12-08 01:10:00

A column with a server default: old servers neither read nor write it.
"""

import sqlalchemy as sa
from alembic import op

revision = "a2b3c4d5e6f8"
down_revision = "c5d6e7f8a9b1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("question") as batch_op:
        batch_op.add_column(
            sa.Column(
                "idnumber", sa.String(length=100), nullable=False, server_default=""
            )
        )


def downgrade():
    with op.batch_alter_table("question") as batch_op:
        batch_op.drop_column("idnumber")
