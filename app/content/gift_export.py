"""Question dataclasses -> Moodle's GIFT format.

Pure: no Flask, no database. `export_gift` writes GIFT that Moodle imports and
app.content.gift.parse_gift reads back unchanged: each question with `// [id:…]`
(its Moodle ID number as imported, else its code), `[tag:…]` and `[source:…]`
comments, a `::title::` (its Moodle name, else its code) and a [markdown] stem.
"""

from app.quizzes.questions import (
    MULTIPLE,
    SINGLE,
    TRUEFALSE,
    QuestionData,
    option_weights,
)

from .gift_syntax import FORMAT_PREFIX, SAFE_CODE, WEIGHT_LIKE, fraction, tag_fits
from .moodle_categories import category_groups, stored_groups


def export_gift(
    questions: list[QuestionData],
    category: str | None = None,
    subcategories: bool = False,
) -> str:
    """GIFT for `questions` that Moodle imports and `parse_gift` reads back equal
    (a MULTIPLE question's derived weights are written out, so they come back set).
    Questions that keep the category they were imported from are written under
    it (the others under `category`); else, with `subcategories` (an imported
    bank), under the subcategories of `category` their category tags name, when
    they name them unambiguously (app.content.moodle_categories.category_groups).
    Raises ValueError for a question GIFT cannot carry faithfully."""
    if any(q.category for q in questions):  # kept from an import: as Moodle had it
        groups = stored_groups(questions, category)
    elif category is None:
        return "\n".join(_export_question(q) for q in questions)
    else:
        groups = [(category, questions)]
        if subcategories:
            groups = category_groups(questions, category)
    parts = []
    for path, group in groups:
        if path:
            parts.append(f"$CATEGORY: {_one_line(path, 'danh mục', '$CATEGORY')}\n")
        parts.extend(_export_question(q) for q in group)
    return "\n".join(parts)


def _escape(text: str) -> str:
    """Our text -> GIFT text: special characters escaped, newlines as \\n."""
    out = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        out = out.replace(char, "\\" + char)
    return out.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def _field(text: str) -> str:
    """An answer or feedback text: a text that itself starts like a format prefix
    ("[html]…") gets an explicit [markdown] so the importer keeps it."""
    prefix = "[markdown]" if FORMAT_PREFIX.match(text.lstrip()) else ""
    return prefix + _escape(text)


def _percent(weight: float) -> str:
    """The shortest percentage that reads back as `weight` (Moodle style: 50,
    -100, 33.33333), with at most 5 decimals as Moodle writes them (it keeps a
    fraction to 7): a weight of 0.3333333 is 33.33333, not 33.333329999999997."""
    for digits in range(6):
        text = f"{weight * 100:.{digits}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        if text in ("-0", ""):
            text = "0"
        if fraction(text) == weight:
            break
    return text


def _one_line(value: str, what: str, code: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError(f"{code}: {what} không được xuống dòng: {value!r}")
    return value


def _export_question(q: QuestionData) -> str:
    lines = _comments(q)
    title = _one_line(q.name, "tên", q.code) if q.name else q.code
    head = f"::{_escape(title)}::[markdown]{_escape(q.stem)}"
    general = f"####{_field(q.explanation)}" if q.explanation else ""
    if q.type == TRUEFALSE:
        lines.append(f"{head}{{{_verdict(q)}{general}}}")
        return "\n".join(lines) + "\n"
    weights = _choice_weights(q)
    lines.append(head + "{")
    for o in q.options:
        text = _field(o.text)
        if weights is None:
            marker = "=" if o.correct else "~"
            if not o.correct and WEIGHT_LIKE.match(text):
                marker = "~%0%"  # a text that starts like a weight
        elif weights[o.key] == 0 and not WEIGHT_LIKE.match(text):
            marker = "~"
        else:
            marker = f"~%{_percent(weights[o.key])}%"
        feedback = f"#{_field(o.feedback)}" if o.feedback else ""
        lines.append(f"\t{marker}{text}{feedback}")
    if general:
        lines.append(f"\t{general}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _comments(q: QuestionData) -> list[str]:
    """The `// [id:…] [tag:…]` and `// [source:…]` lines of a question."""
    code = q.code
    if not SAFE_CODE.fullmatch(code or ""):
        raise ValueError(
            f"mã câu hỏi {code!r} không hợp lệ (chỉ dùng A-Z a-z 0-9 . _ -)"
        )
    idnumber = _one_line(q.idnumber or code, "số ID", code)
    meta = [f"[id:{idnumber.replace(']', chr(92) + ']')}]"]
    for tag in q.tags:
        if not tag_fits(tag):
            raise ValueError(f"{code}: Moodle không nhập được nhãn {tag!r}")
        meta.append(f"[tag:{tag.replace(']', chr(92) + ']')}]")
    lines = ["// " + " ".join(meta)]
    if q.source:
        source = _one_line(q.source, "nguồn", code)
        for char in "\\[]":
            source = source.replace(char, "\\" + char)
        lines.append(f"// [source:{source}]")
    return lines


def _verdict(q: QuestionData) -> str:
    """A true/false question's answers: TRUE or FALSE and its two feedbacks."""
    if not isinstance(q.answer, bool):
        raise ValueError(f"{q.code}: câu đúng/sai thiếu đáp án (answer)")
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
    return verdict


def _choice_weights(q: QuestionData) -> dict[str, float] | None:
    """A MULTIPLE question's weights (None for SINGLE); ValueError when the
    question cannot be written as either."""
    if q.type == SINGLE:
        if sum(o.correct for o in q.options) != 1:
            raise ValueError(f"{q.code}: câu một lựa chọn phải có đúng một đáp án đúng")
        return None
    if q.type != MULTIPLE:
        raise ValueError(f"{q.code}: loại câu hỏi {q.type!r} không xuất được sang GIFT")
    weights = option_weights(q.options)
    for o in q.options:
        weight = weights[o.key]
        if not -1 <= weight <= 1 or (weight > 0) != o.correct:
            raise ValueError(
                f"{q.code}: phương án {o.key} có trọng số {weight} không khớp "
                f"với correct={o.correct}"
            )
    return weights
