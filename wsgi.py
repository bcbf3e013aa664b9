"""Entry point for gunicorn and `flask --app wsgi`; the only module that
builds an app at import time."""

from app import create_app

app = create_app()
