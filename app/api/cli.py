"""`flask api-tokens create|revoke|list`: tokens for units' HR systems."""

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.accounts import units as unit_services
from app.errors import DomainError
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.timeutil import format_vn_date

from . import services

api_tokens_cli = AppGroup(
    "api-tokens", help=_l("Mã truy cập API cho hệ thống nhân sự của đơn vị.")
)


def fail(message: str) -> None:
    """Roll back and exit non-zero with `message` on stderr."""
    db.session.rollback()
    raise click.ClickException(message)


@api_tokens_cli.command(
    "create",
    help=_l(
        "Cấp một mã truy cập đọc dữ liệu của cây đơn vị --unit; mã chỉ in ra một "
        "lần, không bao giờ hiện lại."
    ),
)
@click.option("--name", required=True, help=_l("Tên gợi nhớ, ví dụ “HRM Sở Nội vụ”."))
@click.option("--unit", "unit_code", required=True, help=_l("Mã đơn vị (gốc phạm vi)."))
def create(name: str, unit_code: str) -> None:
    """Issue a token reading UNIT's subtree; it is printed once, never again."""
    try:
        unit = unit_services.get_unit_by_code(unit_code)
        token, plaintext = services.issue_token(name, unit)
    except DomainError as error:
        fail(error.message)
    db.session.commit()
    click.echo(
        _(
            "Mã truy cập số %(id)s (%(name)s, đơn vị %(unit)s):",
            id=token.id,
            name=token.name,
            unit=unit.code,
        )
    )
    click.echo(plaintext)
    click.echo(_("Hãy lưu lại ngay: mã này chỉ hiện một lần."), err=True)


@api_tokens_cli.command(
    "revoke",
    help=_l(
        "Thu hồi mã truy cập TOKEN_ID; từ nay mọi yêu cầu dùng mã này bị từ chối (401)."
    ),
)
@click.argument("token_id", type=int)
def revoke(token_id: int) -> None:
    """Revoke token TOKEN_ID; requests with it get 401 from now on."""
    try:
        token = services.revoke_token(services.get_token(token_id))
    except DomainError as error:
        fail(error.message)
    db.session.commit()
    click.echo(
        _(
            "Đã thu hồi mã truy cập số %(id)s (%(prefix)s…).",
            id=token.id,
            prefix=token.prefix,
        )
    )


@api_tokens_cli.command(
    "list",
    help=_l(
        "Liệt kê các mã truy cập: số, tiền tố, tên, đơn vị, ngày tạo, lần dùng gần "
        "nhất, trạng thái."
    ),
)
def list_command() -> None:
    """List tokens: id, prefix, name, unit, created, last used, state."""
    tokens = services.list_tokens()
    if not tokens:
        click.echo(_("Chưa có mã truy cập nào."))
    for token in tokens:
        state = (
            f"thu hồi {format_vn_date(token.revoked_at)}"
            if token.revoked_at
            else "đang dùng"
        )
        used = format_vn_date(token.last_used_at, with_time=True) or "chưa dùng"
        click.echo(
            f"{token.id}\t{token.prefix}…\t{token.name}\t{token.unit.code}\t"
            f"tạo {format_vn_date(token.created_at)}\tdùng {used}\t{state}"
        )
