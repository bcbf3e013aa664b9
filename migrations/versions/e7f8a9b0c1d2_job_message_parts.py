"""A job's message kept as its catalogue entries and values too, so that its page
shows it in the reader's language

Revision ID: e7f8a9b0c1d2
Revises: b8c9d0e1f2a3
Create Date: 2026-12-07 04:40:00

A nullable column: old servers neither read nor write it (their jobs' messages
are shown as stored, as before).
"""

import sqlalchemy as sa
from alembic import op

revision = "e7f8a9b0c1d2"
down_revision = "b8c9d0e1f2a3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("job") as batch_op:
        batch_op.add_column(sa.Column("message_parts", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("job") as batch_op:
        batch_op.drop_column("message_parts")
