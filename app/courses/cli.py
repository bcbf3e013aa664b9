"""`flask content check|sync`: validate the files in courses/ and load them."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.errors import ImportRejected
from app.extensions import db

from .loader import load_content
from .sync import sync_content

content_cli = AppGroup("content", help="Nội dung khóa học (courses/, quizzes/).")


def _root(path: Path | None) -> Path:
    return Path(path or current_app.config["COURSES_DIR"])


def _url_builders():
    adapter = current_app.url_map.bind("")

    def module_url(code: str) -> str:
        return adapter.build("courses.module", {"code": code})

    def media_url(folder: str, target: str) -> str:
        filename = target.removeprefix("images/")
        return adapter.build("courses.media", {"folder": folder, "filename": filename})

    return module_url, media_url


@content_cli.command("check")
@click.option(
    "--courses",
    "courses_dir",
    type=click.Path(path_type=Path),
    help="Thư mục khóa học (mặc định: courses/).",
)
def check(courses_dir: Path | None) -> None:
    """Validate every content file; print `file:line: message` for each problem."""
    content = _load(courses_dir)
    for problem in content.problems:
        click.echo(str(problem), err=True)
    if content.problems:
        raise click.ClickException(f"{len(content.problems)} lỗi trong nội dung.")
    modules = sum(len(c.modules) for c in content.courses)
    click.echo(f"Nội dung hợp lệ: {len(content.courses)} khóa học, {modules} học phần.")


@content_cli.command("sync")
@click.option(
    "--courses",
    "courses_dir",
    type=click.Path(path_type=Path),
    help="Thư mục khóa học (mặc định: courses/).",
)
def sync(courses_dir: Path | None) -> None:
    """Load courses/ into the database; a new version only when a text changed."""
    content = _load(courses_dir)
    try:
        result = sync_content(content, *_url_builders())
    except ImportRejected as error:
        db.session.rollback()
        for problem in error.problems:
            click.echo(problem, err=True)
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Đồng bộ nội dung: {result.summary()}.")


def _load(courses_dir: Path | None):
    root = _root(courses_dir)
    try:
        return load_content(root)
    except FileNotFoundError as error:
        raise click.ClickException(str(error)) from None
