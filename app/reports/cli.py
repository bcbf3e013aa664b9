"""`flask reports export|annual`: the same files HR officers download, for operators."""

import functools
from pathlib import Path

import click
from flask import current_app, render_template
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.accounts import units as unit_services
from app.accounts.rollup import Structure
from app.audit import services as audit
from app.database import reading_only
from app.errors import DomainError, LazyMessage
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.records import services as records
from app.records.asof import AS_OF_OPTION, ATTRIBUTION_OPTION, cli_as_of
from app.records.rows import iter_rows

from . import annual, asof, exports

reports_cli = AppGroup("reports", help=_l("Xuất kết quả bồi dưỡng và báo cáo năm."))

OUTPUT = click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help=_l("Tệp ghi ra."),
)
CAMPAIGN = click.option(
    "--campaign", "campaign_code", required=True, help=_l("Mã đợt.")
)
AS_OF, ATTRIBUTION = AS_OF_OPTION, ATTRIBUTION_OPTION  # app.records.asof's
UNIT = click.option(
    "--unit", "unit_code", required=True, help=_l("Mã đơn vị (cả cây đơn vị con).")
)


def _selection(campaign_code: str, unit_code: str):
    try:
        return (
            records.get_campaign(campaign_code.strip()),
            unit_services.get_unit_by_code(unit_code),
        )
    except DomainError as error:
        raise click.ClickException(error.message) from None


def _format(chosen: str | None, output: Path, allowed: tuple[str, ...]) -> str:
    """The chosen format, else the output file's extension."""
    fmt = (chosen or output.suffix.lstrip(".")).lower()
    if fmt not in allowed:
        raise click.ClickException(
            _(
                "Không rõ định dạng cho %(path)s: dùng --format %(formats)s.",
                path=output,
                formats="|".join(allowed),
            )
        )
    return fmt


def _audit(kind: str, campaign, unit, output: Path) -> None:
    audit.record(
        "report.exported",
        target=unit,
        kind=kind,
        campaign=campaign.code,
        unit=unit.code,
        file=str(output),
        channel="cli",
    )
    db.session.commit()


def _report_command(
    name: str,
    kind: str,
    formats: tuple[str, ...],
    format_help: LazyMessage,
    command_help: LazyMessage,
):
    """Declare `flask reports <name>`, a file for a campaign and a unit's subtree:
    --campaign, --unit, --format (one of `formats`, else the output's extension),
    --as-of, --attribution and --output; its help is `command_help` (Vietnamese,
    through the catalogue; the decorated function's docstring says it in English).
    That function writes the file, read-only: write(campaign, unit, fmt,
    stated_as_of, explicit, output), `explicit` when --as-of or --attribution was
    given; the file is then audited as `<kind>.<fmt>`."""

    def declare(write):
        @functools.wraps(write)
        def command(
            campaign_code: str,
            unit_code: str,
            fmt: str | None,
            as_of: str | None,
            attribution: str,
            output: Path,
        ) -> None:
            stated_as_of = cli_as_of(as_of, attribution)
            explicit = as_of is not None or attribution != asof.AT_TIME
            campaign, unit = _selection(campaign_code, unit_code)
            fmt = _format(fmt, output, formats)
            with reading_only():
                write(campaign, unit, fmt, stated_as_of, explicit, output)
            _audit(f"{kind}.{fmt}", campaign, unit, output)
            click.echo(_("Đã ghi %(path)s.", path=output))

        choice = click.Choice(list(formats))
        fmt_option = click.option("--format", "fmt", type=choice, help=format_help)
        for option in (OUTPUT, ATTRIBUTION, AS_OF, fmt_option, UNIT, CAMPAIGN):
            command = option(command)
        return reports_cli.command(name, help=command_help)(command)

    return declare


@_report_command(
    "export",
    "records",
    ("csv", "xlsx"),
    _l("csv (UTF-8 có BOM) hoặc xlsx; mặc định theo đuôi tệp."),
    _l(
        "Ghi kết quả bồi dưỡng của một đợt cho cây đơn vị; với --as-of hoặc "
        "--attribution, cột cuối ghi đơn vị mà mỗi kết quả được tính vào ngày đó, "
        "tiêu đề cột nói rõ lựa chọn."
    ),
)
def export_command(campaign, unit, fmt, stated_as_of, explicit, output) -> None:
    """Write the training records of a campaign for a unit's subtree; with
    --as-of or --attribution, a last column names the unit each record counts
    for on that day, its heading stating the choice."""
    rows, stated = iter_rows(campaign, unit), None
    if explicit:
        structure = Structure.on(stated_as_of.day)
        query = exports.as_of_query(campaign, unit, stated_as_of, structure)
        rows = exports.with_unit_of_day(query, stated_as_of, structure)
        stated = exports.stated_header(stated_as_of)
    if fmt == "csv":
        with output.open("w", encoding="utf-8", newline="") as file:
            file.writelines(exports.csv_chunks(rows, stated=stated))
    else:
        exports.write_xlsx(rows, output, campaign.code, stated)


@_report_command(
    "annual",
    "annual",
    ("xlsx", "html"),
    _l("xlsx hoặc html (trang in được); mặc định theo đuôi tệp."),
    _l(
        "Ghi báo cáo năm (theo từng đơn vị: số thuộc diện, đã hoàn thành, tỉ lệ, "
        "đạt, điểm trung bình, chưa bắt đầu) cho cây đơn vị, tại một ngày, có so "
        "sánh với các năm trước."
    ),
)
def annual_command(campaign, unit, fmt, stated_as_of, explicit, output) -> None:
    """Write the annual report (per unit: in scope, completed, %, passed, mean
    score, not started) for a unit's subtree, as of a day, with the earlier
    years compared."""
    report = annual.annual_report(
        campaign, unit, as_of=stated_as_of, campaigns=records.list_campaigns()
    )
    if fmt == "xlsx":
        output.write_bytes(annual.annual_xlsx(report))
    else:
        output.write_text(_render_html(report), encoding="utf-8")


def _render_html(report: annual.AnnualReportInfo) -> str:
    """The printable page as a self-contained file (inline styles, no links). The
    page template reads the request (the site's layout), so it renders in one."""
    with current_app.test_request_context():
        return render_template(
            "reports/annual.html", report=report, standalone=True, nonce=None
        )
