"""How content problems are reported: a Problem per file line, or a whole converted
file refused with its reasons (ConversionError)."""

import re
from dataclasses import dataclass

from flask_babel.speaklater import LazyString

from app.errors import excerpt
from app.errors import lazy_gettext as _l
from app.errors import lazy_ngettext as _nl
from app.markdown import markdown_problems
from app.numbers import lazy_number

from .limits import MAX_PROBLEMS, MAX_QUESTIONS


@dataclass(frozen=True)
class Problem:
    path: str  # relative to the content root's parent: "courses/<folder>/<file>"
    line: int  # 1-based
    # Lazy (flask_babel) as a rule: str() reads it in the reader's language
    # (Vietnamese outside a request). Take str(problem) before storing it anywhere.
    message: "str | LazyString"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def syntax_problems(text: str, first: int, path: str) -> list[Problem]:
    """Unsupported Markdown in `text`, whose first line is file line `first`."""
    return [Problem(path, first + n - 1, m) for n, m in markdown_problems(text)]


def repeats(
    entries: list[tuple[str, str, int]], label: "str | LazyString"
) -> list[Problem]:
    """A Problem for each (code, path, line) whose code an earlier entry has;
    `label` names the code, lazily (`_l("mã câu hỏi")`)."""
    seen: dict[str, tuple[str, int]] = {}
    found = []
    for code, path, line in entries:
        if code in seen:
            where = "{}:{}".format(*seen[code])
            message = _l(
                "%(label)s “%(code)s” trùng với %(where)s",
                label=label,
                code=code,
                where=where,
            )
            found.append(Problem(path, line, message))
        else:
            seen[code] = (path, line)
    return found


_LEADING_NUMBER = re.compile(r"\D*(\d+)")


def problem_line(problem) -> int:
    """The line a converter's problem names ("dòng 12: …", in English "line 12:
    …"): its first number; problems are sorted by it."""
    found = _LEADING_NUMBER.match(str(problem))
    return int(found.group(1)) if found else 0


class Problems:
    """A converter's problems as it meets them: the first MAX_PROBLEMS kept, the
    others only counted, so that a file of millions of bad lines costs no more
    memory, sorting or page than one of a hundred. len() is every problem met
    (`len(problems) > before` tells a question had one); iterating and sort() see
    the kept ones."""

    def __init__(self) -> None:
        self.kept: list = []
        self.count = 0

    def append(self, problem) -> None:
        self.count += 1
        if len(self.kept) < MAX_PROBLEMS:
            self.kept.append(problem)

    def sort(self, key=None) -> None:
        self.kept.sort(key=key)

    def __len__(self) -> int:
        return self.count

    def __iter__(self):
        return iter(self.kept)


class ConversionError(ValueError):
    """Nothing was imported; `problems` are "dòng N: message" strings (1-based lines
    of the input; "line N:" in English): at most MAX_PROBLEMS of them, then
    "… và N lỗi khác" counting the others (len() of a Problems, or of a list)."""

    def __init__(self, message: "str | LazyString", problems: "list | Problems"):
        super().__init__(message)
        self._message = message
        self._problems = list(problems)[:MAX_PROBLEMS]
        more = len(problems) - len(self._problems)
        if more > 0:
            self._problems.append(
                _nl(
                    "… và %(count)s lỗi khác",
                    "… và %(count)s lỗi khác",
                    more,
                    count=lazy_number(more),
                )
            )

    @property
    def message(self) -> str:
        """Rendered in the reader's language (see app.errors.DomainError)."""
        return str(self._message)

    @property
    def problems(self) -> list[str]:
        return [str(problem) for problem in self._problems]

    def __str__(self) -> str:
        return "\n".join([self.message, *self.problems])


def too_many_questions() -> ConversionError:
    """The refusal of a question file of more than MAX_QUESTIONS questions, before
    they are read (GIFT and Aiken count their blank-line-separated blocks)."""
    return ConversionError(
        _l(
            "Tệp có quá %(count)s câu hỏi; hãy chia thành nhiều tệp. Chưa nhập gì.",
            count=lazy_number(MAX_QUESTIONS),
        ),
        [],
    )


def unfit_tag(line: int | None, tag: str):
    """The problem of an imported tag that no GIFT file could hold (gift_syntax.
    tag_fits): refused at import, rather than the bank's GIFT export failing
    later; "dòng N: " before it when `line` is given."""
    message = _l(
        "nhãn «%(tag)s» không dùng được: nhãn không được chứa <, >, ` hay xuống dòng",
        tag=" ".join(tag.split()),
    )
    if line is None:
        return message
    return _l("dòng %(line)s: %(message)s", line=line, message=message)


CODE_MAX = 60  # Question.code and QuestionBank.code are String(60)


def long_code(code: str):
    """The problem of a question code the database cannot hold (PostgreSQL refuses
    it, SQLite would keep it): None when it fits. Every parser that takes a code
    from its file asks this and puts its line before the message."""
    if len(code) <= CODE_MAX:
        return None
    return _l(
        "mã câu hỏi «%(code)s» dài quá %(max)s ký tự (%(count)s ký tự)",
        code=code,
        max=CODE_MAX,
        count=len(code),
    )


IDNUMBER_MAX = 100  # Question.idnumber is String(100), Moodle's own bound
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def code_problem(code: str, idnumber: str):
    """The problem of a question code taken from a Moodle ID number: the code too
    long (long_code), or the ID number one VHCV cannot keep as written to write
    back on export: longer than Moodle allows, or holding a line break or another
    control character (no GIFT comment line carries one). None when both fit."""
    if (too_long := long_code(code)) is not None:
        return too_long
    if len(idnumber) > IDNUMBER_MAX:
        return _l(
            "số ID «%(value)s» dài quá %(max)s ký tự (%(count)s ký tự)",
            value=excerpt(idnumber),
            max=IDNUMBER_MAX,
            count=len(idnumber),
        )
    if _CONTROL.search(idnumber):
        return _l(
            "số ID «%(value)s» không được chứa dấu xuống dòng hay ký tự điều khiển",
            value=excerpt(" ".join(idnumber.split())),
        )
    return None


# What an imported text may hold that the platform cannot show: Moodle's images
# (<img>, files stored with the question: @@PLUGINFILE@@, <file>) and tables, which
# reducing HTML to text would lose or run together.
_MEDIA = re.compile(r"<\s*(img|table|file)\b|@@PLUGINFILE@@", re.IGNORECASE)


def media_in(text: str) -> tuple[int, str] | None:
    """(offset, what: "<img>", "<table>", "<file>" or "@@PLUGINFILE@@") of the
    first image, attached file or table in `text`; None when it has none."""
    found = _MEDIA.search(text)
    if found is None:
        return None
    what = f"<{found.group(1).lower()}>" if found.group(1) else found.group(0)
    return found.start(), what


def media_problem(found: str):
    """The problem of a question holding `found` (`<img`, `<table`…)."""
    return _l(
        "câu hỏi có hình ảnh hoặc bảng (%(found)s) mà nền tảng không nhập được; "
        "người soạn cần viết lại câu này thành chữ",
        found=found,
    )
