"""What a trainer sees on the authoring home: courses with their modules, banks with
their question counts, quizzes — only what lies in the trainer's scope."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.courses.models import Course, Module, ModuleDraft
from app.extensions import db
from app.quizzes.models import Question, QuestionBank, Quiz

from .scope import scoped


@dataclass
class Overview:
    courses: list[Course]
    drafts: set[int]  # module ids with an unpublished draft
    banks: list[tuple[QuestionBank, int]]  # bank, active questions
    quizzes: list[Quiz]


def overview(user: User) -> Overview:
    courses = list(
        db.session.scalars(
            scoped(Course, user)
            .options(selectinload(Course.modules).selectinload(Module.current_version))
            .order_by(Course.title)
        )
    )
    module_ids = [m.id for c in courses for m in c.modules]
    drafts = set(
        db.session.scalars(
            select(ModuleDraft.module_id).where(ModuleDraft.module_id.in_(module_ids))
        )
    )
    counts = (
        select(Question.bank_id, func.count(Question.id).label("n"))
        .where(Question.active.is_(True))
        .group_by(Question.bank_id)
        .subquery()
    )
    banks = [
        (bank, n or 0)
        for bank, n in db.session.execute(
            scoped(QuestionBank, user)
            .add_columns(counts.c.n)
            .outerjoin(counts, counts.c.bank_id == QuestionBank.id)
            .order_by(QuestionBank.code)
        )
    ]
    quizzes = list(db.session.scalars(scoped(Quiz, user).order_by(Quiz.code)))
    return Overview(courses, drafts, banks, quizzes)


def adopt_unowned(unit) -> int:
    """Give every course, bank and quiz without an owner to `unit`; the count."""
    adopted = 0
    for model in (Course, QuestionBank, Quiz):
        rows = db.session.scalars(select(model).where(model.owner_unit_id.is_(None)))
        for row in rows:
            row.owner_unit_id = unit.id
            adopted += 1
    db.session.flush()
    return adopted
