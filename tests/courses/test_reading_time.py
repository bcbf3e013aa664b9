"""Reading time: only the seconds the module page was visible count, each report is
bounded by the clock, the minimum is checked on that time, the page counts down,
marking too early keeps the reader's place, and HR sees the same time."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.courses import services
from app.courses.models import ModuleProgress
from app.errors import NotFound
from app.extensions import db
from app.timeutil import utcnow
from tests.conftest import csrf_token
from tests.factories import make_user
from tests.records.helpers import make_campaign

CAP = services.MAX_REPORT_SECONDS
NEEDED = 120  # T-M1: 4 minutes at the default fraction 0.5


@pytest.fixture
def reader(app, tmp_path):
    """Course T, campaign C2026 over subtree D; in1 (in D1A) reads, hr follows D."""
    with app.app_context():
        _, tree = make_campaign(tmp_path)
        make_user("hr", tree["D"], roles=[("hr", tree["D"])])
        return db.session.scalar(select(User.id).where(User.username == "in1"))


def _user():
    return db.session.scalar(select(User).where(User.username == "in1"))


def _progress() -> ModuleProgress:
    return db.session.scalar(select(ModuleProgress))


def _at(start, seconds: float):
    return start + timedelta(seconds=seconds)


# --- the service: what one report may add --------------------------------------


def test_opening_counts_nothing_and_reports_add_visible_time(ctx, reader):
    user, module = _user(), services.get_module("T-M1")
    t0 = utcnow()
    progress = services.open_module(user, module, now=t0)
    services.open_module(user, module, now=_at(t0, 600))  # opened again 10 min later
    assert progress.seconds_spent == 0
    services.record_reading(user, module, 20, now=_at(t0, 620))
    assert progress.seconds_spent == 20
    # Hidden for ten minutes: the page reports only the 5 s it was visible since.
    services.record_reading(user, module, 5, now=_at(t0, 1225))
    assert progress.seconds_spent == 25
    assert progress.last_seen_at == _at(t0, 1225)


def test_a_report_never_adds_more_than_the_clock(ctx, reader):
    user, module = _user(), services.get_module("T-M1")
    t0 = utcnow()
    progress = services.open_module(user, module, now=t0)
    services.record_reading(user, module, 20, now=_at(t0, 8))
    assert progress.seconds_spent == 8
    # A hundred reports at the same instant (tabs, a script) add nothing more.
    for _ in range(100):
        services.record_reading(user, module, CAP, now=_at(t0, 8.5))
    assert progress.seconds_spent == 8
    # The fractions of a second left over are counted by the next report.
    services.record_reading(user, module, 20, now=_at(t0, 19.6))
    services.record_reading(user, module, 20, now=_at(t0, 39.2))
    assert progress.seconds_spent == 39


def test_a_forged_report_after_a_long_gap_is_capped(ctx, reader):
    user, module = _user(), services.get_module("T-M1")
    t0 = utcnow()
    progress = services.open_module(user, module, now=t0)
    services.record_reading(user, module, 7200, now=_at(t0, 7200))
    assert progress.seconds_spent == CAP
    # The rest of the gap is gone for good: the next report starts from now.
    services.record_reading(user, module, CAP, now=_at(t0, 7201))
    assert progress.seconds_spent == CAP + 1


def test_reports_stop_counting_once_read_and_need_an_opened_module(ctx, reader):
    user, module = _user(), services.get_module("T-M1")
    t0 = utcnow()
    with pytest.raises(NotFound):
        services.record_reading(user, module, 10, now=t0)
    services.open_module(user, module, now=t0)
    for step in range(1, 5):
        services.record_reading(user, module, CAP, now=_at(t0, CAP * step))
    done = services.complete_module(user, module, 0.5, now=_at(t0, 121), seconds=1)
    assert done.seconds_spent == 4 * CAP + 1
    services.record_reading(user, module, CAP, now=_at(t0, 200))
    assert done.seconds_spent == 4 * CAP + 1


def test_the_minimum_counts_reading_time_not_time_since_first_opened(ctx, reader):
    user, module = _user(), services.get_module("T-M1")
    t0 = utcnow()
    services.open_module(user, module, now=t0 - timedelta(days=1))
    services.open_module(user, module, now=t0)  # back a day later: nothing read yet
    with pytest.raises(services.ReadingTooShort) as refused:
        services.complete_module(user, module, 0.5, now=_at(t0, 1), seconds=0)
    assert refused.value.remaining_seconds == NEEDED
    for step in range(1, 5):
        services.record_reading(user, module, 25, now=_at(t0, 1 + 25 * step))
    with pytest.raises(services.ReadingTooShort) as refused:
        services.complete_module(user, module, 0.5, now=_at(t0, 105), seconds=4)
    assert refused.value.remaining_seconds == NEEDED - 104
    done = services.complete_module(user, module, 0.5, now=_at(t0, 121), seconds=16)
    assert done.completed_at == _at(t0, 121) and done.seconds_spent == NEEDED


def test_without_script_the_time_since_the_page_view_counts_up_to_the_minimum(
    ctx, reader
):
    user, module = _user(), services.get_module("T-M1")
    t0 = utcnow()
    progress = services.open_module(user, module, now=t0)
    with pytest.raises(services.ReadingTooShort):
        services.complete_module(user, module, 0.5, now=_at(t0, 50))
    assert progress.seconds_spent == 50
    services.open_module(user, module, now=_at(t0, 60))
    done = services.complete_module(user, module, 0.5, now=_at(t0, 3660))
    assert done.seconds_spent == 50 + NEEDED  # an hour away counts the minimum only


# --- the pages -------------------------------------------------------------------


def _age(app, seconds: int) -> None:
    """As if the last page view or report came `seconds` ago."""
    with app.app_context():
        progress = _progress()
        progress.last_seen_at = progress.last_seen_at - timedelta(seconds=seconds)
        db.session.commit()


def _spent(app) -> int:
    with app.app_context():
        return _progress().seconds_spent


def _report(client, token, seconds, code="T-M1"):
    data = {"csrf_token": token, "seconds": seconds}
    return client.post(f"/modules/{code}/heartbeat", data=data)


def _read_for(client, app, token, seconds: int) -> None:
    """Report `seconds` of visible reading, as the page does every 20 s."""
    while seconds > 0:
        step = min(20, seconds)
        _age(app, step)
        assert _report(client, token, step).status_code == 200
        seconds -= step


def test_report_answers_the_time_left_and_is_bounded_by_the_clock(
    client, auth, app, reader
):
    auth.login("in1")
    token = auth.token()
    client.get("/modules/T-M1")
    _age(app, 20)
    answer = _report(client, token, 20)
    assert answer.status_code == 200
    assert answer.get_json() == {"remaining_seconds": NEEDED - 20, "seconds_spent": 20}
    # Right away again: the clock has not moved, nothing is added.
    assert _report(client, token, 20).get_json()["seconds_spent"] == 20
    # A forged claim after two hours adds one report's worth.
    _age(app, 7200)
    assert _report(client, token, 7200).get_json()["seconds_spent"] == 20 + CAP


@pytest.mark.parametrize("seconds", ["abc", "-5", "1.5", "86401", "1e9"])
def test_report_refuses_bad_seconds(client, auth, app, reader, seconds):
    auth.login("in1")
    token = auth.token()
    client.get("/modules/T-M1")
    _age(app, 20)
    response = _report(client, token, seconds)
    assert response.status_code == 400
    assert _spent(app) == 0


def test_report_refuses_no_csrf_unknown_module_unopened_and_anonymous(
    client, auth, app, reader
):
    auth.login("in1")
    token = auth.token()
    assert _report(client, token, 10).status_code == 404  # never opened
    client.get("/modules/T-M1")
    _age(app, 20)
    assert client.post("/modules/T-M1/heartbeat", data={"seconds": 20}).status_code == (
        400
    )
    assert _report(client, "forged", 20).status_code == 400
    assert _report(client, token, 20, code="NOPE").status_code == 404
    assert _spent(app) == 0
    auth.logout()
    response = _report(client, csrf_token(client, "/login"), 20)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _spent(app) == 0


@pytest.mark.parametrize(
    "config_overrides", [{"READING_REPORT_RATE_LIMIT": "3 per minute"}]
)
def test_reports_are_rate_limited_per_cadre(client, auth, app, reader):
    auth.login("in1")
    token = auth.token()
    client.get("/modules/T-M1")
    assert [_report(client, token, 0).status_code for _ in range(4)] == [
        200,
        200,
        200,
        429,
    ]


def test_the_page_shows_the_time_left_and_counts_down_from_it(
    client, auth, app, reader
):
    auth.login("in1")
    page = client.get("/modules/T-M1").get_data(as_text=True)
    assert 'data-remaining="120"' in page and "Còn khoảng 2 phút đọc." in page
    assert "chỉ tính lúc trang này đang hiện trên màn hình" in page
    assert '"remaining": 120' in page and '"report_every": 20' in page
    assert re.search(r'<input name="seconds" type="hidden" value="">', page)
    _read_for(client, app, auth.token(), 70)
    page = client.get("/modules/T-M1").get_data(as_text=True)
    assert 'data-remaining="50"' in page and "Còn khoảng 1 phút đọc." in page
    _read_for(client, app, auth.token(), 50)
    page = client.get("/modules/T-M1").get_data(as_text=True)
    assert "Bạn đã đọc đủ thời gian tối thiểu." in page


def test_marking_too_early_without_script_returns_to_the_button(
    client, auth, app, reader
):
    auth.login("in1")
    client.get("/modules/T-M1")
    _read_for(client, app, auth.token(), 40)
    response = client.post("/modules/T-M1/complete", data={"csrf_token": auth.token()})
    assert response.headers["Location"] == "/modules/T-M1#completion"
    page = client.get("/modules/T-M1").get_data(as_text=True)
    assert "Bạn cần đọc thêm khoảng 2 phút nữa" in page  # 80 s left
    assert 'id="completion"' in page and 'data-remaining="80"' in page
    with app.app_context():
        assert _progress().completed_at is None


def test_marking_too_early_from_the_script_answers_in_place(client, auth, app, reader):
    auth.login("in1")
    client.get("/modules/T-M1")
    _read_for(client, app, auth.token(), 60)
    # A tab hidden for three minutes: the page reports its 10 visible seconds only.
    _age(app, 180)
    response = client.post(
        "/modules/T-M1/complete",
        data={"csrf_token": auth.token(), "seconds": 10},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400
    answer = response.get_json()
    assert answer["remaining_seconds"] == 50
    assert "Bạn cần đọc thêm khoảng 1 phút nữa" in answer["message"]
    assert _spent(app) == 70  # kept: counted though refused


def test_marking_after_enough_visible_time_is_accepted(client, auth, app, reader):
    auth.login("in1")
    client.get("/modules/T-M1")
    _read_for(client, app, auth.token(), 110)
    _age(app, 12)
    response = client.post(
        "/modules/T-M1/complete",
        data={"csrf_token": auth.token(), "seconds": 10},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.get_json() == {"next": "/modules/T-M2"}
    with app.app_context():
        assert _progress().completed_at is not None
        assert _progress().seconds_spent == NEEDED
    page = client.get("/modules/T-M1").get_data(as_text=True)
    assert "Bạn đã đọc xong học phần này" in page and "reading.js" not in page


@pytest.mark.parametrize("seconds", ["abc", "-1", "86401"])
def test_marking_refuses_bad_seconds(client, auth, app, reader, seconds):
    auth.login("in1")
    client.get("/modules/T-M1")
    _age(app, 3600)
    response = client.post(
        "/modules/T-M1/complete", data={"csrf_token": auth.token(), "seconds": seconds}
    )
    assert response.status_code == 400
    with app.app_context():
        assert _progress().completed_at is None and _progress().seconds_spent == 0


def test_marking_needs_csrf_and_a_known_module(client, auth, app, reader):
    auth.login("in1")
    client.get("/modules/T-M1")
    _age(app, 3600)
    assert client.post("/modules/T-M1/complete").status_code == 400
    response = client.post("/modules/NOPE/complete", data={"csrf_token": auth.token()})
    assert response.status_code == 404
    with app.app_context():
        assert _progress().completed_at is None


def _hr_reading_time(client, auth, app, reader) -> str:
    auth.logout()
    auth.login("hr")
    html = client.get(f"/reports/cadres/{reader}?campaign=C2026").get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<td class=\"num\">1</td>(.*?)</tr>", html, re.S)
    return re.findall(r'<td class="num">([^<]*)</td>', rows[0])[-1]


def test_hr_sees_the_same_reading_time(client, auth, app, reader):
    auth.login("in1")
    client.get("/modules/T-M1")
    _read_for(client, app, auth.token(), 45)
    assert _hr_reading_time(client, auth, app, reader) == "dưới 1 phút"
    auth.logout()
    auth.login("in1")
    _age(app, 7200)  # a tab left open, hidden, for two hours: not reading
    _read_for(client, app, auth.token(), 100)
    assert _spent(app) == 145
    assert _hr_reading_time(client, auth, app, reader) == "2 phút"
