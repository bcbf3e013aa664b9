"""Extra time and extra attempts for one cadre (WCAG 2.2.1 Timing Adjustable)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.errors import InvalidInput, NotAllowed, NotFound
from app.extensions import db
from app.quizzes import accommodations, attempts
from app.quizzes.models import Accommodation
from app.timeutil import utcnow
from tests.certificates.helpers import user
from tests.factories import make_user
from tests.records.helpers import make_campaign, read_all


def _start(username, now=None):
    return attempts.start_attempt(user(username), attempts.get_quiz("Q"), now=now)


@pytest.fixture
def campaign(ctx, tmp_path):
    campaign, tree = make_campaign(tmp_path)
    make_user("hr", tree["D"], roles=[("hr", tree["D"])])
    make_user("hrc", tree["C"], roles=[("hr", tree["C"])])
    read_all(user("in1"), utcnow())
    db.session.commit()
    return tree


def test_extra_time_lengthens_the_attempts_started_afterwards(campaign):
    quiz = attempts.get_quiz("Q")  # 10 minutes
    accommodations.grant(
        user("in1"), quiz, "Khiếm thị", extra_minutes=5, extra_percent=50
    )
    now = utcnow()
    attempt = _start("in1", now)
    assert attempt.deadline_at == now + timedelta(minutes=10 + 5 + 5)


def test_extra_time_reaches_an_open_attempt_and_its_status(app, client, auth, campaign):
    now = utcnow()
    attempt = _start("in1", now)
    db.session.commit()
    assert attempt.deadline_at == now + timedelta(minutes=10)
    accommodations.grant(
        user("in1"), attempts.get_quiz("Q"), "Ốm", extra_minutes=20, actor=user("hr")
    )
    db.session.commit()
    assert attempt.deadline_at == now + timedelta(minutes=30)
    auth.login("in1")
    status = client.get(f"/attempts/{attempt.id}/status").get_json()
    assert status["remaining"] > 25 * 60  # what the page's timer re-syncs to


def test_extra_time_does_not_reopen_an_attempt_whose_time_ran_out(
    app, client, auth, campaign
):
    now = utcnow()
    attempt = _start("in1", now - timedelta(minutes=25))  # ran out 15 minutes ago
    ended = attempt.deadline_at
    db.session.commit()  # still open: its tab closed, the sweep not run yet
    accommodations.grant(
        user("in1"), attempts.get_quiz("Q"), "Ốm", extra_minutes=30, actor=user("hr")
    )
    db.session.commit()
    assert attempt.state == "finished"
    assert attempt.deadline_at == ended
    assert attempt.finished_at == ended and attempt.finished_by == "deadline"
    auth.login("in1")
    status = client.get(f"/attempts/{attempt.id}/status").get_json()
    assert status["remaining"] == 0


def test_extra_time_never_passes_the_window_close(ctx, tmp_path):
    now = utcnow()
    make_campaign(tmp_path, closes=now + timedelta(minutes=12))
    read_all(user("in1"), now)
    accommodations.grant(user("in1"), attempts.get_quiz("Q"), "Lý do", 30)
    assert _start("in1", now).deadline_at == now + timedelta(minutes=12)


def test_extra_attempts_allow_another_start(campaign):
    quiz = attempts.get_quiz("Q")  # 2 attempts allowed
    for _ in range(2):
        attempts.finalise(_start("in1"))
    with pytest.raises(NotAllowed, match="hết 2 lượt"):
        _start("in1")
    accommodations.grant(user("in1"), quiz, "Mất điện", extra_attempts=1)
    assert _start("in1").number == 3


def test_grants_are_scoped_bounded_audited_and_removable(campaign):
    quiz = attempts.get_quiz("Q")
    with pytest.raises(NotFound):
        accommodations.grant(user("in1"), quiz, "x", 5, actor=user("hrc"))
    for bad, message in [
        ({"extra_minutes": -1}, "Số phút thêm"),
        ({"extra_minutes": 601}, "Số phút thêm"),
        ({"extra_percent": 301}, "Tỷ lệ"),
        ({"extra_attempts": 11}, "Số lượt"),
        ({"reason": "  "}, "lý do"),
        ({"reason": "x" * 501}, "500"),
        ({"extra_minutes": 0}, "Cần cho thêm"),
    ]:
        args = {"reason": "Khiếm thị", "extra_minutes": 5, **bad}
        with pytest.raises(InvalidInput, match=message):
            accommodations.grant(user("in1"), quiz, actor=user("hr"), **args)
    accommodations.grant(user("in1"), quiz, "Khiếm thị", 5, actor=user("hr"))
    accommodations.grant(user("in1"), quiz, "Khiếm thị nặng", 15, actor=user("hr"))
    rows = db.session.scalars(select(Accommodation)).all()
    assert [(r.extra_seconds, r.reason) for r in rows] == [(900, "Khiếm thị nặng")]
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "accommodation.granted")
    ).all()
    assert [e.detail["extra_minutes"] for e in events] == [5, 15]
    assert events[-1].actor_id == user("hr").id
    with pytest.raises(InvalidInput):
        accommodations.remove(user("in1"), quiz, "", actor=user("hr"))
    accommodations.remove(user("in1"), quiz, "Đã khỏi", actor=user("hr"))
    assert db.session.scalars(select(Accommodation)).all() == []
    with pytest.raises(NotFound):
        accommodations.remove(user("in1"), quiz, "Lần nữa", actor=user("hr"))


def test_hr_grants_in_the_browser_within_its_subtree(app, client, auth, campaign):
    learner = user("in1").id
    auth.login("hr")
    url = f"/reports/cadres/{learner}/accommodations"
    page = client.get(url).get_data(as_text=True)
    assert "Cho thêm thời gian hoặc lượt làm bài" in page
    token = auth.token(url)
    good = {
        "csrf_token": token,
        "quiz_code": "Q",
        "extra_minutes": "10",
        "extra_percent": "",
        "extra_attempts": "1",
        "reason": "Khiếm thị (giấy xác nhận số 12)",
    }
    for bad in (
        {"extra_minutes": "-5"},
        {"extra_minutes": "nhiều"},
        {"extra_percent": "1000"},
        {"reason": ""},
        {"quiz_code": "KHONG-CO"},
        {"extra_minutes": "0", "extra_attempts": "0"},
        {"csrf_token": ""},
    ):
        response = client.post(url, data={**good, **bad})
        assert response.status_code in (200, 400)
        assert db.session.scalars(select(Accommodation)).all() == []
    done = client.post(url, data=good, follow_redirects=True)
    assert "Đã lưu điều chỉnh" in done.get_data(as_text=True)
    assert "Khiếm thị (giấy xác nhận số 12)" in done.get_data(as_text=True)
    db.session.expire_all()
    (grant,) = db.session.scalars(select(Accommodation)).all()
    assert (grant.extra_seconds, grant.extra_attempts) == (600, 1)
    removed = client.post(
        f"{url}/Q/remove", data={"csrf_token": token, "reason": "Nhầm"}
    )
    assert removed.status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(Accommodation)).all() == []
    client.post("/logout", data={"csrf_token": token})
    auth.login("hrc")  # another subtree's HR: the cadre does not exist for it
    assert client.get(url).status_code == 404
    assert client.post(url, data=good).status_code == 404


def test_accommodations_on_the_command_line(app, runner, campaign):
    result = runner.invoke(
        args=[
            "accommodations", "set", "--user", "in1", "--quiz", "Q",
            "--extra-percent", "25", "--reason", "Khuyết tật vận động",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    listing = runner.invoke(args=["accommodations", "list"])
    assert "in1\tQ\t+0 phút\t+25 %" in listing.output
    assert "Khuyết tật vận động" in listing.output and "1 điều chỉnh." in listing.output
    for bad in (
        ["--user", "ai-do", "--quiz", "Q", "--extra-minutes", "5", "--reason", "x"],
        ["--user", "in1", "--quiz", "Q", "--extra-minutes", "-5", "--reason", "x"],
        ["--user", "in1", "--quiz", "Q", "--extra-minutes", "5"],
        ["--user", "in1", "--quiz", "Q", "--reason", "x"],
    ):
        assert runner.invoke(args=["accommodations", "set", *bad]).exit_code != 0
    db.session.expire_all()
    (grant,) = db.session.scalars(select(Accommodation)).all()
    assert grant.extra_percent == 25 and grant.granted_by_id is None


def test_an_hr_officer_cannot_grant_itself_extra_time_or_attempts(
    app, client, auth, campaign
):
    quiz = attempts.get_quiz("Q")
    officer = user("hr")  # in D, its own subtree
    with pytest.raises(NotAllowed):
        accommodations.grant(officer, quiz, "Tự cho", extra_attempts=10, actor=officer)
    auth.login("hr")
    url = f"/reports/cadres/{officer.id}/accommodations"
    client.post(
        url,
        data={
            "csrf_token": auth.token(url),
            "quiz_code": "Q",
            "extra_attempts": "10",
            "reason": "Tự cho",
        },
    )
    db.session.expire_all()
    assert db.session.scalars(select(Accommodation)).all() == []


def test_an_hr_officer_grants_only_to_learner_only_accounts(campaign):
    tree = campaign
    make_user("hr2", tree["D1"], roles=[("hr", tree["D1"]), ("learner", None)])
    make_user("tr", tree["D1"], roles=[("trainer", tree["D1"]), ("learner", None)])
    quiz = attempts.get_quiz("Q")
    for name in ("hr2", "tr"):
        with pytest.raises(NotAllowed, match="Chỉ quản trị viên"):
            accommodations.grant(user(name), quiz, "x", 5, actor=user("hr"))
    admin = make_user("adm", tree["P"], roles=[("admin", None)])
    assert accommodations.grant(user("tr"), quiz, "Ốm", 5, actor=admin)


def test_the_quiz_is_named_with_the_newest_campaign_that_uses_it(
    client, auth, campaign
):
    from app.records import campaigns as running
    from app.records import services as records

    # a quiz is reused once the campaign holding it has closed
    running.close_campaign(records.get_campaign("C2026"))
    db.session.commit()
    now = utcnow()
    records.create_campaign(  # an earlier year's campaign of the same quiz
        "C2025",
        "Bồi dưỡng năm 2025",
        2025,
        "T",
        "Q",
        now,
        now + timedelta(days=9),
        [campaign["D"]],
    )
    db.session.commit()
    auth.login("hr")
    page = client.get(f"/reports/cadres/{user('in1').id}/accommodations")
    html = page.get_data(as_text=True)
    assert "Q — Bồi dưỡng năm 2026" in html and "Q — Bồi dưỡng năm 2025" not in html


def test_the_form_shows_the_grant_it_would_replace(app, client, auth, campaign):
    """Saving replaces a cadre's grant whole: the form opens with the current one
    filled in, so that adding an attempt does not take back the extra time."""
    accommodations.grant(
        user("in1"), attempts.get_quiz("Q"), "Khiếm thị", extra_minutes=15,
        extra_percent=20,
    )  # fmt: skip
    db.session.commit()
    auth.login("hr")
    url = f"/reports/cadres/{user('in1').id}/accommodations"
    for page in (client.get(url), client.get(f"{url}?quiz=Q")):
        html = page.get_data(as_text=True)
        assert 'name="extra_minutes" type="number" value="15"' in html
        assert 'name="extra_percent" type="number" value="20"' in html
        assert "Lưu sẽ thay cả điều chỉnh đang có" in html
        assert f'href="{url}?quiz=Q#grant"' in html
    assert client.get(f"{url}?quiz=KHONG-CO").status_code == 200


def test_a_removal_refused_says_why(app, client, auth, campaign):
    accommodations.grant(
        user("in1"), attempts.get_quiz("Q"), "Khiếm thị", extra_minutes=15
    )
    db.session.commit()
    auth.login("hr")
    url = f"/reports/cadres/{user('in1').id}/accommodations"
    token = auth.token(url)
    for reason, said in (
        ("x" * 501, "Lý do bỏ điều chỉnh: Không được dài quá 500 ký tự."),
        ("", "Lý do bỏ điều chỉnh: Vui lòng điền trường này."),
    ):
        page = client.post(
            f"{url}/Q/remove",
            data={"csrf_token": token, "reason": reason},
            follow_redirects=True,
        )
        assert said in page.get_data(as_text=True)
        db.session.expire_all()
        assert len(db.session.scalars(select(Accommodation)).all()) == 1


def _statements(send) -> tuple[list[str], str]:
    """The SQL `send()` runs (names unquoted: PostgreSQL's "user"), and the page
    it answers."""
    from sqlalchemy import event

    statements = []

    def listener(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.replace('"', "").split()))

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        html = send().get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return statements, html


def test_the_page_reads_the_cadre_its_grants_and_the_quiz_once(
    app, client, auth, campaign
):
    """The grants listed are those the form looks its grant up in, and a form
    posted back is shown without reading the cadre again."""
    accommodations.grant(
        user("in1"), attempts.get_quiz("Q"), "Khiếm thị", extra_minutes=15
    )
    db.session.commit()
    auth.login("hr")
    url = f"/reports/cadres/{user('in1').id}/accommodations"
    bad = {"csrf_token": auth.token(url), "quiz_code": "Q", "extra_minutes": "-5"}
    for send in (lambda: client.get(url), lambda: client.post(url, data=bad)):
        statements, html = _statements(send)
        assert 'name="extra_minutes" type="number" value="' in html
        for table in ("accommodation", "quiz"):
            reads = [s for s in statements if f" FROM {table} " in f"{s} "]
            assert len(reads) == 1, (table, statements)
        cadre = [s for s in statements if " FROM user JOIN unit " in s]
        assert len(cadre) == 1, statements


def test_the_page_opens_when_a_campaign_s_quiz_is_inactive(client, auth, campaign):
    """A campaign whose quiz is no longer active is named as such, with no grant
    form for it; the page, its other campaigns and the cadre's grants still show,
    and a grant of that quiz can still be taken back."""
    from app.records import services as records
    from tests.quizzes.helpers import make_quiz

    make_quiz(code="Q2", course="T", title="Bài kiểm tra thứ hai")
    now = utcnow()
    records.create_campaign(
        "C2026B", "Đợt bổ sung 2026", 2026, "T", "Q2",
        now - timedelta(days=1), now + timedelta(days=30), [campaign["D"]],
    )  # fmt: skip
    quiz = attempts.get_quiz("Q")
    accommodations.grant(user("in1"), quiz, "Khiếm thị", extra_minutes=15)
    quiz.active = False
    db.session.commit()
    auth.login("hr")
    url = f"/reports/cadres/{user('in1').id}/accommodations"
    for page in (client.get(url), client.get(f"{url}?quiz=Q")):
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "Khiếm thị" in html  # the grant, listed
        assert '<option selected value="Q2">Q2 — Đợt bổ sung 2026</option>' in html
        assert 'value="Q">' not in html  # no grant form for the inactive quiz
        assert "Bài kiểm tra đã ngừng sử dụng" in html
        assert "Q — Bồi dưỡng năm 2026" in html
        assert f'href="{url}?quiz=Q#grant"' not in html
    token = auth.token(url)
    posted = client.post(
        url,
        data={"csrf_token": token, "quiz_code": "Q", "extra_attempts": "1",
              "reason": "Ốm"},
    )  # fmt: skip
    assert posted.status_code == 200
    db.session.expire_all()
    (grant,) = db.session.scalars(select(Accommodation)).all()
    assert grant.extra_attempts == 0  # unchanged
    removed = client.post(f"{url}/Q/remove", data={"csrf_token": token, "reason": "x"})
    assert removed.status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(Accommodation)).all() == []


def test_the_cadre_page_shows_the_attempts_of_a_quiz_no_longer_in_use(
    client, auth, campaign
):
    """HR's page of one cadre reads the campaign's quiz active or not: a quiz taken
    out of use still has the cadre's attempts behind a complaint (it was a 404)."""
    started = attempts.start_attempt(user("in1"), attempts.get_quiz("Q"))
    attempts.finalise(started)
    attempts.get_quiz("Q").active = False
    db.session.commit()
    auth.login("hr")
    page = client.get(f"/reports/cadres/{user('in1').id}?campaign=C2026")
    assert page.status_code == 200
    assert f"/attempts/{started.id}" in page.get_data(as_text=True)


def test_the_command_line_refuses_bad_numbers_in_vietnamese(app, runner, campaign):
    """A negative, too large or non-whole number is refused in Vietnamese, with the
    web form's bounds, not in Click's English ("Invalid value … not in the range")."""
    base = ["accommodations", "set", "--user", "in1", "--quiz", "Q", "--reason", "x"]
    for option, value, said in (
        ("--extra-minutes", "-3", "Số phút thêm phải từ 0 đến 600."),
        ("--extra-minutes", "601", "Số phút thêm phải từ 0 đến 600."),
        (
            "--extra-percent",
            "-1",
            "Tỷ lệ thời gian thêm (phần trăm) phải từ 0 đến 300.",
        ),
        ("--extra-attempts", "11", "Số lượt làm thêm phải từ 0 đến 10."),
        ("--extra-minutes", "năm", "--extra-minutes phải là một số nguyên"),
    ):
        result = runner.invoke(args=[*base, option, value])
        assert result.exit_code != 0
        assert said in result.output, result.output
        assert "Invalid value" not in result.output
    assert db.session.scalars(select(Accommodation)).all() == []
