from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.errors import Conflict, InvalidInput, NotAllowed, QuizClosed
from app.extensions import db
from app.quizzes import attempts
from app.records import learner
from app.records import services as records
from app.records.models import TrainingRecord
from app.timeutil import utcnow
from tests.factories import make_user
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
    rows = learner.transcript(user("in1"))
    assert [r.campaign.code for r in rows] == ["C2026"]


# --- Records that are always there and never go backwards ---------------------------


def test_a_cadre_created_after_the_campaign_gets_a_record(app, runner, tmp_path):
    with app.app_context():
        make_campaign(tmp_path)
        db.session.commit()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--username",
            "moi",
            "--password",
            "Passw0rd!",
            "--full-name",
            "Đinh Văn Mới",
            "--unit",
            "D1",
            "--role",
            "learner",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert record("moi") is not None and record("moi").status == "not_started"
        now = utcnow()
        read_all(user("moi"), now)
        _pass_quiz(user("moi"), now + timedelta(minutes=1))
        db.session.commit()
        assert record("moi").status == "completed"


def test_a_cadre_moved_or_reactivated_into_the_scope_gets_a_record(ctx, tmp_path):
    from app.accounts import services as accounts

    campaign, tree = make_campaign(tmp_path)
    outsider = user("out")  # C1: outside the campaign's subtree D
    assert record("out") is None
    accounts.move_user(outsider, tree["D1"])
    assert records.record_for(outsider, campaign) is not None
    sleeper = make_user("ngu", tree["D1A"])
    db.session.delete(records.record_for(sleeper, campaign))
    accounts.set_active(sleeper, False)
    accounts.set_active(sleeper, True)
    assert records.record_for(sleeper, campaign) is not None


def test_a_cadre_whose_category_changes_into_the_scope_gets_a_record(ctx, tmp_path):
    """A campaign for viên chức: a cadre who becomes one gets a record at once
    (`flask users move --category`), or on the day a dated change comes
    (`flask units apply-due`)."""
    from app.accounts import history
    from app.accounts import services as accounts

    campaign, _tree = make_campaign(tmp_path, categories=["vien_chuc"])
    assert records.record_for(user("in1"), campaign) is None
    accounts.reassign(user("in1"), category="vien_chuc")
    assert records.record_for(user("in1"), campaign) is not None
    later = make_user("sau", user("in1").unit)
    assert records.record_for(later, campaign) is None
    tomorrow = history.vn_today() + timedelta(days=1)
    accounts.reassign(later, category="vien_chuc", effective=tomorrow)
    assert records.record_for(later, campaign) is None  # not yet
    history.apply_due(tomorrow)
    assert records.record_for(later, campaign) is not None


def test_a_closed_campaign_takes_no_new_cadre(ctx, tmp_path):
    now = utcnow()
    campaign, tree = make_campaign(
        tmp_path, opens=now - timedelta(days=60), closes=now - timedelta(days=1)
    )
    late = make_user("tre", tree["D1"])
    assert records.record_for(late, campaign) is None


def test_completion_never_goes_back_when_a_module_is_published(ctx, tmp_path):
    from app.content.modules import load_content
    from app.content.sync_courses import sync_content, url_builders
    from app.records.models import Certificate
    from tests.courses.content import write_module

    campaign, tree = make_campaign(tmp_path)
    now = utcnow()
    read_all(user("in1"), now)
    _pass_quiz(user("in1"), now + timedelta(minutes=1))
    read_all(user("in2"), now)  # read everything, not yet passed
    in5 = make_user("in5", tree["D1A"])
    read_all(in5, now)  # the three modules; will not pass before the change
    db.session.commit()
    assert record("in1").status == "completed"
    write_module(tmp_path / "khoa-thu", 4, title="Học phần mới")
    sync_content(load_content(tmp_path), *url_builders())
    for record_ in db.session.scalars(select(TrainingRecord)):
        records.refresh_record(record_)  # as any later event (an import) does
    _pass_quiz(user("in2"), now + timedelta(minutes=2))
    db.session.commit()
    # the campaign still requires the modules it had: both are completed
    assert record("in1").status == record("in2").status == "completed"
    assert db.session.scalar(
        select(Certificate).where(Certificate.revoked_at.is_(None))
    )
    assert record("in5").modules_total == 3 and record("in5").modules_read == 3
    from app.quizzes import services as quizzes

    quiz = attempts.get_quiz("Q")
    assert quizzes.modules_read_for(user("in5"), quiz)  # the quiz opens on the 3
    # the change of requirement is explicit and audited; completions stay
    added = records.require_current_modules(campaign)
    db.session.commit()
    assert added and record("in1").status == "completed"
    assert record("in5").status == "in_progress"
    assert record("in5").modules_read == record("in5").modules_total - 1
    assert not quizzes.modules_read_for(user("in5"), quiz)  # now the 4th too
    assert record("in1").modules_total == 3  # a completed record keeps its counts
    from app.audit.models import AuditEvent

    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "campaign.modules_required")
    )
    assert event is not None


def test_campaigns_require_modules_cli(app, runner, tmp_path):
    with app.app_context():
        make_campaign(tmp_path)
        db.session.commit()
    same = runner.invoke(args=["campaigns", "require-modules", "C2026"])
    assert same.exit_code == 0 and "đã yêu cầu đủ" in same.output
    unknown = runner.invoke(args=["campaigns", "require-modules", "KHONG"])
    assert unknown.exit_code != 0 and "Không có đợt bồi dưỡng" in unknown.output


def test_a_unit_moved_or_merged_into_the_scope_brings_its_cadres_records(ctx, tmp_path):
    from app.accounts import units

    campaign, tree = make_campaign(tmp_path)  # scope: subtree D; "out" works in C1
    assert record("out") is None
    units.move_unit(tree["C1"], tree["D"])  # C1 and its cadres now lie under D
    assert record("out") is not None and record("out").unit_id == tree["C1"].id
    late = make_user("tre", tree["C"], full_name="Mai Văn Muộn")
    assert records.record_for(late, campaign) is None
    units.merge_unit(tree["C"], tree["D1"])  # C's cadres move to D1
    assert records.record_for(late, campaign).unit_id == tree["D1"].id


def test_a_contest_round_is_no_campaign_quiz(ctx, tmp_path, client):
    """A sealed quiz (a contest round) keeps its window and results to itself: no
    campaign may take it, and the campaign form does not offer it."""
    campaign, tree = make_campaign(tmp_path)
    quiz = attempts.get_quiz("Q")
    quiz.sealed = True
    db.session.commit()
    now = utcnow()
    with pytest.raises(InvalidInput, match="cuộc thi"):
        records.create_campaign(
            "C5", "X", 2026, "T", "Q", now, now + timedelta(days=1), [tree["D"]]
        )
    from app.records.views import _create_form

    with client.application.test_request_context():
        assert "Q" not in [code for code, _ in _create_form().quiz_code.choices]
