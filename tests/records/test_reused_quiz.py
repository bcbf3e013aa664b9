"""A campaign whose quiz a later campaign reuses: last year's campaign may still be
edited, closed or brought up to date, but its quiz's window, unit windows and
required modules now belong to this year's campaign and are left alone."""

from datetime import timedelta

import pytest

from app.errors import InvalidInput
from app.extensions import db
from app.quizzes import attempts
from app.quizzes.models import Attempt
from app.quizzes.services import window_for
from app.records import campaigns as running
from app.records import services as records
from app.timeutil import utcnow
from tests.certificates.helpers import user
from tests.records.helpers import make_campaign, read_all


def _two_years(tmp_path):
    """C2026 (closed 300 days ago) and C2027 (open now) on quiz Q; in1 sits the
    2027 quiz. Returns (old, new, tree, the open attempt)."""
    now = utcnow()
    old, tree = make_campaign(
        tmp_path, opens=now - timedelta(days=400), closes=now - timedelta(days=300)
    )
    new = records.create_campaign(
        "C2027", "Bồi dưỡng năm 2027", 2027, "T", "Q",
        now - timedelta(days=1), now + timedelta(days=30), [tree["D"]],
    )  # fmt: skip
    db.session.commit()
    read_all(user("in1"), now)
    attempt = attempts.start_attempt(user("in1"), attempts.get_quiz("Q"), now=now)
    db.session.commit()
    return old, new, tree, attempt


def test_editing_last_years_campaign_leaves_this_years_quiz_window(ctx, tmp_path):
    old, new, tree, attempt = _two_years(tmp_path)
    deadline = attempt.deadline_at
    running.edit_campaign(
        old, "Bồi dưỡng năm 2026 (sửa tên)", old.opens_at, old.closes_at, [tree["D"]]
    )
    db.session.commit()
    quiz = attempts.get_quiz("Q")
    assert (quiz.opens_at, quiz.closes_at) == (new.opens_at, new.closes_at)
    assert db.session.get(Attempt, attempt.id).deadline_at == deadline
    assert records.get_campaign("C2026").title == "Bồi dưỡng năm 2026 (sửa tên)"


def test_closing_last_years_campaign_ends_no_attempt_of_this_year(ctx, tmp_path):
    old, new, tree, attempt = _two_years(tmp_path)
    now = utcnow()
    running.set_unit_window(
        new, tree["D1"], now - timedelta(days=1), now + timedelta(days=40)
    )
    db.session.commit()
    assert running.close_preview(old).open_attempts == 0
    with pytest.raises(InvalidInput, match="đã kết thúc"):
        running.close_campaign(old, now=now)
    db.session.rollback()
    quiz = attempts.get_quiz("Q")
    assert quiz.closes_at == new.closes_at
    assert window_for(user("in1"), quiz).closes_at > now
    assert db.session.get(Attempt, attempt.id).state == "open"


def test_last_years_campaign_gives_no_unit_window_to_this_years_quiz(ctx, tmp_path):
    old, _new, tree, _attempt = _two_years(tmp_path)
    now = utcnow()
    with pytest.raises(InvalidInput, match="C2027"):
        running.set_unit_window(
            old, tree["D1"], now - timedelta(days=1), now + timedelta(days=2)
        )
    db.session.rollback()
    assert window_for(user("in1"), attempts.get_quiz("Q")).unit_id is None


def test_last_years_required_modules_leave_this_years_quiz(ctx, tmp_path):
    old, _new, _tree, _attempt = _two_years(tmp_path)
    """Updating last year's required modules (all of course T's) does not make
    this year's quiz require modules its campaign does not."""
    new = records.get_campaign("C2027")
    first = new.required_modules[:1]
    new.required_modules = first  # as if T had one module when C2027 began
    attempts.get_quiz("Q").required_modules = first
    old.required_modules = []
    db.session.commit()
    records.require_current_modules(old)
    db.session.commit()
    assert attempts.get_quiz("Q").required_modules == first
    assert len(records.get_campaign("C2026").required_modules) == 3


def test_last_years_page_says_where_the_quiz_went_and_its_edit_keeps_it(
    app, client, auth, tmp_path
):
    from tests.factories import make_user

    with app.app_context():
        _old, new, tree, attempt = _two_years(tmp_path)
        make_user("adm", tree["P"], roles=[("admin", None)])
        new_window, deadline = (new.opens_at, new.closes_at), attempt.deadline_at
        attempt_id = attempt.id
    auth.login("adm")
    page = client.get("/admin/campaigns/C2026").get_data(as_text=True)
    assert "nay dùng cho đợt “Bồi dưỡng năm 2027” (C2027)" in page
    assert 'action="/admin/campaigns/C2026/windows"' not in page
    assert "kết thúc 0 lượt đang làm" in page
    form = {
        "csrf_token": auth.token("/admin/campaigns/C2026"),
        "title": "Bồi dưỡng 2026 (sửa)",
        "opens_at": "2025-01-05T07:30",
        "closes_at": "2025-02-01T17:00",
        "targets": ["Sở Nội vụ — Tỉnh Thử (D)"],
    }
    done = client.post("/admin/campaigns/C2026", data=form, follow_redirects=True)
    assert "Đã lưu đợt bồi dưỡng." in done.get_data(as_text=True)
    with app.app_context():
        quiz = attempts.get_quiz("Q")
        assert (quiz.opens_at, quiz.closes_at) == new_window
        assert db.session.get(Attempt, attempt_id).deadline_at == deadline
    holders_page = client.get("/admin/campaigns/C2027").get_data(as_text=True)
    assert "nay dùng cho đợt" not in holders_page
    assert 'action="/admin/campaigns/C2027/windows"' in holders_page
