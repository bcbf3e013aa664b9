"""Word (.docx) question files, as Vietnamese trainers keep them -> question data.

Pure apart from reading the document with python-docx. One paragraph a line:

    Câu 1. Nội dung câu hỏi (may go on over several paragraphs)
    A. phương án        (also "A)", "a.")
    B. phương án
    Đáp án: B           (several letters for multiple answer: "A, C" / "A và C";
                         "Đúng" / "Sai" for a true/false question, written with
                         no options or with the two options Đúng and Sai)
    Giải thích: …       (optional, may go on over several paragraphs)
    Nguồn: …            (or "Căn cứ: …"; optional)
    Chủ đề: tag, tag    (optional)

The texts are plain (Word's formatting is not read): question, options and
explanation are made Markdown that shows them as written (gift_syntax.as_markdown,
as for GIFT and Moodle XML); the source is shown as plain text already.

Problems name the paragraph ("đoạn N", counted from 1 over the whole document,
blank ones included) and are raised together as a ConversionError: a file with any
problem imports nothing. Tables are not read.
"""

import re
import zipfile
from collections.abc import Callable
from io import BytesIO

from app.errors import lazy_gettext as _l
from app.errors import lazy_ngettext as _nl
from app.markdown import slugify
from app.numbers import lazy_number
from app.packages import (
    PackageRefused,
    check_unpacked_size,
    count_all_elements,
    count_each,
    parts_but,
)
from app.quizzes.questions import MULTIPLE, SINGLE, TRUEFALSE, OptionData, QuestionData
from app.vntext import nfc

from .gift_syntax import as_markdown
from .limits import MAX_ELEMENTS, MAX_PARAGRAPHS, MAX_PART_BYTES, MAX_RUNS
from .problems import ConversionError, Problems, problem_line

_QUESTION = re.compile(r"^câu\s+(\d+)\s*[.:)]\s*(.*)$", re.IGNORECASE)
_OPTION = re.compile(r"^([a-hA-H])\s*[.)]\s+(.*)$")
_ANSWER = re.compile(r"^đáp\s*án\s*[:.]?\s*(.*)$", re.IGNORECASE)
_EXPLANATION = re.compile(r"^giải\s*thích\s*:\s*(.*)$", re.IGNORECASE)
_SOURCE = re.compile(r"^(?:nguồn|căn\s*cứ)\s*:\s*(.*)$", re.IGNORECASE)
_TAGS = re.compile(r"^chủ\s*đề\s*:\s*(.*)$", re.IGNORECASE)
_TRUE, _FALSE = ("đúng",), ("sai",)


def paragraphs(data: bytes) -> list[str]:
    """The document's paragraphs as NFC text; ConversionError if it is no .docx."""
    if not zipfile.is_zipfile(BytesIO(data)):
        raise ConversionError(
            _l(
                "Tệp không phải tài liệu Word .docx (hãy lưu lại bằng Word dưới dạng "
                ".docx)."
            ),
            [],
        )
    from docx import Document

    _check_size(data)
    try:
        document = Document(BytesIO(data))
    except Exception:  # python-docx raises several kinds for a bad package
        raise ConversionError(
            _l(
                "Không đọc được tài liệu Word: tệp bị hỏng hoặc không đúng định dạng "
                ".docx (hãy mở bằng Word và lưu lại dưới dạng .docx)."
            ),
            [],
        ) from None
    return [nfc(p.text).strip() for p in document.paragraphs]


def _check_size(data: bytes) -> None:
    """Refuse, before python-docx reads the whole document into memory, a file that
    unpacks too large or holds too many paragraphs, runs or elements."""
    try:
        check_unpacked_size(data, part_limit=MAX_PART_BYTES)
        # Any part may be the document (python-docx finds it through the package's
        # relationships): each is counted as if it were.
        limits = {b"p": MAX_PARAGRAPHS, b"r": MAX_RUNS}
        counts = [count_each(data, part, limits) for part in parts_but(data)]
        found = max((c[b"p"] for c in counts), default=0)
        runs = max((c[b"r"] for c in counts), default=0)
        elements = count_all_elements(data, MAX_ELEMENTS)
    except PackageRefused as refused:
        raise ConversionError(
            _l("Không mở tài liệu Word: %(refused)s.", refused=refused), []
        ) from None
    if found > MAX_PARAGRAPHS:
        raise ConversionError(
            _l(
                "Tài liệu Word có quá %(count)s đoạn; hãy chia nhỏ tệp.",
                count=lazy_number(MAX_PARAGRAPHS),
            ),
            [],
        )
    if runs > MAX_RUNS:
        raise ConversionError(
            _l(
                "Tài liệu Word có quá %(count)s đoạn định dạng (run); hãy chia nhỏ "
                "tệp hoặc xóa định dạng thừa.",
                count=lazy_number(MAX_RUNS),
            ),
            [],
        )
    if elements > MAX_ELEMENTS:
        raise ConversionError(
            _l(
                "Tài liệu Word có quá %(count)s thành phần (phần tử XML); hãy chia nhỏ "
                "tệp hoặc xóa định dạng thừa.",
                count=lazy_number(MAX_ELEMENTS),
            ),
            [],
        )


class _Draft:
    def __init__(self, number: str, line: int, text: str):
        self.number, self.line = number, line
        self.stem = [text] if text else []
        self.options: list[tuple[int, str, str]] = []  # (line, letter, text)
        self.answer: tuple[int, str] | None = None
        self.explanation: list[str] = []
        self.source = ""
        self.tags: list[str] = []
        self.in_explanation = False


def parse_word(data: bytes, code_prefix: str) -> list[QuestionData]:
    """The questions of a .docx file, in order; ConversionError if any problem.
    Codes are f"{code_prefix}-W{n:03d}" (n = the number after "Câu")."""
    lines = paragraphs(data)
    problems = Problems()
    drafts: list[_Draft] = []
    for number, text in enumerate(lines, start=1):
        if not text:
            continue
        _read_line(number, text, drafts, problems)
    if not drafts and not problems:
        problems.append(
            _l("đoạn 1: không tìm thấy câu hỏi nào (mỗi câu bắt đầu bằng “Câu 1.”)")
        )
    questions = [q for d in drafts if (q := _question(d, code_prefix, problems))]
    seen: dict[str, int] = {}
    for draft in drafts:
        if draft.number in seen:
            problems.append(
                _l(
                    "đoạn %(line)s: số câu %(number)s lặp lại (đã có ở đoạn %(value)s)",
                    line=draft.line,
                    number=draft.number,
                    value=seen[draft.number],
                )
            )
        seen.setdefault(draft.number, draft.line)
    if problems:
        problems.sort(key=problem_line)
        raise ConversionError(
            _nl(
                "Tệp Word có %(count)s lỗi; chưa nhập câu hỏi nào.",
                "Tệp Word có %(count)s lỗi; chưa nhập câu hỏi nào.",
                len(problems),
                count=lazy_number(len(problems)),
            ),
            problems,
        )
    return questions


def _read_line(number: int, text: str, drafts: list[_Draft], problems: list[str]):
    start = _QUESTION.match(text)
    if start:
        drafts.append(_Draft(start.group(1), number, start.group(2).strip()))
        return
    if not drafts:
        problems.append(
            _l(
                "đoạn %(number)s: nội dung nằm ngoài câu hỏi (trước “Câu 1.” đầu tiên)",
                number=number,
            )
        )
        return
    draft = drafts[-1]
    for pattern, field in (
        (_ANSWER, "answer"),
        (_EXPLANATION, "explanation"),
        (_SOURCE, "source"),
        (_TAGS, "tags"),
    ):
        found = pattern.match(text)
        if found:
            value = found.group(1).strip()
            draft.in_explanation = field == "explanation"
            if field == "answer":
                draft.answer = (number, value)
            elif field == "explanation":
                draft.explanation = [value] if value else []
            elif field == "source":
                draft.source = value
            else:
                draft.tags = [t.strip() for t in value.split(",") if t.strip()]
            return
    if draft.in_explanation:
        draft.explanation.append(text)
        return
    option = _OPTION.match(text)
    if option and draft.answer is None:
        draft.options.append((number, option.group(1).upper(), option.group(2).strip()))
    elif draft.options or draft.answer is not None:
        problems.append(
            _l(
                "đoạn %(number)s: dòng không thuộc phần nào của câu %(number2)s "
                "(phương án “A. …”, “Đáp án: …”, “Giải thích: …”, “Nguồn: …”)",
                number=number,
                number2=draft.number,
            )
        )
    else:
        draft.stem.append(text)


def _question(draft: _Draft, prefix: str, problems: list[str]) -> QuestionData | None:
    before = len(problems)

    def problem(line: int, message: str) -> None:
        problems.append(
            _l(
                "đoạn %(line)s: câu %(number)s: %(message)s",
                line=line,
                number=draft.number,
                message=message,
            )
        )

    if not draft.stem:
        problem(draft.line, _l("thiếu nội dung câu hỏi"))
    for index, (line, letter, text) in enumerate(draft.options):
        expected = chr(ord("A") + index)
        if letter != expected:
            problem(
                line,
                _l(
                    "phương án %(letter)s sai thứ tự (cần phương án %(expected)s)",
                    letter=letter,
                    expected=expected,
                ),
            )
        if not text:
            problem(line, _l("phương án %(letter)s trống", letter=letter))
    if draft.answer is None:
        problem(draft.line, _l("thiếu dòng “Đáp án: …”"))
        return None
    decided = _answer_kind(draft, problem)
    if decided is None or len(problems) > before:
        return None
    kind, chosen, is_true = decided
    return QuestionData(
        code=f"{prefix}-W{int(draft.number):03d}",
        type=kind,
        stem=as_markdown("\n\n".join(draft.stem)),
        options=()
        if kind == TRUEFALSE
        else tuple(
            OptionData(letter.lower(), as_markdown(text), letter in chosen)
            for _, letter, text in draft.options
        ),
        answer=is_true if kind == TRUEFALSE else None,
        explanation=as_markdown("\n\n".join(draft.explanation)),
        source=draft.source,
        tags=tuple(slugify(t) for t in draft.tags),
        line=draft.line,
    )


def _answer_kind(
    draft: _Draft, problem: Callable[[int, str], None]
) -> tuple[str, list[str], bool] | None:
    """From the "Đáp án:" line: the question's type, the letters chosen and, for a
    true/false question, whether the answer is Đúng; None after a problem."""
    line, answer = draft.answer
    folded = answer.lower().rstrip(".")
    texts = [t.lower().rstrip(".") for _, _, t in draft.options]
    if folded in _TRUE + _FALSE and (not texts or sorted(texts) == ["sai", "đúng"]):
        return TRUEFALSE, [], folded in _TRUE
    chosen = [c.upper() for c in re.split(r"\s*(?:,|;|\bvà\b|\s)\s*", answer) if c]
    if not chosen or any(not re.fullmatch(r"[A-H]", c) for c in chosen):
        problem(
            line,
            _l("đáp án «%(answer)s» không hợp lệ (ví dụ: B, hoặc A, C)", answer=answer),
        )
        return None
    letters = [letter for _, letter, _ in draft.options]
    for letter in chosen:
        if letter not in letters:
            problem(
                line,
                _l("đáp án %(letter)s không có trong các phương án", letter=letter),
            )
    if len(draft.options) < 2:
        problem(draft.line, _l("cần ít nhất 2 phương án (A. …, B. …)"))
    return (MULTIPLE if len(set(chosen)) > 1 else SINGLE), chosen, False
