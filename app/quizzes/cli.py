"""`flask quizzes …` (GIFT and Aiken interop) and `flask attempts close-overdue`."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app import audit
from app.courses.sync import SyncResult
from app.extensions import db

from . import attempts
from .models import QuestionBank
from .sync import get_or_create_bank, upsert_question

quizzes_cli = AppGroup("quizzes", help="Ngân hàng câu hỏi: nhập/xuất GIFT, Aiken.")
attempts_cli = AppGroup("attempts", help="Lượt làm bài.")


def _read(file: Path) -> str:
    try:
        return file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise click.ClickException(
            f"{file}: không phải UTF-8 (byte lỗi ở vị trí {error.start})"
        ) from None


def _import(file: Path, bank_code: str, parser, origin: str, binary=False) -> None:
    from .gift import ConversionError

    try:
        data = file.read_bytes() if binary else _read(file)
        questions = parser(data, bank_code)
    except ConversionError as error:
        for problem in error.problems:
            click.echo(f"{file}: {problem}", err=True)
        raise click.ClickException(f"{file}: {error}; không nhập câu nào.") from None
    bank = get_or_create_bank(bank_code, bank_code, origin="import")
    result = SyncResult()
    for question in questions:
        upsert_question(bank, question, result, origin="import")
    audit.record("content.imported", target=bank, file=str(file), format=origin)
    db.session.commit()
    click.echo(f"Ngân hàng {bank_code}: {result.summary()}.")


@quizzes_cli.command("import-gift")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--bank", "bank_code", required=True, help="Mã ngân hàng nhận câu hỏi.")
def import_gift(file: Path, bank_code: str) -> None:
    """Import FILE (Moodle GIFT) into bank CODE, all or nothing."""
    from .gift import parse_gift

    _import(file, bank_code, parse_gift, "gift")


@quizzes_cli.command("import-aiken")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--bank", "bank_code", required=True, help="Mã ngân hàng nhận câu hỏi.")
def import_aiken(file: Path, bank_code: str) -> None:
    """Import FILE (Aiken format) into bank CODE, all or nothing."""
    from .aiken import parse_aiken

    _import(file, bank_code, parse_aiken, "aiken")


@quizzes_cli.command("import-word")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--bank", "bank_code", required=True, help="Mã ngân hàng nhận câu hỏi.")
def import_word(file: Path, bank_code: str) -> None:
    """Import FILE (Word .docx: "Câu 1. … A. … Đáp án: B") into bank CODE, all or
    nothing."""
    from .word import parse_word

    _import(file, bank_code, parse_word, "word", binary=True)


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
    from .gift import export_gift
    from .transfer import bank_questions

    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.code == bank_code))
    if bank is None:
        raise click.ClickException(f"Không có ngân hàng “{bank_code}”.")
    text = export_gift(bank_questions(bank), category=bank.title)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Đã ghi {output}.")


@attempts_cli.command("close-overdue")
def close_overdue() -> None:
    """Finalise every attempt past its deadline with the answers saved before it."""
    count = attempts.close_overdue(
        grace_seconds=current_app.config["ATTEMPT_GRACE_SECONDS"]
    )
    db.session.commit()
    click.echo(f"Đã đóng {count} lượt làm bài quá hạn.")
