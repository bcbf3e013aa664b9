"""The records' side of the platform's signals: a module read or an attempt
finished judges the cadre's records again; a cadre who joins, moves or changes
category gets the records of the running campaigns it is now in; the admin page
of an ended unit asks which campaign its reports of its last day open; the quizzes
ask when the latest campaign on a quiz was created (an accommodation granted
before has lapsed).
Registered by create_app (app.SIGNAL_RECEIVERS)."""

from sqlalchemy import update

from app.accounts.models import User
from app.extensions import db
from app.signals import (
    attempt_finished,
    cadres_changed,
    module_read,
    quiz_campaigns_asked,
    unit_campaign_asked,
    user_joined,
    user_moved,
    user_recategorised,
)

from .campaigns import campaign_on
from .models import TrainingRecord
from .quiz_holder import latest_created
from .services import (
    ensure_records,
    ensure_user_records,
    records_of,
    refresh_record,
    running_campaigns,
    running_for,
    window_of,
)


@module_read.connect
def _on_module_read(progress, user, module, now, **_):
    """Reading counts for the campaigns still running for this cadre; a closed
    campaign's record (last year's, of the same course) stays as it closed."""
    for record in records_of(user, course_code=module.course.code):
        if not window_of(user, record.campaign).has_closed(now):
            refresh_record(record)


@user_joined.connect  # a new or reactivated cadre
@user_recategorised.connect  # now of a category a campaign is for
def _on_user_in_scope(user, **_):
    ensure_user_records(user)


@user_moved.connect
def _on_user_moved(user, **_):
    """The records of campaigns running for the cadre in its new unit
    (running_for) follow it; a closed campaign's keep the unit they closed in (its
    reports are history), as do those of a campaign running on only for a unit
    whose own window closes later, when the cadre moves elsewhere."""
    running = [c.id for c in running_for(user)]
    db.session.execute(
        update(TrainingRecord)
        .where(
            TrainingRecord.user_id == user.id, TrainingRecord.campaign_id.in_(running)
        )
        .values(unit_id=user.unit_id)
        .execution_options(synchronize_session=False)
    )
    ensure_user_records(user)  # moved into a campaign's scope


@cadres_changed.connect
def _on_cadres_changed(root, **_):
    """New cadres, and cadres moved or reactivated, may now be in a campaign: of
    those it runs for (running_for, as a cadre joining or moving one at a time)."""
    for campaign in running_campaigns():
        ensure_records(campaign, only_running=True)


@attempt_finished.connect
def _on_attempt_finished(attempt, **_):
    if attempt.preview:
        return
    user = db.session.get(User, attempt.user_id)
    for record in records_of(user, quiz_code=attempt.quiz.code):
        refresh_record(record)


@unit_campaign_asked.connect
def _on_unit_campaign_asked(unit, day, **_):
    campaign = campaign_on(unit, day)
    return campaign.code if campaign else None


@quiz_campaigns_asked.connect
def _on_quiz_campaigns_asked(quiz_codes, **_):
    return latest_created(quiz_codes)
