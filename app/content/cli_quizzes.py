"""`flask quizzes import-gift|import-moodle-xml|import-aiken|import-word|export-gift`:
other tools' question files into a bank, and a bank out as GIFT."""

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import select

from app.audit import services as audit
from app.errors import InvalidInput
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.numbers import count
from app.quizzes.models import QuestionBank
from app.uploads import max_bytes

from .gift_export import export_gift
from .moodle_categories import category_path
from .problems import ConversionError
from .question_editing import check_bank_code, parse_upload
from .sync_quizzes import codes_in_other_banks, get_or_create_bank, upsert_question
from .sync_rules import SyncResult
from .transfer import bank_questions

quizzes_cli = AppGroup(
    "quizzes",
    help=_l("Ngân hàng câu hỏi: nhập/xuất GIFT, nhập Moodle XML, Aiken, Word."),
)


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
    "--bank", "bank_code", required=True, help=_l("Mã ngân hàng nhận câu hỏi.")
)


@quizzes_cli.command(
    "import-gift",
    help=_l(
        "Nhập tệp FILE (Moodle GIFT) vào ngân hàng --bank: nhập tất cả hoặc không "
        "câu nào."
    ),
)
@_FILE
@_BANK
def import_gift(file: Path, bank_code: str) -> None:
    """Import FILE (Moodle GIFT) into bank CODE, all or nothing."""
    _import(file, bank_code, "gift")


@quizzes_cli.command(
    "import-moodle-xml",
    help=_l(
        "Nhập tệp FILE (Moodle XML) vào ngân hàng --bank: nhập tất cả hoặc không "
        "câu nào. Tệp lớn hơn UPLOAD_MAX_BYTES bị từ chối trước khi đọc."
    ),
)
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
                size=count(file.stat().st_size),
                limit=count(limit),
            )
        )
    _import(file, bank_code, "moodle-xml")


@quizzes_cli.command(
    "import-aiken",
    help=_l(
        "Nhập tệp FILE (định dạng Aiken) vào ngân hàng --bank: nhập tất cả hoặc "
        "không câu nào."
    ),
)
@_FILE
@_BANK
def import_aiken(file: Path, bank_code: str) -> None:
    """Import FILE (Aiken format) into bank CODE, all or nothing."""
    _import(file, bank_code, "aiken")


@quizzes_cli.command(
    "import-word",
    help=_l(
        "Nhập tệp FILE (Word .docx: “Câu 1. … A. … Đáp án: B”) vào ngân hàng "
        "--bank: nhập tất cả hoặc không câu nào."
    ),
    short_help=_l("Nhập tệp FILE (Word .docx) vào ngân hàng --bank."),
)
@_FILE
@_BANK
def import_word(file: Path, bank_code: str) -> None:
    """Import FILE (Word .docx: "Câu 1. … A. … Đáp án: B") into bank CODE, all or
    nothing."""
    _import(file, bank_code, "word")


@quizzes_cli.command(
    "export-gift",
    help=_l(
        "Ghi các câu hỏi hiện hành của ngân hàng --bank theo định dạng Moodle GIFT."
    ),
)
@click.option("--bank", "bank_code", required=True, help=_l("Mã ngân hàng."))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help=_l("Tệp ghi ra (mặc định: in ra màn hình)."),
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
