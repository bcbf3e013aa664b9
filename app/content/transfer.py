"""Stored questions and quizzes back to QuestionData and QuizData, for export."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.quizzes.models import Question, QuestionBank, QuestionVersion, Quiz
from app.quizzes.questions import (
    TRUEFALSE,
    DrawRule,
    OptionData,
    QuestionData,
    QuizData,
)


def version_to_data(
    code: str,
    version: QuestionVersion,
    as_file: bool = False,
    name: str = "",
    category: str = "",
    idnumber: str = "",
) -> QuestionData:
    """The QuestionData a stored version was made from. `as_file`: as a bank file
    holds it — option weights derived (None), which the file format cannot state."""
    options = version.options
    if version.type == TRUEFALSE:
        by_key = {o["key"]: o for o in options}
        return QuestionData(
            code=code,
            type=TRUEFALSE,
            stem=version.stem_md,
            answer=version.answer,
            explanation=version.explanation_md,
            source=version.source,
            tags=tuple(version.tags),
            feedback_true=by_key["true"]["feedback"],
            feedback_false=by_key["false"]["feedback"],
            name=name,
            category=category,
            idnumber=idnumber,
        )
    return QuestionData(
        code=code,
        type=version.type,
        stem=version.stem_md,
        options=tuple(
            OptionData(
                o["key"],
                o["text"],
                o["correct"],
                None if as_file else o["weight"],
                o["feedback"],
            )
            for o in options
        ),
        explanation=version.explanation_md,
        source=version.source,
        tags=tuple(version.tags),
        name=name,
        category=category,
        idnumber=idnumber,
    )


def bank_questions(bank: QuestionBank) -> list[QuestionData]:
    """The bank's active questions as their current versions stand, by code: two
    queries, however many questions."""
    questions = db.session.scalars(
        select(Question)
        .where(Question.bank_id == bank.id, Question.active.is_(True))
        .order_by(Question.code)
        .options(selectinload(Question.current_version))
    )
    return [
        version_to_data(
            q.code,
            q.current_version,
            name=q.name,
            category=q.category,
            idnumber=q.idnumber,
        )
        for q in questions
        if q.current_version is not None
    ]


def quiz_data_of(quiz: Quiz) -> QuizData:
    """The QuizData a quiz's settings stand for (its file's content)."""
    return QuizData(
        code=quiz.code,
        title=quiz.title,
        course=quiz.course_code,
        time_limit_minutes=quiz.time_limit_seconds // 60,
        pass_percent=quiz.pass_percent,
        attempts_allowed=quiz.attempts_allowed,
        shuffle_questions=quiz.shuffle_questions,
        shuffle_options=quiz.shuffle_options,
        questions_per_page=quiz.questions_per_page,
        review=quiz.review_policy,
        draw=tuple(
            DrawRule(r["count"], r.get("bank"), r.get("tag")) for r in quiz.draw_rules
        ),
        partial_credit=quiz.partial_credit,
    )
