"""Stored questions back to QuestionData, for export."""

from .models import QuestionBank, QuestionVersion
from .questions import TRUEFALSE, OptionData, QuestionData


def version_to_data(code: str, version: QuestionVersion) -> QuestionData:
    """The QuestionData a stored version was made from."""
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
        )
    return QuestionData(
        code=code,
        type=version.type,
        stem=version.stem_md,
        options=tuple(
            OptionData(o["key"], o["text"], o["correct"], o["weight"], o["feedback"])
            for o in options
        ),
        explanation=version.explanation_md,
        source=version.source,
        tags=tuple(version.tags),
    )


def bank_questions(bank: QuestionBank) -> list[QuestionData]:
    return [
        version_to_data(q.code, q.current_version)
        for q in bank.questions
        if q.active and q.current_version is not None
    ]
