"""xapi statement: the outbox of xAPI statements waiting for (or sent to) the LRS

Revision ID: b7c8d9e0f1a2
Revises: d9e0f1a2b3c5
Create Date: 2026-12-06 06:10:00.000000

A new table only: servers of the previous version run on beside it and queue
nothing.
"""

import sqlalchemy as sa
from alembic import op

revision = "b7c8d9e0f1a2"
down_revision = "d9e0f1a2b3c5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "xapi_statement",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("verb", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xapi_statement")),
    )
    with op.batch_alter_table("xapi_statement") as batch:
        batch.create_index(
            "ix_xapi_statement_backlog", ["sent_at", "created_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("xapi_statement") as batch:
        batch.drop_index("ix_xapi_statement_backlog")
    op.drop_table("xapi_statement")
