"""The contest editor: scope, the contest form, the round form (a confirm step
while the round is open), bad input on every field, audit, and the three-way
rule's "browser" origin."""

import unicodedata
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.contests.models import Contest, ContestRound
from app.extensions import db
from app.timeutil import to_vn
from tests.contests.helpers import make_contest, moment
from tests.html_checks import first_submits

LIST = "/authoring/contests"
EDIT = "/authoring/contests/ct"
R1 = "/authoring/contests/ct/rounds/r1"
R2 = "/authoring/contests/ct/rounds/r2"


@pytest.fixture
def contest(app, tmp_path):
    with app.app_context():
        return make_contest(tmp_path)


def _contest_form(auth, **fields):
    data = {
        "csrf_token": auth.token(EDIT),
        "title": "Cuộc thi đã sửa",
        "organiser": "Sở Nội vụ tỉnh",
        "description": "Mô tả.",
        "rules": "Thể lệ mới.",
        "overall": "best",
        "one_prize_per_contest": "y",
        "targets": ["D", "C"],
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def _round_form(auth, url=R1, **fields):
    data = {
        "csrf_token": auth.token(url),
        "title": "Đợt 1 (sửa)",
        "opens_at": "2026-01-01T08:00",
        "closes_at": "2026-01-10T17:00",
        "time_limit_minutes": "15",
        "attempts_allowed": "3",
        "questions_per_page": "2",
        "shuffle_questions": "y",
        "prediction": "Bao nhiêu người đúng hết?",
        "prize_nhat": "1",
        "prize_nhi": "2",
        "prize_ba": "3",
        "prize_khuyen_khich": "4",
        "rules-0-count": "2",
        "rules-0-bank": "CB",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def _state(app):
    with app.app_context():
        contest = db.session.scalar(select(Contest))
        r1 = db.session.scalar(select(ContestRound).where(ContestRound.code == "r1"))
        r2 = db.session.scalar(select(ContestRound).where(ContestRound.code == "r2"))
        return {
            "title": contest.title,
            "origin": contest.origin,
            "overall": contest.overall,
            "targets": sorted(t.unit.code for t in contest.targets),
            "r1": (
                r1.title,
                r1.quiz.time_limit_seconds,
                r1.quiz.attempts_allowed,
                r1.prizes,
                r1.quiz.prediction_prompt,
                r1.quiz.draw_rules,
                r1.quiz.opens_at,
                r1.quiz.origin,
            ),
            "r2": (r2.title, r2.quiz.time_limit_seconds),
            "r2_targets": sorted(t.unit_id for t in r2.quiz.targets),
        }


def test_the_list_shows_contests_in_scope_only(client, auth, contest):
    auth.login("trainer")
    page = client.get(LIST).get_data(as_text=True)
    assert "Cuộc thi thử" in page and R1 in page
    auth.logout()
    auth.login("other")  # a trainer of C: the contest is D's
    assert "Cuộc thi thử" not in client.get(LIST).get_data(as_text=True)
    assert client.get(EDIT).status_code == 404
    assert client.get(R1).status_code == 404


def test_a_cadre_may_not_edit(client, auth, contest):
    auth.login("cadre")
    assert client.get(LIST).status_code == 403


@pytest.fixture
def future(app, tmp_path):
    """Contest ct with both rounds yet to open: its targets may still change."""
    days = {"r1_opens": 2, "r1_closes": 3, "r2_opens": 4, "r2_closes": 10}
    with app.app_context():
        return make_contest(tmp_path, **{k: moment(d) for k, d in days.items()})


def test_the_contest_form_saves_audits_and_marks_the_browser(app, client, auth, future):
    auth.login("trainer")
    page = client.get(EDIT).get_data(as_text=True)
    assert 'value="Cuộc thi thử"' in page and "Sở Nội vụ — Tỉnh Thử (D)" in page
    # D is the trainer's scope: C (outside it) cannot be a target
    refused = client.post(EDIT, data=_contest_form(auth), follow_redirects=True)
    assert "Không tìm thấy đơn vị “C”" in refused.get_data(as_text=True)
    assert _state(app)["title"] == "Cuộc thi thử"
    response = client.post(EDIT, data=_contest_form(auth, targets=["D1"]))
    assert response.status_code == 302
    state = _state(app)
    assert state["title"] == "Cuộc thi đã sửa" and state["origin"] == "browser"
    assert state["overall"] == "best" and state["targets"] == ["D1"]
    assert state["r2_targets"] == [future["tree"]["D1"]]  # the rounds' quizzes follow
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "contest.changed")
        )
        assert "title" in event.detail["fields"] and "targets" in event.detail["fields"]
    again = client.post(
        EDIT, data=_contest_form(auth, targets=["D1"]), follow_redirects=True
    )
    assert "Không có gì thay đổi" in again.get_data(as_text=True)


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"title": ""}, "Vui lòng điền trường này."),
        ({"title": "x" * 300}, "255"),
        ({"organiser": " "}, "Vui lòng điền trường này."),
        ({"rules": ""}, "Vui lòng điền trường này."),
        ({"overall": "avg"}, "Lựa chọn không hợp lệ."),
        ({"targets": []}, "Cần chọn ít nhất một đơn vị"),
        ({"targets": ["Không có (ZZ)"]}, "Không tìm thấy đơn vị"),
    ],
)
def test_bad_contest_input_changes_nothing(app, client, auth, contest, fields, message):
    auth.login("trainer")
    before = _state(app)
    response = client.post(EDIT, data=_contest_form(auth, **fields))
    assert response.status_code in (200, 302)
    page = (
        client.get(EDIT).get_data(as_text=True)
        if response.status_code == 302
        else response.get_data(as_text=True)
    )
    assert message in page or message in response.get_data(as_text=True), page[:200]
    assert _state(app) == before


@pytest.mark.parametrize(
    "fields, message",
    [
        (
            {"description": "Mở đầu.\n\n<script>alert(1)</script>"},
            "Giới thiệu, dòng 3: HTML thô không được phép",
        ),
        ({"rules": "Thể lệ\n\n```\nmã\n```"}, "Thể lệ, dòng 3: khối mã"),
        ({"rules": "# Thể lệ\n\nĐúng hết."}, "Thể lệ, dòng 1: không dùng tiêu đề"),
    ],
)
def test_markdown_a_contest_file_refuses_is_refused(
    app, client, auth, contest, fields, message
):
    """The introduction and thể lệ are checked as in a contest file (`flask
    content check`): what it refuses was saved from the browser; the page keeps
    what was typed."""
    auth.login("trainer")
    before = _state(app)
    response = client.post(EDIT, data=_contest_form(auth, targets=["D"], **fields))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page
    assert "Cuộc thi đã sửa" in page  # the title typed, not the saved one
    assert _state(app) == before


def test_the_targets_are_fixed_once_a_round_has_opened(app, client, auth, contest):
    """r1 has opened (and closed): the ranking reads the targets, so a change
    would drop or refuse someone who took part. Refused, nothing written; the
    other fields may still change."""
    auth.login("trainer")
    before = _state(app)
    response = client.post(EDIT, data=_contest_form(auth, targets=["D1"]))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "các đơn vị dự thi đã cố định" in page
    assert _state(app) == before
    kept = client.post(EDIT, data=_contest_form(auth, targets=["D"]))
    assert kept.status_code == 302 and _state(app)["title"] == "Cuộc thi đã sửa"


def test_a_target_inside_another_is_refused(app, client, auth, future):
    """D1 lies in D: the results per unit would count its cadres under one of
    them only. Refused, even before any round has opened."""
    auth.login("trainer")
    before = _state(app)
    response = client.post(EDIT, data=_contest_form(auth, targets=["D", "D1"]))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Đơn vị dự thi “D1” nằm trong đơn vị dự thi “D”" in page
    assert _state(app) == before


def test_contest_text_is_stored_as_its_file_would_give_it(app, client, auth, contest):
    """Decomposed Vietnamese (NFD) is stored composed and a textarea's "\\r\\n" as
    "\\n", as the contest file's text is read (the hashes of the three-way rule)."""
    auth.login("trainer")
    nfd = unicodedata.normalize("NFD", "Cuộc thi Tiếng Việt")
    fields = {"title": nfd, "organiser": unicodedata.normalize("NFD", "Sở Nội vụ")}
    fields["rules"] = unicodedata.normalize("NFD", "## Thể lệ\r\n\r\nĐúng hết.\r\n")
    response = client.post(EDIT, data=_contest_form(auth, targets=["D"], **fields))
    assert response.status_code == 302
    page = client.get(R2).get_data(as_text=True)
    opens = page.split('name="opens_at"')[1].split('value="')[1].split('"')[0]
    closes = page.split('name="closes_at"')[1].split('value="')[1].split('"')[0]
    data = _round_form(auth, R2, opens_at=opens, closes_at=closes, confirm="1")
    data |= {"rules-0-count": "3", "title": unicodedata.normalize("NFD", "Đợt hai")}
    data["prediction"] = unicodedata.normalize("NFD", "Dự đoán?\r\nGhi số.")
    assert client.post(R2, data=data).status_code == 302
    with app.app_context():
        row = db.session.scalar(select(Contest))
        assert (row.title, row.organiser) == ("Cuộc thi Tiếng Việt", "Sở Nội vụ")
        assert row.rules_md == "## Thể lệ\n\nĐúng hết."
        r2 = db.session.scalar(select(ContestRound).where(ContestRound.code == "r2"))
        assert (r2.title, r2.quiz.title) == ("Đợt hai", "Đợt hai")
        assert r2.quiz.prediction_prompt == "Dự đoán?\nGhi số."


def test_contest_form_needs_csrf(app, client, auth, contest):
    auth.login("trainer")
    data = _contest_form(auth)
    data.pop("csrf_token")
    assert client.post(EDIT, data=data).status_code in (200, 400)
    assert _state(app)["title"] == "Cuộc thi thử"


def test_a_closed_round_keeps_its_window_draw_and_rules(app, client, auth, contest):
    """Once a round has closed (its answers may be public), its window, draw and
    rules are fixed: a change of them is refused; its name and prizes change at
    once, audited."""
    auth.login("trainer")
    page = client.get(R1).get_data(as_text=True)
    assert 'value="Đợt 1"' in page and "CB — Ngân hàng cuộc thi" in page
    before = _state(app)
    response = client.post(R1, data=_round_form(auth), follow_redirects=True)
    assert "Đợt thi đã kết thúc" in response.get_data(as_text=True)
    assert _state(app) == before

    response = client.post(R1, data=_closed_r1(auth, page))
    assert response.status_code == 302, response.get_data(as_text=True)
    title, limit, attempts, prizes, prediction, draw, opens, origin = _state(app)["r1"]
    assert (title, limit, attempts) == ("Đợt 1 (sửa)", 600, 2)
    assert prizes == {"nhat": 1, "nhi": 2, "ba": 3, "khuyen_khich": 4}
    assert origin == "browser" and opens == before["r1"][6]
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "contest.round_changed")
        )
        assert event.detail["round"] == "r1" and event.detail["while_open"] is False
        assert set(event.detail["fields"]) == {"title", "prizes"}


def test_a_running_round_asks_for_confirmation_first(app, client, auth, contest):
    auth.login("trainer")
    before = _state(app)
    page = client.get(R2).get_data(as_text=True)
    opens = page.split('name="opens_at"')[1].split('value="')[1].split('"')[0]
    closes = page.split('name="closes_at"')[1].split('value="')[1].split('"')[0]
    data = _round_form(
        auth,
        R2,
        title="Đợt 2 (sửa)",
        opens_at=opens,
        closes_at=closes,
        **{"rules-0-count": "3"},
    )
    asked = client.post(R2, data=data)
    text = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Đợt thi này đang diễn ra" in text
    assert 'name="confirm" value="1"' in text and "time_limit_minutes" in text
    assert _state(app) == before
    data["confirm"] = "1"
    done = client.post(R2, data=data)
    assert done.status_code == 302
    assert _state(app)["r2"] == ("Đợt 2 (sửa)", 900)
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "contest.round_changed")
        )
        assert event.detail["while_open"] is True


def test_enter_while_asked_to_confirm_does_not_confirm(app, client, auth, contest):
    """Enter in a field presses the form's first submit button: while the confirm
    step shows, that is a hidden "Lưu đợt thi", which asks again."""
    auth.login("trainer")
    before = _state(app)
    page = client.get(R2).get_data(as_text=True)
    opens = page.split('name="opens_at"')[1].split('value="')[1].split('"')[0]
    closes = page.split('name="closes_at"')[1].split('value="')[1].split('"')[0]
    data = _round_form(auth, R2, opens_at=opens, closes_at=closes)
    asked = client.post(R2, data=data).get_data(as_text=True)
    assert "Đợt thi này đang diễn ra" in asked
    defaults = first_submits(asked).values()  # the header's forms' too
    assert not [b for b in defaults if b.get("name") == "confirm"]
    assert [b for b in defaults if b.get("aria-hidden") == "true"]
    again = client.post(R2, data=data)  # what Enter sends: no "confirm"
    assert "Đợt thi này đang diễn ra" in again.get_data(as_text=True)
    assert _state(app) == before


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"title": ""}, "Vui lòng điền trường này."),
        ({"opens_at": "hôm qua"}, "Ngày giờ không hợp lệ."),
        ({"opens_at": "0001-01-01T00:00"}, "Năm phải từ 2000 đến 2100."),
        ({"closes_at": "9999-12-31T23:59"}, "Năm phải từ 2000 đến 2100."),
        ({"closes_at": "2025-12-01T08:00"}, "Đợt thi phải đóng sau khi mở."),
        ({"closes_at": "2099-01-01T08:00"}, "Đợt thi đóng sau khi đợt “Đợt 2” mở."),
        ({"time_limit_minutes": "0"}, "Từ 1 đến 600."),
        ({"time_limit_minutes": "abc"}, "Cần nhập một số nguyên."),
        ({"attempts_allowed": "21"}, "Từ 1 đến 20."),
        ({"questions_per_page": "0"}, "Từ 1 đến 100."),
        ({"prediction": " "}, "Vui lòng điền trường này."),
        ({"prediction": "x" * 1001}, "1000"),
        ({"prize_nhat": "-1"}, "Từ 0 đến 1000."),
        ({"prize_ba": ""}, "Nhập một số."),
        ({"rules-0-count": "9"}, "cần 9 câu từ ngân hàng CB"),
        ({"rules-0-bank": "", "rules-0-count": ""}, "Cần ít nhất một quy tắc"),
        ({"rules-0-bank": "NOPE"}, "không có ngân hàng “NOPE”"),
        ({"rules-0-tag": "thu"}, "không cả hai"),
        ({"rules-0-count": "99999999999"}, "Số phải từ 1 đến 500."),
        ({"rules-1-tag": "t" * 61, "rules-1-count": "1"}, "Không được dài quá 60"),
    ],
)
def test_bad_round_input_changes_nothing(app, client, auth, contest, fields, message):
    auth.login("trainer")
    before = _state(app)
    response = client.post(R1, data=_round_form(auth, **fields), follow_redirects=True)
    assert message in response.get_data(as_text=True)
    assert _state(app) == before


def test_round_form_of_an_unknown_round_is_not_found(client, auth, contest):
    auth.login("trainer")
    assert client.get("/authoring/contests/ct/rounds/zz").status_code == 404
    assert client.get("/authoring/contests/zz").status_code == 404


def test_no_change_is_said_and_not_audited(app, client, auth, contest):
    auth.login("trainer")
    page = client.get(R1).get_data(as_text=True)
    data = _closed_r1(
        auth,
        page,
        title="Đợt 1",
        prize_nhat="1",
        prize_nhi="1",
        prize_ba="1",
        prize_khuyen_khich="0",
    )
    response = client.post(R1, data=data, follow_redirects=True)
    assert "Không có gì thay đổi" in response.get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(AuditEvent.id)).where(
                    AuditEvent.action == "contest.round_changed"
                )
            )
            == 0
        )


def test_a_round_is_set_in_its_contest_not_in_the_quiz_settings(client, auth, contest):
    """The quiz settings page of a round's quiz leads to the round's editor (its
    confirm step, audit and file rule), and a participant who is also a trainer
    may not preview the running round: a preview shows the right answers."""
    from app.quizzes.models import Attempt

    auth.login("trainer")
    response = client.get("/authoring/quizzes/r2/settings")
    assert response.status_code == 302 and response.location.endswith(R2)
    token = auth.token("/authoring/quizzes")
    response = client.post("/authoring/quizzes/r2/preview", data={"csrf_token": token})
    assert response.status_code == 302 and "/preview" not in response.location
    page = client.get(response.location).get_data(as_text=True)
    assert "chỉ xem thử được sau khi đợt thi kết thúc" in page
    with client.application.app_context():
        assert db.session.scalar(select(func.count(Attempt.id))) == 0


def _base(page: str) -> str:
    return page.split('name="base" type="hidden" value="')[1].split('"')[0]


def _closed_r1(auth, page: str, **fields):
    """The round form of R1 (closed: only its title and prizes may change) as the
    page shows it, with `fields` changed."""

    def value(name):
        return page.split(f'name="{name}"')[1].split('value="')[1].split('"')[0]

    prediction = page.split('name="prediction"')[1].split(">", 1)[1]
    data = _round_form(
        auth,
        opens_at=value("opens_at"),
        closes_at=value("closes_at"),
        time_limit_minutes="10",
        attempts_allowed="2",
        questions_per_page="5",
        shuffle_options="y",
        prediction=prediction.split("</textarea>")[0].strip(),
    )
    return data | fields


def test_a_stale_contest_form_does_not_overwrite_a_newer_save_unseen(
    app, client, auth, contest
):
    """Two tabs open the contest; the first saves. The second's save is refused
    once, keeping what was typed, and a second save overwrites knowingly. A round
    saved meanwhile does not make the contest form stale (its own fields only)."""
    auth.login("trainer")
    old = _base(client.get(EDIT).get_data(as_text=True))
    r1 = client.get(R1).get_data(as_text=True)
    round_saved = client.post(R1, data=_closed_r1(auth, r1, title="Đợt một"))
    assert round_saved.status_code == 302
    first = _contest_form(auth, targets=["D"], base=old)
    assert client.post(EDIT, data=first).status_code == 302  # not stale: a round
    assert _state(app)["title"] == "Cuộc thi đã sửa"
    stale = _contest_form(auth, targets=["D"], base=old, title="Tên từ thẻ cũ")
    refused = client.post(EDIT, data=stale)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "đã được lưu ở nơi khác" in page
    assert 'value="Tên từ thẻ cũ"' in page
    assert _state(app)["title"] == "Cuộc thi đã sửa"
    again = client.post(EDIT, data=stale | {"base": _base(page)})
    assert again.status_code == 302 and _state(app)["title"] == "Tên từ thẻ cũ"


def test_a_stale_round_form_does_not_overwrite_a_newer_save_unseen(
    app, client, auth, contest
):
    """As the contest's: a round's form opened before another save of the round is
    refused once, then overwrites; a save of the contest or of another round
    meanwhile does not make it stale."""
    auth.login("trainer")
    page = client.get(R1).get_data(as_text=True)
    old = _base(page)
    saved = client.post(EDIT, data=_contest_form(auth, targets=["D"]))
    assert saved.status_code == 302  # the contest's fields: not the round's
    r2 = client.get(R2).get_data(as_text=True)
    opens = r2.split('name="opens_at"')[1].split('value="')[1].split('"')[0]
    closes = r2.split('name="closes_at"')[1].split('value="')[1].split('"')[0]
    other = _round_form(auth, R2, opens_at=opens, closes_at=closes, confirm="1")
    other |= {"rules-0-count": "3", "title": "Đợt hai"}
    assert client.post(R2, data=other).status_code == 302  # another round
    first = _closed_r1(auth, page, title="Đợt một", base=old)
    assert client.post(R1, data=first).status_code == 302
    stale = _closed_r1(auth, page, title="Đợt thứ nhất", base=old)
    refused = client.post(R1, data=stale)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "đã được lưu ở nơi khác" in text
    assert 'value="Đợt thứ nhất"' in text and _state(app)["r1"][0] == "Đợt một"
    again = client.post(R1, data=stale | {"base": _base(text)})
    assert again.status_code == 302 and _state(app)["r1"][0] == "Đợt thứ nhất"


def test_a_started_round_keeps_its_draw_time_and_attempts(app, client, auth, contest):
    """Once a cadre has started r2 (running), its draw, time limit and attempts
    are fixed even when confirmed (every attempt is measured the same way); its
    name and prizes still change."""
    from app.accounts.models import User
    from tests.contests.rank_helpers import attempt

    with app.app_context():
        r2 = db.session.scalar(select(ContestRound).where(ContestRound.code == "r2"))
        cadre = db.session.scalar(select(User).where(User.username == "cadre"))
        attempt(r2, cadre, right=3, questions=3)
    auth.login("trainer")
    before = _state(app)
    page = client.get(R2).get_data(as_text=True)
    assert "chỉ sửa được tên đợt, số giải và lùi giờ kết thúc" in page

    def value(name):
        return page.split(f'name="{name}"')[1].split('value="')[1].split('"')[0]

    prediction = page.split('name="prediction"')[1].split(">", 1)[1]
    same = _round_form(
        auth,
        R2,
        opens_at=value("opens_at"),
        closes_at=value("closes_at"),
        time_limit_minutes="10",
        attempts_allowed="1",
        questions_per_page="5",
        shuffle_options="y",
        prediction=prediction.split("</textarea>")[0].strip(),
        confirm="1",
        **{"rules-0-count": "3"},
    )
    for change in ({"rules-0-count": "4"}, {"time_limit_minutes": "15"}):
        refused = client.post(R2, data=same | change)
        assert "Đợt thi đã có người làm bài" in refused.get_data(as_text=True)
        assert _state(app) == before
    done = client.post(R2, data=same | {"title": "Đợt hai"})
    assert done.status_code == 302, done.get_data(as_text=True)
    assert _state(app)["r2"] == ("Đợt hai", 600)
    # its close may move later (an outage), never earlier
    closes = datetime.fromisoformat(value("closes_at"))
    for moved, allowed in ((timedelta(minutes=-1), False), (timedelta(days=1), True)):
        change = {"title": "Đợt hai", "closes_at": f"{closes + moved:%Y-%m-%dT%H:%M}"}
        answer = client.post(R2, data=same | change)
        assert (answer.status_code == 302) == allowed, answer.get_data(as_text=True)
    with app.app_context():
        r2 = db.session.scalar(select(ContestRound).where(ContestRound.code == "r2"))
        assert to_vn(r2.quiz.closes_at).replace(tzinfo=None) == closes + timedelta(1)
