"""`flask backup create -o FILE` and `flask backup restore FILE`."""

from pathlib import Path

import click
from flask.cli import AppGroup

from . import services
from .services import BackupError

backup_cli = AppGroup(
    "backup", help="Sao lưu và phục hồi cơ sở dữ liệu cùng khóa ký chứng nhận."
)


@backup_cli.command("create")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Tệp sao lưu mới (không ghi đè tệp đã có).",
)
def create_command(output: Path) -> None:
    """Write a consistent snapshot of the database and the certificates' signing
    keys to a new file (mode 0600: it holds the private key; keep it secret)."""
    try:
        info = services.create(output)
    except BackupError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Đã sao lưu ({info.dialect}, {info.size} byte) vào {info.path}")
    click.echo(f"Phiên bản lược đồ (alembic): {info.alembic_revision or 'không có'}")
    if info.keys:
        click.echo("Tệp chứa khóa bí mật ký chứng nhận: giữ kín như chính khóa.")
    else:
        click.echo("Không có khóa ký chứng nhận để sao lưu.")


@backup_cli.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(file: Path) -> None:
    """Restore a backup into the configured database, which must be empty, and
    its keys into the instance folder where they are missing."""
    try:
        info = services.restore(file)
    except BackupError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Đã phục hồi bản sao lưu lúc {info.created_at} ({info.dialect}).")
    for path in info.keys_written:
        click.echo(f"Đã ghi khóa {path}")
    for path in info.keys_present:
        click.echo(f"Khóa {path} đã có, trùng với bản sao lưu.")
    click.echo(
        f"Phiên bản lược đồ (alembic): {info.alembic_revision or 'không có'}; "
        "chạy `flask db upgrade` nếu mã mới hơn."
    )
