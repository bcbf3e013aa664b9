"""Which campaign a quiz serves now. A later campaign may reuse last year's quiz:
creating it gives the quiz its window, drops the earlier unit windows and sets the
modules to read (services.create_campaign), so the campaign whose window the quiz
has holds them (as services.window_of reads it), else the one that opens last. An
earlier campaign of the same quiz may still be edited, closed or brought up to
date, but only its own columns: never the quiz its successor now runs."""

from sqlalchemy import select

from app.extensions import db
from app.quizzes import services as quizzes

from .models import Campaign


def holder(quiz_code: str) -> Campaign | None:
    """The campaign the quiz `quiz_code` serves now (None: no campaign uses it)."""
    found = list(
        db.session.scalars(
            select(Campaign)
            .where(Campaign.quiz_code == quiz_code)
            .order_by(Campaign.opens_at.desc(), Campaign.id.desc())
        )
    )
    if len(found) < 2:
        return found[0] if found else None
    quiz = quizzes.get_quiz(quiz_code)
    window = (quiz.opens_at, quiz.closes_at)
    return next((c for c in found if (c.opens_at, c.closes_at) == window), found[0])


def holds_its_quiz(campaign: Campaign) -> bool:
    """True unless another campaign runs `campaign`'s quiz now."""
    current = holder(campaign.quiz_code)
    return current is None or current.id == campaign.id
