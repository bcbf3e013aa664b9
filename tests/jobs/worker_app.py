"""The app as `flask jobs worker` serves it in tests/jobs/test_rq.py's kill test:
the tests' configuration, their database and queue (from the environment), and
their tasks registered."""

import os

from app import create_app
from tests.conftest import make_config
from tests.jobs import test_jobs  # noqa: F401 (registers the tests' tasks)

app = create_app(
    make_config(
        SQLALCHEMY_DATABASE_URI=os.environ["VHCV_TEST_DATABASE"],
        JOBS_RUNNER="rq",
        JOBS_REDIS_URL=os.environ["TEST_REDIS_URL"],
        JOBS_DIR=os.environ["VHCV_TEST_JOBS_DIR"],
    )
)
