"""`flask certificates export|issue-missing`: ZIPs of certificates for operators,
and issuing certificates for completed records that have none."""

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext

from app.accounts import units as unit_services
from app.audit import services as audit
from app.database import reading_only
from app.errors import DomainError
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.jobs import services as jobs
from app.jobs.cli import QUEUE_OPTION, runs_here
from app.numbers import count
from app.records import services as records

from . import archive, services

certificates_cli = AppGroup(
    "certificates",
    help=_l("Giấy chứng nhận: xuất ZIP, cấp bù, khóa ký, kiểm tra ngoại tuyến."),
)

CAMPAIGN = click.option(
    "--campaign", "campaign_code", required=True, help=_l("Mã đợt.")
)


def _campaign(code: str):
    try:
        return records.get_campaign(code.strip())
    except DomainError as error:
        raise click.ClickException(error.message) from None


@certificates_cli.command(
    "export",
    help=_l(
        "Ghi vào một tệp ZIP mỗi giấy chứng nhận còn hiệu lực của một đợt (một PDF "
        "mỗi giấy) mà cán bộ thuộc cây đơn vị đang giữ."
    ),
)
@CAMPAIGN
@click.option("--unit", "unit_code", required=True, help=_l("Mã đơn vị (cả cây con)."))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help=_l("Tệp ZIP ghi ra."),
)
def export_command(campaign_code: str, unit_code: str, output: Path) -> None:
    """Write one PDF per valid certificate of a campaign held by the cadres of a
    unit's subtree, as one ZIP."""
    campaign = _campaign(campaign_code)
    try:
        unit = unit_services.get_unit_by_code(unit_code.strip())
    except DomainError as error:
        raise click.ClickException(error.message) from None
    written = 0
    with reading_only(), output.open("wb") as file:
        certificates = services.for_unit(campaign, unit)

        def counted():
            nonlocal written
            for certificate in certificates:
                written += 1
                yield certificate

        for chunk in archive.zip_chunks(counted()):
            file.write(chunk)
    audit.record(
        "certificates.exported",
        target=unit,
        campaign=campaign.code,
        unit=unit.code,
        file=str(output),
        channel="cli",
    )
    db.session.commit()
    click.echo(
        ngettext(
            "Đã ghi %(n)s giấy chứng nhận vào %(path)s.",
            "Đã ghi %(n)s giấy chứng nhận vào %(path)s.",
            written,
            n=count(written),
            path=output,
        )
    )


@certificates_cli.command(
    "issue-missing",
    help=_l(
        "Cấp giấy chứng nhận cho các kết quả đã hoàn thành của đợt mà chưa có giấy "
        "(giấy đã thu hồi không được thay: cấp lại bằng tay). Chạy như một việc nền "
        "(xem `flask jobs list`): tại đây hoặc trên worker."
    ),
)
@CAMPAIGN
@QUEUE_OPTION
def issue_missing_command(campaign_code: str, queue: bool) -> None:
    """Issue certificates for the campaign's completed records that have none
    (revoked certificates are not replaced: reissue those by hand). Runs as a
    background job (listed by `flask jobs list`): here, or on the workers."""
    campaign = _campaign(campaign_code)
    here = runs_here(queue)
    job = jobs.submit(
        "certificates.issue_missing",
        _l("Cấp bù giấy chứng nhận đợt %(code)s", code=campaign.code),
        None,
        {"campaign": campaign.code},
        here=here,
    )
    if not here:
        click.echo(_("Đã giao việc %(id)s cho worker.", id=job.id))
    elif job.state != "finished":
        raise click.ClickException(job.message or _("Việc không hoàn thành."))
    else:
        click.echo(job.message)


@certificates_cli.command(
    "keygen",
    help=_l(
        "Tạo cặp khóa Ed25519 của nền tảng để kiểm tra giấy chứng nhận ngoại tuyến "
        "(trong instance/, ngoài kho mã). Công bố khóa công khai được in ra; giữ "
        "kín khóa bí mật."
    ),
)
def keygen_command() -> None:
    """Create the platform's Ed25519 key pair for offline proofs (in instance/, out of
    the repository). Publish the printed public key; keep the private one secret."""
    from . import signing
    from .services import signing_key_path

    private = signing_key_path()
    public = private.with_suffix(".pub")
    try:
        text = signing.generate_keypair(private, public)
    except FileExistsError as error:
        raise click.ClickException(str(error)) from None
    click.echo(_("Khóa bí mật: %(path)s (giữ kín, không đưa vào kho mã)", path=private))
    click.echo(
        _("Khóa công khai (%(path)s), công bố để bên ngoài kiểm tra:", path=public)
    )
    click.echo(text)


@certificates_cli.command(
    "verify-offline",
    help=_l(
        "Kiểm tra nội dung đã ký của một giấy chứng nhận (chữ trong mã QR, hoặc "
        "phần sau #p=) mà không cần mạng. Việc thu hồi chỉ kiểm tra được trực "
        "tuyến."
    ),
)
@click.argument("payload")
@click.option(
    "--public-key",
    help=_l("Khóa công khai (chuỗi hoặc tệp .pub); mặc định khóa của nền tảng này."),
)
def verify_offline_command(payload: str, public_key: str | None) -> None:
    """Check a certificate's signed payload (the QR code's text, or the part after
    #p=) without the network. Revocation can only be seen online."""
    from . import signing
    from .services import signing_key_path

    if public_key is None:
        path = signing_key_path().with_suffix(".pub")
        if not path.is_file():
            raise click.ClickException(
                _("Không có khóa công khai %(path)s; dùng --public-key.", path=path)
            )
        public_key = str(path)
    try:
        key = signing.load_public(public_key)
    except ValueError as error:
        raise click.ClickException(
            _("Khóa công khai không hợp lệ: %(error)s", error=error)
        ) from None
    result = signing.verify(payload, key)
    for name, value in result.facts.items():
        click.echo(f"  {name}: {value}")
    if not result.authentic:
        raise click.ClickException(
            _("KHÔNG XÁC THỰC — %(reason)s", reason=result.reason)
        )
    click.echo(
        _(
            "XÁC THỰC — %(reason)s Lưu ý: việc thu hồi chỉ kiểm tra được "
            "trực tuyến tại trang xác minh.",
            reason=result.reason,
        )
    )
