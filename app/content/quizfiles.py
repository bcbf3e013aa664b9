"""Quiz files, and the whole quizzes/ folder -> dataclasses, every problem located.

Pure functions; no database, and no Flask but its lazy messages. Layout:
<root>/banks/*.md, one question bank each (app.content.banks), and <root>/*.yml (or
.yaml), one quiz each; names starting with "." or "_" are skipped. `load_quizzes`
never raises on bad content: banks and quizzes with a problem are left out and every
problem is listed.
"""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import lazy_gettext as _l
from app.errors import lazy_ngettext as _nl
from app.quizzes.models import QuestionBank, Quiz
from app.quizzes.questions import (
    ATTEMPTS_ALLOWED,
    DRAW_COUNT,
    PASS_PERCENT,
    QUESTIONS_PER_PAGE,
    REVIEW_POLICIES,
    TIME_LIMIT_MINUTES,
    BankData,
    DrawRule,
    QuizData,
)

from .bank_schema import bad_tags
from .banks import BankFile, read_bank_file
from .frontmatter import (
    Mapping,
    Message,
    Schema,
    bounded,
    check_boolean,
    check_code,
    check_integer,
    check_list_of,
    check_text,
    parse_mapping,
    slug,
)
from .problems import Problem, repeats
from .textfile import normalise, read_text

BANKS_FOLDER = "banks"
_bank_code = bounded(check_code, QuestionBank.code)  # a draw rule's bank
QUIZ_SUFFIXES = (".yml", ".yaml")


@dataclass
class QuizContent:
    banks: list[BankData]  # problem-free banks, by path
    quizzes: list[QuizData]  # problem-free quizzes, by path
    problems: list[Problem]  # sorted by path, then line
    # bank code -> path of every bank file read, broken ones included
    bank_paths: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


# --- schema -----------------------------------------------------------------------


def _review(key: str, value: object) -> Message | None:
    if value in REVIEW_POLICIES:
        return None
    return _l(
        "chế độ xem lại không hợp lệ: “%(value)s” (%(choices)s)",
        value=value,
        choices=", ".join(REVIEW_POLICIES),
    )


_QUIZ_CHECKS = {
    "code": bounded(check_code, Quiz.code),
    "title": bounded(check_text, Quiz.title),
    "course": bounded(check_text, Quiz.course_code),
    "time_limit_minutes": check_integer(*TIME_LIMIT_MINUTES),
    "pass_percent": check_integer(*PASS_PERCENT),
    "attempts_allowed": check_integer(*ATTEMPTS_ALLOWED),
    "shuffle_questions": check_boolean,
    "shuffle_options": check_boolean,
    "questions_per_page": check_integer(*QUESTIONS_PER_PAGE),
    "review": _review,
    "partial_credit": check_boolean,
    "draw": check_list_of(_l("các quy tắc rút câu")),
}
QUIZ_SCHEMA = Schema(
    _QUIZ_CHECKS,
    required=tuple(k for k in _QUIZ_CHECKS if k not in ("course", "partial_credit")),
)


# --- one quiz file ----------------------------------------------------------------


@dataclass
class _QuizFile:
    path: str
    quiz: QuizData | None = None  # None if the file has a problem
    draw_lines: list[int] = field(default_factory=list)  # file line of each rule
    problems: list[Problem] = field(default_factory=list)


def parse_quiz(text: str, path: str) -> tuple[QuizData | None, list[Problem]]:
    """One quiz file's text -> (the quiz, or None if it has problems; problems).

    Only the file itself is checked; `load_quizzes` also checks the draw rules
    against the banks.
    """
    quiz_file = _parse_quiz_file(text, path)
    return quiz_file.quiz, sorted(quiz_file.problems, key=lambda p: p.line)


def _parse_quiz_file(text: str, path: str) -> _QuizFile:
    result = _QuizFile(path)
    what = _l("tệp đề thi")
    meta = parse_mapping(normalise(text), 1, path, what, result.problems)
    if meta is None:
        return result
    result.problems += QUIZ_SCHEMA.problems(meta, path, 1)
    result.draw_lines = meta.item_lines("draw")
    rules = parse_draw(meta, path, result.problems)
    if not result.problems:
        result.quiz = _quiz(meta, rules, path)
    return result


def parse_draw(
    meta: Mapping, path: str, problems: list[Problem]
) -> tuple[DrawRule, ...]:
    """The draw rules under `meta`'s "draw" key (a quiz's, a contest round's); each
    bad rule is a Problem at its line and left out."""
    draw = meta.data.get("draw")
    items = draw if isinstance(draw, list) else []
    rules = []
    for item, line in zip(items, meta.item_lines("draw"), strict=False):
        messages = _rule_problems(item)
        problems += [Problem(path, line, message) for message in messages]
        if not messages:
            tag = slug(item.get("tag"))
            rules.append(DrawRule(item["count"], item.get("bank"), tag))
    return tuple(rules)


def _rule_problems(item: object) -> list[Message]:
    """What is wrong with one draw rule ({bank: CODE, count: N} or {tag: …, …})."""
    if not isinstance(item, dict):
        return [_l("quy tắc rút câu phải có dạng {bank: MÃ, count: N} hoặc {tag: …}")]
    found = [
        _l("khóa không hợp lệ trong quy tắc rút câu: %(key)s", key=key)
        for key in item
        if key not in ("count", "bank", "tag")
    ]
    if message := check_integer(*DRAW_COUNT)("count", item.get("count")):
        found.append(message)
    if ("bank" in item) == ("tag" in item):
        found.append(
            _l("quy tắc rút câu phải có đúng một trong hai khóa “bank” và “tag”")
        )
    elif "bank" in item and (message := _bank_code("bank", item["bank"])):
        found.append(message)
    elif "tag" in item and slug(item["tag"]) is None:
        found.append(bad_tags(str(item["tag"])))
    return found


def _quiz(meta: Mapping, draw: tuple[DrawRule, ...], path: str) -> QuizData:
    data = meta.data
    return QuizData(
        code=data["code"],
        title=data["title"],
        course=data.get("course"),
        time_limit_minutes=data["time_limit_minutes"],
        pass_percent=data["pass_percent"],
        attempts_allowed=data["attempts_allowed"],
        shuffle_questions=data["shuffle_questions"],
        shuffle_options=data["shuffle_options"],
        questions_per_page=data["questions_per_page"],
        review=data["review"],
        draw=draw,
        partial_credit=data.get("partial_credit", False),
        path=path,
        line=meta.line_of("code"),
    )


# --- the folder and cross-file checks -----------------------------------------------


def load_quizzes(root: Path) -> QuizContent:
    """Load <root>/banks/*.md and <root>/*.yml; files with problems are left out.

    Raises FileNotFoundError only if `root` is not a directory.
    """
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"không có thư mục đề thi (quizzes root): {root}")
    problems: list[Problem] = []
    bank_texts = _texts(root / BANKS_FOLDER, (".md",), root.parent, problems)
    bank_files = [read_bank_file(text, path) for path, text in bank_texts]
    for bank_file in bank_files:
        problems += bank_file.problems
    problems += _bank_repeats(bank_files)
    bad = {problem.path for problem in problems}
    banks = [f.bank for f in bank_files if f.bank and f.path not in bad]
    quiz_texts = _texts(root, QUIZ_SUFFIXES, root.parent, problems)
    quiz_files = [_parse_quiz_file(text, path) for path, text in quiz_texts]
    for quiz_file in quiz_files:
        problems += quiz_file.problems
        problems += _draw_problems(quiz_file, bank_files, banks)
    problems += repeats(
        [(f.quiz.code, f.path, f.quiz.line) for f in quiz_files if f.quiz],
        _l("mã đề thi"),
    )
    bad = {problem.path for problem in problems}
    quizzes = [f.quiz for f in quiz_files if f.quiz and f.path not in bad]
    problems.sort(key=lambda p: (p.path, p.line))
    paths = {f.bank.code: f.path for f in reversed(bank_files) if f.bank}
    return QuizContent(banks, quizzes, problems, paths)


def _texts(
    folder: Path, suffixes: tuple[str, ...], base: Path, problems: list[Problem]
) -> list[tuple[str, str]]:
    """(display path, text) of each file in `folder` ending in one of `suffixes`."""
    if not folder.is_dir():
        return []
    found = []
    for file in sorted(folder.iterdir()):
        if file.suffix not in suffixes or file.name.startswith((".", "_")):
            continue
        path = file.relative_to(base).as_posix()
        text = read_text(file, path, problems)
        if text is not None:
            found.append((path, text))
    return found


def _bank_repeats(bank_files: list[BankFile]) -> list[Problem]:
    """Repeated bank codes, and question codes repeated from another bank file.

    A code repeated inside one file was reported when that file was parsed.
    """
    codes = [(f.bank.code, f.path, f.code_line) for f in bank_files if f.bank]
    found = repeats(codes, _l("mã ngân hàng"))
    first: dict[str, tuple[str, int]] = {}
    for bank_file in bank_files:
        for code, line in bank_file.headings:
            where = first.setdefault(code, (bank_file.path, line))
            if where[0] != bank_file.path:
                message = _l(
                    "mã câu hỏi “%(code)s” trùng với %(where)s",
                    code=code,
                    where="{}:{}".format(*where),
                )
                found.append(Problem(bank_file.path, line, message))
    return found


def _draw_problems(
    quiz_file: _QuizFile, bank_files: list[BankFile], banks: list[BankData]
) -> list[Problem]:
    """Draw rules naming a missing or broken bank, or asking for too many questions."""
    if quiz_file.quiz is None:
        return []
    known = {f.bank.code: f.path for f in reversed(bank_files) if f.bank}
    return draw_problems(
        quiz_file.path, quiz_file.quiz.draw, quiz_file.draw_lines, banks, known
    )


def draw_problems(
    path: str,
    rules: tuple[DrawRule, ...],
    lines: list[int],
    banks: list[BankData],
    known: dict[str, str],
) -> list[Problem]:
    """Draw rules (at file `lines`) naming a missing or broken bank (`known`: the
    path of every bank file read), or asking for more questions than `banks` hold."""
    usable = {bank.code: bank for bank in banks}
    totals: Counter[str] = Counter()
    found = []
    for rule, line in zip(rules, lines, strict=False):
        if rule.bank is None:
            message = _tag_rule_problem(rule, banks)
        elif rule.bank not in usable:
            message = _l("ngân hàng “%(bank)s” không tồn tại", bank=rule.bank)
            if rule.bank in known:
                message = _l(
                    "ngân hàng “%(bank)s” có lỗi (xem %(path)s)",
                    bank=rule.bank,
                    path=known[rule.bank],
                )
        else:
            totals[rule.bank] += rule.count
            message = _bank_rule_problem(rule, usable[rule.bank], totals[rule.bank])
        if message:
            found.append(Problem(path, line, message))
    return found


def _bank_rule_problem(rule: DrawRule, bank: BankData, total: int) -> Message | None:
    # One attempt takes at most one question of each exclusive group.
    size = len(bank.questions) - sum(len(group) - 1 for group in bank.exclusive)
    has = _nl("chỉ có %(num)d câu", "chỉ có %(num)d câu", size)
    if bank.exclusive:
        has = _nl(
            "chỉ rút được %(num)d câu (mỗi nhóm loại trừ một câu)",
            "chỉ rút được %(num)d câu (mỗi nhóm loại trừ một câu)",
            size,
        )
    if rule.count > size:
        return _nl(
            "rút %(num)d câu nhưng ngân hàng %(bank)s %(has)s",
            "rút %(num)d câu nhưng ngân hàng %(bank)s %(has)s",
            rule.count,
            bank=bank.code,
            has=has,
        )
    if total > size:
        return _nl(
            "các quy tắc rút tổng cộng %(num)d câu từ ngân hàng %(bank)s "
            "nhưng ngân hàng %(has)s",
            "các quy tắc rút tổng cộng %(num)d câu từ ngân hàng %(bank)s "
            "nhưng ngân hàng %(has)s",
            total,
            bank=bank.code,
            has=has,
        )
    return None


def _tag_rule_problem(rule: DrawRule, banks: list[BankData]) -> Message | None:
    size = sum(rule.tag in q.tags for bank in banks for q in bank.questions)
    if size == 0:
        return _l("không có câu hỏi nào mang thẻ “%(tag)s”", tag=rule.tag)
    if rule.count > size:
        return _nl(
            "rút %(num)d câu có thẻ “%(tag)s” nhưng chỉ có %(size)s câu mang thẻ này",
            "rút %(num)d câu có thẻ “%(tag)s” nhưng chỉ có %(size)s câu mang thẻ này",
            rule.count,
            tag=rule.tag,
            size=size,
        )
    return None
