"""`flask content check|sync|export`: the course files in courses/ and the question
banks and quizzes in quizzes/, validated together and loaded together. (`flask
quizzes …`, other tools' question files, is in app/content/cli_quizzes.py.)"""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext

from app.accounts.units import get_unit_by_code
from app.errors import ImportRejected, NotFound
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.numbers import count
from app.signals import content_parts_asked

from .export import export_content
from .load import AllContent, load_all
from .ownership import adopt_unowned
from .sync_courses import sync_content, url_builders
from .sync_quizzes import (
    sync_quizzes,
)
from .sync_rules import SyncResult

content_cli = AppGroup(
    "content", help=_l("Nội dung: khóa học (courses/), câu hỏi (quizzes/).")
)


def _dirs(
    courses_dir: Path | None, quizzes_dir: Path | None
) -> tuple[Path, Path | None]:
    courses = Path(courses_dir or current_app.config["COURSES_DIR"])
    if quizzes_dir is None and courses_dir is None:
        quizzes_dir = Path(current_app.config["QUIZZES_DIR"])
    return courses, quizzes_dir


def _load(courses_dir, quizzes_dir) -> AllContent:
    """Both folders, and the parts the domains above content keep in quizzes/ (the
    contests: app.signals.content_parts_asked), with all their problems."""
    courses, quizzes = _dirs(courses_dir, quizzes_dir)
    try:
        content = load_all(courses, quizzes)
    except FileNotFoundError as error:
        raise click.ClickException(str(error)) from None
    if quizzes is not None and quizzes.exists():
        answers = content_parts_asked.send(quizzes, quizzes=content.quizzes)
        content.parts = [part for _, part in answers]
    for part in content.parts:
        content.problems += part.problems
        for notice in part.notices:
            click.echo(notice, err=True)
    return content


_COURSES = click.option(
    "--courses",
    "courses_dir",
    type=click.Path(path_type=Path),
    help=_l("Thư mục khóa học (mặc định: courses/)."),
)
_QUIZZES = click.option(
    "--quizzes",
    "quizzes_dir",
    type=click.Path(path_type=Path),
    help=_l("Thư mục câu hỏi (mặc định: quizzes/, khi không chỉ định --courses)."),
)


@content_cli.command(
    "check",
    help=_l("Kiểm tra mọi tệp nội dung; in `tệp:dòng: thông báo` cho từng lỗi."),
)
@_COURSES
@_QUIZZES
def check(courses_dir: Path | None, quizzes_dir: Path | None) -> None:
    """Validate every content file; print `file:line: message` for each problem."""
    content = _load(courses_dir, quizzes_dir)
    for problem in sorted(content.problems, key=lambda p: (p.path, p.line)):
        click.echo(str(problem), err=True)
    if content.problems:
        errors = len(content.problems)
        raise click.ClickException(
            ngettext(
                "%(n)s lỗi trong nội dung.",
                "%(n)s lỗi trong nội dung.",
                errors,
                n=count(errors),
            )
        )
    modules = sum(len(c.modules) for c in content.courses.courses)
    questions = sum(len(b.questions) for b in content.quizzes.banks)
    click.echo(
        _(
            "Nội dung hợp lệ: %(courses)s khóa học, %(modules)s học phần, "
            "%(banks)s ngân hàng, %(questions)s câu hỏi, %(quizzes)s bài kiểm tra"
            "%(parts)s.",
            courses=len(content.courses.courses),
            modules=modules,
            banks=len(content.quizzes.banks),
            questions=count(questions),
            quizzes=len(content.quizzes.quizzes),
            parts="".join(f", {part.count}" for part in content.parts),
        )
    )


@content_cli.command(
    "sync",
    help=_l(
        "Nạp courses/ và quizzes/ vào cơ sở dữ liệu; chỉ tạo phiên bản mới khi nội "
        "dung đổi. Không ghi gì khi có tệp bị lỗi."
    ),
)
@_COURSES
@_QUIZZES
@click.option(
    "--prefer-files",
    is_flag=True,
    help=_l(
        "Khi xung đột, lấy bản trong tệp (thành phiên bản mới; lịch sử còn nguyên)."
    ),
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
        errors = len(content.problems)
        raise click.ClickException(
            ngettext(
                "Nội dung có %(n)s lỗi; chưa đồng bộ gì.",
                "Nội dung có %(n)s lỗi; chưa đồng bộ gì.",
                errors,
                n=count(errors),
            )
        )
    courses, quizzes, parts = _sync_or_fail(content, prefer_files)
    owner = current_app.config.get("CONTENT_OWNER")
    adopted = _adopt(owner)
    db.session.commit()
    click.echo(_("Khóa học: %(summary)s.", summary=courses.summary()))
    click.echo(_("Câu hỏi và bài kiểm tra: %(summary)s.", summary=quizzes.summary()))
    for part, result in zip(content.parts, parts, strict=True):
        click.echo(f"{part.label}: {result.summary()}.")
    kept = courses.kept + quizzes.kept + [c for r in parts for c in r.kept]
    if kept:
        click.echo(
            _(
                "Mới hơn trên trình duyệt, giữ nguyên: %(codes)s — chạy "
                "`flask content export` để ghi ra tệp.",
                codes=", ".join(kept),
            )
        )
    if adopted:
        click.echo(_adopted_message(adopted, owner))


def _sync_or_fail(
    content: AllContent, prefer_files: bool
) -> tuple[SyncResult, SyncResult, list[SyncResult]]:
    """Sync the courses, then the banks and quizzes, then the parts above them (the
    contests; flushed, not committed); on a rejection or any conflict, roll back
    and stop with the reason."""
    try:
        courses = sync_content(content.courses, *url_builders(), prefer_files)
        quizzes = sync_quizzes(
            content.quizzes.banks, content.quizzes.quizzes, prefer_files
        )
        parts = [part.sync(prefer_files) for part in content.parts]
    except ImportRejected as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    conflicts = courses.conflicts + quizzes.conflicts
    conflicts += [c for result in parts for c in result.conflicts]
    if conflicts:
        db.session.rollback()
        for conflict in conflicts:
            click.echo(conflict, err=True)
        raise click.ClickException(_conflicts_message(len(conflicts)))
    return courses, quizzes, parts


@content_cli.command(
    "export",
    help=_l(
        "Ghi các phiên bản đã xuất bản trong cơ sở dữ liệu trở lại courses/ và "
        "quizzes/ (không bao giờ ghi bản nháp), để đưa bản sửa trên trình duyệt vào "
        "kho mã. Tệp đã đổi từ lần đồng bộ trước là xung đột: không ghi gì nếu "
        "không có --force."
    ),
)
@_COURSES
@_QUIZZES
@click.option(
    "--force",
    is_flag=True,
    help=_l("Ghi đè cả những tệp đã đổi từ lần đồng bộ trước (bỏ thay đổi trong tệp)."),
)
def export(courses_dir: Path | None, quizzes_dir: Path | None, force: bool) -> None:
    """Write the published versions in the database back to courses/ and quizzes/
    (drafts are never written), so browser edits can be committed. Files changed
    since the last sync are conflicts: nothing is written unless --force."""
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
        raise click.ClickException(
            _("Không ghi được tệp: %(error)s", error=error)
        ) from None
    db.session.commit()
    for path in result.written:
        click.echo(_("Đã ghi %(path)s", path=path))
    click.echo(_("Xuất nội dung: %(summary)s.", summary=result.summary()))


def _adopted_message(adopted: int, owner: str) -> str:
    return ngettext(
        "%(n)s mục nội dung chưa có chủ được giao cho đơn vị %(owner)s.",
        "%(n)s mục nội dung chưa có chủ được giao cho đơn vị %(owner)s.",
        adopted,
        n=count(adopted),
        owner=owner,
    )


def _conflicts_message(conflicts: int) -> str:
    return ngettext(
        "%(n)s xung đột giữa tệp và bản sửa trên trình duyệt; chưa đồng bộ gì. "
        "Lấy bản trên trình duyệt: `flask content export --force` (ghi đè tệp). "
        "Lấy bản trong tệp: `flask content sync --prefer-files`.",
        "%(n)s xung đột giữa tệp và bản sửa trên trình duyệt; chưa đồng bộ gì. "
        "Lấy bản trên trình duyệt: `flask content export --force` (ghi đè tệp). "
        "Lấy bản trong tệp: `flask content sync --prefer-files`.",
        conflicts,
        n=count(conflicts),
    )


def _adopt(owner_code: str | None) -> int:
    """Give unowned content to the unit `owner_code` (VHCV_CONTENT_OWNER)."""
    if not owner_code:
        return 0
    try:
        unit = get_unit_by_code(owner_code)
    except NotFound:
        db.session.rollback()
        raise click.ClickException(
            _(
                "VHCV_CONTENT_OWNER: không có đơn vị mã “%(code)s”; chưa đồng bộ gì.",
                code=owner_code,
            )
        ) from None
    return adopt_unowned(unit)
