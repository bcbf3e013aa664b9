"""rewards of the emulation movement: candidate rules per campaign, periods (sơ kết,
tổng kết) and nominations (đề nghị khen thưởng)

Revision ID: e1f2a3b4c5d7
Revises: c1d2e3f4a5b6
Create Date: 2026-12-06 07:40:00.000000

New tables only: servers of the previous version run on beside it.
"""

import sqlalchemy as sa
from alembic import op

revision = "e1f2a3b4c5d7"
down_revision = "c1d2e3f4a5b6"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade():
    op.create_table(
        "reward_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("unit_completion_percent", sa.Integer(), nullable=False),
        sa.Column("unit_pass_percent", sa.Integer(), nullable=False),
        sa.Column("unit_min_cadres", sa.Integer(), nullable=False),
        sa.Column("person_first_percent", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        _fk("reward_rule", "campaign_id", "campaign"),
        _fk("reward_rule", "updated_by_id", "user"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reward_rule")),
        sa.UniqueConstraint("campaign_id", name=op.f("uq_reward_rule_campaign_id")),
    )
    op.create_table(
        "reward_period",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("min_campaigns", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        _fk("reward_period", "created_by_id", "user"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reward_period")),
        sa.UniqueConstraint("code", name=op.f("uq_reward_period_code")),
    )
    op.create_table(
        "reward_period_campaign",
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        _fk("reward_period_campaign", "period_id", "reward_period"),
        _fk("reward_period_campaign", "campaign_id", "campaign"),
        sa.PrimaryKeyConstraint(
            "period_id", "campaign_id", name=op.f("pk_reward_period_campaign")
        ),
    )
    op.create_table(
        "nomination",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("period_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("achievement", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("nominated_by_id", sa.Integer(), nullable=False),
        sa.Column("nominating_unit_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("withdraw_reason", sa.Text(), nullable=True),
        sa.Column("active_key", sa.String(length=60), nullable=True),
        sa.CheckConstraint(
            "(campaign_id IS NULL) <> (period_id IS NULL)",
            name=op.f("ck_nomination_campaign_or_period"),
        ),
        _fk("nomination", "campaign_id", "campaign"),
        _fk("nomination", "period_id", "reward_period"),
        _fk("nomination", "unit_id", "unit"),
        _fk("nomination", "user_id", "user"),
        _fk("nomination", "nominated_by_id", "user"),
        _fk("nomination", "nominating_unit_id", "unit"),
        _fk("nomination", "withdrawn_by_id", "user"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nomination")),
        sa.UniqueConstraint("active_key", name=op.f("uq_nomination_active_key")),
    )
    op.create_index("ix_nomination_campaign", "nomination", ["campaign_id", "kind"])
    op.create_index("ix_nomination_period", "nomination", ["period_id", "kind"])


def downgrade():
    op.drop_index("ix_nomination_period", table_name="nomination")
    op.drop_index("ix_nomination_campaign", table_name="nomination")
    op.drop_table("nomination")
    op.drop_table("reward_period_campaign")
    op.drop_table("reward_period")
    op.drop_table("reward_rule")
