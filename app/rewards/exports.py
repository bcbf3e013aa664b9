"""The rewards' files: candidates and nominees as XLSX, and the "danh sách đề nghị
khen thưởng" as an official paper (the data of its printable page, with the heading
of Nghị định 30/2020/NĐ-CP like the annual report's).

Paper and workbook text is Vietnamese whatever the screen language: it goes to Sở
Nội vụ (Thường trực Hội đồng Thi đua - Khen thưởng).
"""

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

import xlsxwriter

from app.accounts.models import Unit, unit_labels
from app.accounts.units import ancestors_of
from app.records.asof import AsOf
from app.records.models import Campaign
from app.timeutil import paper_dated, to_vn, utcnow

from .candidates import CollectiveRow, IndividualRow
from .models import COLLECTIVE, Nomination, RewardPeriod
from .periods import PeriodCollectiveRow, PeriodIndividualRow
from .reading import Reading, structure_on

PAPER_TITLE = "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG"
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
BLANK = "……"
PAPER_COLUMNS = ("STT", "Họ và tên", "Chức vụ", "Đơn vị", "Thành tích", "Ghi chú")
# Every workbook of the app: a text is never read as a formula, number or URL.
XLSX_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    "in_memory": True,
}
_PROVINCE = re.compile(r"(?:^|\s)(?:tỉnh|thành phố)\s+(\S.*)$", re.IGNORECASE)

Target = Campaign | RewardPeriod


def target_label(target: Target) -> str:
    """A campaign's title; a period's kind and years around its title, each said
    once ("Tổng kết phong trào … giai đoạn 2024–2025" stays as it is)."""
    if isinstance(target, Campaign):
        return target.title
    label = str(target.kind_label)
    title = target.title
    if not title.casefold().startswith(label.casefold()):
        title = f"{label} {title}"
    years = [c.year for c in target.campaigns]
    if years and str(min(years)) not in title:
        title += f" ({min(years)}–{max(years)})"
    return title


def _score(value: float) -> str:
    return f"{round(value, 1):g}".replace(".", ",")


def achievement(target: Target, row) -> str:
    """The thành tích written by default for a candidate row of `target`."""
    if isinstance(row, CollectiveRow):
        return (
            f"{row.completed}/{row.total} cán bộ hoàn thành bồi dưỡng "
            f"({_score(row.completion_percent)} %), {_score(row.pass_percent)} % "
            f"đạt bài kiểm tra — {target.title}"
        )
    if isinstance(row, IndividualRow):
        return (
            f"Đạt {_score(row.score)} % điểm ngay lần kiểm tra đầu tiên, đọc đủ các "
            f"chuyên đề — {target.title}"
        )
    years = ", ".join(str(y) for y in row.years)
    return f"Đạt tiêu chí thi đua {len(row.years)} năm ({years}) — {target.title}"


def _write_table(
    workbook, name: str, header, rows, widths, statement: str | None = None
) -> None:
    """A sheet of `rows` under `header`; `statement` (the day and attribution of
    a list as of a day, AsOf.figures_statement), when given, is its first line."""
    sheet = workbook.add_worksheet(name)
    bold = workbook.add_format({"bold": True, "bg_color": "#F2E6E6", "border": 1})
    day = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    top = 0
    if statement:
        sheet.write_string(0, 0, statement, workbook.add_format({"italic": True}))
        top = 1
    for column, heading in enumerate(header):
        sheet.write_string(top, column, heading, bold)
    for line, values in enumerate(rows, top + 1):
        for column, value in enumerate(values):
            if isinstance(value, int | float):
                sheet.write_number(line, column, value)
            elif isinstance(value, date):
                sheet.write_datetime(line, column, value, day)
            else:
                sheet.write_string(line, column, value or "")
    sheet.freeze_panes(top + 1, 0)
    sheet.autofilter(top, 0, top + max(len(rows), 1), len(header) - 1)


def _vn_day(moment: datetime) -> date:
    return to_vn(moment).date()


def _named(labels: dict[str, str], unit: Unit) -> str:
    """`unit`'s name, with its parent's where another unit has it (labels from
    unit_labels(): one query for the whole file)."""
    return labels.get(unit.code, unit.name)


def candidates_xlsx(
    target: Target, collectives: list, individuals: list, as_of: AsOf
) -> bytes:
    """Two sheets, "Tập thể" and "Cá nhân", of a campaign's or a period's
    candidates as of `as_of` (its statement on each sheet's first line; units by
    their names of that day, UnitOnDay.display_name)."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, XLSX_OPTIONS)
    stated = as_of.figures_statement
    if isinstance(target, Campaign):
        _campaign_collectives_sheet(workbook, collectives, stated)
        _campaign_individuals_sheet(workbook, individuals, stated)
    else:
        _period_sheets(workbook, collectives, individuals, stated)
    workbook.close()
    return output.getvalue()


def _campaign_collectives_sheet(
    workbook, collectives: list[CollectiveRow], stated: str
) -> None:
    """The "Tập thể" sheet of a campaign's candidates."""
    _write_table(
        workbook,
        "Tập thể",
        (
            "STT",
            "Mã đơn vị",
            "Đơn vị",
            "Số cán bộ",
            "Hoàn thành",
            "Tỷ lệ hoàn thành (%)",
            "Đạt",
            "Tỷ lệ đạt (%)",
        ),
        [
            (
                i,
                r.unit.code,
                r.unit.display_name,
                r.total,
                r.completed,
                r.completion_percent,
                r.passed,
                r.pass_percent,
            )
            for i, r in enumerate(collectives, 1)
        ],
        (6, 12, 40, 10, 11, 12, 8, 10),
        stated,
    )


# The first columns of an individual candidate's row, in both kinds of list.
PERSON_HEADERS = ("STT", "Mã cán bộ", "Họ và tên", "Chức vụ", "Mã đơn vị", "Đơn vị")


def _person(number: int, row) -> tuple:
    """The PERSON_HEADERS cells of an individual candidate's `row`."""
    user = row.user
    unit = row.unit.display_name
    return (
        number,
        user.employee_code or "",
        user.full_name,
        user.position,
        row.unit.code,
        unit,
    )


def _campaign_individuals_sheet(
    workbook, individuals: list[IndividualRow], stated: str
) -> None:
    """The "Cá nhân" sheet of a campaign's candidates."""
    _write_table(
        workbook,
        "Cá nhân",
        (*PERSON_HEADERS, "Điểm lần đầu (%)", "Ngày hoàn thành"),
        [
            (*_person(i, r), r.score, _vn_day(r.completed_at))
            for i, r in enumerate(individuals, 1)
        ],
        (6, 12, 30, 24, 12, 40, 12, 15),
        stated,
    )


def _period_sheets(
    workbook, collectives: list[PeriodCollectiveRow], individuals, stated: str
):
    years = lambda row: ", ".join(str(y) for y in row.years)  # noqa: E731
    _write_table(
        workbook,
        "Tập thể",
        ("STT", "Mã đơn vị", "Đơn vị", "Số năm đạt", "Các năm"),
        [
            (i, r.unit.code, r.unit.display_name, len(r.years), years(r))
            for i, r in enumerate(collectives, 1)
        ],
        (6, 12, 40, 10, 30),
        stated,
    )
    rows: list[PeriodIndividualRow] = individuals
    _write_table(
        workbook,
        "Cá nhân",
        (*PERSON_HEADERS, "Số năm đạt", "Các năm", "Điểm lần đầu trung bình (%)"),
        [
            (*_person(i, r), len(r.years), years(r), r.mean_score)
            for i, r in enumerate(rows, 1)
        ],
        (6, 12, 30, 24, 12, 40, 10, 30, 14),
        stated,
    )


def nominee_values(
    n: Nomination, labels: dict[str, str] | None = None
) -> tuple[str, str, str]:
    """(họ và tên, chức vụ, đơn vị) of a nominee: a collective's name stands in
    the name column, its parent in the unit column. Unit names with their parent's
    where they repeat (`labels`: unit_labels(), taken once by a caller of many)."""
    labels = unit_labels() if labels is None else labels
    if n.kind == COLLECTIVE:
        parent = n.unit.parent
        name = labels.get(n.unit.code, n.unit.name).split(" — ")[0]
        return name, "", _named(labels, parent) if parent else ""
    return n.user.full_name, n.user.position, _named(labels, n.unit)


def nominations_xlsx(target: Target, nominations: list[Nomination]) -> bytes:
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, XLSX_OPTIONS)
    labels = unit_labels()
    _write_table(
        workbook,
        "Đề nghị khen thưởng",
        (
            "STT",
            "Hình thức",
            *PAPER_COLUMNS[1:],
            "Đơn vị đề nghị",
            "Người đề nghị",
            "Ngày đề nghị",
        ),
        [
            (
                i,
                n.kind_label,
                *nominee_values(n, labels),
                n.achievement,
                n.note,
                _named(labels, n.nominating_unit),
                n.nominated_by.full_name,
                _vn_day(n.created_at),
            )
            for i, n in enumerate(nominations, 1)
        ],
        (6, 10, 30, 22, 36, 50, 30, 30, 24, 14),
    )
    workbook.close()
    return output.getvalue()


@dataclass
class PaperInfo:
    """The printable list: heading (NĐ 30/2020, Phụ lục I), table, signer block."""

    target: Target
    root: Unit
    collectives: list[Nomination]
    individuals: list[Nomination]
    parent_body: str
    issuing_body: str
    place: str
    number_line: str
    generated_at: datetime = field(default_factory=utcnow)
    title: str = PAPER_TITLE
    statement: str = ""  # the day and attribution of its names (AsOf)
    labels: dict[str, str] = field(default_factory=dict)  # {code: name of the day}
    former_note: str = ""  # of a unit ended by the paper's date: Structure.issuer

    @property
    def subtitle(self) -> str:
        movement = "Phong trào thi đua thực hiện văn hóa công sở"
        return f"{movement} — {target_label(self.target)}"

    @property
    def place_dated(self) -> str:
        return paper_dated(self.place, to_vn(self.generated_at).date())


def paper(
    target: Target,
    root: Unit,
    nominations: list[Nomination],
    config,
    now=None,
    reading: Reading | None = None,
) -> PaperInfo:
    """The paper of `root`'s nominations as of `reading`'s day (default today): its
    statement under the title, the units by their names of that day. Issued, on
    its date (`now`), by `root` under its names of that date — by the unit its
    records went to when it had ended by then (Structure.issuer). Place from
    VHCV_REPORT_PLACE or the top unit's name ("Ủy ban nhân dân tỉnh An Giang": An
    Giang); the ký hiệu after "DS-" from VHCV_REPORT_SYMBOL, blank to fill in when
    unset."""
    reading, now = reading or Reading.of(), now or utcnow()
    chain, former_note = structure_on(to_vn(now).date()).issuer(root.id)
    chain = chain or [u.name for u in [*ancestors_of(root), root]]
    match = _PROVINCE.search(chain[0].strip())
    place = config.get("VHCV_REPORT_PLACE") or (match.group(1) if match else "")
    symbol = (config.get("VHCV_REPORT_SYMBOL") or "").strip() or BLANK
    return PaperInfo(
        target,
        root,
        [n for n in nominations if n.kind == COLLECTIVE],
        [n for n in nominations if n.kind != COLLECTIVE],
        chain[-2].upper() if len(chain) > 1 else "",
        chain[-1].upper(),
        place,
        f"Số: {BLANK}/DS-{symbol}",
        now,
        statement=reading.as_of.statement,  # nominations: no figures of the day
        labels=_labels_of_day(reading, nominations),
        former_note=former_note,
    )


def _labels_of_day(reading: Reading, nominations: list[Nomination]) -> dict:
    """{code: display name of the reading's day} of the nominees' units and of
    their parents (nominee_values' `labels`)."""
    units = {n.unit for n in nominations} | {n.unit.parent for n in nominations}
    return {u.code: reading.view(u.id).display_name for u in units if u is not None}


def filename(kind: str, target: Target, extension: str, unit=None) -> str:
    """ "Ứng viên khen thưởng VHCV-2025 - Sở Y tế.xlsx": the unit's name when the
    list is of one unit (`unit`), as the records' exports are named."""
    of_unit = f" - {unit.name}" if unit is not None else ""
    return f"{kind} {target.code}{of_unit}.{extension}"
