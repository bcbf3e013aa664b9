"""Moodle's GIFT format <-> question dataclasses, for our three question types.

Pure: no Flask, no database. `parse_gift` reads what Moodle writes (and what people
write by hand for Moodle): choice questions with one right answer (SINGLE), choice
questions with weighted answers (MULTIPLE) and true/false. Every other GIFT type, and
every malformed question, is a problem; problems are collected over the whole file
and raised together as a ConversionError, so a file is imported whole or not at all.
`export_gift` writes GIFT that Moodle imports and `parse_gift` reads back unchanged.

Behaviour follows Moodle's own importer (question/format/gift/format.php): questions
are blocks separated by blank lines; lines starting with `//` are comments, and the
`[id:…]` / `[tag:…]` tokens in a question's comments give its code and tags (VHCV
also writes `[source:…]`); the answers are between the first `{` and the first `}`;
`\\~ \\= \\# \\{ \\} \\:` are literal characters, `\\n` a newline, `\\\\` a backslash.
"""

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction

import nh3

from app.quizzes.questions import (
    MULTIPLE,
    SINGLE,
    TRUEFALSE,
    OptionData,
    QuestionData,
    option_weights,
)

from .problems import ConversionError


def text_lines(text: str) -> list[str]:
    """The input's lines: BOM dropped, CRLF/CR read as LF, Unicode NFC."""
    text = unicodedata.normalize("NFC", text.removeprefix("\ufeff"))
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


# --- escapes ----------------------------------------------------------------------

# While parsing, an escaped character stands as a private-use placeholder so that it
# never counts as syntax; placeholders become the characters at the end.
_PLACEHOLDERS = {
    "\\": "\ue000",
    ":": "\ue001",
    "#": "\ue002",
    "=": "\ue003",
    "{": "\ue004",
    "}": "\ue005",
    "~": "\ue006",
    "n": "\ue007",
}
_CHARACTERS = {p: ("\n" if c == "n" else c) for c, p in _PLACEHOLDERS.items()}
_ESCAPE = re.compile(r"\\([\\:#={}~n])")
_PLACEHOLDER = re.compile("[\ue000-\ue007]")


def _protect(text: str) -> str:
    return _ESCAPE.sub(lambda m: _PLACEHOLDERS[m.group(1)], text)


def _restore(text: str) -> str:
    return _PLACEHOLDER.sub(lambda m: _CHARACTERS[m.group(0)], text)


# --- parsing ----------------------------------------------------------------------

_FORMATS = ("moodle", "html", "plain", "markdown")
_FORMAT_PREFIX = re.compile(r"\[(?:moodle|html|plain|markdown)\]")
_SAFE_CODE = re.compile(r"[A-Za-z0-9._-]+")
# Moodle: /^%\-*([0-9]{1,2})\.?([0-9]*)%/ ; a `%…%` that is not a number is an error.
_WEIGHT = re.compile(r"%(-?\d+(?:\.\d+)?)%")
_WEIGHT_LIKE = re.compile(r"%[^%\s]*%")
_ID = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f\x7f])+)\]")
_TAG = re.compile(r"\[tag:((?:\\\]|[^\]<>`\x00-\x1f\x7f])+)\]")
_TRUE, _FALSE = ("T", "TRUE"), ("F", "FALSE")

_TYPE_NAMES = {
    "description": "mô tả (description)",
    "essay": "tự luận (essay)",
    "numerical": "số (numerical)",
    "matching": "ghép đôi (matching)",
    "shortanswer": "trả lời ngắn (short answer)",
    "missingword": "điền từ (missing word)",
}


def _unsupported(kind: str, hint: str = "") -> str:
    return f"câu dạng {_TYPE_NAMES[kind]} không được hỗ trợ{hint}"


class _Block:
    """One blank-line-separated block: comment text apart, the rest as `body` with
    comment and $CATEGORY lines blanked so offsets still map to lines."""

    def __init__(self, numbered: list[tuple[int, str]]):
        self.start = numbered[0][0]
        self.comments: list[tuple[int, str]] = []
        kept = []
        for number, line in numbered:
            stripped = line.strip()
            if stripped.startswith("//"):
                self.comments.append((number, stripped[2:]))
                kept.append("")
            elif stripped.startswith("$CATEGORY:"):
                kept.append("")
            else:
                kept.append(line)
        self.body = _protect("\n".join(kept))
        content = [n for (n, _), line in zip(numbered, kept, strict=True) if line]
        self.first_line = content[0] if content else 0

    def line_at(self, offset: int) -> int:
        return self.start + self.body.count("\n", 0, offset)


def _text(raw: str, one_line: bool = False) -> str:
    """Text as written in GIFT -> our text: format prefix dropped, escapes resolved,
    blank (comment) lines dropped, surrounding whitespace removed."""
    text = raw.strip()
    if text.startswith("["):
        end = text.find("]")
        if end > 0 and text[1:end] in _FORMATS:
            is_html = text[1:end] == "html"
            text = text[end + 1 :]
            if is_html:  # VHCV renders Markdown and escapes raw HTML: keep the words
                text = _html_to_text(text)
    text = "\n".join(line for line in text.split("\n") if line.strip())
    text = _restore(text).strip()
    if one_line:
        text = re.sub(r"\s*\n\s*", " ", text)
    return text


_BREAKS = re.compile(r"<\s*(?:br\s*/?|/p|/div|/li|/h[1-6])\s*>", re.IGNORECASE)


def _html_to_text(text: str) -> str:
    """Moodle's [html] text as plain text: line breaks kept, tags dropped."""
    text = _BREAKS.sub("\n", text)
    return html.unescape(nh3.clean(text, tags=set()))


def _fraction(percent: str) -> float:
    """A GIFT percentage as a fraction. Moodle's 7-digit forms of k/n (33.33333,
    -14.28571) are read as the exact fraction, the weight VHCV derives itself."""
    value = float(percent) / 100
    near = Fraction(value).limit_denominator(100)
    return float(near) if abs(float(near) - value) <= 6e-8 else value


def _metadata(block: _Block, problems: list[str]) -> tuple[str | None, list[str], str]:
    """The [id:…], [tag:…] and [source:…] tokens in the block's comments."""
    code, tags, source = None, [], ""
    for number, comment in block.comments:
        start = comment.find("[source:")
        if start >= 0:
            value, end = _source_clause(comment, start + len("[source:"))
            if end < 0:
                problems.append(f"line {number}: thiếu dấu ] đóng [source:…]")
            else:
                if not source:
                    source = value.strip()
                comment = comment[:start] + comment[end + 1 :]
        match = _ID.search(comment)
        if match and code is None:
            code = match.group(1).replace("\\]", "]").strip()
            if not _SAFE_CODE.fullmatch(code):
                problems.append(
                    f"line {number}: mã câu hỏi [id:{code}] không hợp lệ "
                    "(chỉ dùng chữ không dấu, số, dấu . _ -)"
                )
        for match in _TAG.finditer(comment):
            tag = match.group(1).replace("\\]", "]").strip()
            if tag:
                tags.append(tag)
    return code, tags, source


def _source_clause(comment: str, index: int) -> tuple[str, int]:
    """The text up to the `]` matching `[source:`: brackets nest, `\\x` is `x`.
    Returns (text, index of the closing `]`), or ("", -1) if it is not closed."""
    depth, out = 0, []
    while index < len(comment):
        char = comment[index]
        if char == "\\" and index + 1 < len(comment):
            out.append(comment[index + 1])
            index += 2
            continue
        if char == "[":
            depth += 1
        elif char == "]":
            if depth == 0:
                return "".join(out), index
            depth -= 1
        out.append(char)
        index += 1
    return "", -1


def _question(
    block: _Block, problems: list[str]
) -> tuple[QuestionData, str | None] | None:
    """One question block -> (question without its final code, its ::title::), or
    None with the reasons added to `problems`."""
    body, first = block.body, block.first_line
    before = len(problems)

    def problem(line: int, message: str) -> None:
        problems.append(f"line {line}: {message}")

    code, tags, source = _metadata(block, problems)
    pos = len(body) - len(body.lstrip())
    title = None
    if body.startswith("::", pos):
        end = body.find("::", pos + 2)
        if end < 0:
            problem(first, "thiếu dấu :: đóng tên câu hỏi")
            return None
        title = _text(body[pos + 2 : end], one_line=True)
        pos = end + 2

    # Moodle: the answers lie between the first "{" and the first "}".
    opening, closing = body.find("{", pos), body.find("}", pos)
    if opening < 0 and closing < 0:
        problem(first, _unsupported("description", " (không có phần đáp án {…})"))
        return None
    if closing >= 0 and (opening < 0 or closing < opening):
        problem(block.line_at(closing), "dấu } không có dấu { mở trước nó (viết \\})")
        return None
    if closing < 0:
        problem(block.line_at(opening), "thiếu dấu } đóng phần đáp án")
        return None
    nested = body.find("{", opening + 1, closing)
    if nested >= 0:
        problem(
            block.line_at(opening),
            "thiếu dấu } đóng phần đáp án "
            f"(gặp dấu {{ khác ở dòng {block.line_at(nested)})",
        )
        return None
    if body[closing + 1 :].strip():
        problem(first, _unsupported("missingword", " (có nội dung sau phần đáp án)"))
        return None

    stem = _text(body[pos:opening])
    answers = body[opening + 1 : closing]
    explanation = ""
    general = answers.rfind("####")
    if general >= 0:
        explanation = _text(answers[general + 4 :])
        answers = answers[:general]
    head = answers.strip()

    # Moodle's order of tests decides the type.
    if not head:
        problem(first, _unsupported("essay"))
        return None
    if head.startswith("#"):
        problem(first, _unsupported("numerical"))
        return None
    if "~" not in head and "=" in head and "->" in head:
        problem(first, _unsupported("matching"))
        return None
    if not stem:
        problem(first, "câu hỏi không có nội dung")

    options: tuple[OptionData, ...] = ()
    answer, feedback_true, feedback_false = None, "", ""
    if "~" in head:
        choices = _choices(block, opening + 1, answers, problem)
        if choices is None:
            return None
        qtype, options = choices
    else:
        verdict = head.split("#", 1)[0].strip()
        if verdict not in _TRUE + _FALSE:
            hint = ""
            if verdict.upper() in _TRUE + _FALSE:
                hint = " (đúng/sai phải viết T, TRUE, F hoặc FALSE bằng chữ hoa)"
            problem(first, _unsupported("shortanswer", hint))
            return None
        qtype, answer = TRUEFALSE, verdict in _TRUE
        bits = head.split("#", 2)
        wrong = _text(bits[1]) if len(bits) > 1 else ""
        right = _text(bits[2]) if len(bits) > 2 else ""
        # Moodle: the first feedback is for a wrong answer, the second for a right one.
        feedback_true, feedback_false = (right, wrong) if answer else (wrong, right)

    if len(problems) > before:
        return None
    question = QuestionData(
        code=code or "",
        type=qtype,
        stem=stem,
        options=options,
        answer=answer,
        explanation=explanation,
        source=source,
        tags=tuple(tags),
        feedback_true=feedback_true,
        feedback_false=feedback_false,
        line=first,
    )
    return question, title


def _choices(
    block: _Block, offset: int, answers: str, problem: Callable[[int, str], None]
) -> tuple[str, tuple[OptionData, ...]] | None:
    """The `=` / `~` answers of a choice question (text `answers` starts at `offset`
    of the block's body): one `=` makes it SINGLE, weighted `~%n%` only MULTIPLE."""
    first = block.first_line
    marks = [m.start() for m in re.finditer("[~=]", answers)]
    leading = answers[: marks[0]]
    if leading.strip():
        problem(
            block.line_at(offset),
            "phần đáp án phải bắt đầu bằng = hoặc ~ "
            f"(gặp «{_text(leading, one_line=True)}»)",
        )
    parsed = []  # (line, marker, weight, text, feedback)
    for start, end in zip(marks, [*marks[1:], len(answers)], strict=True):
        marker, raw = answers[start], answers[start + 1 : end].strip()
        line = block.line_at(offset + start)
        weight = None
        if marker == "~":
            match = _WEIGHT.match(raw)
            if match:
                weight = _fraction(match.group(1)) + 0.0
                raw = raw[match.end() :]
                if not -1 <= weight <= 1:
                    problem(line, f"trọng số {match.group(0)} phải từ -100% đến 100%")
            elif _WEIGHT_LIKE.match(raw):
                bad = _restore(_WEIGHT_LIKE.match(raw).group(0))
                problem(
                    line, f"trọng số {bad} không hợp lệ (viết ví dụ ~%50% hoặc ~%-100%)"
                )
        text, _, feedback = raw.partition("#")
        text = _text(text, one_line=True)
        if not text:
            problem(line, "phương án trống")
        parsed.append((line, marker, weight, text, _text(feedback)))
    if len(parsed) < 2:
        problem(first, "câu trắc nghiệm cần ít nhất 2 phương án")
        return None
    if len(parsed) > 26:
        problem(first, "câu trắc nghiệm có tối đa 26 phương án")
        return None
    keys = [chr(ord("a") + i) for i in range(len(parsed))]

    rights = [p for p in parsed if p[1] == "="]
    if rights:
        # Moodle: any "=" makes a one-answer question.
        if len(rights) > 1:
            problem(
                first,
                f"câu một lựa chọn có {len(rights)} đáp án đúng (=); câu nhiều đáp án "
                "đúng viết mọi đáp án bằng ~%n%",
            )
        for line, marker, weight, _, _ in parsed:
            if marker == "~" and weight:
                problem(
                    line,
                    "câu một lựa chọn (có đáp án =) không cho điểm một phần (~%n%): "
                    "VHCV chấm câu một lựa chọn theo đúng/sai",
                )
        options = tuple(
            OptionData(key, text, marker == "=", None, feedback)
            for key, (_, marker, _, text, feedback) in zip(keys, parsed, strict=True)
        )
        return SINGLE, options

    weights = [p[2] or 0.0 for p in parsed]
    positive = sum(w for w in weights if w > 0)
    if not positive:
        problem(
            first,
            "không có đáp án đúng (cần một đáp án = hoặc đáp án ~%n% với n > 0)",
        )
    elif round(positive, 2) != 1:
        problem(
            first,
            "tổng trọng số các đáp án đúng phải là 100% "
            f"(đang là {round(positive * 100, 5):g}%)",
        )
    options = tuple(
        OptionData(key, text, weight > 0, weight, feedback)
        for key, weight, (_, _, _, text, feedback) in zip(
            keys, weights, parsed, strict=True
        )
    )
    return MULTIPLE, options


def parse_gift(text: str, code_prefix: str) -> list[QuestionData]:
    """The questions of a GIFT file, in file order; ConversionError if any problem.

    A question's code is its `// [id:…]`, else its `::title::` when that is a safe
    code ([A-Za-z0-9._-]+), else f"{code_prefix}-{n:03d}" (n = its place in the file,
    from 1). `line` is the question's first line that is not a comment.
    """
    problems: list[str] = []
    blocks, current = [], []
    for number, line in enumerate(text_lines(text), start=1):
        if line.strip():
            current.append((number, line))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)

    found = []
    ordinal = 0
    for numbered in blocks:
        block = _Block(numbered)
        if not block.first_line:  # only comments or $CATEGORY
            continue
        ordinal += 1
        result = _question(block, problems)
        if result is not None:
            found.append((ordinal, *result))

    questions, seen = [], {}
    for ordinal, question, title in found:
        code = question.code
        if not code:
            if title and _SAFE_CODE.fullmatch(title):
                code = title
            else:
                code = f"{code_prefix}-{ordinal:03d}"
        if code in seen:
            problems.append(
                f"line {question.line}: mã câu hỏi «{code}» trùng với câu ở dòng "
                f"{seen[code]}"
            )
        seen.setdefault(code, question.line)
        questions.append(replace(question, code=code))

    if problems:
        problems.sort(key=_problem_line)
        raise ConversionError(
            f"Tệp GIFT có {len(problems)} lỗi; chưa nhập câu hỏi nào.", problems
        )
    return questions


def _problem_line(problem: str) -> int:
    return int(problem.split(":", 1)[0].removeprefix("line "))


# --- export -----------------------------------------------------------------------


def _escape(text: str) -> str:
    """Our text -> GIFT text: special characters escaped, newlines as \\n."""
    out = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        out = out.replace(char, "\\" + char)
    return out.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def _field(text: str) -> str:
    """An answer or feedback text: a text that itself starts like a format prefix
    ("[html]…") gets an explicit [markdown] so the importer keeps it."""
    prefix = "[markdown]" if _FORMAT_PREFIX.match(text.lstrip()) else ""
    return prefix + _escape(text)


def _percent(weight: float) -> str:
    """The shortest percentage that reads back as `weight` (Moodle style: 50,
    -100, 33.33333)."""
    for digits in range(8):
        text = f"{weight * 100:.{digits}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        if text in ("-0", ""):
            text = "0"
        if _fraction(text) == weight:
            return text
    return f"{weight * 100:.15f}".rstrip("0").rstrip(".")


def _one_line(value: str, what: str, code: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError(f"{code}: {what} không được xuống dòng: {value!r}")
    return value


def _export_question(q: QuestionData) -> str:
    code = q.code
    if not _SAFE_CODE.fullmatch(code or ""):
        raise ValueError(
            f"mã câu hỏi {code!r} không hợp lệ (chỉ dùng A-Z a-z 0-9 . _ -)"
        )
    meta = [f"[id:{code}]"]
    for tag in q.tags:
        _one_line(tag, "nhãn", code)
        if re.search(r"[<>`\x00-\x1f\x7f]", tag) or not tag.strip():
            raise ValueError(f"{code}: Moodle không nhập được nhãn {tag!r}")
        meta.append(f"[tag:{tag.replace(']', chr(92) + ']')}]")
    lines = ["// " + " ".join(meta)]
    if q.source:
        source = _one_line(q.source, "nguồn", code)
        for char in "\\[]":
            source = source.replace(char, "\\" + char)
        lines.append(f"// [source:{source}]")
    head = f"::{_escape(code)}::[markdown]{_escape(q.stem)}"
    general = f"####{_field(q.explanation)}" if q.explanation else ""

    if q.type == TRUEFALSE:
        if not isinstance(q.answer, bool):
            raise ValueError(f"{code}: câu đúng/sai thiếu đáp án (answer)")
        right, wrong = (
            (q.feedback_true, q.feedback_false)
            if q.answer
            else (q.feedback_false, q.feedback_true)
        )
        verdict = "TRUE" if q.answer else "FALSE"
        # Moodle order: {TRUE#feedback for a wrong answer#feedback for a right one}.
        if wrong or right:
            verdict += "#" + _field(wrong) if wrong else "#"
        if right:
            verdict += "#" + _field(right)
        lines.append(f"{head}{{{verdict}{general}}}")
        return "\n".join(lines) + "\n"

    if q.type == SINGLE:
        if sum(o.correct for o in q.options) != 1:
            raise ValueError(f"{code}: câu một lựa chọn phải có đúng một đáp án đúng")
        weights = None
    elif q.type == MULTIPLE:
        weights = option_weights(q.options)
        for o in q.options:
            weight = weights[o.key]
            if not -1 <= weight <= 1 or (weight > 0) != o.correct:
                raise ValueError(
                    f"{code}: phương án {o.key} có trọng số {weight} không khớp "
                    f"với correct={o.correct}"
                )
    else:
        raise ValueError(f"{code}: loại câu hỏi {q.type!r} không xuất được sang GIFT")

    lines.append(head + "{")
    for o in q.options:
        text = _field(o.text)
        if weights is None:
            marker = "=" if o.correct else "~"
            if not o.correct and _WEIGHT_LIKE.match(text):
                marker = "~%0%"  # a text that starts like a weight
        elif weights[o.key] == 0 and not _WEIGHT_LIKE.match(text):
            marker = "~"
        else:
            marker = f"~%{_percent(weights[o.key])}%"
        feedback = f"#{_field(o.feedback)}" if o.feedback else ""
        lines.append(f"\t{marker}{text}{feedback}")
    if general:
        lines.append(f"\t{general}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def export_gift(questions: list[QuestionData], category: str | None = None) -> str:
    """GIFT for `questions` that Moodle imports and `parse_gift` reads back equal
    (a MULTIPLE question's derived weights are written out, so they come back set).
    Raises ValueError for a question GIFT cannot carry faithfully."""
    parts = []
    if category is not None:
        parts.append(f"$CATEGORY: {_one_line(category, 'danh mục', '$CATEGORY')}\n")
    parts.extend(_export_question(q) for q in questions)
    return "\n".join(parts)
