"""Content files as text: decoded as UTF-8, without a BOM, "\\n" line ends, NFC.

Every reader of content (module, bank and quiz files, GIFT and Aiken imports) goes
through here, so that the same bytes always give the same text and hash.
"""

from pathlib import Path

from app.errors import lazy_gettext as _l
from app.numbers import lazy_number
from app.vntext import nfc

from .limits import MAX_LINES, MAX_QUESTIONS
from .problems import ConversionError, Problem, too_many_questions


def normalise(text: str) -> str:
    """`text` without a BOM, with "\\n" line ends, in Unicode NFC."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return nfc(text)


def form_text(value: str | None) -> str:
    """A browser form's text as its file would give it: normalised (NFC, "\\n" line
    ends; a textarea posts "\\r\\n"), without surrounding whitespace."""
    return normalise(value or "").strip()


def text_lines(text: str) -> list[str]:
    """The input's lines: BOM dropped, CRLF/CR read as LF, Unicode NFC."""
    return normalise(text).split("\n")


def read_text(file: Path, path: str, problems: list[Problem]) -> str | None:
    """`file`'s normalised text, or None after adding a Problem at line 1 of `path`
    (the display path) when it cannot be read or is not UTF-8."""
    try:
        text = file.read_bytes().decode("utf-8")
    except OSError as error:
        message = _l("không đọc được tệp: %(reason)s", reason=error.strerror)
        problems.append(Problem(path, 1, message))
        return None
    except UnicodeDecodeError as error:
        message = _l(
            "tệp không phải UTF-8 (byte lỗi ở vị trí %(position)s)",
            position=error.start,
        )
        problems.append(Problem(path, 1, message))
        return None
    return normalise(text)


def numbered_blocks(text: str) -> list[list[tuple[int, str]]]:
    """The input's blank-line-separated blocks, each a list of (1-based line number,
    line) — how GIFT and Aiken separate their questions. ConversionError, before
    any question is read, past MAX_LINES lines or MAX_QUESTIONS blocks."""
    text = normalise(text)
    if text.count("\n") >= MAX_LINES:
        raise ConversionError(
            _l(
                "Tệp có quá %(count)s dòng; hãy chia thành nhiều tệp. Chưa nhập gì.",
                count=lazy_number(MAX_LINES),
            ),
            [],
        )
    blocks, current = [], []
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            current.append((number, line))
        elif current:
            blocks.append(current)
            current = []
            _check_questions(len(blocks))
    if current:
        blocks.append(current)
        _check_questions(len(blocks))
    return blocks


def _check_questions(count: int) -> None:
    if count > MAX_QUESTIONS:
        raise too_many_questions()
