"""campaign and its quiz: the modules required, fixed at creation

Revision ID: f3a1b2c4d5e6
Revises: c7f6ffe37d0e
Create Date: 2026-12-06 01:00:00.000000

Existing campaigns require the modules their course has now (active and published),
in order: what their records have been judged against so far. A campaign's quiz asks
for the same modules before it starts (the newest campaign's, for a quiz in several).
"""

import sqlalchemy as sa
from alembic import op

revision = "f3a1b2c4d5e6"
down_revision = "c7f6ffe37d0e"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("campaign") as batch:
        batch.add_column(
            sa.Column("required_modules", sa.JSON(), nullable=False, server_default="[]")
        )
    connection = op.get_bind()
    campaigns = connection.execute(sa.text("SELECT id, course_code FROM campaign"))
    for campaign_id, course_code in campaigns.all():
        codes = connection.execute(
            sa.text(
                "SELECT m.code FROM module m JOIN course c ON c.id = m.course_id "
                "WHERE c.code = :course AND m.active = :yes "
                "AND m.current_version_id IS NOT NULL ORDER BY m.\"order\", m.code"
            ),
            {"course": course_code, "yes": True},
        ).scalars()
        connection.execute(
            sa.text(
                "UPDATE campaign SET required_modules = :codes WHERE id = :id"
            ).bindparams(sa.bindparam("codes", type_=sa.JSON)),
            {"codes": list(codes), "id": campaign_id},
        )
    with op.batch_alter_table("campaign") as batch:
        batch.alter_column("required_modules", server_default=None)
    with op.batch_alter_table("quiz") as batch:
        batch.add_column(sa.Column("required_modules", sa.JSON(), nullable=True))
    newest = connection.execute(
        sa.text(
            "SELECT quiz_code, required_modules FROM campaign "
            "ORDER BY created_at, id"
        ).columns(quiz_code=sa.String, required_modules=sa.JSON)
    ).all()
    for quiz_code, codes in newest:  # later rows win
        connection.execute(
            sa.text(
                "UPDATE quiz SET required_modules = :codes WHERE code = :code"
            ).bindparams(sa.bindparam("codes", type_=sa.JSON)),
            {"codes": codes, "code": quiz_code},
        )


def downgrade():
    with op.batch_alter_table("quiz") as batch:
        batch.drop_column("required_modules")
    with op.batch_alter_table("campaign") as batch:
        batch.drop_column("required_modules")
