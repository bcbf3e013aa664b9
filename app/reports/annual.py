"""The annual report to Sở Nội vụ as an official paper: per unit of a subtree,
cadres in scope, completed, % completed, passed, mean score, in progress and not
started, under the heading Nghị định 30/2020/NĐ-CP lays down for an administrative
document (cơ quan top left, quốc hiệu and tiêu ngữ top right, số and ký hiệu, place
and date, "Kính gửi"), with the total row last.

One grouped SQL query counts the records by the unit their cadre is directly in;
the counts are then rolled up the tree in Python over units (never over records).
"""

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

import xlsxwriter
from flask import current_app

from app.accounts.models import Unit
from app.accounts.rollup import Structure
from app.accounts.units import ancestors_of
from app.records.models import Campaign
from app.reports.exports import XLSX_OPTIONS
from app.timeutil import paper_dated, to_vn, utcnow

from . import asof as asof_
from .yearly import YearRow, year_chart, year_over_year

TITLE = "BÁO CÁO KẾT QUẢ BỒI DƯỠNG VĂN HÓA CÔNG VỤ NĂM {year}"
DUE = "Báo cáo gửi Sở Nội vụ trước ngày 15/11/{year}."
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
BLANK = "……"  # a space to fill in by hand (the văn thư gives the number)
TOTAL_LABEL = "Tổng cộng"
YEARS_TITLE = "SO SÁNH KẾT QUẢ QUA CÁC NĂM (cộng dồn các đơn vị trước sắp xếp)"
OWN_LABEL = "{name} (cán bộ trực thuộc)"
COLUMNS = (
    ("STT", 6),
    ("Đơn vị", 44),
    ("Số cán bộ trong diện", 12),
    ("Đã hoàn thành", 12),
    ("Tỷ lệ hoàn thành (%)", 12),
    ("Đạt bài kiểm tra", 12),
    ("Điểm trung bình", 11),
    ("Đang học", 10),
    ("Chưa bắt đầu", 11),
)
# "Ủy ban nhân dân tỉnh An Giang", "UBND thành phố Cần Thơ", "Tỉnh Thử": the kind
# of province-level unit and its place name.
_PROVINCE = re.compile(r"(?:^|\s)(tỉnh|thành phố)\s+(\S.*)$", re.IGNORECASE)


@dataclass
class AnnualRow:
    """One unit's figures over its whole subtree (after the roll-up)."""

    unit: Unit
    depth: int  # below the report's root (the root is 0)
    total: int = 0
    completed: int = 0
    passed: int = 0
    in_progress: int = 0
    not_started: int = 0
    score_sum: float = 0.0
    scored: int = 0  # records with a best score (mean is over these)
    label: str = ""  # the row's name when it is not a unit's (own staff, total)
    shared: str = ""  # "Name — Parent" when another unit has the same name

    @property
    def name(self) -> str:
        return self.label or self.shared or self.unit.name

    @property
    def completion_percent(self) -> float:
        return round(100 * self.completed / self.total, 1) if self.total else 0.0

    @property
    def mean_score(self) -> float | None:
        return round(self.score_sum / self.scored, 1) if self.scored else None

    def add(self, other: "AnnualRow") -> None:
        self.total += other.total
        self.completed += other.completed
        self.passed += other.passed
        self.in_progress += other.in_progress
        self.not_started += other.not_started
        self.score_sum += other.score_sum
        self.scored += other.scored


@dataclass
class PaperHeading:
    """What stands above the table of an official paper (NĐ 30/2020, Phụ lục I)."""

    parent_body: str  # the superior body, capitals, not bold ("" for none)
    issuing_body: str  # the reporting unit, capitals, bold
    place: str  # the place in "<place>, ngày … tháng … năm …"
    number_line: str  # "Số: ……/BC-……"
    recipient: str  # after "Kính gửi:"


@dataclass
class AnnualReportInfo:
    campaign: Campaign
    root: Unit
    rows: list[AnnualRow]  # the root's own cadres, then descendants in tree order
    total: AnnualRow  # the whole subtree: printed last
    heading: PaperHeading
    generated_at: datetime = field(default_factory=utcnow)
    as_of: "asof_.AsOf | None" = None  # None: today, at the time
    years: list[YearRow] = field(default_factory=list)
    former_note: str = ""  # of a unit ended by the day: Structure.issuer

    @property
    def statement(self) -> str:
        """The day and attribution the figures are of, said on the paper."""
        return self.stated.figures_statement

    @property
    def stated(self) -> "asof_.AsOf":
        return self.as_of or asof_.AsOf(to_vn(self.generated_at).date())

    @property
    def year_chart(self):
        return year_chart(self.years)

    @property
    def title(self) -> str:
        return TITLE.format(year=self.campaign.year)

    @property
    def due_note(self) -> str:
        return DUE.format(year=self.campaign.year)

    @property
    def due_date(self) -> date:
        return date(self.campaign.year, 11, 15)

    @property
    def is_overdue(self) -> bool:
        """Viewed after 15/11 of the campaign's year (Vietnam time): the report
        should have reached Sở Nội vụ already."""
        return self.day > self.due_date

    @property
    def day(self) -> date:
        """The paper's date: the day it is as of."""
        return self.stated.day

    @property
    def place_dated(self) -> str:
        """“An Giang, ngày 06 tháng 12 năm 2026” (timeutil.paper_dated)."""
        return paper_dated(self.heading.place, self.day)


def paper_heading(root: Unit, config, names: list[str] | None = None) -> PaperHeading:
    """The heading for a report of `root`'s subtree. The place and the recipient
    come from the configuration (VHCV_REPORT_PLACE, VHCV_REPORT_RECIPIENT) or else
    from the name of the top unit of the tree ("Ủy ban nhân dân tỉnh An Giang":
    An Giang, Sở Nội vụ tỉnh An Giang); the ký hiệu after "BC-" from
    VHCV_REPORT_SYMBOL, left blank to fill in when unset. `names`: the names from
    the top of the tree down to the root as of the paper's date (default today's)."""
    chain = names or [u.name for u in [*ancestors_of(root), root]]
    match = _PROVINCE.search(chain[0].strip())
    kind, derived = (match.group(1).lower(), match.group(2)) if match else ("", "")
    place = (
        config.get("VHCV_REPORT_PLACE") or derived or config.get("VHCV_CERT_PLACE", "")
    )
    recipient = config.get("VHCV_REPORT_RECIPIENT") or " ".join(
        part for part in ("Sở Nội vụ", kind, derived) if part
    )
    symbol = (config.get("VHCV_REPORT_SYMBOL") or "").strip() or BLANK
    parent = chain[-2].upper() if len(chain) > 1 else ""
    return PaperHeading(
        parent_body=parent,
        issuing_body=chain[-1].upper(),
        place=place,
        number_line=f"Số: {BLANK}/BC-{symbol}",
        recipient=recipient,
    )


def annual_report(
    campaign: Campaign,
    root: Unit,
    now: datetime | None = None,
    as_of: "asof_.AsOf | None" = None,
    campaigns: list[Campaign] | None = None,
    access=None,
    structure: Structure | None = None,
) -> AnnualReportInfo:
    """The report for `root`'s subtree as of `as_of` (default today, at the time;
    app.reports.asof): a row for the root's own cadres (when it has any), one per
    unit of the tree of that day with records in the campaign (its whole subtree's
    figures, its name of that day), and the total; with `campaigns`, the year-over-
    year comparison; with `access` (the reader's ReportAccess over the Structure of
    the report's day), links; `structure`: the Structure of the report's day when
    the caller has read it. Needs an app context (the configuration)."""
    now = now or utcnow()
    stated = as_of or asof_.AsOf(to_vn(now).date())
    if structure is None:
        structure = access.structure if access else Structure.on(stated.day)
    result = asof_.figures(campaign, root, stated, structure, access)
    labels = asof_.shared_labels(result)
    rows = {
        u.id: _annual_row(u, result.depth(u.id), result.subtree, labels.get(u.id, ""))
        for u in result.tree_order()
    }
    body = [row for row in rows.values() if row.total]
    own = _annual_row(result.root, 1, result.own)
    own.label = OWN_LABEL.format(name=result.root.name)
    total = _annual_row(result.root, 0, result.subtree)
    total.label = TOTAL_LABEL
    names, former_note = structure.issuer(root.id)
    heading = paper_heading(root, current_app.config, names or None)
    years = []
    if campaigns:
        years = year_over_year(
            campaigns, campaign, root, structure, result.subtree.get(root.id)
        )
    return AnnualReportInfo(
        campaign,
        root,
        [own, *body] if own.total else body,
        total,
        heading,
        now,
        as_of,
        years,
        former_note,
    )


def _annual_row(unit, depth: int, counts: dict, shared: str = "") -> AnnualRow:
    figures = counts.get(unit.id, asof_.EMPTY)
    total, completed, in_progress, not_started, passed, score_sum, scored = figures
    return AnnualRow(
        unit,
        depth,
        int(total),
        int(completed),
        int(passed),
        int(in_progress),
        int(not_started),
        float(score_sum),
        int(scored),
        shared=shared,
    )


def _merged_text(sheet, row: int, last: int, text: str, cell_format, first: int = 0):
    """`text` across columns first..last of `row`, always as text: merge_range
    writes through write(), which would make a title starting with "=" a formula."""
    sheet.merge_range(row, first, row, last, "", cell_format)
    sheet.write_string(row, first, text, cell_format)


def annual_xlsx(report: AnnualReportInfo) -> bytes:
    """The report as an XLSX workbook (one sheet, ready to print on A4)."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, XLSX_OPTIONS | {"in_memory": True})
    sheet = workbook.add_worksheet(f"Báo cáo {report.campaign.year}")
    f = _Formats(workbook)
    last = len(COLUMNS) - 1
    _write_heading(sheet, report, f, last)
    _merged_text(sheet, 4, last, report.title, f.title)
    _merged_text(sheet, 5, last, report.campaign.title, f.center)
    _merged_text(sheet, 6, last, f"Kính gửi: {report.heading.recipient}", f.center)
    stated = " ".join(filter(None, [report.former_note, report.statement]))
    _merged_text(sheet, 7, last, stated, f.dated)
    header = 8
    for column, (heading, width) in enumerate(COLUMNS):
        sheet.set_column(column, column, width)
        sheet.write_string(header, column, heading, f.header)
    for index, row in enumerate(report.rows):
        _write_annual_row(sheet, header + 1 + index, index + 1, row, f)
    end = header + 1 + len(report.rows)
    _write_annual_row(sheet, end, None, report.total, f)
    sheet.write_string(end + 2, 0, report.due_note, f.note)
    sheet.write_string(end + 4, 1, "NGƯỜI LẬP BIỂU", f.signature)
    _merged_text(sheet, end + 4, last, "THỦ TRƯỞNG ĐƠN VỊ", f.signature, first=3)
    sheet.repeat_rows(header)
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    if report.years:
        _write_years(workbook.add_worksheet("Qua các năm"), report, f)
    workbook.close()
    return output.getvalue()


def _write_heading(sheet, report: AnnualReportInfo, f: "_Formats", last: int):
    """Cơ quan (superior body, then the unit in bold) on the left; quốc hiệu and
    tiêu ngữ on the right; số, ký hiệu under the unit, place and date under the
    tiêu ngữ (NĐ 30/2020, Phụ lục I, ô 1–4)."""
    head = report.heading
    left = [(head.parent_body, f.center), (head.issuing_body, f.body)]
    if not head.parent_body:
        left = [(head.issuing_body, f.body), ("", f.center)]
    left.append((head.number_line, f.center))
    right = [(NATION, f.body), (MOTTO, f.body), (report.place_dated, f.dated)]
    for line, ((text, left_format), (words, right_format)) in enumerate(
        zip(left, right, strict=True)
    ):
        _merged_text(sheet, line, 2, text, left_format)
        _merged_text(sheet, line, last, words, right_format, first=3)


class _Formats:
    """The workbook's cell formats; one indented format per depth, made on demand."""

    CELL = {"border": 1, "valign": "vcenter"}

    def __init__(self, workbook):
        self.workbook = workbook
        add = workbook.add_format
        self.title = add({"bold": True, "align": "center", "size": 13})
        self.center = add({"align": "center"})
        self.body = add({"bold": True, "align": "center"})
        self.dated = add({"italic": True, "align": "center"})
        self.note = add({"italic": True})
        self.signature = add({"bold": True, "align": "center"})
        self.header = add(
            {**self.CELL, "bold": True, "align": "center", "text_wrap": True}
        )
        self.int = add(self.CELL)
        self.dec = add({**self.CELL, "num_format": "0.0"})
        self.total = add({**self.CELL, "bold": True})
        self.total_dec = add({**self.CELL, "bold": True, "num_format": "0.0"})
        self._units = {}

    def unit(self, depth: int, bold: bool):
        key = (max(0, min(depth, 15)), bold)
        if key not in self._units:
            self._units[key] = self.workbook.add_format(
                {**self.CELL, "indent": key[0], "bold": bold}
            )
        return self._units[key]


def _write_annual_row(
    sheet, line: int, number: int | None, row: AnnualRow, f: _Formats
):
    """A unit's row (`number` its STT) or, with no number, the total row."""
    if number is None:
        sheet.write_blank(line, 0, None, f.total)
        sheet.write_string(line, 1, row.name, f.total)
    else:
        sheet.write_number(line, 0, number, f.int)
        sheet.write_string(line, 1, row.name, f.unit(row.depth - 1, bold=False))
    whole, decimal = (f.total, f.total_dec) if number is None else (f.int, f.dec)
    sheet.write_number(line, 2, row.total, whole)
    sheet.write_number(line, 3, row.completed, whole)
    sheet.write_number(line, 4, row.completion_percent, decimal)
    sheet.write_number(line, 5, row.passed, whole)
    if row.mean_score is None:
        sheet.write_blank(line, 6, None, decimal)
    else:
        sheet.write_number(line, 6, row.mean_score, decimal)
    sheet.write_number(line, 7, row.in_progress, whole)
    sheet.write_number(line, 8, row.not_started, whole)


YEAR_COLUMNS = (
    ("Năm", 8),
    ("Đợt bồi dưỡng", 44),
    ("Số cán bộ trong diện", 12),
    ("Tỷ lệ hoàn thành (%)", 12),
    ("Tỷ lệ đạt (%)", 12),
    ("Điểm trung bình", 11),
)


def _write_years(sheet, report: AnnualReportInfo, f: "_Formats") -> None:
    """The year-over-year table: the same unit (rolled up) in each campaign."""
    _merged_text(sheet, 0, len(YEAR_COLUMNS) - 1, YEARS_TITLE, f.title)
    _merged_text(sheet, 1, len(YEAR_COLUMNS) - 1, report.statement, f.dated)
    for column, (heading, width) in enumerate(YEAR_COLUMNS):
        sheet.set_column(column, column, width)
        sheet.write_string(3, column, heading, f.header)
    for line, year in enumerate(report.years, start=4):
        sheet.write_number(line, 0, year.year, f.int)
        sheet.write_string(line, 1, year.title, f.unit(0, bold=False))
        sheet.write_number(line, 2, year.total, f.int)
        sheet.write_number(line, 3, year.completion_percent, f.dec)
        sheet.write_number(line, 4, year.pass_percent, f.dec)
        if year.mean_score is None:
            sheet.write_blank(line, 5, None, f.dec)
        else:
            sheet.write_number(line, 5, year.mean_score, f.dec)


def annual_filename(report: AnnualReportInfo, extension: str) -> str:
    return f"Báo cáo {report.campaign.year} - {report.root.name}.{extension}"
