"""The annual report to Sở Nội vụ: per unit of a subtree, cadres in scope, completed,
% completed, passed, mean score and not started.

One grouped SQL query counts the records by the unit their cadre is directly in;
the counts are then rolled up the tree in Python over units (never over records).
"""

import io
from dataclasses import dataclass, field
from datetime import date, datetime

import xlsxwriter
from sqlalchemy import case, func, select

from app.accounts.models import Unit, shared_name_labels
from app.accounts.units import tree_order
from app.extensions import db
from app.records.models import COMPLETED, NOT_STARTED, Campaign, TrainingRecord
from app.reports.exports import XLSX_OPTIONS
from app.timeutil import to_vn, utcnow

TITLE = "BÁO CÁO KẾT QUẢ BỒI DƯỠNG VĂN HÓA CÔNG VỤ NĂM {year}"
DUE = "Báo cáo gửi Sở Nội vụ trước ngày 15/11/{year}."
COLUMNS = (
    ("STT", 6),
    ("Đơn vị", 48),
    ("Số cán bộ trong diện", 14),
    ("Đã hoàn thành", 13),
    ("Tỷ lệ hoàn thành (%)", 13),
    ("Đạt bài kiểm tra", 13),
    ("Điểm trung bình", 12),
    ("Chưa bắt đầu", 12),
)


@dataclass
class AnnualRow:
    """One unit's figures over its whole subtree (after the roll-up)."""

    unit: Unit
    depth: int  # below the report's root (the root is 0)
    label: str = ""  # the unit's display name (with its parent's if shared)
    total: int = 0
    completed: int = 0
    passed: int = 0
    not_started: int = 0
    score_sum: float = 0.0
    scored: int = 0  # records with a best score (mean is over these)

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
        self.not_started += other.not_started
        self.score_sum += other.score_sum
        self.scored += other.scored


@dataclass
class AnnualReportInfo:
    campaign: Campaign
    root: Unit
    rows: list[AnnualRow]  # the root first, then descendants in tree order
    generated_at: datetime = field(default_factory=utcnow)

    @property
    def totals(self) -> AnnualRow:
        return self.rows[0]

    @property
    def title(self) -> str:
        return TITLE.format(year=self.campaign.year)

    @property
    def due_note(self) -> str:
        return DUE.format(year=self.campaign.year)

    @property
    def day(self) -> date:
        return to_vn(self.generated_at).date()

    @property
    def dated(self) -> str:
        """“ngày 05 tháng 11 năm 2026”, the way Vietnamese documents are dated."""
        d = self.day
        return f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"


def _direct_counts(campaign: Campaign, root: Unit) -> dict[int, tuple]:
    """Per unit of the subtree, over the records of its direct members: (total,
    completed, passed, not started, sum of best scores, records with a score)."""
    record = TrainingRecord
    rows = db.session.execute(
        select(
            record.unit_id,
            func.count(record.id),
            func.coalesce(func.sum(case((record.status == COMPLETED, 1), else_=0)), 0),
            func.coalesce(func.sum(case((record.passed.is_(True), 1), else_=0)), 0),
            func.coalesce(
                func.sum(case((record.status == NOT_STARTED, 1), else_=0)), 0
            ),
            func.coalesce(func.sum(record.best_percent), 0),
            func.count(record.best_percent),
        )
        .join(Unit, Unit.id == record.unit_id)
        .where(
            record.campaign_id == campaign.id,
            Unit.in_subtree(root.path),
        )
        .group_by(record.unit_id)
    ).all()
    return {
        unit_id: (*(int(n) for n in counts[:4]), float(counts[4]), int(counts[5]))
        for unit_id, *counts in rows
    }


def annual_report(
    campaign: Campaign, root: Unit, now: datetime | None = None
) -> AnnualReportInfo:
    """The report for `root`'s subtree. Units without any cadre in the campaign are
    left out, except the root."""
    units = list(db.session.scalars(select(Unit).where(Unit.in_subtree(root.path))))
    labels = shared_name_labels()
    rows = {
        u.id: AnnualRow(u, u.depth - root.depth, labels.get(u.code, u.name))
        for u in units
    }
    for unit_id, counts in _direct_counts(campaign, root).items():
        row = rows.get(unit_id)  # None: a unit created between the two queries
        if row is not None:
            (row.total, row.completed, row.passed, row.not_started) = counts[:4]
            row.score_sum, row.scored = counts[4:]
    for unit in sorted(units, key=lambda u: -u.depth):
        if unit.id != root.id and unit.parent_id in rows:
            rows[unit.parent_id].add(rows[unit.id])
    ordered = [rows[u.id] for u in tree_order(units) if u is root or rows[u.id].total]
    return AnnualReportInfo(campaign, root, ordered, now or utcnow())


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
    _merged_text(sheet, 0, last, report.title, f.title)
    _merged_text(sheet, 1, last, report.campaign.title, f.center)
    _merged_text(sheet, 2, last, f"Đơn vị: {report.totals.label}", f.center)
    _merged_text(sheet, 3, last, report.dated, f.dated)
    for column, (heading, width) in enumerate(COLUMNS):
        sheet.set_column(column, column, width)
        sheet.write_string(5, column, heading, f.header)
    for index, row in enumerate(report.rows):
        _write_annual_row(sheet, 6 + index, index, row, f)
    end = 6 + len(report.rows) + 1
    sheet.write_string(end, 0, report.due_note, f.note)
    sheet.write_string(end + 2, 1, "NGƯỜI LẬP BIỂU", f.signature)
    _merged_text(sheet, end + 2, last, "THỦ TRƯỞNG ĐƠN VỊ", f.signature, first=3)
    sheet.repeat_rows(5)
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    workbook.close()
    return output.getvalue()


class _Formats:
    """The workbook's cell formats; one indented format per depth, made on demand."""

    CELL = {"border": 1, "valign": "vcenter"}

    def __init__(self, workbook):
        self.workbook = workbook
        add = workbook.add_format
        self.title = add({"bold": True, "align": "center", "size": 13})
        self.center = add({"align": "center"})
        self.dated = add({"italic": True, "align": "right"})
        self.note = add({"italic": True})
        self.signature = add({"bold": True, "align": "center"})
        self.header = add(
            {**self.CELL, "bold": True, "align": "center", "text_wrap": True}
        )
        self.int = add(self.CELL)
        self.dec = add({**self.CELL, "num_format": "0.0"})
        self._units = {}

    def unit(self, depth: int, bold: bool):
        key = (min(depth, 15), bold)
        if key not in self._units:
            self._units[key] = self.workbook.add_format(
                {**self.CELL, "indent": key[0], "bold": bold}
            )
        return self._units[key]


def _write_annual_row(sheet, line: int, index: int, row: AnnualRow, f: _Formats):
    sheet.write_number(line, 0, index + 1, f.int)
    sheet.write_string(line, 1, row.label, f.unit(row.depth, bold=index == 0))
    sheet.write_number(line, 2, row.total, f.int)
    sheet.write_number(line, 3, row.completed, f.int)
    sheet.write_number(line, 4, row.completion_percent, f.dec)
    sheet.write_number(line, 5, row.passed, f.int)
    if row.mean_score is None:
        sheet.write_blank(line, 6, None, f.dec)
    else:
        sheet.write_number(line, 6, row.mean_score, f.dec)
    sheet.write_number(line, 7, row.not_started, f.int)


def annual_filename(report: AnnualReportInfo, extension: str) -> str:
    return f"Báo cáo {report.campaign.year} - {report.root.name}.{extension}"
