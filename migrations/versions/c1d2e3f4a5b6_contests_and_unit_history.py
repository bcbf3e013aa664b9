"""contests (rounds as quizzes with targets, predictions, sealing; frozen rankings
and prizes) and the history of units and assignments (effective-dated)

Revision ID: c1d2e3f4a5b6
Revises: b7c8d9e0f1a2
Create Date: 2026-12-06 07:40:00.000000

New tables, and new columns with server defaults or NULL, so servers of the previous
version run on beside it. Today's units and assignments become history starting on
the day each unit and cadre was created (Vietnam time): nothing is lost.
"""

from datetime import timedelta, timezone

import sqlalchemy as sa
from alembic import op

revision = "c1d2e3f4a5b6"
down_revision = "b7c8d9e0f1a2"
branch_labels = None
depends_on = None

VN = timezone(timedelta(hours=7))


def _day(value):
    """The Vietnam calendar day of a stored UTC moment (a datetime or, on SQLite,
    its text)."""
    if value is None:
        return None
    if isinstance(value, str):
        from datetime import datetime

        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(VN).date()


def upgrade():
    with op.batch_alter_table("quiz") as batch:
        batch.add_column(sa.Column("prediction_prompt", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("sealed", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("attempt") as batch:
        batch.add_column(sa.Column("prediction", sa.Integer(), nullable=True))
    op.create_table(
        "quiz_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["quiz_id"], ["quiz.id"], name=op.f("fk_quiz_target_quiz_id_quiz")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_quiz_target_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_target")),
        sa.UniqueConstraint("quiz_id", "unit_id", name="uq_quiz_target"),
    )
    op.create_index("ix_quiz_target_quiz_id", "quiz_target", ["quiz_id"])
    _contests()
    _history()


def _contests():
    op.create_table(
        "contest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("organiser", sa.String(length=255), nullable=False),
        sa.Column("description_md", sa.Text(), nullable=False),
        sa.Column("description_html", sa.Text(), nullable=False),
        sa.Column("rules_md", sa.Text(), nullable=False),
        sa.Column("rules_html", sa.Text(), nullable=False),
        sa.Column("overall", sa.String(length=10), nullable=False),
        sa.Column("one_prize_per_contest", sa.Boolean(), nullable=False),
        sa.Column("owner_unit_id", sa.Integer(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("synced_hash", sa.String(length=64), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_unit_id"], ["unit.id"], name=op.f("fk_contest_owner_unit_id_unit")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_contest_updated_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contest")),
        sa.UniqueConstraint("code", name=op.f("uq_contest_code")),
    )
    op.create_table(
        "contest_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contest_id"],
            ["contest.id"],
            name=op.f("fk_contest_target_contest_id_contest"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_contest_target_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contest_target")),
    )
    op.create_index("ix_contest_target_contest_id", "contest_target", ["contest_id"])
    op.create_table(
        "contest_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("prizes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contest_id"],
            ["contest.id"],
            name=op.f("fk_contest_round_contest_id_contest"),
        ),
        sa.ForeignKeyConstraint(
            ["quiz_id"], ["quiz.id"], name=op.f("fk_contest_round_quiz_id_quiz")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contest_round")),
        sa.UniqueConstraint("code", name=op.f("uq_contest_round_code")),
        sa.UniqueConstraint("quiz_id", name=op.f("uq_contest_round_quiz_id")),
        sa.UniqueConstraint("contest_id", "number", name="uq_contest_round_number"),
    )
    op.create_table(
        "ranking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("computed_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("question_count", sa.Integer(), nullable=False),
        sa.Column("perfect_count", sa.Integer(), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contest_id"], ["contest.id"], name=op.f("fk_ranking_contest_id_contest")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["contest_round.id"],
            name=op.f("fk_ranking_round_id_contest_round"),
        ),
        sa.ForeignKeyConstraint(
            ["computed_by_id"], ["user.id"], name=op.f("fk_ranking_computed_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ranking")),
        sa.UniqueConstraint(
            "contest_id", "round_id", "version", name="uq_ranking_version"
        ),
    )
    op.create_index("ix_ranking_contest_id", "ranking", ["contest_id"])
    op.create_table(
        "ranking_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ranking_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=True),
        sa.Column("right_answers", sa.Integer(), nullable=False),
        sa.Column("prediction", sa.Integer(), nullable=True),
        sa.Column("prediction_gap", sa.Integer(), nullable=True),
        sa.Column("time_used_seconds", sa.Float(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tied", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ranking_id"],
            ["ranking.id"],
            name=op.f("fk_ranking_entry_ranking_id_ranking"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_ranking_entry_user_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_ranking_entry_unit_id_unit")
        ),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["attempt.id"],
            name=op.f("fk_ranking_entry_attempt_id_attempt"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ranking_entry")),
    )
    op.create_index("ix_ranking_entry_rank", "ranking_entry", ["ranking_id", "rank"])
    op.create_table(
        "prize",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ranking_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["ranking_id"], ["ranking.id"], name=op.f("fk_prize_ranking_id_ranking")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["ranking_entry.id"],
            name=op.f("fk_prize_entry_id_ranking_entry"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_prize_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prize")),
    )
    op.create_index("ix_prize_ranking_id", "prize", ["ranking_id"])


def _history():
    op.create_table(
        "unit_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("admin_code", sa.String(length=20), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("path", sa.String(length=400), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=20), nullable=False),
        sa.Column("decision", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_unit_version_unit_id_unit")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["unit.id"], name=op.f("fk_unit_version_parent_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_version")),
    )
    op.create_index("ix_unit_version_unit", "unit_version", ["unit_id", "valid_from"])
    op.create_index(
        "ix_unit_version_path",
        "unit_version",
        ["path", "valid_from"],
        postgresql_ops={"path": "text_pattern_ops"},
    )
    op.create_table(
        "unit_succession",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("predecessor_id", sa.Integer(), nullable=False),
        sa.Column("successor_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("primary", sa.Boolean(), nullable=False),
        sa.Column("decision", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["predecessor_id"],
            ["unit.id"],
            name=op.f("fk_unit_succession_predecessor_id_unit"),
        ),
        sa.ForeignKeyConstraint(
            ["successor_id"],
            ["unit.id"],
            name=op.f("fk_unit_succession_successor_id_unit"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_succession")),
        sa.UniqueConstraint(
            "predecessor_id", "successor_id", name="uq_unit_succession"
        ),
    )
    op.create_index(
        "ix_unit_succession_predecessor_id", "unit_succession", ["predecessor_id"]
    )
    op.create_index(
        "ix_unit_succession_successor_id", "unit_succession", ["successor_id"]
    )
    op.create_table(
        "assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_assignment_user_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_assignment_unit_id_unit")
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user.id"], name=op.f("fk_assignment_actor_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment")),
    )
    op.create_index("ix_assignment_user", "assignment", ["user_id", "valid_from"])
    op.create_index(
        "ix_assignment_unit",
        "assignment",
        ["unit_id", "valid_from", "valid_to", "user_id"],
    )
    _backfill()


def _backfill():
    """Today's units and assignments as history from their creation day. A unit
    merged before this version (inactive, with a successor) ends on the day of its
    "merged" event (the later of its and its successor's creation when none is
    recorded), with its succession starting that day; a unit inactive with no
    successor ends on the day of its last recorded event (else its creation day),
    so that `flask units apply-due` never brings it back."""
    bind = op.get_bind()
    units = bind.execute(
        sa.text(
            "SELECT id, name, kind, parent_id, path, depth, active, successor_id,"
            " created_at FROM unit"
        )
    ).all()
    created = {row.id: _day(row.created_at) for row in units}
    merged_on = {
        unit_id: _day(at)
        for unit_id, at in bind.execute(
            sa.text(
                "SELECT unit_id, MAX(at) FROM unit_event WHERE action = 'merged' GROUP BY unit_id"
            )
        )
    }
    ended = {
        row.id: merged_on.get(row.id)
        or max(created[row.id], created.get(row.successor_id) or created[row.id])
        for row in units
        if row.successor_id is not None
    }
    last_event = {
        unit_id: _day(at)
        for unit_id, at in bind.execute(
            sa.text("SELECT unit_id, MAX(at) FROM unit_event GROUP BY unit_id")
        )
    }
    for row in units:
        if not row.active and row.successor_id is None:
            ended[row.id] = max(
                created[row.id], last_event.get(row.id) or created[row.id]
            )
    version = sa.table(
        "unit_version",
        *(
            sa.column(c)
            for c in (
                "unit_id",
                "valid_from",
                "valid_to",
                "name",
                "admin_code",
                "kind",
                "parent_id",
                "path",
                "depth",
                "change",
                "decision",
            )
        ),
    )
    succession = sa.table(
        "unit_succession",
        *(
            sa.column(c)
            for c in (
                "predecessor_id",
                "successor_id",
                "valid_from",
                "kind",
                "primary",
                "decision",
            )
        ),
    )
    rows, successions = [], []
    for row in units:
        rows.append(
            {
                "unit_id": row.id,
                "valid_from": created[row.id],
                "valid_to": ended.get(row.id),
                "name": row.name,
                "admin_code": None,
                "kind": row.kind,
                "parent_id": row.parent_id,
                "path": row.path,
                "depth": row.depth,
                "change": "migrate",
                "decision": "",
            }
        )
        if row.successor_id is not None:
            successions.append(
                {
                    "predecessor_id": row.id,
                    "successor_id": row.successor_id,
                    "valid_from": ended[row.id],
                    "kind": "merge",
                    "primary": True,
                    "decision": "",
                }
            )
    if rows:
        op.bulk_insert(version, rows)
    if successions:
        op.bulk_insert(succession, successions)
    users = bind.execute(
        sa.text('SELECT id, unit_id, position, category, created_at FROM "user"')
    ).all()
    assignment = sa.table(
        "assignment",
        *(
            sa.column(c)
            for c in (
                "user_id",
                "unit_id",
                "position",
                "category",
                "valid_from",
                "valid_to",
                "created_at",
                "actor_id",
            )
        ),
    )
    batch = []
    for user in users:
        batch.append(
            {
                "user_id": user.id,
                "unit_id": user.unit_id,
                "position": user.position or "",
                "category": user.category,
                "valid_from": _day(user.created_at),
                "valid_to": None,
                "created_at": user.created_at
                if not isinstance(user.created_at, str)
                else _as_dt(user.created_at),
                "actor_id": None,
            }
        )
        if len(batch) >= 5000:
            op.bulk_insert(assignment, batch)
            batch = []
    if batch:
        op.bulk_insert(assignment, batch)


def _as_dt(text):
    from datetime import datetime

    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def downgrade():
    for table in (
        "assignment",
        "unit_succession",
        "unit_version",
        "prize",
        "ranking_entry",
        "ranking",
        "contest_round",
        "contest_target",
        "contest",
        "quiz_target",
    ):
        op.drop_table(table)
    with op.batch_alter_table("attempt") as batch:
        batch.drop_column("prediction")
    with op.batch_alter_table("quiz") as batch:
        batch.drop_column("sealed")
        batch.drop_column("prediction_prompt")
