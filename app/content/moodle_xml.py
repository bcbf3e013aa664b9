"""Moodle XML question files -> question dataclasses, for our three question types.

Pure: no Flask app needed, no database. Moodle XML (question/format/xml in Moodle) is
the format most Moodle banks are shared in: a <quiz> of <question type="…">
elements. VHCV reads type="category" (see app.content.moodle_categories),
"multichoice" (<single>true</single>: one right answer, SINGLE; else weighted
answers, MULTIPLE) and "truefalse"; every other type is refused. Problems are
collected over the whole file and raised together as a ConversionError ("dòng N:
câu K «name»: …"), so a file is imported whole or not at all. No feedback is
dropped: Moodle's combined feedback and hints join the explanation, labelled.

The file is untrusted: it is measured before parsing, and parsed by defusedxml with
any DTD refused (no entity expansion, no external reference: moodle_tree).
"""

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from app.errors import lazy_gettext as _l
from app.errors import lazy_ngettext as _nl
from app.numbers import lazy_number
from app.quizzes.questions import MULTIPLE, SINGLE, TRUEFALSE, OptionData, QuestionData

from .gift_syntax import (
    as_markdown,
    code_of_idnumber,
    fraction,
    html_to_text,
    paragraphs,
    tag_fits,
)
from .moodle_categories import Category, with_category_tags
from .moodle_tree import parse_tree
from .problems import (
    ConversionError,
    code_problem,
    media_in,
    media_problem,
    problem_line,
    unfit_tag,
)

SUPPORTED = ("multichoice", "truefalse")
_TYPE_NAMES = {
    "shortanswer": _l("trả lời ngắn (shortanswer)"),
    "essay": _l("tự luận (essay)"),
    "matching": _l("ghép đôi (matching)"),
    "match": _l("ghép đôi (match)"),
    "numerical": _l("số (numerical)"),
    "description": _l("mô tả (description)"),
    "cloze": _l("điền khuyết (cloze)"),
    "multianswer": _l("điền khuyết (multianswer)"),
    "calculated": _l("tính toán (calculated)"),
    "ddwtos": _l("kéo thả (ddwtos)"),
    "gapselect": _l("chọn từ điền khuyết (gapselect)"),
}


def parse_moodle_xml(
    data: bytes, code_prefix: str, limit: int | None = None
) -> list[QuestionData]:
    """The questions of a Moodle XML file, in file order; ConversionError if any
    problem. `limit`: the largest size accepted, in bytes (checked before parsing).

    A question's code is its <idnumber> (kept as written in `idnumber` when the
    code differs), else f"{code_prefix}-{n:03d}" (n = its place among the file's
    questions, from 1); its <name>, not unique in Moodle, is its `name` when not
    its code. `line`: its <question> element's line. A question with an image,
    an attached <file> or a table is refused (app.content.problems.media_in).
    """
    if limit is not None and len(data) > limit:
        raise ConversionError(
            _l(
                "Tệp XML quá lớn (%(size)s byte, tối đa %(limit)s); chưa nhập gì.",
                size=len(data),
                limit=limit,
            ),
            [],
        )
    root, lines = parse_tree(data)
    if root.tag != "quiz":
        raise ConversionError(
            _l(
                "Tệp không phải Moodle XML (phần tử gốc là <%(tag)s>, cần <quiz>); "
                "chưa nhập gì.",
                tag=root.tag,
            ),
            [],
        )
    problems: list[str] = []
    found = _read_questions(root, lines, code_prefix, problems)
    questions = with_category_tags(found, problems)
    if not found and not problems:
        raise ConversionError(_l("Tệp XML không có câu hỏi nào; chưa nhập gì."), [])
    if problems:
        problems.sort(key=problem_line)
        raise ConversionError(
            _nl(
                "Tệp XML có %(count)s lỗi; chưa nhập câu hỏi nào.",
                "Tệp XML có %(count)s lỗi; chưa nhập câu hỏi nào.",
                len(problems),
                count=lazy_number(len(problems)),
            ),
            problems,
        )
    return questions


def _read_questions(
    root: ET.Element, lines: dict, code_prefix: str, problems: list
) -> list[tuple[QuestionData, Category | None]]:
    """Each question of the <quiz> `root` read, in file order, with the category it
    falls under; the problems met are added to `problems`."""
    found: list[tuple[QuestionData, Category | None]] = []
    category, ordinal, seen = None, 0, {}
    for element in root:
        line = lines.get(element, 0)
        if element.tag != "question":
            problems.append(
                _l(
                    "dòng %(line)s: phần tử <%(tag)s> không phải <question>",
                    line=line,
                    tag=element.tag,
                )
            )
            continue
        kind = element.get("type", "")
        if kind == "category":
            path = _text(element.find("category"), label=True)
            category = Category(path, line) if path else category
            continue
        ordinal += 1
        reader = _Reader(element, lines, ordinal, problems)
        question = reader.question(kind, code_prefix)
        if question is None:
            continue
        if question.code in seen:
            reader.problem(
                line,
                _l(
                    "mã câu hỏi «%(code)s» trùng với câu ở dòng %(value)s",
                    code=question.code,
                    value=seen[question.code],
                ),
            )
        seen.setdefault(question.code, line)
        found.append((question, category))
    return found


def _text(element: ET.Element | None, default: str = "", label: bool = False) -> str:
    """The <text> of an element (Moodle's text fields) as our Markdown, as the
    GIFT import does: HTML (its format="html", else `default`) reduced to its
    words and paragraphs (VHCV renders Markdown and escapes raw HTML), any format
    but "markdown" escaped so it shows as it was (as_markdown); a `label` (name,
    tag, category) as written."""
    if element is None:
        return ""
    inner = element.find("text")
    raw = (inner.text if inner is not None else element.text) or ""
    fmt = element.get("format") or default
    text = html_to_text(raw) if fmt == "html" else paragraphs(raw)
    return text if label or fmt == "markdown" else as_markdown(text)


# Moodle's combined feedback and hints have no place of their own in VHCV: they are
# kept in the explanation, labelled (content, so in Vietnamese whatever the page's
# language). The texts Moodle's form fills in itself say what the review shows.
_COMBINED = (
    ("correctfeedback", "Khi trả lời đúng", "Your answer is correct."),
    (
        "partiallycorrectfeedback",
        "Khi trả lời đúng một phần",
        "Your answer is partially correct.",
    ),
    ("incorrectfeedback", "Khi trả lời sai", "Your answer is incorrect."),
)


def _explanation(element: ET.Element, fmt: str) -> str:
    """The <generalfeedback>, then each <correctfeedback>,
    <partiallycorrectfeedback>, <incorrectfeedback> and <hint> as a paragraph of
    its own ("Khi trả lời sai: …", "Gợi ý 2: …"); Moodle's default texts left out."""
    parts = [_text(element.find("generalfeedback"), fmt)]
    for tag, label, default in _COMBINED:
        text = _text(element.find(tag), fmt)
        if text and text != default:
            parts.append(f"{label}: {text}")
    hints = [t for t in (_text(h, fmt) for h in element.iterfind("hint")) if t]
    for number, hint in enumerate(hints, 1):
        parts.append(f"Gợi ý{f' {number}' if len(hints) > 1 else ''}: {hint}")
    return "\n\n".join(part for part in parts if part)


@dataclass
class _Answer:
    line: int
    fraction: float | None
    text: str
    feedback: str


class _Reader:
    """One <question> element read, its problems added to the file's."""

    def __init__(self, element, lines, ordinal: int, problems: list):
        self.element, self.lines, self.ordinal = element, lines, ordinal
        self.problems = problems
        self.name = " ".join(_text(element.find("name"), label=True).split())
        self.line = lines.get(element, 0)

    def problem(self, line: int, message) -> None:
        self.problems.append(
            _l(
                "dòng %(line)s: câu %(number)s «%(name)s»: %(message)s",
                line=line,
                number=self.ordinal,
                name=self.name,
                message=message,
            )
        )

    def question(self, kind: str, code_prefix: str) -> QuestionData | None:
        if kind not in SUPPORTED:
            label = _TYPE_NAMES.get(kind, kind or "?")
            self.problem(
                self.line, _l("câu dạng %(kind)s không được hỗ trợ", kind=label)
            )
            return None
        if self._has_media():
            return None
        before = len(self.problems)
        text = self.element.find("questiontext")
        fmt, stem = ("" if text is None else text.get("format", "")), _text(text)
        if not stem:
            self.problem(self.line, _l("câu hỏi không có nội dung (<questiontext>)"))
        code, idnumber = self._code(code_prefix)
        answers = self._answers(fmt)
        read = self._truefalse if kind == "truefalse" else self._choices
        fields = read(answers)
        tags = self._tags()
        if fields is None or len(self.problems) > before:
            return None
        return QuestionData(
            code=code,
            stem=stem,
            explanation=_explanation(self.element, fmt),
            tags=tags,
            line=self.line,
            name=self.name if self.name != code else "",
            idnumber=idnumber,
            **fields,
        )

    def _tags(self) -> tuple[str, ...]:
        tags = []
        for element in self.element.iterfind("tags/tag"):
            tag = _text(element, label=True)
            if tag and not tag_fits(tag):
                self.problem(self.lines.get(element, self.line), unfit_tag(None, tag))
            elif tag:
                tags.append(tag)
        return tuple(tags)

    def _code(self, code_prefix: str) -> tuple[str, str]:
        """(code, the <idnumber> as written when it is not the code, else "")"""
        idnumber = (self.element.findtext("idnumber") or "").strip()
        if not idnumber:
            return f"{code_prefix}-{self.ordinal:03d}", ""
        line = self.lines.get(self.element.find("idnumber"), self.line)
        code = code_of_idnumber(idnumber)
        if not code:
            self.problem(
                line,
                _l(
                    "mã câu hỏi <idnumber>%(code)s</idnumber> không hợp lệ (chỉ "
                    "dùng chữ không dấu, số, dấu . _ -)",
                    code=idnumber,
                ),
            )
        elif (bad := code_problem(code, idnumber)) is not None:
            self.problem(line, bad)
        return code, idnumber if idnumber != code else ""

    def _has_media(self) -> bool:
        """Whether the question holds an image, an attached <file> or a table (a
        problem at the first one's line then)."""
        for element in self.element.iter():
            file = element.tag == "file"
            media = (0, "<file>") if file else media_in(element.text or "")
            if media is not None:
                line = self.lines.get(element, self.line)
                self.problem(line, media_problem(media[1]))
                return True
        return False

    def _answers(self, fmt: str) -> list[_Answer]:
        found = []
        for element in self.element.iterfind("answer"):
            line = self.lines.get(element, self.line)
            raw = element.get("fraction", "0").strip()
            try:
                weight = fraction(raw) + 0.0
            except (ValueError, OverflowError):
                self.problem(
                    line,
                    _l("fraction=«%(bad)s» không phải một số phần trăm", bad=raw),
                )
                weight = None
            if weight is not None and not -1 <= weight <= 1:
                self.problem(
                    line,
                    _l("fraction=%(value)s phải từ -100 đến 100", value=raw),
                )
            text = " ".join(_text(element, fmt).split())
            feedback = _text(element.find("feedback"), fmt)
            found.append(_Answer(line, weight, text, feedback))
        return found

    def _truefalse(self, answers: list[_Answer]) -> dict | None:
        by_text = {a.text.lower(): a for a in answers}
        if len(answers) != 2 or set(by_text) != {"true", "false"}:
            self.problem(
                self.line,
                _l("câu đúng/sai cần đúng hai <answer>: true và false"),
            )
            return None
        true, false = by_text["true"], by_text["false"]
        if {true.fraction, false.fraction} != {0.0, 1.0}:
            self.problem(
                self.line,
                _l("câu đúng/sai cần một đáp án fraction=100 và một fraction=0"),
            )
            return None
        return {
            "type": TRUEFALSE,
            "answer": true.fraction == 1.0,
            "feedback_true": true.feedback,
            "feedback_false": false.feedback,
        }

    def _choices(self, answers: list[_Answer]) -> dict | None:
        if len(answers) < 2:
            self.problem(self.line, _l("câu trắc nghiệm cần ít nhất 2 <answer>"))
            return None
        if len(answers) > 26:
            self.problem(self.line, _l("câu trắc nghiệm có tối đa 26 phương án"))
            return None
        for answer in answers:
            if not answer.text:
                self.problem(answer.line, _l("phương án trống"))
        if any(answer.fraction is None for answer in answers):
            return None
        keys = [chr(ord("a") + i) for i in range(len(answers))]
        single = (self.element.findtext("single") or "true").strip().lower()
        if single in ("true", "1"):
            return {"type": SINGLE, "options": self._single(answers, keys)}
        return {"type": MULTIPLE, "options": self._weighted(answers, keys)}

    def _single(self, answers: list[_Answer], keys: list[str]) -> tuple:
        rights = [a for a in answers if a.fraction == 1.0]
        if len(rights) != 1:
            self.problem(
                self.line,
                _l(
                    "câu một lựa chọn (<single>true</single>) cần đúng một đáp án "
                    "fraction=100 (đang có %(count)s)",
                    count=len(rights),
                ),
            )
        for answer in answers:
            if answer.fraction not in (0.0, 1.0):
                self.problem(
                    answer.line,
                    _l(
                        "câu một lựa chọn không cho điểm một phần: VHCV chấm câu một "
                        "lựa chọn theo đúng/sai"
                    ),
                )
        return tuple(
            OptionData(key, a.text, a.fraction == 1.0, None, a.feedback)
            for key, a in zip(keys, answers, strict=True)
        )

    def _weighted(self, answers: list[_Answer], keys: list[str]) -> tuple:
        positive = sum(a.fraction for a in answers if a.fraction > 0)
        if not positive:
            self.problem(self.line, _l("không có đáp án đúng (fraction > 0)"))
        elif round(positive, 2) != 1:
            self.problem(
                self.line,
                _l(
                    "tổng fraction các đáp án đúng phải là 100 (đang là %(value)s)",
                    value=format(round(positive * 100, 5), "g"),
                ),
            )
        return tuple(
            OptionData(key, a.text, a.fraction > 0, a.fraction, a.feedback)
            for key, a in zip(keys, answers, strict=True)
        )
