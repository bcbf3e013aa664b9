"""answer save: every save of a choice as it reached the server, kept or not

Revision ID: f6a7b8c9d0e1
Revises: d4e5f6a7b8ca
Create Date: 2026-12-07 09:00:00.000000

A new table only (append-only): servers of the previous version run on beside it and
simply log nothing. Saves made before it have no history; their kept answer remains.
"""

import sqlalchemy as sa
from alembic import op

revision = "f6a7b8c9d0e1"
down_revision = "d4e5f6a7b8ca"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "answer_save",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("selected", sa.JSON(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=True),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["attempt.id"],
            name=op.f("fk_answer_save_attempt_id_attempt"),
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["attempt_slot.id"],
            name=op.f("fk_answer_save_slot_id_attempt_slot"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_save")),
    )
    with op.batch_alter_table("answer_save") as batch:
        batch.create_index(
            batch.f("ix_answer_save_attempt_id"), ["attempt_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("answer_save") as batch:
        batch.drop_index(batch.f("ix_answer_save_attempt_id"))
    op.drop_table("answer_save")
