"""stored HTML: ids and author classes prefixed as new renders are

Revision ID: a7b8c9d0e1f2
Revises: f3a1b2c4d5e6
Create Date: 2026-12-06 02:00:00.000000

HTML rendered before the Markdown pipeline prefixed ids and author classes with
"md-" (app.markdown.sanitise) is stored in module versions, courses and question
versions; content whose file did not change is never rendered again, so it is
sanitised again here, and the modules' tables of contents point at the prefixed ids.
Sanitising is idempotent: running it over already prefixed HTML changes nothing.
"""

import sqlalchemy as sa
from alembic import op

from app.markdown import ID_PREFIX, sanitise

revision = "a7b8c9d0e1f2"
down_revision = "f3a1b2c4d5e6"
branch_labels = None
depends_on = None


def _rewrite(connection, table: str, columns: dict, change) -> None:
    """For every row of `table`, set `columns` (name → type) to `change(row)`."""
    names = ", ".join(columns)
    query = sa.text(f"SELECT id, {names} FROM {table}").columns(
        sa.column("id", sa.Integer), *(sa.column(n, t) for n, t in columns.items())
    )
    update = sa.text(
        f"UPDATE {table} SET "
        + ", ".join(f"{n} = :{n}" for n in columns)
        + " WHERE id = :id"
    ).bindparams(*(sa.bindparam(n, type_=t) for n, t in columns.items()))
    for row in connection.execute(query).mappings().all():
        values = change(dict(row))
        if any(values[n] != row[n] for n in columns):
            connection.execute(update, {"id": row["id"], **values})


def _anchor(anchor: str) -> str:
    return anchor if anchor.startswith(ID_PREFIX) else ID_PREFIX + anchor


def _module_version(row: dict) -> dict:
    toc = [{**entry, "anchor": _anchor(entry["anchor"])} for entry in row["toc"] or []]
    return {"html": sanitise(row["html"]), "toc": toc}


def _question_version(row: dict) -> dict:
    options = [
        {
            **option,
            **{
                key: sanitise(option[key])
                for key in ("html", "feedback_html")
                if option.get(key)
            },
        }
        for option in row["options"] or []
    ]
    return {
        "stem_html": sanitise(row["stem_html"]),
        "explanation_html": sanitise(row["explanation_html"] or ""),
        "options": options,
    }


def upgrade():
    connection = op.get_bind()
    _rewrite(
        connection,
        "module_version",
        {"html": sa.Text(), "toc": sa.JSON()},
        _module_version,
    )
    _rewrite(
        connection,
        "course",
        {"intro_html": sa.Text()},
        lambda row: {"intro_html": sanitise(row["intro_html"] or "")},
    )
    _rewrite(
        connection,
        "question_version",
        {"stem_html": sa.Text(), "explanation_html": sa.Text(), "options": sa.JSON()},
        _question_version,
    )


def downgrade():
    pass  # the prefixed HTML stays: it is what any new render gives
