"""`flask certificates export|issue-missing`: ZIPs of certificates for operators,
and issuing certificates for completed records that have none."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app import audit
from app.accounts import units as unit_services
from app.errors import DomainError
from app.extensions import db
from app.records import services as records

from . import services

certificates_cli = AppGroup("certificates", help="Giấy chứng nhận: xuất ZIP, cấp bù.")

CAMPAIGN = click.option("--campaign", "campaign_code", required=True, help="Mã đợt.")


def _campaign(code: str):
    try:
        return records.get_campaign(code.strip())
    except DomainError as error:
        raise click.ClickException(error.message) from None


@certificates_cli.command("export")
@CAMPAIGN
@click.option("--unit", "unit_code", required=True, help="Mã đơn vị (cả cây con).")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Tệp ZIP ghi ra.",
)
def export_command(campaign_code: str, unit_code: str, output: Path) -> None:
    """Write one PDF per valid certificate of a campaign held by the cadres of a
    unit's subtree, as one ZIP."""
    campaign = _campaign(campaign_code)
    try:
        unit = unit_services.get_unit_by_code(unit_code.strip())
    except DomainError as error:
        raise click.ClickException(error.message) from None
    count = 0
    # A plain read transaction: a CLI command otherwise takes SQLite's write lock.
    db.session.commit()
    with current_app.test_request_context(), output.open("wb") as file:
        certificates = services.for_unit(campaign, unit)

        def counted():
            nonlocal count
            for certificate in certificates:
                count += 1
                yield certificate

        for chunk in services.zip_chunks(counted()):
            file.write(chunk)
        db.session.commit()
    audit.record(
        "certificates.exported",
        target=unit,
        campaign=campaign.code,
        unit=unit.code,
        file=str(output),
        channel="cli",
    )
    db.session.commit()
    click.echo(f"Đã ghi {count} giấy chứng nhận vào {output}.")


@certificates_cli.command("issue-missing")
@CAMPAIGN
def issue_missing_command(campaign_code: str) -> None:
    """Issue certificates for the campaign's completed records that have none
    (revoked certificates are not replaced: reissue those by hand)."""
    campaign = _campaign(campaign_code)
    issued = services.issue_missing(campaign)
    db.session.commit()
    click.echo(f"Đã cấp {issued} giấy chứng nhận cho đợt {campaign.code}.")
