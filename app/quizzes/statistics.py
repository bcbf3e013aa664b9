"""Item statistics of a quiz over its finished attempts (previews excluded), as
Moodle's quiz statistics report computes them:

- facility index: the mean mark on the item, as a percentage of its maximum (1);
- discrimination index: 100 × the Pearson correlation between the item's mark and
  the mark on the rest of the test (the attempt's score minus this item), over the
  attempts that drew the item; None with fewer than two such attempts or when either
  side does not vary;
- option shares: of the attempts that drew the item, the percentage that chose each
  option (for multiple answer, that selected it among others);
- blanks: the attempts that drew the item and chose nothing (they score 0 on it and
  are counted in the facility; the option shares then sum to less than 100).

Like Moodle, each version of a question is its own row: an edit may change the
options, so answers to one version are never counted against another's.

One query streams a row per drawn question (no query per attempt); the sums are
kept per question, so memory grows with questions, not attempts.
"""

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.downloads import csv_cell, csv_chunks, decimal, separator
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.markdown import as_plain

from .models import (
    FINISHED,
    Attempt,
    AttemptAnswer,
    AttemptSlot,
    Question,
    QuestionVersion,
    Quiz,
)
from .questions import option_text

TOO_EASY, TOO_HARD = 90.0, 20.0  # facility thresholds, in %
WEAK = 20.0  # discrimination below this (and ≥ 0) discriminates weakly
FLAG_LABELS = {
    "easy": _l("quá dễ"),
    "hard": _l("quá khó"),
    "negative": _l("phân biệt âm"),
    "weak": _l("phân biệt yếu"),
}


@dataclass
class _Sums:
    n: int = 0
    x: float = 0.0
    xx: float = 0.0
    y: float = 0.0
    yy: float = 0.0
    xy: float = 0.0
    blank: int = 0
    chosen: dict[str, int] = field(default_factory=dict)

    def add(self, mark: float, total: float, selected: list[str]) -> None:
        rest = total - mark
        self.n += 1
        self.x += mark
        self.xx += mark * mark
        self.y += rest
        self.yy += rest * rest
        self.xy += mark * rest
        if not selected:
            self.blank += 1
        for key in selected:
            self.chosen[key] = self.chosen.get(key, 0) + 1


@dataclass
class OptionShare:
    key: str
    text: str  # Markdown (a true/false option's label: lazy, in the page's language)
    correct: bool
    percent: float


@dataclass
class ItemStats:
    code: str
    question_id: int
    type: str
    stem: str
    responses: int
    facility: float | None
    discrimination: float | None
    options: list[OptionShare]
    version: int
    flags: list[str]
    blank: int = 0  # responses that chose nothing

    @property
    def blank_percent(self) -> float:
        return 100 * self.blank / self.responses if self.responses else 0.0


def pearson(s: _Sums) -> float | None:
    if s.n < 2:
        return None
    vx = s.n * s.xx - s.x * s.x
    vy = s.n * s.yy - s.y * s.y
    if vx <= 1e-12 or vy <= 1e-12:
        return None
    return (s.n * s.xy - s.x * s.y) / math.sqrt(vx * vy)


def _flags(facility: float | None, discrimination: float | None) -> list[str]:
    flags = []
    if facility is not None and facility > TOO_EASY:
        flags.append("easy")
    if facility is not None and facility < TOO_HARD:
        flags.append("hard")
    if discrimination is not None and discrimination < 0:
        flags.append("negative")
    elif discrimination is not None and discrimination < WEAK:
        flags.append("weak")
    return flags


def _rows(quiz: Quiz):
    return db.session.execute(
        select(
            AttemptSlot.question_version_id,
            AttemptAnswer.marks,
            AttemptAnswer.selected,
            Attempt.score,
        )
        .select_from(AttemptSlot)
        .join(Attempt, Attempt.id == AttemptSlot.attempt_id)
        .join(QuestionVersion, QuestionVersion.id == AttemptSlot.question_version_id)
        .outerjoin(AttemptAnswer, AttemptAnswer.slot_id == AttemptSlot.id)
        .where(
            Attempt.quiz_id == quiz.id,
            Attempt.state == FINISHED,
            Attempt.preview.is_(False),
        )
        .execution_options(yield_per=2000)
    )


def item_statistics(quiz: Quiz) -> list[ItemStats]:
    """One row per question version drawn in a finished attempt, by code, version."""
    sums: dict[int, _Sums] = {}
    for version_id, marks, selected, score in _rows(quiz):
        sums.setdefault(version_id, _Sums()).add(
            marks or 0.0, score or 0.0, list(selected or ())
        )
    if not sums:
        return []
    versions = db.session.execute(
        select(QuestionVersion, Question.code)
        .join(Question, Question.id == QuestionVersion.question_id)
        .where(QuestionVersion.id.in_(sums.keys()))
    ).all()
    items = []
    for version, code in sorted(versions, key=lambda row: (row[1], row[0].number)):
        s = sums[version.id]
        facility = 100 * s.x / s.n if s.n else None
        r = pearson(s)
        discrimination = 100 * r if r is not None else None
        items.append(
            ItemStats(
                code=code,
                question_id=version.question_id,
                type=version.type,
                stem=version.stem_md,
                responses=s.n,
                facility=facility,
                discrimination=discrimination,
                options=[
                    OptionShare(
                        o["key"],
                        option_text(version.type, o),
                        o["correct"],
                        100 * s.chosen.get(o["key"], 0) / s.n,
                    )
                    for o in version.options
                ],
                version=version.number,
                flags=_flags(facility, discrimination),
                blank=s.blank,
            )
        )
    return items


def attempt_count(quiz: Quiz) -> int:
    return db.session.scalar(
        select(func.count(Attempt.id)).where(
            Attempt.quiz_id == quiz.id,
            Attempt.state == FINISHED,
            Attempt.preview.is_(False),
        )
    )


HEADER = (
    "Mã câu",
    "Loại",
    "Đề bài",
    "Số lượt trả lời",
    "Số lượt bỏ trống",
    "Chỉ số độ dễ (%)",
    "Chỉ số phân biệt",
    "Tỉ lệ chọn từng phương án (%)",
    "Cảnh báo",
    "Phiên bản",
)


def csv_text(
    items: list[ItemStats], sep: str = ",", type_labels: dict | None = None
) -> Iterator[str]:
    """The table as CSV (downloads.csv_chunks: UTF-8 with BOM for Excel), made
    now (its labels are read in the request's language). Fields
    separated by `sep` ("," or ";"); numbers as the page shows them (facility and
    shares in %, discrimination from −1 to 1), with a decimal comma under ";";
    question types by `type_labels` ({code: label}), warnings by FLAG_LABELS."""
    sep = separator(sep)
    types = type_labels or {}

    def row(item: ItemStats) -> tuple:
        index = item.discrimination / 100 if item.discrimination is not None else None
        return (
            item.code,
            str(types.get(item.type, item.type)),
            csv_cell(as_plain(item.stem).replace("\n", " ")),
            item.responses,
            item.blank,
            decimal(item.facility, 1, sep),
            decimal(index, 2, sep),
            "; ".join(
                f"{o.key.upper()}{'*' if o.correct else ''} "
                f"{decimal(o.percent, 1, sep)}"
                for o in item.options
            ),
            ", ".join(str(FLAG_LABELS[f]) for f in item.flags),
            item.version,
        )

    return iter(list(csv_chunks(HEADER, (row(item) for item in items), sep)))
