"""ranking_unit: a ranking's results per unit, kept as they stood when it was
ranked

Revision ID: a9b8c7d6e5f4
Revises: f0a1b2c3d4e6
Create Date: 2026-12-06 17:30:00.000000

A new table; rankings made before it have no rows there and are read live
(app.contests.results), as they were.
"""

import sqlalchemy as sa
from alembic import op

revision = "a9b8c7d6e5f4"
down_revision = "f0a1b2c3d4e6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "ranking_unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ranking_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=500), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("cadres", sa.Integer(), nullable=False),
        sa.Column("right_sum", sa.Integer(), nullable=False),
        sa.Column("perfect", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ranking_id"],
            ["ranking.id"],
            name=op.f("fk_ranking_unit_ranking_id_ranking"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_ranking_unit_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ranking_unit")),
    )
    with op.batch_alter_table("ranking_unit") as batch:
        batch.create_index(
            batch.f("ix_ranking_unit_ranking_id"), ["ranking_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("ranking_unit") as batch:
        batch.drop_index(batch.f("ix_ranking_unit_ranking_id"))
    op.drop_table("ranking_unit")
