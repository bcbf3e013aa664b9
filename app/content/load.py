"""courses/ and quizzes/ loaded together, with the checks across them."""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import lazy_gettext as _l

from .modules import ContentSet, load_content
from .problems import Problem
from .quizfiles import QuizContent, load_quizzes
from .sync_rules import SyncResult


@dataclass
class ContentPart:
    """Files a domain above content keeps under quizzes/ (the contests), as it
    answers `app.signals.content_parts_asked`: their problems, what to tell without
    failing, a count for `flask content check`, and how to sync them (called inside
    the sync's transaction with prefer_files; flushes, never commits)."""

    label: str  # "Cuộc thi"
    problems: list[Problem]
    notices: list[str]
    count: str  # "1 cuộc thi"
    sync: Callable[[bool], SyncResult]


@dataclass
class AllContent:
    courses: ContentSet
    quizzes: QuizContent
    problems: list[Problem]
    parts: list[ContentPart] = field(default_factory=list)


def load_all(courses_dir: Path, quizzes_dir: Path | None) -> AllContent:
    """Both folders with every problem, cross-checks included (a quiz's course and a
    bank's module must exist). `quizzes_dir` None or missing means no quizzes."""
    courses = load_content(courses_dir)
    if quizzes_dir is not None and quizzes_dir.exists():
        quizzes = load_quizzes(quizzes_dir)
    else:
        quizzes = QuizContent(banks=[], quizzes=[], problems=[])
    problems = courses.problems + quizzes.problems + _cross_problems(courses, quizzes)
    return AllContent(courses, quizzes, problems)


def _cross_problems(courses: ContentSet, quizzes: QuizContent) -> list[Problem]:
    course_codes = {c.code for c in courses.courses}
    module_codes = {m.code for c in courses.courses for m in c.modules}
    problems = []
    for quiz in quizzes.quizzes:
        if quiz.course and quiz.course not in course_codes:
            message = _l("khóa học “%(code)s” không tồn tại", code=quiz.course)
            problems.append(Problem(quiz.path, quiz.line or 1, message))
    for bank in quizzes.banks:
        if bank.module and bank.module not in module_codes:
            message = _l("học phần “%(code)s” không tồn tại", code=bank.module)
            problems.append(Problem(bank.path, 1, message))
    return problems
