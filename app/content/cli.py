"""`flask content check|sync|export`: the course files in courses/ and the question
banks and quizzes in quizzes/, validated together and loaded together; and
`flask quizzes import-gift|import-moodle-xml|import-aiken|import-word|export-gift`."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from app.accounts.units import get_unit_by_code
from app.audit import services as audit
from app.errors import ImportRejected, InvalidInput, NotFound
from app.extensions import db
from app.quizzes.models import QuestionBank
from app.signals import content_parts_asked
from app.uploads import max_bytes

from .export import export_content
from .gift_export import export_gift
from .load import AllContent, load_all
from .moodle_categories import category_path
from .ownership import adopt_unowned
from .problems import ConversionError
from .question_editing import check_bank_code, parse_upload
from .sync_courses import sync_content, url_builders
from .sync_quizzes import (
    codes_in_other_banks,
    get_or_create_bank,
    sync_quizzes,
    upsert_question,
)
from .sync_rules import SyncResult
from .transfer import bank_questions

content_cli = AppGroup(
    "content", help="Nội dung: khóa học (courses/), câu hỏi (quizzes/)."
)
quizzes_cli = AppGroup(
    "quizzes", help="Ngân hàng câu hỏi: nhập/xuất GIFT, nhập Moodle XML, Aiken, Word."
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
        errors = len(content.problems)
        raise click.ClickException(
            ngettext(
                "%(n)s lỗi trong nội dung.",
                "%(n)s lỗi trong nội dung.",
                errors,
                n=errors,
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
            questions=questions,
            quizzes=len(content.quizzes.quizzes),
            parts="".join(f", {part.count}" for part in content.parts),
        )
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
        errors = len(content.problems)
        raise click.ClickException(
            ngettext(
                "Nội dung có %(n)s lỗi; chưa đồng bộ gì.",
                "Nội dung có %(n)s lỗi; chưa đồng bộ gì.",
                errors,
                n=errors,
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
        n=adopted,
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
        n=conflicts,
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


# --- flask quizzes: other tools' question files ------------------------------------


def _import(file: Path, bank_code: str, fmt: str) -> None:
    """FILE into bank `bank_code` as the browser's upload does it (parse_upload):
    questions the file does not name by code get fresh codes of the bank, so only
    those it names (`// [id:…]`, `<idnumber>`) replace a question; their codes are
    printed. All or nothing."""
    exists = select(QuestionBank.id).where(QuestionBank.code == bank_code)
    if db.session.scalar(exists) is None:
        try:
            check_bank_code(bank_code)
        except InvalidInput as error:
            raise click.ClickException(f"{file}: {error.message}") from None
    bank = get_or_create_bank(bank_code, bank_code, origin="import")
    try:
        questions = parse_upload(file.read_bytes(), fmt, bank)
    except ConversionError as error:
        db.session.rollback()
        for problem in error.problems:
            click.echo(f"{file}: {problem}", err=True)
        # The problems were listed one a line above; the message says nothing was
        # imported (str(error) would list them again).
        raise click.ClickException(f"{file}: {error.message}") from None
    elsewhere = codes_in_other_banks(bank, [q.code for q in questions])
    if elsewhere:
        db.session.rollback()
        raise click.ClickException(
            _(
                "%(file)s: mã câu hỏi đã dùng ở ngân hàng khác: %(codes)s; "
                "không nhập câu nào.",
                file=file,
                codes=", ".join(elsewhere),
            )
        )
    result = SyncResult()
    for question in questions:
        upsert_question(bank, question, result, origin="import")
    audit.record("content.imported", target=bank, file=str(file), format=fmt)
    db.session.commit()
    if result.updated:
        click.echo(
            _(
                "Câu hỏi được thay bằng phiên bản mới (tệp ghi mã của chúng): "
                "%(codes)s.",
                codes=", ".join(result.updated),
            )
        )
    click.echo(
        _("Ngân hàng %(code)s: %(summary)s.", code=bank_code, summary=result.summary())
    )


_FILE = click.argument(
    "file", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
_BANK = click.option(
    "--bank", "bank_code", required=True, help="Mã ngân hàng nhận câu hỏi."
)


@quizzes_cli.command("import-gift")
@_FILE
@_BANK
def import_gift(file: Path, bank_code: str) -> None:
    """Import FILE (Moodle GIFT) into bank CODE, all or nothing."""
    _import(file, bank_code, "gift")


@quizzes_cli.command("import-moodle-xml")
@_FILE
@_BANK
def import_moodle_xml(file: Path, bank_code: str) -> None:
    """Import FILE (Moodle XML) into bank CODE, all or nothing. A file larger than
    UPLOAD_MAX_BYTES is refused before it is read."""
    limit = max_bytes()
    if file.stat().st_size > limit:
        raise click.ClickException(
            _(
                "%(file)s: tệp quá lớn (%(size)s byte, tối đa %(limit)s); "
                "không nhập câu nào.",
                file=file,
                size=file.stat().st_size,
                limit=limit,
            )
        )
    _import(file, bank_code, "moodle-xml")


@quizzes_cli.command("import-aiken")
@_FILE
@_BANK
def import_aiken(file: Path, bank_code: str) -> None:
    """Import FILE (Aiken format) into bank CODE, all or nothing."""
    _import(file, bank_code, "aiken")


@quizzes_cli.command("import-word")
@_FILE
@_BANK
def import_word(file: Path, bank_code: str) -> None:
    """Import FILE (Word .docx: "Câu 1. … A. … Đáp án: B") into bank CODE, all or
    nothing."""
    _import(file, bank_code, "word")


@quizzes_cli.command("export-gift")
@click.option("--bank", "bank_code", required=True, help="Mã ngân hàng.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Tệp ghi ra (mặc định: in ra màn hình).",
)
def export_gift_command(bank_code: str, output: Path | None) -> None:
    """Write bank CODE's current questions as Moodle GIFT."""
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.code == bank_code))
    if bank is None:
        raise click.ClickException(_("Không có ngân hàng “%(code)s”.", code=bank_code))
    text = export_gift(
        bank_questions(bank),
        category=category_path(bank.title),
        subcategories=bank.origin != "file",
    )
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(_("Đã ghi %(path)s.", path=output))
