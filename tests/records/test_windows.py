"""Quiz windows per unit subtree, and campaigns edited and closed in the browser."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.errors import InvalidInput, QuizClosed
from app.extensions import db
from app.quizzes import attempts
from app.quizzes.models import Attempt
from app.quizzes.services import window_for
from app.records import campaigns as running
from app.records import quiz_holder
from app.records import services as records
from app.timeutil import to_vn, utcnow, vn_day_end
from tests.certificates.helpers import pass_quiz, user
from tests.factories import make_user
from tests.records.helpers import closed_but_for_d1, make_campaign, read_all


def _start(username, now=None):
    return attempts.start_attempt(user(username), attempts.get_quiz("Q"), now=now)


def test_the_deepest_unit_window_applies_and_the_others_keep_the_campaigns(
    ctx, tmp_path
):
    campaign, tree = make_campaign(tmp_path)
    now = utcnow()
    running.set_unit_window(campaign, tree["D"], now, now + timedelta(days=20))
    later = now + timedelta(days=7)
    running.set_unit_window(campaign, tree["D1"], later, later + timedelta(days=30))
    quiz = attempts.get_quiz("Q")
    assert window_for(user("in1"), quiz).opens_at == later  # D1A lies in D1
    assert window_for(user("in2"), quiz).opens_at == later  # in D1 itself
    make_user("d", tree["D"])
    assert window_for(user("d"), quiz).closes_at == now + timedelta(days=20)
    assert window_for(user("out"), quiz).closes_at == campaign.closes_at


def test_a_commune_opening_later_cannot_start_yet_and_is_told_when(
    app, client, auth, tmp_path
):
    with app.app_context():
        campaign, tree = make_campaign(tmp_path)
        later = utcnow() + timedelta(days=7)
        running.set_unit_window(campaign, tree["D1"], later, later + timedelta(days=7))
        read_all(user("in1"), utcnow())
        db.session.commit()
        with pytest.raises(QuizClosed, match="Bài kiểm tra mở lúc"):
            _start("in1")
    auth.login("in1")
    when = to_vn(later).strftime("%d/%m/%Y %H:%M")
    home = client.get("/").get_data(as_text=True)
    assert f"mở lúc {when}" in home
    quiz_page = client.get("/quizzes/Q").get_data(as_text=True)
    assert f"Bài kiểm tra mở lúc {when}." in quiz_page
    assert "Bắt đầu làm bài" not in quiz_page


def test_the_deadline_is_the_earlier_of_the_time_limit_and_the_window_close(
    ctx, tmp_path
):
    campaign, tree = make_campaign(tmp_path)
    now = utcnow()
    soon = now + timedelta(minutes=4)  # the quiz's limit is 10 minutes
    running.set_unit_window(campaign, tree["D1"], now - timedelta(days=1), soon)
    for name in ("in1", "out"):
        read_all(user(name), now)
    first = _start("in1", now)
    assert first.deadline_at == soon
    # outside D1 the campaign's window applies: the time limit decides
    assert _start("out", now).deadline_at == now + timedelta(minutes=10)


def test_moving_a_window_refits_the_open_attempts(ctx, tmp_path):
    campaign, tree = make_campaign(tmp_path)
    now = utcnow()
    running.set_unit_window(
        campaign, tree["D1"], now - timedelta(days=1), now + timedelta(minutes=3)
    )
    read_all(user("in1"), now)
    attempt = _start("in1", now)
    assert attempt.deadline_at == now + timedelta(minutes=3)
    running.set_unit_window(
        campaign, tree["D1"], now - timedelta(days=1), now + timedelta(days=3)
    )
    assert attempt.deadline_at == attempt.started_at + timedelta(minutes=10)


def test_extending_a_window_does_not_reopen_an_attempt_whose_time_ran_out(
    ctx, tmp_path
):
    campaign, tree = make_campaign(tmp_path)
    now = utcnow()
    day_ago = now - timedelta(days=1)
    running.set_unit_window(campaign, tree["D1"], day_ago, now - timedelta(minutes=5))
    read_all(user("in1"), now - timedelta(hours=1))
    attempt = _start("in1", now - timedelta(minutes=20))
    ended = attempt.deadline_at  # its 10 minutes, 10 minutes ago; still open
    running.set_unit_window(campaign, tree["D1"], day_ago, now + timedelta(days=3))
    assert attempt.state == "finished" and attempt.deadline_at == ended
    assert attempt.finished_at == ended


def test_after_close_review_waits_for_the_cadres_window_and_every_other(ctx, tmp_path):
    from app.quizzes.presenters import review_for

    campaign, tree = make_campaign(tmp_path)
    quiz = attempts.get_quiz("Q")
    quiz.review_policy = "after_close"
    now = utcnow()
    running.set_unit_window(
        campaign, tree["D1"], now - timedelta(days=2), now + timedelta(hours=1)
    )
    read_all(user("in1"), now)
    attempt = _start("in1", now)
    attempts.finalise(attempt, now)
    assert review_for(attempt, now).answers_later is True
    later = now + timedelta(hours=2)  # D1's window has closed, the campaign's not:
    assert review_for(attempt, later).answers_later is True  # others still sit it
    # and says when: the last window's close (the campaign's here)
    assert review_for(attempt, later).results_at == campaign.closes_at
    after_all = campaign.closes_at + timedelta(minutes=1)
    assert review_for(attempt, after_all).show_answers is True


def test_a_pass_inside_the_units_window_completes_after_the_campaigns_close(
    ctx, tmp_path
):
    now = utcnow()
    campaign, tree = make_campaign(tmp_path, closes=now - timedelta(minutes=1))
    running.set_unit_window(
        campaign, tree["D1"], now - timedelta(days=1), now + timedelta(days=7)
    )
    read_all(user("in1"), now)
    pass_quiz(user("in1"), now)
    record = records.record_for(user("in1"), campaign)
    assert record.status == "completed"


def test_a_cadre_moved_in_while_only_the_units_window_is_open_takes_part(ctx, tmp_path):
    from app.accounts import services as accounts

    now = utcnow()
    campaign, tree = closed_but_for_d1(tmp_path, now)
    assert records.running_campaigns(now) == [campaign]  # for D1's cadres
    assert records.running_campaigns(now + timedelta(days=11)) == []
    accounts.move_user(user("out"), tree["D1A"])  # from C1, outside the campaign
    db.session.commit()
    assert records.record_for(user("out"), campaign) is not None
    read_all(user("out"), now)
    pass_quiz(user("out"), now)
    db.session.commit()
    assert records.record_for(user("out"), campaign).status == "completed"
    # the campaign runs on for D1's cadres only: a cadre joining, or moving into,
    # a unit of its scope whose window has closed takes no part
    joined = accounts.create_user("moi", "Trần Văn Mới", tree["D"])
    moved = make_user("chuyen", tree["C1"])
    accounts.move_user(moved, tree["D"])
    db.session.commit()
    assert records.record_for(joined, campaign) is None
    assert records.record_for(moved, campaign) is None
    # and a cadre of D1 who moves out keeps its record where it was
    accounts.move_user(user("out"), tree["D"])
    db.session.commit()
    assert records.record_for(user("out"), campaign).unit_id == tree["D1A"].id


def test_unit_window_bad_input(ctx, tmp_path):
    campaign, tree = make_campaign(tmp_path)
    now = utcnow()
    with pytest.raises(InvalidInput, match="không thuộc đợt"):
        running.set_unit_window(campaign, tree["C"], now, now + timedelta(days=1))
    with pytest.raises(InvalidInput, match="sau thời điểm mở"):
        running.set_unit_window(campaign, tree["D1"], now, now)
    with pytest.raises(InvalidInput, match="Cần cả"):
        running.set_unit_window(campaign, tree["D1"], now, None)


def _admin_page(app, client, auth, tmp_path):
    with app.app_context():
        campaign, tree = make_campaign(tmp_path)
        make_user("adm", tree["P"], roles=[("admin", None)])
    auth.login("adm")
    return auth.token("/admin/campaigns/C2026")


def test_admin_edits_a_campaign_with_unit_pickers(app, client, auth, tmp_path):
    token = _admin_page(app, client, auth, tmp_path)
    page = client.get("/admin/campaigns/C2026").get_data(as_text=True)
    assert '<datalist id="unit-options">' in page
    assert 'value="Sở Nội vụ — Tỉnh Thử (D)"' in page  # the current target
    assert 'list="unit-options"' in page
    form = {
        "csrf_token": token,
        "title": "Bồi dưỡng 2026 (sửa)",
        "opens_at": "2026-12-01T07:30",
        "closes_at": "2026-12-31T17:00",
        "targets": ["Sở Nội vụ — Tỉnh Thử (D)", "UBND xã Hòa An"],
    }
    done = client.post("/admin/campaigns/C2026", data=form, follow_redirects=True)
    assert "Đã lưu đợt bồi dưỡng." in done.get_data(as_text=True)
    with app.app_context():
        campaign = records.get_campaign("C2026")
        assert campaign.title == "Bồi dưỡng 2026 (sửa)"
        assert to_vn(campaign.opens_at).strftime("%d/%m %H:%M") == "01/12 07:30"
        assert {t.unit.code for t in campaign.targets} == {"D", "C"}
        assert records.record_for(user("out"), campaign) is not None  # newly in
        assert attempts.get_quiz("Q").closes_at == campaign.closes_at
        assert db.session.scalar(
            select(AuditEvent.id).where(AuditEvent.action == "campaign.updated")
        )


def test_an_edit_keeps_the_seconds_of_a_moment_it_sends_back_unchanged(
    app, client, auth, tmp_path
):
    """The form holds minutes: a close at 23:59:59, sent back as 23:59 with only
    the title changed, stays 23:59:59 (it lost its last 59 seconds, and open
    attempts were refitted); one changed on the form is taken as typed."""
    token = _admin_page(app, client, auth, tmp_path)
    with app.app_context():
        campaign = records.get_campaign("C2026")
        campaign.closes_at = vn_day_end(date(2026, 12, 31))
        db.session.commit()
        opens = to_vn(campaign.opens_at).strftime("%Y-%m-%dT%H:%M")
    form = {
        "csrf_token": token,
        "title": "Bồi dưỡng 2026 (tên mới)",
        "opens_at": opens,
        "closes_at": "2026-12-31T23:59",
        "targets": ["Sở Nội vụ — Tỉnh Thử (D)"],
    }
    client.post("/admin/campaigns/C2026", data=form)
    with app.app_context():
        campaign = records.get_campaign("C2026")
        assert campaign.title == "Bồi dưỡng 2026 (tên mới)"
        assert campaign.closes_at == vn_day_end(date(2026, 12, 31))
    client.post(
        "/admin/campaigns/C2026", data={**form, "closes_at": "2026-12-30T23:59"}
    )
    with app.app_context():
        closes = to_vn(records.get_campaign("C2026").closes_at)
        assert (closes.day, closes.hour, closes.minute, closes.second) == (
            30,
            23,
            59,
            0,
        )


@pytest.mark.parametrize(
    "change, message",
    [
        ({"targets": ["Không có đơn vị này"]}, "Không tìm thấy đơn vị"),
        ({"targets": [""]}, "Cần chọn ít nhất một đơn vị."),
        ({"closes_at": "2026-11-01T00:00"}, "Thời điểm đóng phải sau thời điểm mở."),
        ({"title": ""}, "Tên đợt bồi dưỡng"),
        ({"opens_at": "01/12/2026"}, "Mở bài kiểm tra lúc"),
        ({"opens_at": "0001-01-01T00:00"}, "Năm phải từ 2000 đến 2100."),
        ({"targets": ["X"] * 51}, "Tối đa 50 đơn vị."),
    ],
)
def test_campaign_edit_bad_input_changes_nothing(
    app, client, auth, tmp_path, change, message
):
    token = _admin_page(app, client, auth, tmp_path)
    form = {
        "csrf_token": token,
        "title": "Sửa",
        "opens_at": "2026-12-01T07:30",
        "closes_at": "2026-12-31T17:00",
        "targets": ["Sở Nội vụ — Tỉnh Thử (D)"],
        **change,
    }
    page = client.post("/admin/campaigns/C2026", data=form)
    assert message in page.get_data(as_text=True)
    with app.app_context():
        assert records.get_campaign("C2026").title == "Bồi dưỡng năm 2026"
    without_csrf = dict(form, csrf_token="")
    assert client.post("/admin/campaigns/C2026", data=without_csrf).status_code == 400


def test_admin_gives_a_unit_its_own_window_in_the_browser(app, client, auth, tmp_path):
    token = _admin_page(app, client, auth, tmp_path)
    form = {
        "csrf_token": token,
        "unit": "Phòng Công chức — Sở Nội vụ (D1)",
        "opens_at": "2027-01-05T08:00",
        "closes_at": "2027-01-10T17:00",
    }
    page = client.post("/admin/campaigns/C2026/windows", data=form)
    assert page.status_code == 302
    page = client.get("/admin/campaigns/C2026").get_data(as_text=True)
    assert "Phòng Công chức — Sở Nội vụ" in page and "05/01/2027 08:00" in page
    bad = dict(form, unit="Văn phòng xã — UBND xã Hòa An (C1)")  # not a target
    assert "Không tìm thấy đơn vị" in client.post(
        "/admin/campaigns/C2026/windows", data=bad, follow_redirects=True
    ).get_data(as_text=True)
    half = dict(form, closes_at="")
    assert "Cần cả thời điểm mở và thời điểm đóng." in client.post(
        "/admin/campaigns/C2026/windows", data=half, follow_redirects=True
    ).get_data(as_text=True)
    neither = dict(form, opens_at="", closes_at="")  # no "saved" for nothing given
    page = client.post(
        "/admin/campaigns/C2026/windows", data=neither, follow_redirects=True
    ).get_data(as_text=True)
    assert "Cần cả thời điểm mở và thời điểm đóng." in page
    assert "Đã lưu thời gian riêng" not in page
    with app.app_context():
        assert window_for(user("in1"), attempts.get_quiz("Q")).unit_id is not None
    removed = {"csrf_token": token, "unit": form["unit"], "remove": "y"}
    page = client.post(
        "/admin/campaigns/C2026/windows", data=removed, follow_redirects=True
    ).get_data(as_text=True)
    assert "Phòng Công chức theo thời gian chung của đợt." in page
    with app.app_context():
        quiz = attempts.get_quiz("Q")
        assert window_for(user("in1"), quiz).unit_id is None


def test_closing_a_campaign_asks_first_then_ends_the_open_attempts(
    app, client, auth, tmp_path
):
    token = _admin_page(app, client, auth, tmp_path)
    with app.app_context():
        read_all(user("in1"), utcnow())
        attempt_id = _start("in1").id
        db.session.commit()
    page = client.get("/admin/campaigns/C2026").get_data(as_text=True)
    assert "kết thúc 1 lượt đang làm" in page
    unconfirmed = client.post(
        "/admin/campaigns/C2026/close", data={"csrf_token": token}
    )
    assert "Cần xác nhận trước khi đóng đợt." in unconfirmed.get_data(as_text=True)
    shown = client.get("/admin/campaigns/C2026").get_data(as_text=True)
    assert "kết thúc ngay.:" not in unconfirmed.get_data(as_text=True) + shown
    with app.app_context():
        assert records.get_campaign("C2026").closes_at > utcnow()
    done = client.post(
        "/admin/campaigns/C2026/close",
        data={"csrf_token": token, "confirm": "y"},
        follow_redirects=True,
    )
    assert "1 lượt đang làm kết thúc" in done.get_data(as_text=True)
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.deadline_at <= utcnow()
        assert records.get_campaign("C2026").closes_at <= utcnow()
        with pytest.raises(QuizClosed):
            _start("in2")
        with pytest.raises(InvalidInput, match="đã kết thúc"):
            running.close_campaign(records.get_campaign("C2026"))


def test_a_new_campaign_of_the_quiz_drops_the_earlier_campaigns_unit_windows(
    ctx, tmp_path
):
    now = utcnow()
    old, tree = make_campaign(
        tmp_path, opens=now - timedelta(days=400), closes=now - timedelta(days=300)
    )
    running.set_unit_window(
        old, tree["D1"], now - timedelta(days=390), now - timedelta(days=290)
    )
    records.create_campaign(
        "C2027", "Bồi dưỡng năm 2027", 2027, "T", "Q",
        now - timedelta(days=1), now + timedelta(days=30), [tree["D"]],
    )  # fmt: skip
    db.session.commit()
    read_all(user("in1"), now)
    # D1's window of last year's campaign no longer shuts D1 out of this year's
    assert window_for(user("in1"), attempts.get_quiz("Q")).unit_id is None
    assert _start("in1", now).state == "open"


def test_a_pass_this_year_leaves_last_years_record_of_the_same_quiz_alone(
    ctx, tmp_path
):
    from app.quizzes.models import Attempt
    from app.quizzes.services import result_next

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
    pass_quiz(user("in1"), now)
    assert records.record_for(user("in1"), new).status == "completed"
    assert records.record_for(user("in1"), old).status != "completed"
    attempt = db.session.scalar(select(Attempt))
    with ctx.test_request_context():
        assert result_next(user("in1"), attempt, now).certificate is not None
    from app.records.models import Certificate

    (certificate,) = db.session.scalars(select(Certificate)).all()
    assert certificate.campaign_id == new.id


def test_the_result_page_links_a_certificate_earned_in_the_units_later_window(
    ctx, tmp_path
):
    from app.quizzes.models import Attempt
    from app.quizzes.services import result_next

    now = utcnow()
    campaign, tree = make_campaign(tmp_path, closes=now - timedelta(minutes=1))
    running.set_unit_window(
        campaign, tree["D1"], now - timedelta(days=1), now + timedelta(days=7)
    )
    read_all(user("in1"), now)
    pass_quiz(user("in1"), now)
    assert records.record_for(user("in1"), campaign).status == "completed"
    attempt = db.session.scalar(select(Attempt))
    with ctx.test_request_context():
        assert result_next(user("in1"), attempt, now).certificate is not None


def test_closing_when_only_a_units_window_is_open_keeps_the_campaigns_close(
    ctx, tmp_path
):
    now = utcnow()
    closed = now - timedelta(days=2)
    campaign, tree = make_campaign(
        tmp_path, opens=now - timedelta(days=10), closes=closed
    )
    running.set_unit_window(
        campaign, tree["D1"], now - timedelta(days=1), now + timedelta(days=7)
    )
    running.close_campaign(campaign, now=now)
    assert campaign.closes_at == closed  # not moved two days later
    assert attempts.get_quiz("Q").closes_at == closed
    assert window_for(user("in1"), attempts.get_quiz("Q")).closes_at == now


def test_closing_early_removes_a_units_window_not_yet_open(ctx, tmp_path):
    """D1A was to open in a week: closing the campaign now removes that window
    (its cadres go by the window above them, here D1's, closed now), instead of
    leaving one that opened and closed at this moment."""
    now = utcnow()
    campaign, tree = make_campaign(tmp_path, opens=now - timedelta(days=10))
    running.set_unit_window(
        campaign, tree["D1A"], now + timedelta(days=7), now + timedelta(days=14)
    )
    running.set_unit_window(
        campaign, tree["D1"], now - timedelta(days=1), now + timedelta(days=7)
    )
    running.close_campaign(campaign, now=now)
    quiz = attempts.get_quiz("Q")
    assert [w.unit.code for w in running.unit_windows(campaign)] == ["D1"]
    cadre = make_user("d1a", tree["D1A"])
    window = window_for(cadre, quiz)  # D1's, the deepest left over D1A
    assert window.unit_id == tree["D1"].id and window.closes_at == now


def test_last_years_attempts_of_a_reused_quiz_leave_this_years_whole(ctx, tmp_path):
    """Quiz Q served the 2026 campaign, where in1 failed both attempts; the 2027
    campaign reuses it: in1 has both attempts again, numbered after the old ones,
    and a third start in 2027 is refused as before."""
    from app.errors import NotAllowed
    from app.records import learner

    now = utcnow()
    then = now - timedelta(days=350)
    _old, tree = make_campaign(
        tmp_path, opens=now - timedelta(days=400), closes=now - timedelta(days=300)
    )
    read_all(user("in1"), then)
    for _ in range(2):
        attempt = attempts.start_attempt(user("in1"), attempts.get_quiz("Q"), now=then)
        attempts.finalise(attempt, then)  # nothing answered: failed
    db.session.commit()
    records.create_campaign(
        "C2027",
        "Bồi dưỡng năm 2027",
        2027,
        "T",
        "Q",
        now - timedelta(days=1),
        now + timedelta(days=30),
        [tree["D"]],
    )
    db.session.commit()
    quiz = attempts.get_quiz("Q")
    assert attempts.attempts_used(user("in1"), quiz) == 0
    [item] = [
        i for i in learner.campaigns_for(user("in1"), now) if i.campaign.code == "C2027"
    ]
    assert item.attempts_left == 2
    numbers = []
    for _ in range(2):
        attempt = attempts.start_attempt(user("in1"), quiz, now=now)
        numbers.append(attempt.number)
        attempts.finalise(attempt, now)
    db.session.commit()
    assert numbers == [3, 4]
    with pytest.raises(NotAllowed, match="dùng hết 2 lượt"):
        attempts.start_attempt(user("in1"), quiz, now=now)


def test_an_edit_cannot_close_a_running_campaign_without_the_confirmation(
    ctx, tmp_path
):
    """Saving the edit form with a close time already past would end every open
    attempt at once: refused, pointing to "Đóng đợt bồi dưỡng ngay" (preview and
    confirmation). The same for a unit's window. A campaign already closed may
    still be edited."""
    campaign, tree = make_campaign(tmp_path)
    now = utcnow()
    read_all(user("in1"), now)
    attempt = _start("in1", now)
    db.session.commit()
    deadline = attempt.deadline_at
    past = now - timedelta(minutes=1)
    with pytest.raises(InvalidInput, match="1 lượt đang làm bài sẽ kết thúc ngay"):
        running.edit_campaign(
            campaign, campaign.title, campaign.opens_at, past, [tree["D"]]
        )
    db.session.rollback()
    with pytest.raises(InvalidInput, match="Đóng đợt bồi dưỡng ngay"):
        running.set_unit_window(campaign, tree["D1"], campaign.opens_at, past)
    db.session.rollback()
    assert db.session.get(Attempt, attempt.id).deadline_at == deadline
    assert records.get_campaign("C2026").closes_at > now
    # a unit window already over would close the unit now: refused too
    with pytest.raises(InvalidInput, match="Đóng đợt bồi dưỡng ngay"):
        running.set_unit_window(
            campaign, tree["D1"], now - timedelta(days=9), now - timedelta(days=8)
        )
    db.session.rollback()
    # a unit where nobody is sitting the quiz may be closed by its window
    from tests.factories import make_unit

    quiet = make_unit("D2", "Phòng Tổ chức", tree["D"])
    make_user("d2", quiet)
    running.set_unit_window(campaign, quiet, now - timedelta(days=9), past)
    db.session.rollback()
    # a window closed already may still be edited (last year's campaign:
    # test_a_new_campaign_of_the_quiz_drops_the_earlier_campaigns_unit_windows)
    running.close_campaign(campaign, now=now)
    db.session.commit()
    running.edit_campaign(
        campaign, "Đã đóng", campaign.opens_at, now - timedelta(days=1), [tree["D"]]
    )
    assert records.get_campaign("C2026").title == "Đã đóng"


def test_the_close_check_counts_only_the_attempts_the_edit_would_end(ctx, tmp_path):
    """A cadre of a unit with its own window is not ended by the campaign's close:
    moving that close into the past is allowed while only such cadres sit the
    quiz. Removing the unit's window would send them back to the campaign's, now
    over: refused."""
    campaign, tree = make_campaign(tmp_path)
    now = utcnow()
    running.set_unit_window(
        campaign, tree["D1A"], now - timedelta(days=1), now + timedelta(days=5)
    )
    read_all(user("in1"), now)  # in1 sits in D1A
    attempt = _start("in1", now)
    db.session.commit()
    deadline = attempt.deadline_at
    past = now - timedelta(minutes=1)
    running.edit_campaign(
        campaign, campaign.title, campaign.opens_at, past, [tree["D"]]
    )
    db.session.commit()
    assert db.session.get(Attempt, attempt.id).deadline_at == deadline
    with pytest.raises(InvalidInput, match="1 lượt đang làm bài sẽ kết thúc ngay"):
        running.set_unit_window(campaign, tree["D1A"], None, None)
    db.session.rollback()
    assert db.session.get(Attempt, attempt.id).deadline_at == deadline


def test_a_campaign_runs_until_its_close_instant_and_no_more(ctx, tmp_path):
    """quiz_holder.not_closed and running_for_unit go by the window's one rule
    (quizzes.Window): a campaign runs the second before its close, not at it."""
    campaign, tree = make_campaign(tmp_path)
    close = campaign.closes_at
    for at, runs in ((close - timedelta(seconds=1), [campaign]), (close, [])):
        assert quiz_holder.not_closed([campaign], at) == runs
        assert quiz_holder.running_for_unit([campaign], tree["D1A"], at) == runs
