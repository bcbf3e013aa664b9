"""`flask rewards candidates|export`: the emulation movement's reward candidates
and nominations from the command line, over the whole province or a unit's subtree,
as of a day (--as-of, --attribution: as `flask reports`, app.records.asof; the
list states them).
"""

from pathlib import Path

import click
from flask import current_app, render_template
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts import units as unit_services
from app.accounts.models import Unit
from app.audit import services as audit
from app.database import reading_only
from app.errors import DomainError
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.numbers import count
from app.records import services as records
from app.records.asof import AS_OF_OPTION, ATTRIBUTION_OPTION, cli_as_of
from app.timeutil import format_vn_date

from . import exports, models, periods, services  # noqa: F401  (models: the tables)
from .reading import Reading

rewards_cli = AppGroup(
    "rewards", help=_l("Khen thưởng phong trào thi đua: ứng viên, danh sách đề nghị.")
)

CAMPAIGN = click.option("--campaign", "campaign_code", help=_l("Mã đợt bồi dưỡng."))
PERIOD = click.option(
    "--period", "period_code", help=_l("Mã đợt xét (sơ kết, tổng kết).")
)
UNIT = click.option(
    "--unit", "unit_code", help=_l("Mã đơn vị (cả cây đơn vị con); mặc định: tất cả.")
)


def _selection(campaign_code, period_code, unit_code):
    """(target, unit or None, scope paths); ClickException on a bad choice."""
    if bool(campaign_code) == bool(period_code):
        raise click.ClickException(_("Cần đúng một trong --campaign hoặc --period."))
    try:
        target = (
            records.get_campaign(campaign_code.strip())
            if campaign_code
            else periods.get_period(period_code.strip())
        )
        unit = unit_services.get_unit_by_code(unit_code) if unit_code else None
    except DomainError as error:
        raise click.ClickException(error.message) from None
    return target, unit, [unit.path] if unit is not None else None


@rewards_cli.command(
    "candidates",
    help=_l(
        "Liệt kê các tập thể và cá nhân đủ điều kiện khen thưởng của một đợt bồi "
        "dưỡng hoặc một đợt xét."
    ),
)
@CAMPAIGN
@PERIOD
@UNIT
@AS_OF_OPTION
@ATTRIBUTION_OPTION
def candidates_command(campaign_code, period_code, unit_code, as_of, attribution):
    """List the candidate collectives and individuals of a campaign or period."""
    stated = cli_as_of(as_of, attribution)
    target, _unit, paths = _selection(campaign_code, period_code, unit_code)
    collectives, individuals = services.candidate_lists(target, paths, stated)
    click.echo(f"{exports.target_label(target)}")
    click.echo(stated.figures_statement)
    click.echo(_("Tập thể (%(n)s):", n=count(len(collectives))))
    for row in collectives:
        click.echo(
            f"  {row.unit.code}\t{row.unit.display_name}"
            f"\t{exports.achievement(target, row)}"
        )
    click.echo(_("Cá nhân (%(n)s):", n=count(len(individuals))))
    for row in individuals:
        when = format_vn_date(row.completed_at) if hasattr(row, "completed_at") else ""
        click.echo(
            f"  {row.user.employee_code or row.user.username}\t{row.user.full_name}"
            f"\t{row.unit.display_name}\t{exports.achievement(target, row)}"
            f"\t{when}".rstrip()
        )


@rewards_cli.command(
    "period",
    help=_l("Tạo hoặc thay đợt xét CODE (sơ kết, tổng kết) gồm nhiều đợt bồi dưỡng."),
)
@click.argument("code")
@click.option("--title", required=True, help=_l("Tên đợt xét."))
@click.option(
    "--kind",
    type=click.Choice(sorted(models.PERIOD_KINDS)),
    default=models.SO_KET,
    show_default=True,
    help=_l("annual (hằng năm), so_ket (sơ kết) hoặc tong_ket (tổng kết)."),
)
@click.option(
    "--campaign",
    "campaign_codes",
    multiple=True,
    required=True,
    help=_l("Mã một đợt bồi dưỡng của giai đoạn (lặp lại cho từng đợt)."),
)
@click.option(
    "--min",
    "min_campaigns",
    type=int,
    default=1,
    show_default=True,
    help=_l("Số đợt tham gia tối thiểu."),
)
def period_command(code, title, kind, campaign_codes, min_campaigns) -> None:
    """Create or replace the period CODE (sơ kết, tổng kết) over several
    campaigns."""
    try:
        campaigns = [records.get_campaign(c.strip()) for c in campaign_codes]
        period = periods.save_period(
            code.strip(), title.strip(), kind, campaigns, min_campaigns
        )
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    audit.record(
        "reward.period_saved",
        target=period,
        code=period.code,
        campaigns=[c.code for c in period.campaigns],
        min_campaigns=period.min_campaigns,
        channel="cli",
    )
    db.session.commit()
    click.echo(
        _(
            "Đã lưu đợt xét %(code)s: %(label)s.",
            code=period.code,
            label=exports.target_label(period),
        )
    )


@rewards_cli.command(
    "export",
    help=_l(
        "Ghi danh sách ứng viên hoặc danh sách đề nghị ra tệp XLSX, hoặc “danh sách "
        "đề nghị khen thưởng” in được ra trang HTML; ứng viên và trang in tính tại "
        "ngày --as-of, theo cách tính của --attribution (ghi ở dòng đầu mỗi trang "
        "tính và trên trang in)."
    ),
)
@CAMPAIGN
@PERIOD
@UNIT
@click.option(
    "--what",
    type=click.Choice(["candidates", "nominations", "paper"]),
    default="nominations",
    show_default=True,
    help=_l("candidates, nominations (XLSX) hoặc paper (trang in được, HTML)."),
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help=_l("Tệp ghi ra."),
)
@AS_OF_OPTION
@ATTRIBUTION_OPTION
def export_command(
    campaign_code, period_code, unit_code, what, output, as_of, attribution
) -> None:
    """Write the candidates or the nominations as XLSX, or the printable
    "danh sách đề nghị khen thưởng" as an HTML page; the candidates and the paper
    as of --as-of, attributed as --attribution says (each sheet's first line and
    the paper state it)."""
    stated = cli_as_of(as_of, attribution)
    target, unit, paths = _selection(campaign_code, period_code, unit_code)
    with reading_only():
        if what == "candidates":
            lists = services.candidate_lists(target, paths, stated)
            output.write_bytes(exports.candidates_xlsx(target, *lists, stated))
        elif what == "nominations":
            rows = services.nominations_in(target, paths)
            output.write_bytes(exports.nominations_xlsx(target, rows))
        else:
            output.write_text(_paper_html(target, unit, stated), encoding="utf-8")
    audit.record(
        "reward.exported",
        target=target,
        kind=what,
        code=target.code,
        unit=unit.code if unit is not None else None,
        file=str(output),
        channel="cli",
    )
    db.session.commit()
    click.echo(_("Đã ghi %(path)s.", path=output))


def _paper_html(target, unit, stated) -> str:
    if unit is None:  # the whole province: the first top unit
        unit = db.session.scalar(
            select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id)
        )
        if unit is None:
            raise click.ClickException(_("Chưa có đơn vị nào."))
    rows = services.nominations_in(target, [unit.path])
    paper = exports.paper(
        target, unit, rows, current_app.config, reading=Reading.of(stated)
    )
    with current_app.test_request_context():
        return render_template(
            "rewards/paper.html",
            paper=paper,
            nominee=exports.nominee_values,
            standalone=True,
            nonce=None,
        )
