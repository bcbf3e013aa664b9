"""Load checked banks and quizzes into the database: a new question version only when
its text changed. Operations flush, never commit."""

import hashlib
import json
import re
from dataclasses import asdict

from sqlalchemy import select

from app.courses.sync import SyncResult, next_version_number, upsert_by_code
from app.extensions import db
from app.markdown import render_markdown

from .models import Question, QuestionBank, QuestionVersion, Quiz
from .questions import (
    BankData,
    QuestionData,
    QuizData,
    effective_options,
    option_weights,
)
from .questions import question_hash as _question_hash

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


def upsert_question(
    bank: QuestionBank, question: QuestionData, result: SyncResult
) -> Question:
    """Create the question or give it a new version when its content changed."""
    digest = _question_hash(question)
    row = db.session.scalar(select(Question).where(Question.code == question.code))
    if row is None:
        row = Question(code=question.code, bank=bank)
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
        **version_fields(question),
    )
    db.session.add(version)
    db.session.flush()
    row.current_version = version
    return row


def get_or_create_bank(code: str, title: str, origin: str = "file") -> QuestionBank:
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.code == code))
    if bank is None:
        bank = QuestionBank(code=code, title=title or code, origin=origin)
        db.session.add(bank)
        db.session.flush()
    return bank


def sync_bank(data: BankData, result: SyncResult) -> QuestionBank:
    bank = get_or_create_bank(data.code, data.title)
    bank.title, bank.origin = data.title, "file"
    bank.course_code, bank.module_code = data.course, data.module
    seen = {q.code for q in data.questions}
    for question in data.questions:
        upsert_question(bank, question, result)
    for question in bank.questions:
        if question.code not in seen and question.active:
            question.active = False
            result.retired.append(question.code)
    return bank


def _quiz_hash(data: QuizData) -> str:
    fields = asdict(data)
    fields.pop("path")
    fields.pop("line")
    encoded = json.dumps(fields, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def sync_quiz(data: QuizData, result: SyncResult) -> Quiz:
    digest = _quiz_hash(data)
    quiz, changed = upsert_by_code(Quiz, data.code, digest, result)
    if not changed:
        return quiz
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
    quiz.content_hash = digest
    quiz.active = True
    db.session.flush()
    return quiz


def sync_quizzes(banks: list[BankData], quizzes: list[QuizData]) -> SyncResult:
    """Bring banks, questions and quizzes in line with the (checked) files."""
    result = SyncResult()
    for bank in banks:
        sync_bank(bank, result)
    for quiz in quizzes:
        sync_quiz(quiz, result)
    return result
