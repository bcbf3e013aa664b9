"""ranking_entry: the participant's and unit's names kept as they were when the
ranking was made

Revision ID: f1a2b3c4d5e7
Revises: e7f8a9b0c1d2
Create Date: 2026-12-07 07:00:00

Rankings made before keep the names of today (the best there is: what their pages
and papers showed until now), from then on frozen like the later ones: the cadre's
full name and sort key, the unit's name — with its parent's when another unit has
the same name ("Name — Parent name", as app.accounts.models.shared_name_labels).
The columns keep their server default ('') for the inserts of old servers during
a rollout (deploy/README).
"""

from collections import Counter

import sqlalchemy as sa
from alembic import op

revision = "f1a2b3c4d5e7"
down_revision = "e7f8a9b0c1d2"
branch_labels = None
depends_on = None

COLUMNS = (("full_name", 200), ("name_sort", 400), ("unit_name", 520))


def upgrade():
    with op.batch_alter_table("ranking_entry") as batch:
        for name, length in COLUMNS:
            batch.add_column(
                sa.Column(name, sa.String(length), nullable=False, server_default="")
            )
    connection = op.get_bind()
    connection.execute(
        sa.text(
            'UPDATE ranking_entry SET full_name = (SELECT u.full_name FROM "user" u'
            " WHERE u.id = ranking_entry.user_id), name_sort = (SELECT u.name_sort"
            ' FROM "user" u WHERE u.id = ranking_entry.user_id)'
        )
    )
    units = connection.execute(sa.text("SELECT id, name, parent_id FROM unit")).all()
    names = {unit_id: name for unit_id, name, _ in units}
    shared = Counter(name for _, name, _ in units)
    used = connection.execute(
        sa.text("SELECT DISTINCT unit_id FROM ranking_entry")
    ).scalars()
    parent_of = {unit_id: parent_id for unit_id, _, parent_id in units}
    labels = []
    for unit_id in used:
        name, above = names[unit_id], names.get(parent_of[unit_id])
        label = f"{name} — {above}" if shared[name] > 1 and above else name
        labels.append({"label": label, "unit": unit_id})
    if labels:
        connection.execute(
            sa.text("UPDATE ranking_entry SET unit_name = :label WHERE unit_id = :unit"),
            labels,
        )


def downgrade():
    with op.batch_alter_table("ranking_entry") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
