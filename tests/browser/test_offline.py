"""A quiz on a bad connection, in Debian's Chromium with the network cut by
Playwright (context.set_offline): choices made offline are kept in the attempt's
journal, survive a reload without network, are all stored once the network is back;
an old choice retried after a newer one does not overwrite it; offline past the
deadline plus grace, the unsent choices are reported as not counted and the attempt
is graded on what arrived in time; the journal never outlives the attempt or the
session."""

import json
import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from app.quizzes.models import Attempt, AttemptAnswer, AttemptSlot, Quiz
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
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", app, server


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


def _network(context, up: bool) -> None:
    """Cut or restore the network: set_offline for the pages (navigator.onLine, the
    online/offline events, their requests), and a route that fails every request
    of the context for the service worker's own fetches, which Playwright's offline
    emulation does not cut (microsoft/playwright#2311)."""
    context.set_offline(not up)
    if up:
        context.unroute("**/*")
    else:
        context.route("**/*", lambda route: route.abort("internetdisconnected"))


def _start(page, url) -> int:
    page.goto(f"{url}/login")
    page.get_by_label("Tên đăng nhập").fill("thisinh")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"{url}/quizzes/Q")
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.wait_for_url("**/attempts/*")
    return int(page.url.rsplit("/", 1)[1].split("?")[0])


def _wait_for_offline_copy(page, attempt_id: int) -> None:
    """The service worker is active and holds a copy of the page."""
    cache = f"vhcv-attempt-{attempt_id}"
    page.wait_for_function(
        "async () => (await navigator.serviceWorker.ready) && "
        f"!!(await caches.match(location.href, {{cacheName: '{cache}'}}))"
    )


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

    _network(browser_context, up=False)
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
    entries = next(iter(_journal(page).values()))["entries"]
    assert [e["position"] for e in entries] == ["1", "2", "3"]
    assert [e["seq"] for e in entries] == sorted(e["seq"] for e in entries)

    page.reload()  # without network: the service worker's copy, then the journal
    for position, choice in picks.items():
        assert page.locator(f'input[name="q{position}"][value="{choice}"]').is_checked()
        assert "Chưa lưu" in page.locator(f"#state-{position}").inner_text()
        assert "pending" in page.locator(f"#nav-{position}").get_attribute("class")
    assert _stored(app, attempt_id) == {}
    assert app.requests_seen[seen_online:] == []  # nothing reached the server

    _network(browser_context, up=True)
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
    assert _journal(page) == {}  # every entry acknowledged


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
    position = 2 if not _is_multiple(page, 2) else 3
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
    with app.app_context():
        slot = db.session.scalar(
            select(AttemptSlot).where(
                AttemptSlot.attempt_id == attempt_id, AttemptSlot.position == 4
            )
        )
        right = [
            slot.option_order.index(o["key"])
            for o in slot.version.options
            if o["correct"]
        ]
        assert len(right) == 1  # position 4 is a single-answer question
    page.locator(f'input[name="q4"][value="{right[0]}"]').check()
    page.locator("#state-4").get_by_text("Đã lưu lúc").wait_for()

    _network(browser_context, up=False)
    page.locator('input[name="q2"][value="0"]').check()
    page.locator('input[name="q3"][value="1"]').check()
    page.locator("#connection").get_by_text("2 lựa chọn đang chờ gửi").wait_for()
    # The timer runs out offline; past the deadline plus grace the page says so.
    page.locator("#connection").get_by_text(
        "Hết giờ: lựa chọn của câu 2, 3 chưa gửi được"
    ).wait_for(timeout=(20 + GRACE + 10) * 1000)
    for position in (2, 3):
        assert "Không được tính" in page.locator(f"#state-{position}").inner_text()
    assert page.locator('input[name="q2"]').first.is_disabled()

    _network(browser_context, up=True)  # the page submits once the server answers
    page.wait_for_url("**/result", timeout=20000)
    notice = page.locator("#not-counted")
    notice.wait_for()
    assert "Lựa chọn của câu 2, 3 chưa gửi được trước hạn nộp" in notice.inner_text()
    assert "1/4 câu đúng" in page.locator("main").inner_text()
    assert set(_stored(app, attempt_id)) == {4}
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.state == "finished" and attempt.score == 1
    assert _journal(page) == {}  # cleared at the end of the attempt
    assert not page.evaluate(f"caches.has('vhcv-attempt-{attempt_id}')")


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
    _network(browser_context, up=False)
    page.locator('input[name="q1"][value="0"]').check()
    page.locator("#connection").get_by_text("1 lựa chọn đang chờ gửi").wait_for()
    mine = _journal(page)
    assert list(mine) and list(mine)[0].endswith(f".{attempt_id}")
    _network(browser_context, up=True)
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
