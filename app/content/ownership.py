"""Who owns content and who may author it: courses, banks and quizzes owned by a unit
in a trainer's subtree are the trainer's to edit; content without an owner is the
administrator's alone (until `adopt_unowned` gives it an owner). Also what the
authoring home lists for a user: everything in its scope."""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, false, func, select, true
from sqlalchemy.orm import selectinload

from app.accounts.models import Unit, User
from app.accounts.permissions import scope_paths
from app.courses.models import Course, Module, ModuleDraft
from app.errors import NotFound
from app.errors import lazy_gettext as _l
from app.extensions import db
from app.quizzes.models import Question, QuestionBank, Quiz

AUTHOR_ROLES = ("trainer",)


def owned_condition(model, user: User) -> ColumnElement[bool]:
    """SQL condition: `model` (Course, QuestionBank or Quiz) is in `user`'s scope."""
    paths = scope_paths(user, *AUTHOR_ROLES)
    if paths is None:
        return true()
    if not paths:
        return false()
    units = select(Unit.id).where(Unit.in_subtrees(paths))
    return model.owner_unit_id.in_(units)


def scoped(model, user: User) -> Select:
    """The rows of `model` the user may author, as a query."""
    return select(model).where(owned_condition(model, user))


def get_owned(model, user: User, **by):
    """The one row of `model` matching `by` (e.g. code=…) in the user's scope, else
    NotFound: content outside the scope is answered as if it did not exist."""
    query = scoped(model, user).filter_by(**by)
    row = db.session.scalar(query)
    if row is None:
        raise NotFound(
            _l("Không tìm thấy nội dung này trong phạm vi biên soạn của bạn.")
        )
    return row


def owner_units(user: User) -> list[Unit]:
    """Units the user may make owner of new content: the roots of its trainer scope
    (every root unit for an administrator)."""
    if user.has_role("admin"):
        return list(db.session.scalars(select(Unit).where(Unit.parent_id.is_(None))))
    return [a.unit for a in user.roles if a.role in AUTHOR_ROLES and a.unit]


def owned_course(user: User, code: str) -> Course:
    return get_owned(Course, user, code=code)


def owned_quiz(user: User, code: str) -> Quiz:
    return get_owned(Quiz, user, code=code)


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
