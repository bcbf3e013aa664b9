"""gunicorn's settings, read from the working directory (gunicorn's default
./gunicorn.conf.py): the deployed servers (deploy/vhcv-gunicorn.service, run from
the release folder) and `make run` both get them. Only a start-up check; every
setting stays on the command line."""

import os
import sys

from app.config import per_process_limits_problem


def on_starting(server):
    """Refuse to start several workers whose rate limits would each count alone
    (app.config.per_process_limits_problem)."""
    problem = per_process_limits_problem(server.cfg.workers, os.environ)
    if problem:
        server.log.error(problem)
        sys.exit(1)
