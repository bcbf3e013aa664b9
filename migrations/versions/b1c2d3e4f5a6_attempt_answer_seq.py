"""attempt answer: the page journal's sequence number of the choice stored

Revision ID: b1c2d3e4f5a6
Revises: a7b8c9d0e1f2
Create Date: 2026-12-06 02:30:00.000000

The attempt page writes each choice to a journal in the browser with a sequence
number and sends it until the server acknowledges it; the answer keeps the number of
the choice it stores, so that a late retry of an older choice is ignored. Existing
answers have none (as a form post without the page script).
"""

import sqlalchemy as sa
from alembic import op

revision = "b1c2d3e4f5a6"
down_revision = "a7b8c9d0e1f2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("attempt_answer") as batch:
        batch.add_column(sa.Column("seq", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("attempt_answer") as batch:
        batch.drop_column("seq")
