"""xapi statement: the event a statement tells kept apart from its id (now a
random UUID), and statements the LRS keeps rejecting set aside

Revision ID: c5d6e7f8a9b1
Revises: f8a9b0c1d2e3
Create Date: 2026-12-07 09:50:00

A statement's id was a UUID 5 of its event ("attempt-finished:42"), which names a
different statement once a database id is re-used (a backup restored, a second
installation at the same public URL): the LRS refused it (409) and it was lost.
New statements get a random id; `event_key` says which event they tell (rows
queued before have none: their ids are still their events' UUID 5, which the
queue also looks up). `rejections` counts the LRS's refusals of a statement;
after a few it is set aside (`failed_at`) and no longer holds up the batches.
Old servers running beside it neither read nor write the new columns
(`rejections` has a server default for their inserts).
"""

import sqlalchemy as sa
from alembic import op

revision = "c5d6e7f8a9b1"
down_revision = "f8a9b0c1d2e3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("xapi_statement") as batch:
        batch.add_column(sa.Column("event_key", sa.String(length=120), nullable=True))
        batch.add_column(
            sa.Column("rejections", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch.create_index("ix_xapi_statement_event_key", ["event_key"], unique=True)


def downgrade():
    with op.batch_alter_table("xapi_statement") as batch:
        batch.drop_index("ix_xapi_statement_event_key")
        batch.drop_column("failed_at")
        batch.drop_column("rejections")
        batch.drop_column("event_key")
