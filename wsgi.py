"""Entry point for gunicorn and `flask --app wsgi`: the only module that builds an app."""

from app import create_app

app = create_app()
