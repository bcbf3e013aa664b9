"""Helpers the `flask content` commands use for courses/ (see app/content.py)."""

from flask import current_app


def url_builders():
    """Functions giving a module's page URL and a course image's URL, as paths."""
    adapter = current_app.url_map.bind("")

    def module_url(code: str) -> str:
        return adapter.build("courses.module", {"code": code})

    def media_url(folder: str, target: str) -> str:
        filename = target.removeprefix("images/")
        return adapter.build("courses.media", {"folder": folder, "filename": filename})

    return module_url, media_url


_url_builders = url_builders  # kept for callers that used the private name
