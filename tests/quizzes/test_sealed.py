"""A sealed quiz (a contest round): before its windows close nothing anyone can
reach — the learner, a trainer, HR, an administrator; pages, JSON, CSV, xAPI —
shows a score, pass or fail, a mark or a right answer; once they have closed,
everything shows as the review policy says. All of it goes through one gate,
quizzes.windows.results_visible."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.accounts.models import User
from app.extensions import db
from app.quizzes import attempts, sweep, windows
from app.quizzes.models import (
    Attempt,
    AttemptAnswer,
    AttemptSlot,
    QuestionBank,
    QuestionVersion,
    Quiz,
    QuizWindow,
)
from app.quizzes.presenters import forget_question_html
from app.timeutil import utcnow
from app.xapi.models import XapiStatement
from tests.factories import make_tree, make_user
from tests.quizzes.helpers import make_quiz
from tests.xapi.helpers import PUBLIC

SEALED_TEXT = "Bài làm đã được nộp. Kết quả sẽ được công bố sau khi vòng thi kết thúc"
# What would give a result or a right answer away on any of the pages.
MARKERS = [
    "câu đúng",
    "✓",
    "Đạt",
    "Chưa đạt",
    "Đúng một phần",
    "Chưa đúng",
    "đáp án đúng",
    'class="correct',
    "badge-ok",
    "Giải thích",
    "100%",
    "100 %",
    "100\u00a0%",
    "Tỉ lệ chọn từng phương án: ",
    '"score"',
    '"passed"',
    '"percent"',
]
# What may differ between two renders: the clock and the CSRF tokens.
NOISE = re.compile(
    r'"remaining":\s*\d+|"now":\s*"[^"]*"|name="csrf_token"[^>]*'
    r'|<meta name="csrf-token"[^>]*>|"saved_at":\s*"[^"]*"'
)


@pytest.fixture
def config_overrides():
    return {"XAPI_LRS_URL": "http://127.0.0.1:9/xAPI", "VHCV_PUBLIC_URL": PUBLIC}


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


@pytest.fixture
def sealed(app, client, auth) -> dict:
    """Sealed quiz Q (review after submit, window open until an hour from now) owned
    by the province; hv (C1) answered every question right and submitted. hr (HR
    of the province), tr (its trainer), adm (administrator)."""
    with app.app_context():
        tree = make_tree()
        make_user("hv", tree["C1"])
        make_user("hr", tree["P"], roles=[("hr", tree["P"])])
        make_user("tr", tree["P"], roles=[("trainer", tree["P"])])
        make_user("adm", tree["P"], roles=[("admin", None)])
        quiz = make_quiz(review="after_submit")
        now = utcnow()
        quiz.sealed = True
        quiz.opens_at, quiz.closes_at = (
            now - timedelta(hours=1),
            now + timedelta(hours=1),
        )
        quiz.owner_unit_id = tree["P"].id  # its trainers see its statistics
        db.session.execute(update(QuestionBank).values(owner_unit_id=tree["P"].id))
        quiz.prediction_prompt = "Dự đoán số người đúng hết?"
        db.session.commit()
    auth.login("hv")
    token = auth.token("/quizzes/Q")
    location = client.post("/quizzes/Q/start", data={"csrf_token": token}).location
    attempt_id = int(location.rsplit("/", 1)[1])
    page = client.get(location).get_data(as_text=True)
    autosave_token = re.search(r'data-token="([^"]+)"', page).group(1)
    with app.app_context():
        slots = db.session.scalars(
            select(AttemptSlot).where(AttemptSlot.attempt_id == attempt_id)
        ).all()
        right = {
            s.position: [
                i
                for i, key in enumerate(s.option_order)
                if {o["key"]: o for o in s.version.options}[key]["correct"]
            ]
            for s in slots
        }
    for position, choices in right.items():
        response = client.post(
            f"/autosave/{attempt_id}",
            data={"t": autosave_token, "position": position, "choice": choices},
        )
        # The autosave's answer is the same as for any quiz: nothing of a result
        # (the choice held, when a later one is, is the cadre's own, never a mark).
        assert set(response.json) == {
            "saved",
            "position",
            "seq",
            "stored",
            "stored_seq",
            "stored_choices",
            "saved_at",
            "remaining",
        }
        assert response.json["stored_choices"] in (None, choices)
    token = auth.token(f"/attempts/{attempt_id}/confirm")
    response = client.post(
        f"/attempts/{attempt_id}/submit", data={"csrf_token": token, "prediction": "7"}
    )
    assert response.location.endswith("/result")
    auth.logout()
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.percent == 100 and attempt.passed  # graded, only not shown
        return {"attempt": attempt_id, "hv": attempt.user_id}


def urls(ids: dict) -> dict[str, list[str]]:
    """Every page, JSON and download about the attempt each viewer can reach."""
    a, person = ids["attempt"], ids["hv"]
    staff = [f"/reports/cadres/{person}/attempts", f"/reports/attempts/{a}"]
    authoring = [
        "/authoring/quizzes/Q/statistics",
        "/authoring/quizzes/Q/statistics.csv",
    ]
    return {
        "hv": [
            "/",
            "/quizzes/Q",
            f"/attempts/{a}",
            f"/attempts/{a}/result",
            f"/attempts/{a}/status",
            f"/attempts/{a}/confirm",
        ],
        "hr": [*staff, f"/reports/cadres/{person}"],
        "tr": [*staff, *authoring],
        "adm": [*staff, *authoring, f"/reports/cadres/{person}"],
    }


def render_all(client, auth, ids) -> dict[str, str]:
    """Each viewer's pages, "<username> <url>" → its status and text; only the
    statistics' CSV of a sealed quiz is refused (409), every other page is there."""
    texts = {}
    for username, addresses in urls(ids).items():
        auth.login(username)
        for url in addresses:
            response = client.get(url, follow_redirects=True)
            refused = response.status_code == 409
            assert response.status_code == 200 or (refused and ".csv" in url), url
            texts[f"{username} {url}"] = f"{response.status_code} " + response.get_data(
                as_text=True
            )
        auth.logout()
    return texts


def move_close(app, delta: timedelta) -> None:
    with app.app_context():
        db.session.execute(
            update(Quiz).where(Quiz.code == "Q").values(closes_at=utcnow() + delta)
        )
        db.session.commit()


def test_nothing_of_the_result_shows_before_close_and_all_after(
    app, client, auth, sealed
):
    before = render_all(client, auth, sealed)
    for where, text in before.items():
        found = [m for m in MARKERS if m in text]
        assert not found, f"{where} shows {found}"
    result = before[f"hv /attempts/{sealed['attempt']}/result"]
    assert SEALED_TEXT in result and "Dự đoán của bạn: 7" in result
    assert "chưa công bố" in before[f"hr /reports/attempts/{sealed['attempt']}"]
    assert "niêm phong" in before["tr /authoring/quizzes/Q/statistics"]
    assert before["tr /authoring/quizzes/Q/statistics.csv"].startswith("409 ")
    # Nothing on them depends on the result: flip every right option and change
    # the grades in the database, and every page reads the same.
    with app.app_context():
        for version in db.session.scalars(select(QuestionVersion)):
            version.options = [
                {**o, "correct": not o["correct"]} for o in version.options
            ]
        db.session.execute(
            update(Attempt).values(score=1.0, percent=25.0, passed=False)
        )
        db.session.execute(update(AttemptAnswer).values(marks=0.0))
        db.session.commit()
    forget_question_html(app)
    after = render_all(client, auth, sealed)
    assert {k: NOISE.sub("", v) for k, v in before.items()} == {
        k: NOISE.sub("", v) for k, v in after.items()
    }
    # Closed: the result shows to the learner (review after submit) and staff.
    move_close(app, -timedelta(minutes=1))
    opened = render_all(client, auth, sealed)
    a = sealed["attempt"]
    # A contest round's right answers, never a pass or a pass mark.
    assert "Số câu đúng: 1/4" in opened[f"hv /attempts/{a}/result"]
    assert "Giải thích" in opened[f"hv /attempts/{a}/result"]
    assert "1/4 câu đúng" in opened["hv /quizzes/Q"]
    for page in (opened[f"hv /attempts/{a}/result"], opened["hv /quizzes/Q"]):
        assert "Chưa đạt" not in page and "điểm đạt" not in page.lower()
    assert "đáp án đúng" in opened[f"hr /reports/attempts/{a}"]
    staff_list = opened[f"tr /reports/cadres/{sealed['hv']}/attempts"]
    assert "1/4 câu đúng" in staff_list and "Đã nộp" in staff_list
    assert (
        "Chưa đạt" not in staff_list
        and "Chưa đạt" not in opened[f"hr /reports/attempts/{a}"]
    )
    assert "✓" in opened["tr /authoring/quizzes/Q/statistics"]
    csv = opened["adm /authoring/quizzes/Q/statistics.csv"]
    assert csv.startswith("200 ") and "Chỉ số độ dễ (%)" in csv and "*" in csv


def test_a_unit_window_still_open_keeps_it_sealed(app, sealed):
    with app.app_context():
        quiz = attempts.get_quiz("Q")
        now = utcnow()
        assert not windows.results_visible(quiz, now)
        quiz.closes_at = now - timedelta(minutes=1)
        late = QuizWindow(
            quiz_id=quiz.id,
            unit_id=user("hv").unit_id,
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(hours=2),
        )
        db.session.add(late)
        db.session.commit()
        assert not windows.results_visible(quiz, now)
        assert windows.results_open_at(quiz) == late.closes_at
        assert windows.results_visible(quiz, now + timedelta(hours=3))
        quiz.closes_at = None  # no close at all: sealed for good
        assert not windows.results_visible(quiz, now + timedelta(days=999))
        assert windows.results_open_at(quiz) is None
        quiz.sealed = False
        assert windows.results_visible(quiz, now)


def test_the_xapi_statement_leaves_the_result_out_before_close(app, sealed):
    with app.app_context():
        completed = [
            row.payload
            for row in db.session.scalars(select(XapiStatement))
            if row.verb == "completed"
        ]
    assert len(completed) == 1
    result = completed[0]["result"]
    assert result["completion"] is True and "duration" in result
    assert "score" not in result and "success" not in result


def test_an_attempt_swept_after_close_is_told_with_its_score(app, sealed):
    with app.app_context():
        quiz = attempts.get_quiz("Q")
        quiz.attempts_allowed = 2
        second = attempts.start_attempt(user("hv"), quiz)
        db.session.commit()
        second_id = second.id
    move_close(app, -timedelta(minutes=1))  # the round closes with it open
    with app.app_context():
        db.session.execute(
            update(Attempt)
            .where(Attempt.id == second_id)
            .values(deadline_at=utcnow() - timedelta(minutes=2))
        )
        assert sweep.close_overdue() == 1
        db.session.commit()
        completed = [
            r.payload["result"]
            for r in db.session.scalars(select(XapiStatement))
            if r.verb == "completed"
        ]
    assert sorted("score" in r for r in completed) == [False, True]


def test_results_stay_sealed_while_the_last_saves_are_still_taken(app, sealed):
    """Saves sent before the close count until its grace has passed: the results
    must not show while one can still be made."""
    with app.app_context():
        quiz = attempts.get_quiz("Q")
        closes = utcnow() - timedelta(hours=1)
        quiz.closes_at = closes
        db.session.commit()
        grace = windows.grace_period()
        assert grace > timedelta(0)
        assert not windows.results_visible(quiz, closes)
        assert not windows.results_visible(quiz, closes + grace / 2)
        assert windows.results_visible(quiz, closes + grace + timedelta(seconds=1))


def test_once_the_results_are_made_known_the_lrs_is_told_the_score(app, sealed):
    """The round's results are made known (signals.results_opened, sent by the
    contest ranking): each finished attempt's score goes to the LRS in a statement
    of its own, once however often it is sent; not while the quiz is still sealed."""
    from app.signals import results_opened

    def told():
        return [
            r.payload["result"]
            for r in db.session.scalars(select(XapiStatement))
            if r.verb == "completed"
        ]

    with app.app_context():
        results_opened.send(attempts.get_quiz("Q"))  # still open: nothing more
        db.session.commit()
        assert [("score" in r) for r in told()] == [False]
    move_close(app, -timedelta(minutes=10))
    with app.app_context():
        for _ in range(2):
            results_opened.send(attempts.get_quiz("Q"))
            db.session.commit()
        results = told()
    assert sorted("score" in r for r in results) == [False, True]
    (scored,) = [r for r in results if "score" in r]
    assert scored["score"]["scaled"] == 1.0 and scored["success"] is True


def test_a_round_ranked_within_the_grace_still_tells_the_scores(app, sealed):
    """Ranked seconds after the close (no attempt left open): the scores go out
    then, not only once the grace has passed (nobody would send them later)."""
    from app.signals import results_opened

    move_close(app, -timedelta(seconds=1))
    with app.app_context():
        results_opened.send(attempts.get_quiz("Q"), now=utcnow())
        db.session.commit()
        scored = [
            r.payload["result"]
            for r in db.session.scalars(select(XapiStatement))
            if r.verb == "completed" and "score" in r.payload["result"]
        ]
    assert len(scored) == 1
