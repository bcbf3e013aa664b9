"""Version histories: a question's versions and who wrote each version."""

from collections.abc import Iterable

from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.quizzes.models import Question, QuestionVersion


def author_names(versions: Iterable) -> dict[int, str]:
    """{user id: "Full Name (username)"} for the `created_by_id` of `versions` (one
    query). A version without an author came from a file or an import."""
    ids = {v.created_by_id for v in versions if v.created_by_id is not None}
    if not ids:
        return {}
    users = db.session.execute(
        select(User.id, User.full_name, User.username).where(User.id.in_(ids))
    )
    return {id_: f"{name} ({username})" for id_, name, username in users}


def question_versions(question: Question) -> list[QuestionVersion]:
    """The question's versions, newest first."""
    return list(
        db.session.scalars(
            select(QuestionVersion)
            .where(QuestionVersion.question_id == question.id)
            .order_by(QuestionVersion.number.desc())
        )
    )
