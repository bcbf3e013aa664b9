"""`flask contests …`: contests (cuộc thi) from the command line."""

from flask.cli import AppGroup

from . import models  # noqa: F401  (the tables, for the metadata)

contests_cli = AppGroup("contests", help="Cuộc thi tìm hiểu: vòng thi, xếp hạng, giải.")
