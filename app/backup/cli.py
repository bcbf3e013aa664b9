"""`flask backup create -o FILE` and `flask backup restore FILE`."""

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.errors import lazy_gettext as _l
from app.numbers import count

from . import services
from .services import BackupError

backup_cli = AppGroup(
    "backup", help=_l("Sao lưu và phục hồi cơ sở dữ liệu cùng khóa ký chứng nhận.")
)


@backup_cli.command(
    "create",
    help=_l(
        "Ghi một bản chụp nhất quán của cơ sở dữ liệu và khóa ký giấy chứng nhận "
        "vào một tệp mới (quyền 0600: tệp chứa khóa bí mật; hãy giữ kín)."
    ),
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help=_l("Tệp sao lưu mới (không ghi đè tệp đã có)."),
)
def create_command(output: Path) -> None:
    """Write a consistent snapshot of the database and the certificates' signing
    keys to a new file (mode 0600: it holds the private key; keep it secret)."""
    try:
        info = services.create(output)
    except BackupError as error:
        raise click.ClickException(error.message) from None
    click.echo(
        _(
            "Đã sao lưu (%(dialect)s, %(size)s byte) vào %(path)s",
            dialect=info.dialect,
            size=count(info.size),
            path=info.path,
        )
    )
    click.echo(
        _(
            "Phiên bản lược đồ (alembic): %(revision)s",
            revision=info.alembic_revision or _("không có"),
        )
    )
    if info.keys:
        click.echo(_("Tệp chứa khóa bí mật ký chứng nhận: giữ kín như chính khóa."))
    else:
        click.echo(_("Không có khóa ký chứng nhận để sao lưu."))


@backup_cli.command(
    "restore",
    help=_l(
        "Phục hồi một bản sao lưu vào cơ sở dữ liệu đã cấu hình (phải đang trống), "
        "và khóa ký vào thư mục instance nếu ở đó còn thiếu."
    ),
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(file: Path) -> None:
    """Restore a backup into the configured database, which must be empty, and
    its keys into the instance folder where they are missing."""
    try:
        info = services.restore(file)
    except BackupError as error:
        raise click.ClickException(error.message) from None
    click.echo(
        _(
            "Đã phục hồi bản sao lưu lúc %(when)s (%(dialect)s).",
            when=info.created_at,
            dialect=info.dialect,
        )
    )
    for path in info.keys_written:
        click.echo(_("Đã ghi khóa %(path)s", path=path))
    for path in info.keys_present:
        click.echo(_("Khóa %(path)s đã có, trùng với bản sao lưu.", path=path))
    click.echo(
        _(
            "Phiên bản lược đồ (alembic): %(revision)s; "
            "chạy `flask db upgrade` nếu mã mới hơn.",
            revision=info.alembic_revision or _("không có"),
        )
    )
