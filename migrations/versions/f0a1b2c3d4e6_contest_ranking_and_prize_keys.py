"""ranking, prize: the whole contest's ranking versions unique (round_id NULL), one
prize per person in a ranking

Revision ID: f0a1b2c3d4e6
Revises: d4a5f0e1b2c3
Create Date: 2026-12-06 09:35:00.000000

Indexes only.
"""

import sqlalchemy as sa
from alembic import op

revision = "f0a1b2c3d4e6"
down_revision = "d4a5f0e1b2c3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "uq_ranking_contest_version",
        "ranking",
        ["contest_id", "version"],
        unique=True,
        sqlite_where=sa.text("round_id IS NULL"),
        postgresql_where=sa.text("round_id IS NULL"),
    )
    with op.batch_alter_table("prize") as batch:
        batch.create_unique_constraint("uq_prize_person", ["ranking_id", "user_id"])


def downgrade():
    with op.batch_alter_table("prize") as batch:
        batch.drop_constraint("uq_prize_person", type_="unique")
    op.drop_index("uq_ranking_contest_version", table_name="ranking")
