"""Which campaign a quiz serves now. A later campaign may reuse last year's quiz:
creating it gives the quiz its window, drops the earlier unit windows and sets the
modules to read (services.create_campaign), so the newest campaign of a quiz holds
them. An earlier campaign of the same quiz may still be edited, closed or brought up
to date, but only its own columns: never the quiz its successor now runs."""

from sqlalchemy import select

from app.extensions import db

from .models import Campaign


def holder(quiz_code: str) -> Campaign | None:
    """The newest campaign of the quiz `quiz_code` (None: no campaign uses it)."""
    return db.session.scalar(
        select(Campaign)
        .where(Campaign.quiz_code == quiz_code)
        .order_by(Campaign.id.desc())
        .limit(1)
    )


def holds_its_quiz(campaign: Campaign) -> bool:
    """True unless a later campaign has taken `campaign`'s quiz."""
    newest = holder(campaign.quiz_code)
    return newest is None or newest.id == campaign.id
