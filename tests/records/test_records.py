from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.errors import Conflict, InvalidInput, NotAllowed, QuizClosed
from app.extensions import db
from app.quizzes import attempts
from app.records import services as records
from app.records.models import TrainingRecord
from app.timeutil import utcnow
from tests.records.helpers import make_campaign, read_all


def user(username):
    return db.session.scalar(select(User).where(User.username == username))


def record(username):
    return db.session.scalar(
        select(TrainingRecord).join(User).where(User.username == username)
    )


def _pass_quiz(person, now, finish=None):
    attempt = attempts.start_attempt(
        person, attempts.get_quiz("Q"), now, modules_read=True
    )
    for slot in attempt.slots:
        right = [
            i
            for i, k in enumerate(slot.option_order)
            if any(o["key"] == k and o["correct"] for o in slot.version.options)
        ]
        attempts.save_answer(attempt, slot.position, right, now)
    attempts.finalise(attempt, finish or now)
    return attempt


def test_campaign_gives_every_cadre_in_scope_a_record(ctx, tmp_path):
    make_campaign(tmp_path)
    names = {r.user.username for r in db.session.scalars(select(TrainingRecord))}
    assert names == {"in1", "in2"}
    assert record("in1").status == "not_started" and record("in1").modules_total == 3


def test_categories_narrow_the_scope(ctx, tmp_path):
    make_campaign(tmp_path, categories=["vien_chuc"])
    names = {r.user.username for r in db.session.scalars(select(TrainingRecord))}
    assert names == {"in2"}


def test_reading_and_passing_complete_the_record_in_the_same_transaction(ctx, tmp_path):
    campaign, tree = make_campaign(tmp_path)
    now = utcnow()
    person = user("in1")
    read_all(person, now)
    assert record("in1").status == "in_progress" and record("in1").modules_read == 3
    _pass_quiz(person, now + timedelta(minutes=1))
    rec = record("in1")
    assert (rec.status, rec.passed, rec.best_percent) == ("completed", True, 100.0)
    assert rec.completed_at == now + timedelta(minutes=1)
    assert rec.completed_unit_id == tree["D1A"].id
    # a later move keeps the unit of completion and moves the record's current unit
    person.unit_id = tree["D1"].id
    records.ensure_records(campaign)
    db.session.expire_all()
    assert record("in1").completed_unit_id == tree["D1A"].id
    assert record("in1").unit_id == tree["D1"].id


def test_failing_keeps_the_record_in_progress_with_the_best_score(ctx, tmp_path):
    make_campaign(tmp_path)
    now = utcnow()
    person = user("in1")
    read_all(person, now)
    attempt = attempts.start_attempt(person, attempts.get_quiz("Q"), now)
    attempts.finalise(attempt, now)
    rec = record("in1")
    assert (rec.status, rec.passed, rec.best_percent, rec.attempts) == (
        "in_progress",
        False,
        0.0,
        1,
    )


def test_the_quiz_opens_only_inside_the_window(ctx, tmp_path):
    now = utcnow()
    make_campaign(
        tmp_path, opens=now + timedelta(days=1), closes=now + timedelta(days=2)
    )
    person = user("in1")
    read_all(person, now)
    with pytest.raises(QuizClosed):
        attempts.start_attempt(person, attempts.get_quiz("Q"), now)


def test_an_attempt_started_before_the_close_ends_at_the_close_and_counts(
    ctx, tmp_path
):
    now = utcnow()
    campaign, _ = make_campaign(
        tmp_path, opens=now - timedelta(days=1), closes=now + timedelta(minutes=2)
    )
    person = user("in1")
    read_all(person, now)
    attempt = _pass_quiz(person, now)
    assert attempt.deadline_at == campaign.closes_at
    assert record("in1").status == "completed"


def test_an_attempt_finished_at_the_exact_close_counts_and_after_it_cannot_start(
    ctx, tmp_path
):
    now = utcnow()
    campaign, _ = make_campaign(
        tmp_path, opens=now - timedelta(days=1), closes=now + timedelta(minutes=5)
    )
    person = user("in1")
    read_all(person, now)
    attempt = _pass_quiz(
        person, campaign.closes_at - timedelta(minutes=1), finish=campaign.closes_at
    )
    assert attempt.finished_at == campaign.closes_at
    assert record("in1").status == "completed"
    with pytest.raises((QuizClosed, NotAllowed)):
        attempts.start_attempt(
            user("in2"),
            attempts.get_quiz("Q"),
            campaign.closes_at + timedelta(seconds=1),
        )


def test_bad_campaigns_are_refused(ctx, tmp_path):
    campaign, tree = make_campaign(tmp_path)
    now = utcnow()
    with pytest.raises(Conflict):
        records.create_campaign(
            "C2026", "X", 2026, "T", "Q", now, now + timedelta(days=1), [tree["D"]]
        )
    with pytest.raises(InvalidInput):
        records.create_campaign("C2", "X", 2026, "T", "Q", now, now, [tree["D"]])
    with pytest.raises(InvalidInput):
        records.create_campaign(
            "C3", "X", 2026, "T", "Q", now, now + timedelta(days=1), []
        )
    with pytest.raises(InvalidInput):
        records.create_campaign(
            "C4",
            "X",
            2026,
            "T",
            "Q",
            now,
            now + timedelta(days=1),
            [tree["D"]],
            ["king"],
        )


def test_transcript_lists_the_campaign(ctx, tmp_path):
    make_campaign(tmp_path)
    rows = records.transcript(user("in1"))
    assert [r.campaign.code for r in rows] == ["C2026"]
