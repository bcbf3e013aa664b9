"""The papers of a round's ranking: the prize list as XLSX for the reward decision,
and the results announcement (thông báo kết quả) laid out as an official paper
(Nghị định 30/2020/NĐ-CP, Phụ lục I: cơ quan and số, ký hiệu on the left; quốc hiệu,
tiêu ngữ, place and date on the right; then the title, the body, "Nơi nhận" and the
signer's block). The papers are Vietnamese whatever the screen language."""

import io
import re
from dataclasses import dataclass, field
from datetime import datetime

import xlsxwriter
from flask import current_app

from app.accounts.models import Unit
from app.extensions import db
from app.timeutil import duration, format_vn_date, paper_dated, to_vn, utcnow

from . import prizes, results
from .models import Contest, ContestRound, Ranking

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
BLANK = "……"  # a space the văn thư fills in by hand
HEADER = (
    ("STT", 6),
    ("Họ và tên", 28),
    ("Đơn vị", 40),
    ("Số câu đúng", 11),
    ("Dự đoán", 10),
    ("Thời gian (mm:ss)", 14),
    ("Thời điểm nộp", 18),
    ("Giải", 34),
    ("Hạng", 14),
)
XLSX_OPTIONS = {  # as app.reports.exports: no text is read as a formula or URL
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}
# "Ủy ban nhân dân tỉnh An Giang": the place name of a province-level unit.
_PROVINCE = re.compile(r"(?:^|\s)(?:tỉnh|thành phố)\s+(\S.*)$", re.IGNORECASE)


def submitted(moment: datetime | None) -> str:
    """dd/mm/yyyy HH:MM:SS in Vietnam time: the second matters to the tie-break."""
    return to_vn(moment).strftime("%d/%m/%Y %H:%M:%S") if moment else ""


def prize_xlsx(contest: Contest, round_: ContestRound, ranking: Ranking) -> bytes:
    """The prize list of a ranking version, one row per prize (pending ties
    included, marked), with each winner's rank ("2 (đồng hạng)" when a winner
    shares it), under a title naming the contest, round and version."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, XLSX_OPTIONS | {"in_memory": True})
    sheet = workbook.add_worksheet("Danh sách giải")
    bold = workbook.add_format({"bold": True, "bg_color": "#F2E6E6", "border": 1})
    title = workbook.add_format({"bold": True, "font_size": 13})
    for column, (_, width) in enumerate(HEADER):
        sheet.set_column(column, column, width)
    sheet.write_string(0, 0, f"DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG — {contest.title}", title)
    sheet.write_string(
        1,
        0,
        f"{round_.title} · bảng xếp hạng phiên bản {ranking.version} "
        f"({format_vn_date(ranking.computed_at, with_time=True)}) · "
        f"{ranking.participants} người dự thi, {ranking.perfect_count} người đúng "
        f"tất cả {ranking.question_count} câu",
    )
    for column, (heading, _) in enumerate(HEADER):
        sheet.write_string(3, column, heading, bold)
    sheet.freeze_panes(4, 0)
    rows = prizes.prize_list(ranking)
    shared = {r.rank for r in rows if sum(o.rank == r.rank for o in rows) > 1}
    for index, row in enumerate(rows, 1):
        line = 3 + index
        sheet.write_number(line, 0, index)
        sheet.write_string(line, 1, row.full_name)
        sheet.write_string(line, 2, row.unit_name)
        sheet.write_number(line, 3, row.right_answers)
        if row.prediction is not None:
            sheet.write_number(line, 4, row.prediction)
        sheet.write_string(line, 5, duration(row.time_used_seconds))
        sheet.write_string(line, 6, submitted(row.submitted_at))
        sheet.write_string(line, 7, row.paper_label)
        tie = " (đồng hạng)" if row.rank in shared else ""
        sheet.write_string(line, 8, f"{row.rank}{tie}")
    sheet.autofilter(3, 0, 3 + max(len(rows), 1), len(HEADER) - 1)
    workbook.close()
    return buffer.getvalue()


def filename(contest: Contest, round_: ContestRound, ranking: Ranking, ext: str):
    return f"Giai {contest.code} dot {round_.number} v{ranking.version}.{ext}"


def in_sentence(title: str) -> str:
    """`title` inside a sentence: its first letter in lower case, unless its first
    word is an abbreviation ("HĐND"); the rest as written, for a title's names and
    abbreviations (Luật Cán bộ, công chức; UBND) keep their capitals."""
    words = title.split(maxsplit=1)
    if not words or (len(words[0]) > 1 and words[0].isupper()):
        return title
    return title[:1].lower() + title[1:]


@dataclass
class Announcement:
    contest: Contest
    round: ContestRound
    ranking: Ranking
    parent_body: str  # the organiser's superior body, capitals ("" for none)
    issuing_body: str  # the organiser, capitals
    number_line: str  # "Số: ……/TB-……"
    place: str
    prizes: list[prizes.PrizeRow]
    units: list[results.UnitResult]  # by participation rate (collective prizes)
    generated_at: datetime = field(default_factory=utcnow)

    @property
    def title(self) -> str:
        return f"Kết quả {self.contest.title} đợt {self.round.number}"

    @property
    def round_in_sentence(self) -> str:
        """The round's title inside the paper's sentence ("…thông báo kết quả đợt 1
        — Tìm hiểu Luật…"): see in_sentence."""
        return in_sentence(self.round.title)

    @property
    def place_dated(self) -> str:
        return paper_dated(self.place, to_vn(self.generated_at).date())

    @property
    def window(self) -> str:
        quiz = self.round.quiz
        opens = format_vn_date(quiz.opens_at, with_time=True)
        closes = format_vn_date(quiz.closes_at, with_time=True)
        return f"từ {opens} đến {closes}" if opens else f"đến {closes}"

    @property
    def pending(self) -> list[prizes.PrizeRow]:
        return [row for row in self.prizes if row.pending]


def announcement(
    contest: Contest, round_: ContestRound, ranking: Ranking, top_units: int = 5
) -> Announcement:
    """The announcement of a round's ranking version. The organiser is
    Contest.organiser (else the owner unit's name, else ORG_NAME); above it the
    owner unit's parent; the place from VHCV_REPORT_PLACE, else the province in
    the top unit's name, else VHCV_CERT_PLACE; the ký hiệu after "TB-" from
    VHCV_REPORT_SYMBOL (blank to fill in by hand)."""
    config = current_app.config
    owner = (
        db.session.get(Unit, contest.owner_unit_id) if contest.owner_unit_id else None
    )
    organiser = contest.organiser or (owner.name if owner else config["ORG_NAME"])
    parent = owner.parent if owner is not None and owner.parent is not None else None
    symbol = (config.get("VHCV_REPORT_SYMBOL") or "").strip() or BLANK
    units = results.unit_results(contest, ranking)
    return Announcement(
        contest=contest,
        round=round_,
        ranking=ranking,
        parent_body=parent.name.upper() if parent is not None else "",
        issuing_body=organiser.upper(),
        number_line=f"Số: {BLANK}/TB-{symbol}",
        place=_place(owner, config),
        prizes=prizes.prize_list(ranking),
        units=results.top_by_participation(units, top_units),
    )


def _place(owner: Unit | None, config) -> str:
    if config.get("VHCV_REPORT_PLACE"):
        return config["VHCV_REPORT_PLACE"]
    top = owner
    while top is not None and top.parent is not None:
        top = top.parent
    match = _PROVINCE.search(top.name.strip()) if top is not None else None
    return match.group(1) if match else config.get("VHCV_CERT_PLACE", "")
