"""`flask attempts close-overdue`. (`flask quizzes …` — GIFT, Aiken and Word — lives
with the `flask content` commands.)"""

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db

from . import attempts

attempts_cli = AppGroup("attempts", help="Lượt làm bài.")


@attempts_cli.command("close-overdue")
def close_overdue() -> None:
    """Finalise every attempt past its deadline with the answers saved before it."""
    count = attempts.close_overdue(
        grace_seconds=current_app.config["ATTEMPT_GRACE_SECONDS"]
    )
    db.session.commit()
    click.echo(f"Đã đóng {count} lượt làm bài quá hạn.")
