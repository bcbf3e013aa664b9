"""Contest files, quizzes/contests/<code>.yml -> dataclasses, every problem located.

No database, and no Flask but its lazy messages: the one YAML reader and schema
checker of the content layer (app.content.frontmatter) reads them, a round's draw is
checked as a quiz's (app.content.quizfiles) against the banks of quizzes/banks. What
needs the database (the units named, a round code taken by another quiz) is checked
by app.contests.sync. Layout of a file (see
quizzes/contests/thi-tim-hieu-vhcv-2026.yml):

    code, title, organiser, description (Markdown), rules (thể lệ, Markdown),
    targets: [unit codes], owner: unit code (default: the first target),
    overall: sum | best, one_prize_per_contest: true | false,
    rounds: [{code, title, opens, closes, time_limit_minutes, attempts_allowed,
              questions_per_page, shuffle_questions, shuffle_options, draw,
              prediction, prizes: {nhat: 1, nhi: 2, ba: 3, khuyen_khich: 5}}]

`opens`/`closes` are Vietnam local time: "2026-11-02 08:00", or a date (a round
opening that day at 00:00, closing at the end of that day).
"""

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from app.accounts.models import Unit
from app.content.frontmatter import (
    Mapping,
    Message,
    Schema,
    bounded,
    check_boolean,
    check_code,
    check_integer,
    check_list_of,
    check_text,
    item_mappings,
    parse_mapping,
)
from app.content.problems import Problem, repeats, syntax_problems
from app.content.quizfiles import QUIZ_SCHEMA, QUIZ_SUFFIXES, draw_problems, parse_draw
from app.content.textfile import normalise, read_text
from app.errors import lazy_gettext as _l
from app.quizzes.questions import BankData, QuizData
from app.timeutil import VN_TZ, vn_day_end, vn_day_start

from .models import OVERALL_BEST, OVERALL_SUM, PRIZE_LEVELS, Contest, ContestRound

CONTESTS_FOLDER = "contests"
DEFAULT_PREDICTION = (
    "Dự đoán có bao nhiêu người trả lời đúng tất cả các câu hỏi của đợt thi này?"
)
# A round is not passed or failed: "passed" means every answer right.
ROUND_PASS_PERCENT = 100
ROUND_REVIEW = "after_close"
MAX_PRIZES = 1000
_LOCAL_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True)
class RoundData:
    code: str
    title: str
    opens_at: datetime  # aware, UTC
    closes_at: datetime
    quiz: QuizData  # code = the round's; no path or line (not content)
    prediction: str
    prizes: tuple[tuple[str, int], ...]  # every level of PRIZE_LEVELS, in order
    line: int = 0

    @property
    def prize_counts(self) -> dict[str, int]:
        return dict(self.prizes)


@dataclass(frozen=True)
class ContestData:
    code: str
    title: str
    organiser: str
    description: str  # Markdown
    rules: str  # Markdown (thể lệ)
    targets: tuple[str, ...]  # unit codes, sorted (their order means nothing)
    owner: str  # unit code
    overall: str
    one_prize_per_contest: bool
    rounds: tuple[RoundData, ...]
    path: str = ""
    line: int = 0


@dataclass
class ContestContent:
    contests: list[ContestData] = field(default_factory=list)  # problem-free
    problems: list[Problem] = field(default_factory=list)


def contest_hash(data: ContestData) -> str:
    """The hash of a contest's content, as its file or the database holds it."""
    fields = asdict(data)
    fields.pop("path")
    fields.pop("line")
    for round_fields in fields["rounds"]:
        round_fields.pop("line")
    encoded = json.dumps(fields, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


# --- values -----------------------------------------------------------------------


def parse_moment(value: object, end_of_day: bool = False) -> datetime | None:
    """A file's time (Vietnam local unless it says otherwise) as aware UTC; a date
    is its first second, or with `end_of_day` its last; None if not a time."""
    if isinstance(value, str):
        for pattern in _LOCAL_FORMATS:
            try:
                value = datetime.strptime(value.strip(), pattern)
                break
            except ValueError:
                continue
        else:
            try:
                value = date.fromisoformat(value.strip())
            except ValueError:
                return None
    if isinstance(value, datetime):
        local = value if value.tzinfo else value.replace(tzinfo=VN_TZ)
        return local.astimezone(UTC)
    if isinstance(value, date):
        moment = vn_day_end(value) if end_of_day else vn_day_start(value)
        return moment.astimezone(UTC)
    return None


def _check_moment(key: str, value: object) -> Message | None:
    if parse_moment(value) is not None:
        return None
    return _l(
        "“%(key)s” phải là ngày giờ Việt Nam “2026-11-02 08:00” hoặc một ngày "
        "“2026-11-02”, không phải “%(value)s”",
        key=key,
        value=value,
    )


def _check_prizes(key: str, value: object) -> Message | None:
    levels = ", ".join(PRIZE_LEVELS)
    if not isinstance(value, dict):
        return _l(
            "“%(key)s” phải là bảng số giải mỗi hạng (%(levels)s)",
            key=key,
            levels=levels,
        )
    for level, count in value.items():
        if level not in PRIZE_LEVELS:
            return _l(
                "hạng giải không hợp lệ: “%(level)s” (%(levels)s)",
                level=level,
                levels=levels,
            )
        if message := check_integer(0, MAX_PRIZES)(f"{key}.{level}", count):
            return message
    return None


def _check_units(key: str, value: object) -> Message | None:
    if not isinstance(value, list) or not value:
        return _l("“%(key)s” phải là danh sách không rỗng các mã đơn vị", key=key)
    for code in value:
        if message := _unit_code(key, code):
            return message
    if len(set(value)) < len(value):
        return _l("“%(key)s” có mã đơn vị lặp lại", key=key)
    return None


def _check_overall(key: str, value: object) -> Message | None:
    if value in (OVERALL_SUM, OVERALL_BEST):
        return None
    return _l(
        "“%(key)s” phải là “%(sum)s” hoặc “%(best)s”, không phải “%(value)s”",
        key=key,
        sum=OVERALL_SUM,
        best=OVERALL_BEST,
        value=value,
    )


_unit_code = bounded(check_code, Unit.code)  # a target's or the owner's
_CONTEST_CHECKS = {
    "code": bounded(check_code, Contest.code),
    "title": bounded(check_text, Contest.title),
    "organiser": bounded(check_text, Contest.organiser),
    "description": check_text,
    "rules": check_text,
    "targets": _check_units,
    "owner": _unit_code,
    "overall": _check_overall,
    "one_prize_per_contest": check_boolean,
    "rounds": check_list_of(_l("các đợt thi")),
}
CONTEST_SCHEMA = Schema(
    _CONTEST_CHECKS,
    required=("code", "title", "organiser", "rules", "targets", "rounds"),
    missing={"rules": _l("thiếu thể lệ cuộc thi (khóa “rules”)")},
)
_QUIZ_KEYS = (
    "code",
    "title",
    "time_limit_minutes",
    "attempts_allowed",
    "questions_per_page",
    "shuffle_questions",
    "shuffle_options",
    "partial_credit",
    "draw",
)
_ROUND_CHECKS = {key: QUIZ_SCHEMA.checks[key] for key in _QUIZ_KEYS} | {
    "code": bounded(check_code, ContestRound.code),
    "title": bounded(check_text, ContestRound.title),
    "opens": _check_moment,
    "closes": _check_moment,
    "prediction": check_text,
    "prizes": _check_prizes,
}
ROUND_SCHEMA = Schema(
    _ROUND_CHECKS,
    required=(
        "code",
        "title",
        "opens",
        "closes",
        "time_limit_minutes",
        "draw",
        "prizes",
    ),
    missing={"prizes": _l("thiếu số giải của đợt thi (khóa “prizes”)")},
)


# --- one file ---------------------------------------------------------------------


@dataclass
class _Round:
    data: RoundData | None
    draw_lines: list[int]


def parse_contest(
    text: str, path: str, banks: list[BankData], bank_paths: dict[str, str]
) -> tuple[ContestData | None, list[Problem]]:
    """One contest file's text -> (the contest, or None if it has problems;
    problems), its rounds' draws checked against `banks`."""
    problems: list[Problem] = []
    meta = parse_mapping(normalise(text), 1, path, _l("tệp cuộc thi"), problems)
    if meta is None:
        return None, problems
    problems += CONTEST_SCHEMA.problems(meta, path, 1)
    for key in ("description", "rules"):
        if isinstance(meta.data.get(key), str):
            problems += syntax_problems(meta.data[key], meta.line_of(key), path)
    items = item_mappings(meta, "rounds", path, _l("đợt thi"), problems)
    rounds = [_parse_round(item, path, problems) for item in items]
    for found in rounds:
        if found.data is not None:
            problems += draw_problems(
                path, found.data.quiz.draw, found.draw_lines, banks, bank_paths
            )
    good = [r.data for r in rounds if r.data is not None]
    problems += _order_problems(good, path)
    problems += repeats([(r.code, path, r.line) for r in good], _l("mã đợt thi"))
    if problems:
        return None, sorted(problems, key=lambda p: p.line)
    return _contest(meta, tuple(good), path), []


def _parse_round(item: Mapping, path: str, problems: list[Problem]) -> _Round:
    found = ROUND_SCHEMA.problems(item, path, item.first)
    draw = parse_draw(item, path, found)
    problems += found
    if found:
        return _Round(None, [])
    data = item.data
    opens = parse_moment(data["opens"])
    closes = parse_moment(data["closes"], end_of_day=True)
    if closes <= opens:
        message = _l("đợt thi đóng (closes) trước hoặc đúng lúc mở (opens)")
        problems.append(Problem(path, item.line_of("closes"), message))
        return _Round(None, [])
    quiz = QuizData(
        code=data["code"],
        title=data["title"],
        course=None,
        time_limit_minutes=data["time_limit_minutes"],
        pass_percent=ROUND_PASS_PERCENT,
        attempts_allowed=data.get("attempts_allowed", 1),
        shuffle_questions=data.get("shuffle_questions", True),
        shuffle_options=data.get("shuffle_options", True),
        questions_per_page=data.get("questions_per_page", 5),
        review=ROUND_REVIEW,
        draw=draw,
        partial_credit=data.get("partial_credit", False),
    )
    counts = data["prizes"]
    prizes = tuple((level, counts.get(level, 0)) for level in PRIZE_LEVELS)
    prediction = data.get("prediction", DEFAULT_PREDICTION).strip()
    round_data = RoundData(
        data["code"],
        data["title"].strip(),
        opens,
        closes,
        quiz,
        prediction,
        prizes,
        line=item.line_of("code"),
    )
    return _Round(round_data, item.item_lines("draw"))


def _order_problems(rounds: list[RoundData], path: str) -> list[Problem]:
    """Rounds run one after another, in file order, without overlapping."""
    found = []
    for before, after in zip(rounds, rounds[1:], strict=False):
        if after.opens_at < before.closes_at:
            message = _l(
                "đợt thi “%(after)s” mở trước khi đợt “%(before)s” đóng: "
                "các đợt phải nối tiếp nhau, không chồng lên nhau",
                after=after.code,
                before=before.code,
            )
            found.append(Problem(path, after.line, message))
    return found


def _contest(meta: Mapping, rounds: tuple[RoundData, ...], path: str) -> ContestData:
    data = meta.data
    targets = tuple(data["targets"])
    owner = data.get("owner", targets[0])
    return ContestData(
        code=data["code"],
        title=data["title"].strip(),
        organiser=data["organiser"].strip(),
        description=data.get("description", "").strip(),
        rules=data["rules"].strip(),
        targets=tuple(sorted(targets)),
        owner=owner,
        overall=data.get("overall", OVERALL_SUM),
        one_prize_per_contest=data.get("one_prize_per_contest", False),
        rounds=rounds,
        path=path,
        line=meta.line_of("code"),
    )


# --- the folder -------------------------------------------------------------------


def load_contests(
    quizzes_root: Path,
    banks: list[BankData],
    bank_paths: dict[str, str] | None = None,
    quiz_codes: dict[str, tuple[str, int]] | None = None,
) -> ContestContent:
    """<quizzes_root>/contests/*.yml; files with problems are left out. Contest and
    round codes must be unique, and a round code must not be a quiz file's
    (`quiz_codes`: code -> (path, line))."""
    folder = Path(quizzes_root) / CONTESTS_FOLDER
    result = ContestContent()
    if not folder.is_dir():
        return result
    parsed = []
    for file in sorted(folder.iterdir()):
        if file.suffix not in QUIZ_SUFFIXES or file.name.startswith((".", "_")):
            continue
        path = file.relative_to(Path(quizzes_root).parent).as_posix()
        text = read_text(file, path, result.problems)
        if text is None:
            continue
        contest, problems = parse_contest(text, path, banks, bank_paths or {})
        result.problems += problems
        if contest is not None:
            parsed.append(contest)
    result.problems += repeats(
        [(c.code, c.path, c.line) for c in parsed], _l("mã cuộc thi")
    )
    quiz_entries = [(code, *where) for code, where in (quiz_codes or {}).items()]
    round_entries = [(r.code, c.path, r.line) for c in parsed for r in c.rounds]
    result.problems += repeats(quiz_entries + round_entries, _l("mã đề thi/đợt thi"))
    bad = {problem.path for problem in result.problems}
    result.contests = [c for c in parsed if c.path not in bad]
    result.problems.sort(key=lambda p: (p.path, p.line))
    return result
