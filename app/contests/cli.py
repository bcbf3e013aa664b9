"""`flask contests …`: contests (cuộc thi) from the command line."""

from flask.cli import AppGroup

from . import models  # noqa: F401  (the tables, for the metadata)
from .rank_cli import rank_command, rank_due_command

contests_cli = AppGroup("contests", help="Cuộc thi tìm hiểu: vòng thi, xếp hạng, giải.")

# Rankings (app/contests/rank_cli.py).
contests_cli.add_command(rank_command)
contests_cli.add_command(rank_due_command)
