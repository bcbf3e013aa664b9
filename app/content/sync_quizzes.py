"""Load checked banks and quizzes into the database: a new question version only when
its text changed. Operations flush, never commit."""

import hashlib
import json
import re
from dataclasses import asdict, replace

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.markdown import render_markdown
from app.quizzes.models import Question, QuestionBank, QuestionVersion, Quiz
from app.quizzes.questions import (
    BankData,
    QuestionData,
    QuizData,
    effective_options,
    option_weights,
)
from app.quizzes.questions import question_hash as _question_hash

from .sync_rules import (
    CONFLICT,
    KEEP_BROWSER,
    SAME,
    SyncResult,
    next_version_number,
    settle,
    upsert_by_code,
)

_PARAGRAPH = re.compile(r"^<p>(.*)</p>$", re.DOTALL)


def render_inline(text: str) -> str:
    """Sanitised HTML of a one-line Markdown text, without its <p> wrapper."""
    html = render_markdown(text).html.strip()
    match = _PARAGRAPH.match(html)
    return match.group(1) if match else html


def version_fields(question: QuestionData) -> dict:
    """The stored, rendered form of `question` (options with weights and HTML)."""
    options = effective_options(question)
    weights = option_weights(options)
    return {
        "type": question.type,
        "stem_md": question.stem,
        "stem_html": render_markdown(question.stem).html,
        "options": [
            {
                "key": o.key,
                "text": o.text,
                "html": render_inline(o.text),
                "correct": o.correct,
                "weight": weights[o.key],
                "feedback": o.feedback,
                "feedback_html": render_inline(o.feedback) if o.feedback else "",
            }
            for o in options
        ],
        "answer": question.answer,
        "explanation_md": question.explanation,
        "explanation_html": render_markdown(question.explanation).html,
        "source": question.source,
        "tags": list(question.tags),
    }


_LOOK_UP = object()  # upsert_question: the caller did not look the question up


def _moodle_labels(question: QuestionData) -> dict[str, str]:
    """The Moodle name, category and ID number `question` carries, cut to their
    columns (Moodle's own limits); the empty ones left out, so that a file or a
    form without them keeps the stored ones."""
    columns = Question.__table__.c
    labels = {
        key: getattr(question, key)[: columns[key].type.length]
        for key in ("name", "category", "idnumber")
    }
    return {key: value for key, value in labels.items() if value}


def upsert_question(
    bank: QuestionBank,
    question: QuestionData,
    result: SyncResult,
    origin: str = "file",
    created_by_id: int | None = None,
    row: Question | None = _LOOK_UP,
) -> Question:
    """Create the question or give it a new version when its content changed.
    `row`: the question of that code (or None), when the caller has looked it up.
    A question's Moodle name, category and ID number, when `question` has them,
    replace the stored ones. A Moodle file (`origin` "import") carries no source
    (Moodle drops the `// [source:…]` comment of an exported file): the stored one
    is kept."""
    if row is _LOOK_UP:
        row = db.session.scalar(select(Question).where(Question.code == question.code))
    current = row.current_version if row is not None else None
    if origin == "import" and not question.source and current is not None:
        question = replace(question, source=current.source)
    digest = _question_hash(question)
    labels = _moodle_labels(question)
    for key, value in labels.items():
        if row is not None:
            setattr(row, key, value)
    if row is None:
        row = Question(code=question.code, bank=bank, **labels)
        db.session.add(row)
        db.session.flush()
        result.created.append(question.code)
    elif row.current_version is not None and row.current_version.content_hash == digest:
        row.bank, row.active = bank, True
        result.unchanged.append(question.code)
        return row
    else:
        result.updated.append(question.code)
    row.bank, row.active = bank, True
    version = QuestionVersion(
        question_id=row.id,
        number=next_version_number(
            QuestionVersion, QuestionVersion.question_id, row.id
        ),
        content_hash=digest,
        origin=origin,
        created_by_id=created_by_id,
        **version_fields(question),
    )
    db.session.add(version)
    db.session.flush()
    row.current_version = version
    return row


def codes_in_other_banks(bank: QuestionBank, codes: list[str]) -> list[str]:
    """The codes among `codes` that name a question of another bank than `bank`:
    an import into `bank` must not take them (upsert_question would move them,
    out of a bank perhaps drawn by another unit's quiz)."""
    found: list[str] = []
    unique = sorted(set(codes))
    for start in range(0, len(unique), 500):
        found += db.session.scalars(
            select(Question.code).where(
                Question.code.in_(unique[start : start + 500]),
                Question.bank_id != bank.id,
            )
        )
    return sorted(found)


def get_or_create_bank(code: str, title: str, origin: str = "file") -> QuestionBank:
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.code == code))
    if bank is None:
        bank = QuestionBank(code=code, title=title or code, origin=origin)
        db.session.add(bank)
        db.session.flush()
    return bank


def sync_bank(
    data: BankData, result: SyncResult, prefer_files: bool = False
) -> QuestionBank:
    """Bring a bank in line with its file by the three-way rule (see
    app.content.sync_rules.three_way): questions edited in the browser are kept, or
    reported as conflicts when their file changed too."""
    bank = get_or_create_bank(data.code, data.title)
    bank.title, bank.origin = data.title, "file"
    bank.course_code, bank.module_code = data.course, data.module
    bank.exclusive = [list(group) for group in data.exclusive]
    seen = {q.code for q in data.questions}
    rows = {  # one query for the bank's file, not one per question
        q.code: q
        for q in db.session.scalars(
            select(Question)
            .where(Question.code.in_(seen))
            .options(selectinload(Question.current_version))
        )
    }
    for question in data.questions:
        digest = _question_hash(question)
        row = rows.get(question.code)
        if _keeps_database(data, question, row, digest, result, prefer_files):
            continue
        row = upsert_question(bank, question, result, row=row)
        row.synced_hash = digest
    for question in bank.questions:
        # Made in the browser and never exported (no synced_hash): no file yet.
        if question.code not in seen and question.active and question.synced_hash:
            question.active = False
            question.synced_hash = ""  # its file no longer holds it
            result.retired.append(question.code)
    return bank


def _keeps_database(
    data: BankData,
    question: QuestionData,
    row: Question | None,
    digest: str,
    result: SyncResult,
    prefer_files: bool,
) -> bool:
    """Whether the file's `question` must leave the database's `row` as it is: a
    conflict, or a browser edit the file has not seen (each noted in `result`)."""
    if row is None or row.current_version is None:
        return False
    at = (data.path, question.line or 1)
    rule = settle(result, row, digest, prefer_files, at, "câu", row.current_version)
    if rule in (CONFLICT, KEEP_BROWSER):  # KEEP_BROWSER: edited in the browser
        return True
    if rule == SAME and not row.active and row.synced_hash == digest:
        result.kept.append(question.code)  # retired in the browser
        return True
    return False


def quiz_hash(data: QuizData) -> str:
    fields = asdict(data)
    fields.pop("path")
    fields.pop("line")
    encoded = json.dumps(fields, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def sync_quiz(data: QuizData, result: SyncResult, prefer_files: bool = False) -> Quiz:
    digest = quiz_hash(data)
    existing = db.session.scalar(select(Quiz).where(Quiz.code == data.code))
    if existing is not None:
        at = (data.path, data.line or 1)
        rule = settle(result, existing, digest, prefer_files, at, "bài kiểm tra")
        if rule in (CONFLICT, KEEP_BROWSER):
            return existing
    quiz, changed = upsert_by_code(Quiz, data.code, digest, result)
    quiz.synced_hash = digest
    if not changed:
        return quiz
    set_quiz(quiz, data)
    quiz.origin = "file"
    quiz.active = True
    db.session.flush()
    return quiz


def set_quiz(quiz: Quiz, data: QuizData) -> None:
    """Give `quiz` the settings of `data` and its content hash (a file's settings,
    or the browser's: content.quiz_editing)."""
    quiz.title = data.title
    quiz.course_code = data.course
    quiz.time_limit_seconds = data.time_limit_minutes * 60
    quiz.pass_percent = data.pass_percent
    quiz.attempts_allowed = data.attempts_allowed
    quiz.shuffle_questions = data.shuffle_questions
    quiz.shuffle_options = data.shuffle_options
    quiz.questions_per_page = data.questions_per_page
    quiz.review_policy = data.review
    quiz.partial_credit = data.partial_credit
    quiz.draw_rules = [
        {"count": r.count, "bank": r.bank, "tag": r.tag} for r in data.draw
    ]
    quiz.content_hash = quiz_hash(data)


def sync_quizzes(
    banks: list[BankData], quizzes: list[QuizData], prefer_files: bool = False
) -> SyncResult:
    """Bring banks, questions and quizzes in line with the (checked) files; items
    edited in the browser follow the three-way rule (see sync_bank)."""
    result = SyncResult()
    for bank in banks:
        sync_bank(bank, result, prefer_files)
    for quiz in quizzes:
        sync_quiz(quiz, result, prefer_files)
    return result
