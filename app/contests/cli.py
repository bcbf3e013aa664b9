"""`flask contests …`: contests (cuộc thi) from the command line: `check` and `sync`
of the contest files in quizzes/contests/ alone (`flask content check|sync` covers
them too, with everything else)."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext

from app.content.quizfiles import load_quizzes
from app.errors import lazy_gettext as _l
from app.extensions import db

from . import models  # noqa: F401  (the tables, for the metadata)
from .rank_cli import rank_command, rank_due_command
from .sync import contest_part

contests_cli = AppGroup(
    "contests", help=_l("Cuộc thi tìm hiểu: đợt thi, xếp hạng, giải.")
)

_QUIZZES = click.option(
    "--quizzes",
    "quizzes_dir",
    type=click.Path(path_type=Path),
    help=_l("Thư mục câu hỏi chứa contests/ (mặc định: quizzes/)."),
)


def _part(quizzes_dir: Path | None):
    root = Path(quizzes_dir or current_app.config["QUIZZES_DIR"])
    try:
        quizzes = load_quizzes(root)
    except FileNotFoundError as error:
        raise click.ClickException(str(error)) from None
    part = contest_part(root, quizzes, strict=True)
    for problem in part.problems:
        click.echo(str(problem), err=True)
    if part.problems:
        raise click.ClickException(
            ngettext(
                "%(n)s lỗi trong tệp cuộc thi; chưa đồng bộ gì.",
                "%(n)s lỗi trong tệp cuộc thi; chưa đồng bộ gì.",
                len(part.problems),
                n=len(part.problems),
            )
        )
    return part


@contests_cli.command(
    "check",
    help=_l(
        "Kiểm tra các tệp quizzes/contests/*.yml (đối chiếu với ngân hàng câu hỏi "
        "và đơn vị)."
    ),
)
@_QUIZZES
def check(quizzes_dir: Path | None) -> None:
    """Validate quizzes/contests/*.yml (against the banks and the units)."""
    part = _part(quizzes_dir)
    click.echo(_("Tệp cuộc thi hợp lệ: %(n)s.", n=part.count))


@contests_cli.command(
    "sync",
    help=_l(
        "Nạp quizzes/contests/*.yml vào cơ sở dữ liệu (cuộc thi, đợt thi, bài kiểm "
        "tra của chúng). Cuộc thi đã sửa trên trình duyệt được giữ khi tệp không "
        "đổi; khi cả hai cùng đổi, không ghi gì nếu không có --prefer-files."
    ),
)
@_QUIZZES
@click.option(
    "--prefer-files",
    is_flag=True,
    help=_l("Khi xung đột, lấy bản trong tệp."),
)
def sync(quizzes_dir: Path | None, prefer_files: bool) -> None:
    """Load quizzes/contests/*.yml into the database (contests, rounds, their
    quizzes). A contest edited in the browser is kept while its file is unchanged;
    when both changed, nothing is written unless --prefer-files."""
    part = _part(quizzes_dir)
    result = part.sync(prefer_files)
    if result.conflicts:
        db.session.rollback()
        for conflict in result.conflicts:
            click.echo(conflict, err=True)
        raise click.ClickException(
            ngettext(
                "%(n)s xung đột giữa tệp và bản sửa trên trình duyệt; chưa đồng bộ "
                "gì. Lấy bản trong tệp: `flask contests sync --prefer-files`.",
                "%(n)s xung đột giữa tệp và bản sửa trên trình duyệt; chưa đồng bộ "
                "gì. Lấy bản trong tệp: `flask contests sync --prefer-files`.",
                len(result.conflicts),
                n=len(result.conflicts),
            )
        )
    db.session.commit()
    click.echo(_("Cuộc thi: %(summary)s.", summary=result.summary()))
    if result.kept:
        click.echo(
            _(
                "Mới hơn trên trình duyệt, giữ nguyên: %(codes)s.",
                codes=", ".join(result.kept),
            )
        )


# Rankings (app/contests/rank_cli.py).
contests_cli.add_command(rank_command)
contests_cli.add_command(rank_due_command)
