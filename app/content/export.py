"""`flask content export`: the database's published versions written back to
courses/ and quizzes/, so that what trainers changed in the browser can be committed.

The same three-way rule as sync, from the other side: an item whose file changed
since the last sync or export, and differs from the database, is a conflict; export
then writes nothing (unless forced). After writing, an item's `synced_hash` is its
current hash, so the next sync sees file and database in step. Drafts are never
written. Operations flush, never commit.
"""

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.courses.models import Course, Module
from app.errors import ImportRejected
from app.errors import lazy_gettext as _l
from app.errors import lazy_ngettext as _nl
from app.extensions import db
from app.numbers import count
from app.quizzes.models import Question, QuestionBank, Quiz
from app.quizzes.questions import BankData, question_hash, question_problems

from .modules import ContentSet, content_hash, load_content
from .quizfiles import BANKS_FOLDER, QuizContent, load_quizzes
from .sync_courses import module_file_of
from .sync_quizzes import quiz_hash
from .transfer import quiz_data_of, version_to_data
from .writer import bank_text, module_text, quiz_text


@dataclass
class ExportResult:
    written: list[str] = field(default_factory=list)  # file paths
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)
    # Questions the bank file format cannot hold yet (no explanation, no source…).
    invalid: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{count(len(self.written))} tệp ghi mới, "
            f"{count(self.unchanged)} mục không đổi"
        )


@dataclass
class _Write:
    path: Path
    text: str
    rows: list  # (row, hash) pairs whose synced_hash becomes hash once written


def _display(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def export_content(
    courses_dir: Path, quizzes_dir: Path | None, force: bool = False
) -> ExportResult:
    """Write every published module, bank and quiz that differs from its file.
    Raises ImportRejected (nothing written) on conflicts unless `force`, and when a
    folder is missing."""
    courses_dir = Path(courses_dir)
    _require_folders(courses_dir, quizzes_dir)
    result = ExportResult()
    courses = load_content(courses_dir)
    files = load_quizzes(Path(quizzes_dir)) if quizzes_dir is not None else None
    problems = courses.problems + (files.problems if files else [])
    if problems and not force:  # a file that does not load may hold unsynced edits
        raise ImportRejected(
            _nl(
                "%(num)d lỗi trong các tệp hiện có: chưa ghi tệp nào. Sửa tệp "
                "(flask content check) rồi đồng bộ, hoặc `flask content export "
                "--force` để ghi đè.",
                "%(num)d lỗi trong các tệp hiện có: chưa ghi tệp nào. Sửa tệp "
                "(flask content check) rồi đồng bộ, hoặc `flask content export "
                "--force` để ghi đè.",
                len(problems),
            ),
            [str(p) for p in problems],
        )
    writes = _module_writes(courses_dir, courses, result, force)
    if files is not None:
        quizzes_dir = Path(quizzes_dir)
        writes += _bank_writes(quizzes_dir, files, result, force)
        writes += _quiz_writes(quizzes_dir, files, result, force)
    _refuse_unwritable(result, force)
    _write_all(writes, courses_dir.parent, result)
    return result


def _require_folders(courses_dir: Path, quizzes_dir: Path | None) -> None:
    """ImportRejected when the courses folder, or the quizzes folder when given, is
    missing."""
    if not courses_dir.is_dir():
        raise ImportRejected(
            _l("Không có thư mục khóa học: %(courses_dir)s", courses_dir=courses_dir),
            [],
        )
    if quizzes_dir is not None and not Path(quizzes_dir).is_dir():
        raise ImportRejected(
            _l("Không có thư mục câu hỏi: %(quizzes_dir)s", quizzes_dir=quizzes_dir), []
        )


def _refuse_unwritable(result: ExportResult, force: bool) -> None:
    """ImportRejected when a question cannot be written to its bank file (even
    with `force`), or on conflicts unless `force`."""
    if result.invalid:  # never written, even with --force: check would refuse them
        raise ImportRejected(
            _nl(
                "%(num)d câu hỏi chưa đủ để ghi ra tệp ngân hàng: chưa ghi tệp nào. "
                "Bổ sung trong trình duyệt rồi xuất lại.",
                "%(num)d câu hỏi chưa đủ để ghi ra tệp ngân hàng: chưa ghi tệp nào. "
                "Bổ sung trong trình duyệt rồi xuất lại.",
                len(result.invalid),
            ),
            result.invalid,
        )
    if result.conflicts and not force:
        raise ImportRejected(
            _nl(
                "%(num)d xung đột: chưa ghi tệp nào. Chạy `flask content sync "
                "--prefer-files` để lấy bản trong tệp, hoặc `flask content export "
                "--force` để ghi đè tệp bằng bản trên trình duyệt.",
                "%(num)d xung đột: chưa ghi tệp nào. Chạy `flask content sync "
                "--prefer-files` để lấy bản trong tệp, hoặc `flask content export "
                "--force` để ghi đè tệp bằng bản trên trình duyệt.",
                len(result.conflicts),
            ),
            result.conflicts,
        )


def _write_all(writes: list[_Write], base: Path, result: ExportResult) -> None:
    """Write every file (its path, relative to `base`, noted in `result`), then
    mark the rows written as synced."""
    for write in writes:
        _write_atomically(write.path, write.text)
        result.written.append(_display(write.path, base))
    for write in writes:
        for row, digest in write.rows:
            row.synced_hash = digest
    db.session.flush()


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".export-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _file_changed(file_hash: str | None, current: str, synced: str) -> bool:
    """The file differs from the database and changed since they last met."""
    return file_hash is not None and file_hash != current and file_hash != synced


def _module_writes(
    root: Path, files: ContentSet, result: ExportResult, force: bool
) -> list[_Write]:
    by_code = {m.code: m for c in files.courses for m in c.modules}
    writes = []
    modules = db.session.scalars(
        select(Module)
        .join(Module.course)
        .where(Module.active.is_(True), Module.current_version_id.is_not(None))
        .options(selectinload(Module.current_version))
        .order_by(Course.code, Module.order)
    )
    for module in modules:
        version = module.current_version
        course_folder = root / module.course.folder
        if not module.course.folder or not course_folder.is_dir():
            result.conflicts.append(
                f"{module.code}: khóa học {module.course.code} không có thư mục trong "
                f"{root}; học phần này chưa được ghi ra tệp"
            )
            continue
        existing = by_code.get(module.code)
        file_hash = content_hash(existing) if existing else None
        if file_hash == version.content_hash:
            result.unchanged += 1
            module.synced_hash = version.content_hash
            continue
        if _file_changed(file_hash, version.content_hash, module.synced_hash):
            result.conflicts.append(
                f"{existing.path}:1: xung đột: tệp đã đổi từ lần đồng bộ trước và "
                f"khác phiên bản {version.number} trên trình duyệt"
            )
            if not force:
                continue
        filename = existing.filename if existing else module.filename
        writes.append(
            _Write(
                course_folder / filename,
                module_text(module_file_of(module, version)),
                [(module, version.content_hash)],
            )
        )
    return writes


def _bank_writes(
    root: Path, files: QuizContent, result: ExportResult, force: bool
) -> list[_Write]:
    by_code = {b.code: b for b in files.banks}
    writes = []
    banks = db.session.scalars(
        select(QuestionBank)
        .options(
            selectinload(QuestionBank.questions).selectinload(Question.current_version)
        )
        .order_by(QuestionBank.code)
    )
    for bank in banks:
        questions = [
            q for q in bank.questions if q.active and q.current_version is not None
        ]
        if not questions:
            continue
        existing = by_code.get(bank.code)
        data = _bank_as_file(bank, questions)
        rows = _question_rows(bank, questions, data, existing, result)
        if existing is not None and _same_bank(existing, data):
            result.unchanged += len(questions)
            for question, digest in rows:
                question.synced_hash = digest
            continue
        # Retired questions leave the file: nothing holds them there any more.
        in_file = {q.code for q in existing.questions} if existing else set()
        rows += [(q, "") for q in bank.questions if not q.active and q.code in in_file]
        path = (
            root.parent / existing.path
            if existing
            else root / BANKS_FOLDER / f"{bank.code.lower()}.md"
        )
        bank.origin = "file"
        writes.append(_Write(path, bank_text(data), rows))
    return writes


def _bank_as_file(bank: QuestionBank, questions: list[Question]) -> BankData:
    """The bank file's content of `bank` with its current `questions`."""
    return BankData(
        bank.code,
        bank.title,
        bank.course_code,
        bank.module_code,
        [version_to_data(q.code, q.current_version, as_file=True) for q in questions],
        exclusive=_groups_within(bank.exclusive or [], {q.code for q in questions}),
    )


def _groups_within(groups: list, codes: set[str]) -> tuple[tuple[str, ...], ...]:
    """The exclusive groups restricted to `codes` (a retired question leaves its
    group; a group left with one question is no group)."""
    kept = (tuple(code for code in group if code in codes) for group in groups)
    return tuple(group for group in kept if len(group) > 1)


def _question_rows(
    bank: QuestionBank,
    questions: list[Question],
    data: BankData,
    existing: BankData | None,
    result: ExportResult,
) -> list:
    """(question, hash as written) for each question of the bank; a question the
    file format cannot hold goes into `result.invalid`, one whose file changed
    since the last sync into `result.conflicts`."""
    in_file = {q.code: q for q in existing.questions} if existing else {}
    rows = []
    for question, as_file in zip(questions, data.questions, strict=True):
        result.invalid += [
            f"{bank.code}/{question.code}: {problem}"
            for problem in question_problems(as_file)
        ]
        digest = question_hash(as_file)
        rows.append((question, digest))
        file_q = in_file.get(question.code)
        file_hash = question_hash(file_q) if file_q else None
        if _file_changed(file_hash, digest, question.synced_hash):
            result.conflicts.append(
                f"{existing.path}:{file_q.line}: xung đột: câu {question.code} "
                "trong tệp đã đổi từ lần đồng bộ trước và khác bản trên trình duyệt"
            )
    return rows


def _same_bank(existing: BankData, data: BankData) -> bool:
    def key(bank: BankData):
        return (
            bank.title,
            bank.course,
            bank.module,
            bank.exclusive,
            [question_hash(q) for q in bank.questions],
        )

    return key(existing) == key(data)


def _quiz_writes(
    root: Path, files: QuizContent, result: ExportResult, force: bool
) -> list[_Write]:
    by_code = {q.code: q for q in files.quizzes}
    writes = []
    for quiz in db.session.scalars(
        select(Quiz).where(Quiz.active.is_(True)).order_by(Quiz.code)
    ):
        data = quiz_data_of(quiz)
        digest = quiz_hash(data)
        existing = by_code.get(quiz.code)
        file_hash = quiz_hash(existing) if existing else None
        if file_hash == digest:
            result.unchanged += 1
            quiz.synced_hash = digest
            continue
        if _file_changed(file_hash, digest, quiz.synced_hash):
            result.conflicts.append(
                f"{existing.path}:{existing.line or 1}: xung đột: bài kiểm tra "
                f"{quiz.code} trong tệp đã đổi từ lần đồng bộ trước và khác bản trên "
                "trình duyệt"
            )
            if not force:
                continue
        path = (
            root.parent / existing.path
            if existing
            else root / f"{quiz.code.lower()}.yml"
        )
        writes.append(_Write(path, quiz_text(data), [(quiz, digest)]))
    return writes
