"""`flask content check|sync`: the course files in courses/ and the question banks and
quizzes in quizzes/, validated together and loaded together."""

from dataclasses import dataclass
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.courses.cli import url_builders
from app.courses.loader import ContentSet, Problem, load_content
from app.courses.sync import sync_content
from app.errors import ImportRejected
from app.extensions import db
from app.quizzes.loader import QuizContent, load_quizzes
from app.quizzes.sync import sync_quizzes

content_cli = AppGroup(
    "content", help="Nội dung: khóa học (courses/), câu hỏi (quizzes/)."
)


@dataclass
class AllContent:
    courses: ContentSet
    quizzes: QuizContent
    problems: list[Problem]


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
            problems.append(
                Problem(
                    quiz.path, quiz.line or 1, f"khóa học “{quiz.course}” không tồn tại"
                )
            )
    for bank in quizzes.banks:
        if bank.module and bank.module not in module_codes:
            problems.append(
                Problem(bank.path, 1, f"học phần “{bank.module}” không tồn tại")
            )
    return problems


def _dirs(
    courses_dir: Path | None, quizzes_dir: Path | None
) -> tuple[Path, Path | None]:
    courses = Path(courses_dir or current_app.config["COURSES_DIR"])
    if quizzes_dir is None and courses_dir is None:
        quizzes_dir = Path(current_app.config["QUIZZES_DIR"])
    return courses, quizzes_dir


def _load(courses_dir, quizzes_dir) -> AllContent:
    try:
        return load_all(*_dirs(courses_dir, quizzes_dir))
    except FileNotFoundError as error:
        raise click.ClickException(str(error)) from None


_COURSES = click.option(
    "--courses",
    "courses_dir",
    type=click.Path(path_type=Path),
    help="Thư mục khóa học (mặc định: courses/).",
)
_QUIZZES = click.option(
    "--quizzes",
    "quizzes_dir",
    type=click.Path(path_type=Path),
    help="Thư mục câu hỏi (mặc định: quizzes/, khi không chỉ định --courses).",
)


@content_cli.command("check")
@_COURSES
@_QUIZZES
def check(courses_dir: Path | None, quizzes_dir: Path | None) -> None:
    """Validate every content file; print `file:line: message` for each problem."""
    content = _load(courses_dir, quizzes_dir)
    for problem in sorted(content.problems, key=lambda p: (p.path, p.line)):
        click.echo(str(problem), err=True)
    if content.problems:
        raise click.ClickException(f"{len(content.problems)} lỗi trong nội dung.")
    modules = sum(len(c.modules) for c in content.courses.courses)
    questions = sum(len(b.questions) for b in content.quizzes.banks)
    click.echo(
        f"Nội dung hợp lệ: {len(content.courses.courses)} khóa học, "
        f"{modules} học phần, "
        f"{len(content.quizzes.banks)} ngân hàng, {questions} câu hỏi, "
        f"{len(content.quizzes.quizzes)} bài kiểm tra."
    )


@content_cli.command("sync")
@_COURSES
@_QUIZZES
@click.option(
    "--prefer-files",
    is_flag=True,
    help="Khi xung đột, lấy bản trong tệp (thành phiên bản mới; lịch sử còn nguyên).",
)
def sync(
    courses_dir: Path | None, quizzes_dir: Path | None, prefer_files: bool
) -> None:
    """Load courses/ and quizzes/ into the database; a new version only when a text
    changed. Nothing is written when any file has a problem.

    An item edited in the browser since the last sync or export is kept when its
    file has not changed (export it to commit it); when the file changed too, that
    is a conflict: nothing is written unless --prefer-files."""
    content = _load(courses_dir, quizzes_dir)
    if content.problems:
        for problem in content.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(
            f"Nội dung có {len(content.problems)} lỗi; chưa đồng bộ gì."
        )
    try:
        courses = sync_content(content.courses, *url_builders(), prefer_files)
        quizzes = sync_quizzes(
            content.quizzes.banks, content.quizzes.quizzes, prefer_files
        )
    except ImportRejected as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    conflicts = courses.conflicts + quizzes.conflicts
    if conflicts:
        db.session.rollback()
        for conflict in conflicts:
            click.echo(conflict, err=True)
        raise click.ClickException(
            f"{len(conflicts)} xung đột giữa tệp và bản sửa trên trình duyệt; chưa "
            "đồng bộ gì. Lấy bản trên trình duyệt: `flask content export --force` "
            "(ghi đè tệp). Lấy bản trong tệp: `flask content sync --prefer-files`."
        )
    owner = current_app.config.get("CONTENT_OWNER")
    adopted = _adopt(owner)
    db.session.commit()
    click.echo(f"Khóa học: {courses.summary()}.")
    click.echo(f"Câu hỏi và bài kiểm tra: {quizzes.summary()}.")
    kept = courses.kept + quizzes.kept
    if kept:
        click.echo(
            f"Mới hơn trên trình duyệt, giữ nguyên: {', '.join(kept)} — chạy "
            "`flask content export` để ghi ra tệp."
        )
    if adopted:
        click.echo(f"{adopted} mục nội dung chưa có chủ được giao cho đơn vị {owner}.")


@content_cli.command("export")
@_COURSES
@_QUIZZES
@click.option(
    "--force",
    is_flag=True,
    help="Ghi đè cả những tệp đã đổi từ lần đồng bộ trước (bỏ thay đổi trong tệp).",
)
def export(courses_dir: Path | None, quizzes_dir: Path | None, force: bool) -> None:
    """Write the published versions in the database back to courses/ and quizzes/
    (drafts are never written), so browser edits can be committed. Files changed
    since the last sync are conflicts: nothing is written unless --force."""
    from app.authoring.files import export_content

    courses, quizzes = _dirs(courses_dir, quizzes_dir)
    try:
        result = export_content(courses, quizzes, force)
    except ImportRejected as error:
        db.session.rollback()
        for detail in error.problems:
            click.echo(detail, err=True)
        raise click.ClickException(error.message) from None
    except OSError as error:
        db.session.rollback()
        raise click.ClickException(f"Không ghi được tệp: {error}") from None
    db.session.commit()
    for path in result.written:
        click.echo(f"Đã ghi {path}")
    click.echo(f"Xuất nội dung: {result.summary()}.")


def _adopt(owner_code: str | None) -> int:
    """Give unowned content to the unit `owner_code` (VHCV_CONTENT_OWNER)."""
    if not owner_code:
        return 0
    from app.accounts.units import get_unit_by_code
    from app.authoring.services import adopt_unowned
    from app.errors import NotFound

    try:
        unit = get_unit_by_code(owner_code)
    except NotFound:
        db.session.rollback()
        raise click.ClickException(
            f"VHCV_CONTENT_OWNER: không có đơn vị mã “{owner_code}”; chưa đồng bộ gì."
        ) from None
    return adopt_unowned(unit)
