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
from app.timeutil import to_vn, utcnow
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
    this year's quiz require modules its campaign does not: last year's campaign
    has closed, so the update is refused and changes nothing."""
    new = records.get_campaign("C2027")
    first = new.required_modules[:1]
    new.required_modules = first  # as if T had one module when C2027 began
    attempts.get_quiz("Q").required_modules = first
    old.required_modules = []
    db.session.commit()
    with pytest.raises(InvalidInput, match="đã chốt"):
        records.require_current_modules(old)
    db.session.rollback()
    assert attempts.get_quiz("Q").required_modules == first
    assert records.get_campaign("C2026").required_modules == []


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
    assert "hiện được dùng cho đợt “Bồi dưỡng năm 2027” (C2027)" in page
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
    assert "hiện được dùng cho đợt" not in holders_page
    assert 'action="/admin/campaigns/C2027/windows"' in holders_page


def _campaign_blocks(page: str) -> dict[str, str]:
    """The home page's campaign blocks, by title."""
    blocks = page.split('<div class="campaign">')[1:]
    return {b.split("<h3>")[1].split("</h3>")[0]: b for b in blocks}


def test_last_years_campaign_keeps_its_own_standing_on_home_and_transcript(
    app, client, auth, tmp_path
):
    """in1 failed last year's quiz in its window; this year's attempt of the same
    quiz is open: last year's campaign says it was failed and is over, with no way
    into this year's attempt; this year's says "Đang làm"."""
    with app.app_context():
        now = utcnow()
        then = now - timedelta(days=350)
        old, tree = make_campaign(
            tmp_path, opens=now - timedelta(days=400), closes=now - timedelta(days=300)
        )
        read_all(user("in1"), then)
        failed = attempts.start_attempt(user("in1"), attempts.get_quiz("Q"), now=then)
        attempts.finalise(failed, then)
        db.session.commit()
        records.create_campaign(
            "C2027", "Bồi dưỡng năm 2027", 2027, "T", "Q",
            now - timedelta(days=1), now + timedelta(days=30), [tree["D"]],
        )  # fmt: skip
        db.session.commit()
        attempt = attempts.start_attempt(user("in1"), attempts.get_quiz("Q"), now=now)
        db.session.commit()
        open_id = attempt.id
    auth.login("in1")
    blocks = _campaign_blocks(client.get("/").get_data(as_text=True))
    last_year, this_year = blocks["Bồi dưỡng năm 2026"], blocks["Bồi dưỡng năm 2027"]
    assert "Chưa đạt, đã hết hạn làm bài" in last_year
    assert "Đang làm" not in last_year and f"/attempts/{open_id}" not in last_year
    assert "Đang làm" in this_year and f"/attempts/{open_id}" in this_year
    transcript = client.get("/transcript").get_data(as_text=True)
    assert transcript.count("Đã kết thúc — chưa hoàn thành") == 1  # last year's
    with app.app_context():  # this year's attempt, finished, is not last year's
        attempts.finalise(db.session.get(Attempt, open_id), utcnow())
        db.session.commit()
        for code in ("C2026", "C2027"):
            record = records.record_for(user("in1"), records.get_campaign(code))
            assert record.attempts == 1, code


def test_a_closed_campaign_failed_says_so_not_attempts_left(
    app, client, auth, tmp_path
):
    with app.app_context():
        now = utcnow()
        campaign, _tree = make_campaign(tmp_path)
        read_all(user("in1"), now)
        failed = attempts.start_attempt(user("in1"), attempts.get_quiz("Q"), now=now)
        attempts.finalise(failed, now)
        running.close_campaign(campaign, now=now)
        db.session.commit()
    auth.login("in1")
    home = client.get("/").get_data(as_text=True)
    assert "Chưa đạt, đã hết hạn làm bài" in home and "Chưa đạt, còn" not in home
    assert "Làm lại bài kiểm tra" not in home
    transcript = client.get("/transcript").get_data(as_text=True)
    assert (
        "Đã kết thúc — chưa hoàn thành" in transcript
        and "Chưa đạt, còn" not in transcript
    )


def test_an_earlier_years_campaign_added_later_does_not_take_the_quiz(ctx, tmp_path):
    """History written afterwards (as the demo writes 2024's campaign after 2026's):
    the quiz still runs this year's campaign, whose unit windows and edits apply;
    the earlier one, added later, is not the quiz's."""
    from app.records.models import Campaign, CampaignTarget
    from app.records.quiz_holder import holder

    now = utcnow()
    current, tree = make_campaign(tmp_path)
    earlier = Campaign(
        code="C2024", title="Bồi dưỡng năm 2024", year=2024, course_code="T",
        quiz_code="Q", opens_at=now - timedelta(days=700),
        closes_at=now - timedelta(days=600), required_modules=[],
    )  # fmt: skip
    earlier.targets = [CampaignTarget(unit_id=tree["D"].id)]
    db.session.add(earlier)
    db.session.commit()
    assert holder("Q").code == "C2026"
    running.set_unit_window(
        current, tree["D1"], now - timedelta(days=1), now + timedelta(days=3)
    )
    db.session.commit()
    assert window_for(user("in2"), attempts.get_quiz("Q")).unit_id == tree["D1"].id
    with pytest.raises(InvalidInput, match="C2026"):
        running.set_unit_window(
            earlier, tree["D1"], now - timedelta(days=1), now + timedelta(days=3)
        )


def test_last_years_campaign_of_a_merged_unit_can_still_be_saved(
    app, client, auth, tmp_path
):
    """Its target is no longer active (merged away): the edit form shows it and
    saves it back; an inactive unit that is not a target is still refused."""
    from tests.factories import make_user

    with app.app_context():
        _old, _new, tree, _attempt = _two_years(tmp_path)
        make_user("adm", tree["P"], roles=[("admin", None)])
        tree["D"].active = False
        tree["C"].active = False
        db.session.commit()
    auth.login("adm")
    page = client.get("/admin/campaigns/C2026").get_data(as_text=True)
    assert 'value="Sở Nội vụ — Tỉnh Thử (D)"' in page
    form = {
        "csrf_token": auth.token("/admin/campaigns/C2026"),
        "title": "Bồi dưỡng 2026 (sửa tên)",
        "opens_at": "2025-01-05T07:30",
        "closes_at": "2025-02-01T17:00",
        "targets": ["Sở Nội vụ — Tỉnh Thử (D)"],
    }
    done = client.post("/admin/campaigns/C2026", data=form, follow_redirects=True)
    assert "Đã lưu đợt bồi dưỡng." in done.get_data(as_text=True)
    other = dict(form, targets=["Sở Nội vụ — Tỉnh Thử (D)", "UBND xã Hòa An (C)"])
    refused = client.post("/admin/campaigns/C2026", data=other)
    assert "Không tìm thấy đơn vị “UBND xã Hòa An (C)”" in refused.get_data(
        as_text=True
    )
    with app.app_context():
        campaign = records.get_campaign("C2026")
        assert campaign.title == "Bồi dưỡng 2026 (sửa tên)"
        assert [t.unit.code for t in campaign.targets] == ["D"]


def test_hr_sees_under_each_campaign_only_its_own_attempts(app, client, auth, tmp_path):
    """The cadre's report page for last year's campaign lists last year's attempt,
    not this year's of the same quiz, and the other way round."""
    from tests.factories import make_user

    with app.app_context():
        now = utcnow()
        then = now - timedelta(days=350)
        _old, tree = make_campaign(
            tmp_path, opens=now - timedelta(days=400), closes=now - timedelta(days=300)
        )
        read_all(user("in1"), then)
        failed = attempts.start_attempt(user("in1"), attempts.get_quiz("Q"), now=then)
        attempts.finalise(failed, then)
        db.session.commit()
        records.create_campaign(
            "C2027", "Bồi dưỡng năm 2027", 2027, "T", "Q",
            now - timedelta(days=1), now + timedelta(days=30), [tree["D"]],
        )  # fmt: skip
        attempts.start_attempt(user("in1"), attempts.get_quiz("Q"), now=now)
        make_user("hr_d", tree["P"], roles=[("hr", tree["D"]), ("learner", None)])
        db.session.commit()
        in1 = user("in1").id
        then_text = to_vn(then).strftime("%d/%m/%Y %H:%M")
        now_text = to_vn(now).strftime("%d/%m/%Y %H:%M")
    auth.login("hr_d")

    def attempts_table(code: str) -> str:
        page = client.get(f"/reports/cadres/{in1}?campaign={code}")
        return page.get_data(as_text=True).split("Các lần làm bài kiểm tra")[1]

    last_year, this_year = attempts_table("C2026"), attempts_table("C2027")
    assert then_text in last_year and now_text not in last_year
    assert now_text in this_year and then_text not in this_year


def test_a_completed_record_without_its_attempts_says_passed(
    app, client, auth, tmp_path
):
    """History written from an older system (the demo's 2024 campaign): completed,
    no attempt kept, so no pass or score on the record. Its closed campaign says
    "Đạt", never "Chưa đạt" beside "Đã hoàn thành", and the page is whole."""
    from app.records.models import COMPLETED

    with app.app_context():
        now = utcnow()
        old, _tree = make_campaign(
            tmp_path, opens=now - timedelta(days=400), closes=now - timedelta(days=300)
        )
        record = records.record_for(user("in1"), old)
        record.status, record.completed_at = COMPLETED, now - timedelta(days=350)
        record.attempts, record.passed, record.best_percent = 1, False, None
        db.session.commit()
    auth.login("in1")
    page = client.get("/")
    block = _campaign_blocks(page.get_data(as_text=True))["Bồi dưỡng năm 2026"]
    assert page.status_code == 200
    assert "✓ Đạt</span>" in block and "Chưa đạt" not in block


def test_last_years_campaign_cannot_be_reopened_once_its_quiz_is_reused(ctx, tmp_path):
    """Its cadres could not take the quiz (it keeps this year's window): a close
    still ahead is refused, nothing changes; its past window may still be edited."""
    old, new, tree, _attempt = _two_years(tmp_path)
    now = utcnow()
    closes = old.closes_at
    with pytest.raises(InvalidInput, match="không mở lại đợt này được"):
        running.edit_campaign(
            old, old.title, now - timedelta(days=1), now + timedelta(days=10),
            [tree["D"]],
        )  # fmt: skip
    db.session.rollback()
    assert records.get_campaign("C2026").closes_at == closes
    assert records.get_campaign("C2026") not in records.running_campaigns()
    running.edit_campaign(old, "Năm 2026", old.opens_at, closes, [tree["D"]])
    db.session.commit()
    assert records.get_campaign("C2026").title == "Năm 2026"


def test_the_quiz_page_shows_this_years_best_not_last_years(
    app, client, auth, tmp_path
):
    """in1 passed the quiz with every answer right in last year's campaign; this
    year's campaign reuses it: the quiz page lists last year's attempt among those
    taken, but its best result is this year's alone (none before this year's
    first attempt, then that one's)."""
    with app.app_context():
        now = utcnow()
        then = now - timedelta(days=350)
        _old, tree = make_campaign(
            tmp_path, opens=now - timedelta(days=400), closes=now - timedelta(days=300)
        )
        read_all(user("in1"), then)
        last_year = attempts.start_attempt(
            user("in1"), attempts.get_quiz("Q"), now=then
        )
        for slot in last_year.slots:
            options = {o["key"]: o for o in slot.version.options}
            right = [
                i for i, k in enumerate(slot.option_order) if options[k]["correct"]
            ]
            attempts.save_answer(last_year, slot.position, right, now=then)
        attempts.finalise(last_year, then)
        records.create_campaign(
            "C2027", "Bồi dưỡng năm 2027", 2027, "T", "Q",
            now - timedelta(days=1), now + timedelta(days=30), [tree["D"]],
        )  # fmt: skip
        db.session.commit()
        assert last_year.percent == 100.0
    auth.login("in1")
    page = client.get("/quizzes/Q").get_data(as_text=True)
    assert "Lượt đã làm" in page and "Kết quả tốt nhất" not in page
    with app.app_context():
        this_year = attempts.start_attempt(user("in1"), attempts.get_quiz("Q"))
        attempts.finalise(this_year)
        db.session.commit()
    page = client.get("/quizzes/Q").get_data(as_text=True)
    assert "<dt>Kết quả tốt nhất</dt><dd>0\u00a0% — Chưa đạt</dd>" in page


def test_each_campaign_of_a_reused_quiz_has_its_own_attempts(ctx, tmp_path):
    """records.campaign_attempts, what a record counts (refresh_record) and the
    cadre's report page list: the attempts started in the cadre's window of the
    campaign, newest first."""
    now = utcnow()
    then = now - timedelta(days=350)
    old, tree = make_campaign(
        tmp_path, opens=now - timedelta(days=400), closes=now - timedelta(days=300)
    )
    read_all(user("in1"), then)
    first = attempts.start_attempt(user("in1"), attempts.get_quiz("Q"), now=then)
    attempts.finalise(first, then)
    later = then + timedelta(hours=1)
    second = attempts.start_attempt(user("in1"), attempts.get_quiz("Q"), now=later)
    attempts.finalise(second, later)
    db.session.commit()
    new = records.create_campaign(
        "C2027", "Bồi dưỡng năm 2027", 2027, "T", "Q",
        now - timedelta(days=1), now + timedelta(days=30), [tree["D"]],
    )  # fmt: skip
    this_year = attempts.start_attempt(user("in1"), attempts.get_quiz("Q"), now=now)
    db.session.commit()
    assert records.campaign_attempts(user("in1"), old) == [second, first]
    assert records.campaign_attempts(user("in1"), new) == [this_year]
    assert records.refresh_record(records.record_for(user("in1"), old)).attempts == 2


def test_the_campaign_page_looks_up_the_quiz_holder_once(app, client, auth, tmp_path):
    """Its windows, closing preview, closed state and notice all go by which
    campaign holds the quiz (quiz_holder.holder): read once for the page."""
    from sqlalchemy import event

    from tests.factories import make_user

    with app.app_context():
        _old, _new, tree, _attempt = _two_years(tmp_path)
        make_user("adm", tree["P"], roles=[("admin", None)])
        db.session.commit()
        engine = db.engine
    auth.login("adm")
    statements = []
    listener = lambda *args: statements.append(" ".join(args[2].split()))  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        for code, notice in (("C2026", True), ("C2027", False)):
            statements.clear()
            html = client.get(f"/admin/campaigns/{code}").get_data(as_text=True)
            assert ("hiện được dùng cho đợt “Bồi dưỡng năm 2027”" in html) is notice
            holder = [s for s in statements if "WHERE campaign.quiz_code = " in s]
            assert len(holder) == 1, statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def test_the_campaign_page_reads_its_quiz_and_unit_windows_once(
    app, client, auth, tmp_path
):
    """The quiz and its units' own windows (of the campaign holding it: none for
    last year's) are read once and passed on to the windows, the closing preview
    and the closed state."""
    from sqlalchemy import event

    from tests.factories import make_user

    with app.app_context():
        _old, new, tree, _attempt = _two_years(tmp_path)
        now = utcnow()
        running.set_unit_window(
            new, tree["D1"], now - timedelta(days=1), now + timedelta(days=40)
        )
        make_user("adm", tree["P"], roles=[("admin", None)])
        db.session.commit()
        engine = db.engine
    auth.login("adm")
    statements = []
    listener = lambda *args: statements.append(" ".join(args[2].split()))  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        for code, windows in (("C2026", 0), ("C2027", 1)):
            statements.clear()
            html = client.get(f"/admin/campaigns/{code}").get_data(as_text=True)
            assert ("<tr><td>Phòng Công chức — Sở Nội vụ</td>" in html) is bool(windows)
            assert ("kết thúc 1 lượt đang làm" in html) is bool(windows)
            quiz = [s for s in statements if " FROM quiz WHERE quiz.code = " in s]
            assert len(quiz) == 1, statements
            own = [s for s in statements if " FROM quiz_window " in f"{s} "]
            assert len(own) == windows, statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)
