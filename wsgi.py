"""Entry point for gunicorn and `flask --app wsgi`; the only module that
builds an app at import time."""

import gc

from app import create_app

app = create_app()

# Everything built so far (the imported modules, the app, its extensions) lives as
# long as the process. gc.freeze() moves it out of the cyclic collector's sight, so
# that a full collection, which a request building many rows triggers, no longer
# walks ~170,000 objects that can never be garbage (Python's documented way; a
# report of a province: ~300 → ~200 ms on SQLite, bench/README.md).
gc.freeze()
