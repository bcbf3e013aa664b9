"""A quiz on a bad connection, in Debian's Chromium with the network cut by
Playwright (context.set_offline): choices made offline are kept in the attempt's
journal, survive a reload without network, are all stored once the network is back;
an old choice retried after a newer one does not overwrite it; offline past the
deadline plus grace, the unsent choices are reported as not counted and the attempt
is graded on what arrived in time; the journal never outlives the attempt or the
session."""

import json
import socket
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from app import create_app
from app.extensions import db
from app.quizzes.models import (
    Attempt,
    AttemptAnswer,
    AttemptSlot,
    QuestionVersion,
    Quiz,
)
from app.timeutil import utcnow
from tests.browser.test_sign_in import CHROMIUM, CHROMIUM_ARGS
from tests.conftest import make_config
from tests.factories import PASSWORD, make_tree, make_user
from tests.quizzes.helpers import make_quiz

pytestmark = pytest.mark.browser
GRACE = 2


def _serve(tmp_path, time_limit: int):
    url = f"sqlite:///{tmp_path / 'offline.sqlite3'}"
    app = create_app(
        make_config(SQLALCHEMY_DATABASE_URI=url, ATTEMPT_GRACE_SECONDS=GRACE)
    )
    with app.app_context():
        db.create_all()
        make_user("thisinh", make_tree()["C1"], full_name="Ngô Thị Ánh")
        make_quiz()
        quiz = db.session.scalar(select(Quiz))
        quiz.time_limit_seconds = time_limit
        quiz.shuffle_options = False
        quiz.questions_per_page = 4
        db.session.commit()
    app.requests_seen = []  # what reached the server, to tell a cut network

    def recording(environ, start_response, wsgi_app=app.wsgi_app):
        app.requests_seen.append(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}")
        return wsgi_app(environ, start_response)

    app.wsgi_app = recording
    app.live_server = server = LiveServer(app)
    return f"http://127.0.0.1:{server.port}", app, server


class LiveServer:
    """The app on a local port that can be taken off the network and put back on
    the same port: while it is down every request fails to connect, whoever makes
    it (the page, or its service worker, whose requests Playwright's offline
    emulation does not always hold back: microsoft/playwright#2311)."""

    def __init__(self, app):
        self.app, self.port, self.server = app, 0, None
        self.up()

    def up(self) -> None:
        open_connections = self.connections = set()

        class Handler(WSGIRequestHandler):
            def setup(self):
                super().setup()
                open_connections.add(self.connection)

            def finish(self):
                open_connections.discard(self.connection)
                super().finish()

        self.server = make_server(
            "127.0.0.1", self.port, self.app, threaded=True, request_handler=Handler
        )
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        for connection in list(self.connections):  # kept-alive ones too
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def shutdown(self) -> None:
        if self.server is not None:
            self.down()
            self.server = None


@pytest.fixture
def browser_context():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield browser.new_context(viewport={"width": 390, "height": 844})
        browser.close()


@pytest.fixture
def long_quiz(tmp_path):
    url, app, server = _serve(tmp_path, time_limit=600)
    yield url, app
    server.shutdown()


@pytest.fixture
def short_quiz(tmp_path):
    url, app, server = _serve(tmp_path, time_limit=20)
    yield url, app
    server.shutdown()


def _network(context, app, up: bool) -> None:
    """Cut or restore the network: set_offline for the pages (navigator.onLine, the
    online/offline events) and the server off or back on its port."""
    if up:
        app.live_server.up()
        context.set_offline(False)
    else:
        context.set_offline(True)
        app.live_server.down()


def _start(page, url, english: bool = False) -> int:
    page.goto(f"{url}/login")
    page.get_by_label("Tên đăng nhập").fill("thisinh")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    if english:
        page.get_by_role("button", name="English").click()
    page.goto(f"{url}/quizzes/Q")
    start = "Start the quiz" if english else "Bắt đầu làm bài"
    page.get_by_role("button", name=start).click()
    page.wait_for_url("**/attempts/*")
    return int(page.url.rsplit("/", 1)[1].split("?")[0])


def _wait_for_offline_copy(page, attempt_id: int) -> None:
    """The service worker is active and holds a copy of the page."""
    cache = f"vhcv-attempt-{attempt_id}"
    check = (
        "async () => !!(await navigator.serviceWorker.ready) && "
        "!!navigator.serviceWorker.controller && "
        f"!!(await caches.match(location.href, {{cacheName: '{cache}'}}))"
    )
    for _ in range(100):  # evaluate awaits the check (wait_for_function does not)
        if page.evaluate(check):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the service worker kept no copy of the page")


def _positions(app, attempt_id) -> dict[str, list[int]]:
    """Question type → its positions in the attempt (the order is drawn)."""
    with app.app_context():
        rows = db.session.execute(
            select(AttemptSlot.position, QuestionVersion.type)
            .join(QuestionVersion)
            .where(AttemptSlot.attempt_id == attempt_id)
            .order_by(AttemptSlot.position)
        ).all()
    by_type: dict[str, list[int]] = {}
    for position, kind in rows:
        by_type.setdefault(kind, []).append(position)
    return by_type


def _pending(page) -> list:
    """The journal's entries not yet acknowledged (none when there is no journal)."""
    return [e for j in _journal(page).values() for e in j["entries"]]


def _stored(app, attempt_id) -> dict[int, tuple[list[int], int | None]]:
    """Position → (option positions as shown, sequence number) of what is stored."""
    with app.app_context():
        rows = db.session.execute(
            select(
                AttemptSlot.position,
                AttemptSlot.option_order,
                AttemptAnswer.selected,
                AttemptAnswer.seq,
            )
            .join(AttemptAnswer, AttemptAnswer.slot_id == AttemptSlot.id)
            .where(AttemptSlot.attempt_id == attempt_id)
        ).all()
        return {
            r.position: (sorted(r.option_order.index(k) for k in r.selected), r.seq)
            for r in rows
        }


def _is_multiple(page, position: int) -> bool:
    return page.locator(f'input[name="q{position}"]').first.get_attribute("type") == (
        "checkbox"
    )


def _journal(page) -> dict:
    return page.evaluate(
        "() => Object.fromEntries(Object.keys(localStorage)"
        ".filter(k => k.startsWith('vhcv.journal.'))"
        ".map(k => [k, JSON.parse(localStorage.getItem(k))]))"
    )


def test_choices_made_offline_survive_a_reload_and_are_stored_when_back_online(
    long_quiz, browser_context
):
    url, app = long_quiz
    page = browser_context.new_page()
    attempt_id = _start(page, url)
    _wait_for_offline_copy(page, attempt_id)

    _network(browser_context, app, up=False)
    seen_online = len(app.requests_seen)
    picks = {position: 1 for position in (1, 2, 3)}
    for position, choice in picks.items():
        page.locator(f'input[name="q{position}"][value="{choice}"]').check()
    banner = page.locator("#connection")
    banner.get_by_text("Mất kết nối — các lựa chọn được giữ trên máy này").wait_for()
    assert "3 lựa chọn đang chờ gửi" in banner.inner_text()
    for position in picks:
        state = page.locator(f"#state-{position}").inner_text()
        assert "Chưa lưu" in state and "Đã lưu" not in state
    assert _stored(app, attempt_id) == {}
    entries = _pending(page)
    assert [e["position"] for e in entries] == ["1", "2", "3"]
    assert [e["seq"] for e in entries] == sorted(e["seq"] for e in entries)

    page.reload()  # without network: the service worker's copy, then the journal
    for position, choice in picks.items():
        assert page.locator(f'input[name="q{position}"][value="{choice}"]').is_checked()
        assert "Chưa lưu" in page.locator(f"#state-{position}").inner_text()
        assert "pending" in page.locator(f"#nav-{position}").get_attribute("class")
    assert _stored(app, attempt_id) == {}
    assert app.requests_seen[seen_online:] == []  # the server was off the network

    _network(browser_context, app, up=True)
    for position in picks:
        page.locator(f"#state-{position}").get_by_text("Đã lưu lúc").wait_for(
            timeout=20000
        )
    stored = _stored(app, attempt_id)
    assert {p: choices for p, (choices, _) in stored.items()} == {
        p: [c] for p, c in picks.items()
    }
    assert all(seq for _, seq in stored.values())
    assert page.locator("#connection").is_hidden()
    assert _pending(page) == []  # every entry acknowledged


def test_an_old_choice_retried_after_a_newer_one_does_not_overwrite_it(
    long_quiz, browser_context
):
    url, app = long_quiz
    page = browser_context.new_page()
    attempt_id = _start(page, url)
    sent = []
    page.on(
        "request",
        lambda r: sent.append(r.post_data) if "/autosave/" in r.url else None,
    )
    position = _positions(app, attempt_id)["single"][0]
    for choice in (0, 2):
        page.locator(f'input[name="q{position}"][value="{choice}"]').check()
        page.locator(f"#state-{position}").get_by_text("Đã lưu lúc").wait_for()
    assert _stored(app, attempt_id)[position][0] == [2]
    first = sent[0]
    assert "choice=0" in first and "seq=" in first
    # The first request again, as a retry that arrives late (a proxy, a flaky link).
    answer = page.evaluate(
        """async ([url, body]) => {
            const r = await fetch(url, {method: "POST", body: body,
              headers: {"Content-Type": "application/x-www-form-urlencoded"}});
            return [r.status, await r.json()];
        }""",
        [f"{url}/autosave/{attempt_id}", first],
    )
    assert answer[0] == 200 and answer[1]["stored"] is False
    assert _stored(app, attempt_id)[position][0] == [2]
    page.reload()
    assert page.locator(f'input[name="q{position}"][value="2"]').is_checked()


def test_offline_past_the_deadline_the_unsent_choices_are_not_counted(
    short_quiz, browser_context
):
    url, app = short_quiz
    page = browser_context.new_page()
    attempt_id = _start(page, url)
    kinds = _positions(app, attempt_id)
    right_one = kinds["single"][0]  # answered online, and right
    offline = sorted(kinds["single"][1:] + kinds["truefalse"])  # two, sent too late
    with app.app_context():
        slot = db.session.scalar(
            select(AttemptSlot).where(
                AttemptSlot.attempt_id == attempt_id, AttemptSlot.position == right_one
            )
        )
        right = [
            slot.option_order.index(o["key"])
            for o in slot.version.options
            if o["correct"]
        ]
    page.locator(f'input[name="q{right_one}"][value="{right[0]}"]').check()
    page.locator(f"#state-{right_one}").get_by_text("Đã lưu lúc").wait_for()

    _network(browser_context, app, up=False)
    for position in offline:
        page.locator(f'input[name="q{position}"][value="0"]').check()
    page.locator("#connection").get_by_text("2 lựa chọn đang chờ gửi").wait_for()
    # The timer runs out offline; past the deadline plus grace the page says so.
    listed = ", ".join(map(str, offline))
    page.locator("#connection").get_by_text(
        f"Hết giờ: lựa chọn của câu {listed} chưa gửi được"
    ).wait_for(timeout=(20 + GRACE + 10) * 1000)
    for position in offline:
        assert "Không được tính" in page.locator(f"#state-{position}").inner_text()
    assert page.locator(f'input[name="q{offline[0]}"]').first.is_disabled()
    assert page.url.endswith(f"/attempts/{attempt_id}")  # no browser error page

    _network(browser_context, app, up=True)  # the page submits once the server answers
    page.wait_for_url("**/result", timeout=20000)
    notice = page.locator("#not-counted")
    notice.wait_for()
    assert f"Lựa chọn của câu {listed} chưa gửi được trước hạn nộp" in (
        notice.inner_text()
    )
    assert "1/4 câu đúng" in page.locator("main").inner_text()
    assert set(_stored(app, attempt_id)) == {right_one}
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.state == "finished" and attempt.score == 1
    assert _journal(page) == {}  # cleared at the end of the attempt
    assert not page.evaluate(f"caches.has('vhcv-attempt-{attempt_id}')")


def test_choices_held_late_are_sent_when_the_server_still_has_time(
    short_quiz, browser_context
):
    """The page's time ran out offline and it held its unsent choices as not
    counted, but the server has more time (its deadline moved later meanwhile, or
    this browser's clock ran ahead): back online, they are sent and stored, and
    the page goes on."""
    url, app = short_quiz
    page = browser_context.new_page()
    attempt_id = _start(page, url)
    kinds = _positions(app, attempt_id)
    offline = sorted(kinds["single"][:1] + kinds["truefalse"][:1])
    _network(browser_context, app, up=False)
    for position in offline:
        page.locator(f'input[name="q{position}"][value="0"]').check()
    listed = ", ".join(map(str, offline))
    page.locator("#connection").get_by_text(
        f"Hết giờ: lựa chọn của câu {listed} chưa gửi được"
    ).wait_for(timeout=(20 + GRACE + 10) * 1000)
    with app.app_context():  # the deadline moved later while the page was offline
        attempt = db.session.get(Attempt, attempt_id)
        attempt.deadline_at = utcnow() + timedelta(minutes=5)
        db.session.commit()
    _network(browser_context, app, up=True)
    for position in offline:
        page.locator(f"#state-{position}").get_by_text("Đã lưu lúc").wait_for(
            timeout=20000
        )
    assert set(_stored(app, attempt_id)) == set(offline)
    assert page.url.endswith(f"/attempts/{attempt_id}")  # not submitted: time left
    assert "không được tính" not in page.locator("#connection").inner_text()
    assert page.locator(f'input[name="q{offline[0]}"]').first.is_enabled()


def test_offline_past_the_deadline_one_question_is_said_so_in_english(
    short_quiz, browser_context
):
    """The late notices have a form for one question, picked by the scripts:
    "question 3", never "question(s) 3"."""
    url, app = short_quiz
    page = browser_context.new_page()
    attempt_id = _start(page, url, english=True)
    position = _positions(app, attempt_id)["truefalse"][0]
    _network(browser_context, app, up=False)
    page.locator(f'input[name="q{position}"][value="0"]').check()
    page.locator("#connection").get_by_text(
        f"Time is up: the choice for question {position} could not be sent"
    ).wait_for(timeout=(20 + GRACE + 10) * 1000)
    _network(browser_context, app, up=True)
    page.wait_for_url("**/result", timeout=20000)
    notice = page.locator("#not-counted")
    notice.wait_for()
    assert f"The choice for question {position} could not be sent" in (
        notice.inner_text()
    )


def test_time_up_offline_with_nothing_waiting_submits_when_back(
    short_quiz, browser_context
):
    url, app = short_quiz
    page = browser_context.new_page()
    attempt_id = _start(page, url)
    page.locator('input[name="q1"][value="0"]').check()
    page.locator("#state-1").get_by_text("Đã lưu lúc").wait_for()
    _network(browser_context, app, up=False)
    banner = page.locator("#connection")
    banner.get_by_text("Hết giờ: bài sẽ được nộp khi có mạng trở lại.").wait_for(
        timeout=(20 + 10) * 1000
    )
    assert "chờ gửi" not in banner.inner_text()  # nothing is waiting
    assert page.url.endswith(f"/attempts/{attempt_id}")  # not the browser's error page
    _network(browser_context, app, up=True)
    page.wait_for_url("**/result", timeout=20000)
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).state == "finished"
    assert set(_stored(app, attempt_id)) == {1}


def test_a_reload_from_an_older_offline_copy_keeps_what_the_server_holds(
    long_quiz, browser_context
):
    url, app = long_quiz
    page = browser_context.new_page()
    attempt_id = _start(page, url)
    _wait_for_offline_copy(page, attempt_id)  # a copy with nothing chosen
    position = _positions(app, attempt_id)["single"][0]
    for choice in (0, 1):
        page.locator(f'input[name="q{position}"][value="{choice}"]').check()
        page.locator(f"#state-{position}").get_by_text("Đã lưu lúc").wait_for()
    assert _stored(app, attempt_id)[position][0] == [1]
    page.wait_for_timeout(3000)
    before = page.locator("#timer").inner_text()

    _network(browser_context, app, up=False)
    page.reload()  # the copy made before both choices
    assert page.locator(f'input[name="q{position}"][value="1"]').is_checked()
    assert "Đã lưu" in page.locator(f"#state-{position}").inner_text()
    assert page.locator("#timer").inner_text() <= before  # the time did not go back
    page.locator(f'input[name="q{position}"][value="2"]').check()  # a new choice
    _network(browser_context, app, up=True)
    page.locator(f"#state-{position}").get_by_text("Đã lưu lúc").wait_for(timeout=20000)
    assert _stored(app, attempt_id)[position][0] == [2]

    # "Nộp bài" posts the page as it shows it, after the newest choice.
    page.get_by_role("button", name="Nộp bài").click()
    page.wait_for_url("**/confirm")
    assert _stored(app, attempt_id)[position][0] == [2]


def test_the_journal_holds_no_other_users_data_and_ends_at_sign_out(
    long_quiz, browser_context
):
    url, app = long_quiz
    page = browser_context.new_page()
    page.goto(f"{url}/login")
    stale = {"next": 2, "entries": [{"seq": 1, "position": "1", "choices": ["0"]}]}
    page.evaluate(
        "data => localStorage.setItem('vhcv.journal.999.1', JSON.stringify(data))",
        stale,
    )
    attempt_id = _start(page, url)
    assert "vhcv.journal.999.1" not in _journal(page)  # another user's: removed

    _wait_for_offline_copy(page, attempt_id)
    _network(browser_context, app, up=False)
    page.locator('input[name="q1"][value="0"]').check()
    page.locator("#connection").get_by_text("1 lựa chọn đang chờ gửi").wait_for()
    mine = _journal(page)
    assert list(mine) and list(mine)[0].endswith(f".{attempt_id}")
    _network(browser_context, app, up=True)
    page.locator("#state-1").get_by_text("Đã lưu lúc").wait_for(timeout=20000)
    page.evaluate(
        "data => localStorage.setItem('vhcv.journal.1.1', JSON.stringify(data))",
        stale,
    )
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(f"{url}/login")
    assert _journal(page) == {}
    assert page.evaluate("caches.keys()") == []
    assert json.loads(page.evaluate("JSON.stringify(Object.keys(localStorage))")) == []


def test_choices_changed_offline_wait_as_one_per_question(long_quiz, browser_context):
    url, app = long_quiz
    page = browser_context.new_page()
    attempt_id = _start(page, url)
    _wait_for_offline_copy(page, attempt_id)
    position = _positions(app, attempt_id)["single"][0]
    _network(browser_context, app, up=False)
    for choice in (0, 1, 2, 0, 1, 2):
        page.locator(f'input[name="q{position}"][value="{choice}"]').check()
    page.locator("#connection").get_by_text("1 lựa chọn đang chờ gửi").wait_for()
    assert [e["choices"] for e in _pending(page)] == [["2"]]
    sent = []
    page.on("request", lambda r: sent.append(r) if "/autosave/" in r.url else None)
    _network(browser_context, app, up=True)
    page.locator(f"#state-{position}").get_by_text("Đã lưu lúc").wait_for(timeout=20000)
    assert len(sent) == 1 and _stored(app, attempt_id)[position][0] == [2]


def _seconds(timer: str) -> int:
    minutes, seconds = timer.strip().split(":")
    return 60 * int(minutes) + int(seconds)


def test_a_reload_offline_before_any_resync_keeps_the_time_running(
    long_quiz, browser_context
):
    """The network drops before the page heard the server again (no save, no
    re-sync): a reload of the page's own copy counts on from its deadline, and
    does not give back the seconds spent since the page was served."""
    url, app = long_quiz
    page = browser_context.new_page()
    attempt_id = _start(page, url)
    _wait_for_offline_copy(page, attempt_id)
    _network(browser_context, app, up=False)
    page.wait_for_timeout(6000)
    before = _seconds(page.locator("#timer").inner_text())
    page.reload()  # the copy served at the start, 6 s and more ago
    after = _seconds(page.locator("#timer").inner_text())
    assert after <= before, (before, after)


def test_a_deadline_the_journal_kept_does_not_end_a_fresh_page_early(
    long_quiz, browser_context
):
    """A journal's deadline (this browser's clock, as last heard) is only for an
    older copy of the page; and the server is asked before any automatic submit."""
    url, app = long_quiz
    page = browser_context.new_page()
    attempt_id = _start(page, url)
    key = list(_journal(page))[0]
    page.evaluate(
        "k => { const j = JSON.parse(localStorage.getItem(k));"
        " j.deadline = Date.now() + 2000; j.heard = Date.now() + 10 ** 9;"
        " localStorage.setItem(k, JSON.stringify(j)); }",
        key,
    )
    page.reload()  # heard "later" than the page was served: the copy looks old
    page.wait_for_timeout(6000)
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).state == "open"
    assert page.url.endswith(f"/attempts/{attempt_id}")
    assert page.locator("#timer").inner_text() > "9:"  # the server's time again
    assert page.locator('input[name="q1"]').first.is_enabled()


def _signed_out_elsewhere(app) -> None:
    """The cadre signs out on another device: its session version changes, so
    this page's token and session are refused (401)."""
    from app.accounts.models import User

    with app.app_context():
        db.session.scalar(select(User)).session_version += 1
        db.session.commit()


def test_a_choice_made_after_the_session_ended_waits_for_a_new_sign_in(
    long_quiz, browser_context
):
    """Signed out on another device (the session version changes): the page's token
    is refused with 401, and the choice stays in the journal, said to wait for a
    new sign-in, instead of being dropped; signed in again, the page sends it."""
    url, app = long_quiz
    page = browser_context.new_page()
    attempt_id = _start(page, url)
    _signed_out_elsewhere(app)
    page.locator('input[name="q1"][value="1"]').check()
    banner = page.locator("#connection")
    banner.get_by_text("Phiên đăng nhập đã kết thúc").first.wait_for()
    assert "1 lựa chọn đang chờ gửi" in banner.inner_text()
    assert "Chưa lưu" in page.locator("#state-1").inner_text()
    assert [e["position"] for e in _pending(page)] == ["1"]
    assert _stored(app, attempt_id) == {}

    page.goto(f"{url}/login")
    page.get_by_label("Tên đăng nhập").fill("thisinh")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"{url}/attempts/{attempt_id}")
    page.locator("#state-1").get_by_text("Đã lưu lúc").wait_for(timeout=20000)
    assert _stored(app, attempt_id)[1][0] == [1]
    assert _pending(page) == []


def test_submit_pressed_offline_waits_for_the_network_then_goes_on(
    long_quiz, browser_context
):
    """ "Nộp bài" with a choice still waiting and no network: the page stays, says
    why, and keeps the choice; once the network is back it sends the choice, then
    moves on to the confirm step — nothing lost, no browser error page."""
    url, app = long_quiz
    page = browser_context.new_page()
    attempt_id = _start(page, url)
    position = _positions(app, attempt_id)["single"][0]
    _network(browser_context, app, up=False)
    page.locator(f'input[name="q{position}"][value="1"]').check()
    page.get_by_role("button", name="Nộp bài").click()
    banner = page.locator("#connection")
    banner.get_by_text("Chưa chuyển trang được: các lựa chọn còn chờ gửi.").wait_for()
    assert "1 lựa chọn đang chờ gửi" in banner.inner_text()
    assert page.url.endswith(f"/attempts/{attempt_id}")  # still here
    assert position not in _stored(app, attempt_id)
    _network(browser_context, app, up=True)
    page.wait_for_url("**/confirm", timeout=20000)
    assert _stored(app, attempt_id)[position][0] == [1]


def test_submit_sends_another_tabs_choices_first(long_quiz, browser_context):
    """A choice made offline in another tab of the attempt, since closed, is in
    the journal this page shares: "Nộp bài" sends it before moving on, even when
    this page had not read it yet."""
    url, app = long_quiz
    page = browser_context.new_page()
    attempt_id = _start(page, url)
    position = _positions(app, attempt_id)["single"][0]
    other = browser_context.new_page()
    other.goto(f"{url}/attempts/{attempt_id}")
    _network(browser_context, app, up=False)
    other.locator(f'input[name="q{position}"][value="1"]').check()
    assert [int(e["position"]) for e in _pending(other)] == [position]
    other.close()
    page.get_by_role("button", name="Nộp bài").click()
    _network(browser_context, app, up=True)
    page.wait_for_url("**/confirm", timeout=20000)
    assert _stored(app, attempt_id)[position][0] == [1]
