"""Which content a trainer may author: courses, banks and quizzes owned by a unit in
the trainer's subtree. Content without an owner is the administrator's alone."""

from sqlalchemy import ColumnElement, Select, false, select, true

from app.accounts.models import Unit, User
from app.accounts.permissions import scope_paths
from app.errors import NotFound
from app.extensions import db

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
        raise NotFound("Không tìm thấy nội dung này trong phạm vi biên soạn của bạn.")
    return row


def owner_units(user: User) -> list[Unit]:
    """Units the user may make owner of new content: the roots of its trainer scope
    (every root unit for an administrator)."""
    if user.has_role("admin"):
        return list(db.session.scalars(select(Unit).where(Unit.parent_id.is_(None))))
    return [a.unit for a in user.roles if a.role in AUTHOR_ROLES and a.unit]
