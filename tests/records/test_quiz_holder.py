"""One campaign at a time runs a quiz: a campaign is refused the quiz of a campaign
that has not closed yet (its window, or a unit's own window of it, open or still to
open), with nothing written; once that campaign has closed, the quiz may be reused."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.errors import Conflict
from app.extensions import db
from app.quizzes import attempts
from app.quizzes.services import unit_windows, window_for
from app.records import campaigns as running
from app.records import services as records
from app.records.models import Campaign, TrainingRecord
from app.timeutil import format_vn_date, utcnow
from tests.certificates.helpers import user
from tests.factories import make_user
from tests.records.helpers import closed_but_for_d1, make_campaign


def _create_2027(tree, now):
    return records.create_campaign(
        "C2027", "Bồi dưỡng năm 2027", 2027, "T", "Q",
        now + timedelta(days=60), now + timedelta(days=90), [tree["D"]],
    )  # fmt: skip


def _counts() -> tuple[int, int, int]:
    """(campaigns, training records, campaign.created audit events)."""
    created = select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "campaign.created"
    )
    return (
        db.session.scalar(select(func.count(Campaign.id))),
        db.session.scalar(select(func.count(TrainingRecord.id))),
        db.session.scalar(created),
    )


def test_the_quiz_of_a_running_campaign_is_refused_and_nothing_is_written(
    ctx, tmp_path
):
    """C2026 runs on Q with a unit window of D1: C2027 on Q is refused, naming C2026
    and when it closes (the later of its windows), and saying what to do; C2026
    keeps its quiz window, its unit window and the attempts it allows."""
    now = utcnow()
    campaign, tree = make_campaign(tmp_path)
    running.set_unit_window(
        campaign, tree["D1"], now - timedelta(days=1), now + timedelta(days=40)
    )
    db.session.commit()
    before, window = _counts(), (campaign.opens_at, campaign.closes_at)
    closes = format_vn_date(now + timedelta(days=40), with_time=True)
    with pytest.raises(Conflict) as refused:
        _create_2027(tree, now)
    db.session.rollback()
    assert refused.value.message == (
        f"Bài kiểm tra “Q” đang được dùng cho đợt “Bồi dưỡng năm 2026” (C2026), đến "
        f"{closes} mới kết thúc. Hãy chọn bài kiểm tra khác (ví dụ một bản sao của "
        "bài với mã riêng), hoặc tạo đợt này sau khi đợt C2026 đã kết thúc."
    )
    assert _counts() == before
    quiz = attempts.get_quiz("Q")
    assert (quiz.opens_at, quiz.closes_at) == window
    assert [row.unit_id for row in unit_windows(quiz)] == [tree["D1"].id]
    assert window_for(user("in1"), quiz).unit_id == tree["D1"].id
    assert window_for(user("in1"), quiz).holds(now)


def test_a_campaign_still_to_open_keeps_its_quiz(ctx, tmp_path):
    now = utcnow()
    _campaign, tree = make_campaign(
        tmp_path, opens=now + timedelta(days=10), closes=now + timedelta(days=40)
    )
    with pytest.raises(Conflict, match=r"\(C2026\)"):
        _create_2027(tree, now)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Campaign.id))) == 1


def test_a_unit_window_still_open_keeps_the_quiz_until_the_campaign_is_closed(
    ctx, tmp_path
):
    """C2026's own window has ended but D1's runs five more days: still refused,
    with D1's close as the date; closed early (every unit), the quiz is free."""
    now = utcnow()
    campaign, tree = closed_but_for_d1(tmp_path, now, ended_days=1, runs_days=5)
    closes = format_vn_date(now + timedelta(days=5), with_time=True)
    with pytest.raises(Conflict, match=f"đến {closes} mới kết thúc"):
        _create_2027(tree, now)
    db.session.rollback()
    running.close_campaign(records.get_campaign("C2026"))
    db.session.commit()
    new = _create_2027(tree, utcnow())
    db.session.commit()
    quiz = attempts.get_quiz("Q")
    assert (quiz.opens_at, quiz.closes_at) == (new.opens_at, new.closes_at)
    assert unit_windows(quiz) == []


def test_next_years_campaign_reuses_last_years_closed_quiz(ctx, tmp_path):
    """The reuse the rule keeps: C2026 closed 300 days ago; C2027 takes Q, and is
    refused to a third campaign while it runs."""
    now = utcnow()
    old, tree = make_campaign(
        tmp_path, opens=now - timedelta(days=400), closes=now - timedelta(days=300)
    )
    new = records.create_campaign(
        "C2027", "Bồi dưỡng năm 2027", 2027, "T", "Q",
        now - timedelta(days=1), now + timedelta(days=30), [tree["D"]],
    )  # fmt: skip
    db.session.commit()
    quiz = attempts.get_quiz("Q")
    assert (quiz.opens_at, quiz.closes_at) == (new.opens_at, new.closes_at)
    assert records.record_for(user("in1"), old) is not None
    assert records.record_for(user("in1"), new) is not None
    with pytest.raises(Conflict, match=r"“Bồi dưỡng năm 2027” \(C2027\)"):
        records.create_campaign(
            "C2028", "Bồi dưỡng năm 2028", 2028, "T", "Q",
            now, now + timedelta(days=9), [tree["D"]],
        )  # fmt: skip


def test_the_form_refuses_the_quiz_and_the_learner_keeps_the_window(
    app, client, auth, tmp_path
):
    """The issue's walkthrough: the admin creates next year's campaign on the quiz
    of the running one; the page says why, and the learner's quiz page still
    shows C2026's window, with no attempt used up."""
    with app.app_context():
        campaign, tree = make_campaign(tmp_path)
        make_user("adm", tree["P"], roles=[("admin", None)])
        closes = format_vn_date(campaign.closes_at, with_time=True)
    auth.login("adm")
    form = {
        "csrf_token": auth.token("/admin/campaigns"),
        "code": "C2027",
        "title": "Bồi dưỡng năm 2027",
        "year": "2027",
        "course_code": "T",
        "quiz_code": "Q",
        "opens_at": "2027-03-01T00:00",
        "closes_at": "2027-10-31T23:59",
        "targets": ["Sở Nội vụ — Tỉnh Thử (D)"],
    }
    page = client.post("/admin/campaigns", data=form).get_data(as_text=True)
    assert f"(C2026), đến {closes} mới kết thúc." in page
    assert "Đã tạo đợt bồi dưỡng" not in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Campaign.id))) == 1
    auth.login("in1")
    quiz_page = client.get("/quizzes/Q").get_data(as_text=True)
    assert "01/03/2027" not in quiz_page and f"<dd>{closes}</dd>" in quiz_page
    assert "đã dùng 0 / 2" in quiz_page
