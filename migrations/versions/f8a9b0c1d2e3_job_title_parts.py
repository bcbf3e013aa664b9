"""A job's title kept as its catalogue entries and values too, so that "Việc của
tôi" and its page show it in the reader's language

Revision ID: f8a9b0c1d2e3
Revises: f1a2b3c4d5e7
Create Date: 2026-12-07 06:50:00

A nullable column: old servers neither read nor write it (their jobs' titles are
shown as stored, as before).
"""

import sqlalchemy as sa
from alembic import op

revision = "f8a9b0c1d2e3"
down_revision = "f1a2b3c4d5e7"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("job") as batch_op:
        batch_op.add_column(sa.Column("title_parts", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("job") as batch_op:
        batch_op.drop_column("title_parts")
