"""What is queued for each learning event, in the event's transaction."""

import re
from datetime import timedelta

from app.courses import services as courses
from app.extensions import db
from app.quizzes import attempts
from app.timeutil import utcnow
from app.xapi import services, statements
from tests.records.helpers import make_campaign
from tests.xapi.helpers import PUBLIC, learn, outbox, user

ADL = "http://adlnet.gov/expapi/verbs/"
UNIT = f"{PUBLIC}/xapi/extensions/unit"


def by_object(rows):
    return {(r.payload["verb"]["id"], r.payload["object"]["id"]): r for r in rows}


def test_a_campaign_completed_is_told_event_by_event(ctx, tmp_path):
    person, attempt = learn(tmp_path)
    rows = outbox()
    told = by_object(rows)
    activities = f"{PUBLIC}/xapi/activities"
    modules = [k for k in told if "/module/" in k[1]]
    assert len(modules) == 3 and {k[0] for k in modules} == {ADL + "completed"}
    assert (ADL + "attempted", f"{activities}/quiz/Q") in told
    assert (ADL + "completed", f"{activities}/quiz/Q") in told
    assert (ADL + "completed", f"{activities}/campaign/C2026") in told
    earned = [r for r in rows if r.verb == "earned"]
    assert len(earned) == 1 and "/certificate/" in earned[0].payload["object"]["id"]
    assert len(rows) == 7
    for row in rows:
        statement = row.payload
        assert statement["id"] == row.id
        assert statement["actor"] == {
            "objectType": "Agent",
            "account": {"homePage": PUBLIC, "name": str(person.id)},
        }
        assert "mbox" not in statement["actor"]
        assert statement["context"]["language"] == "vi-VN"
        assert statement["context"]["platform"] == "VHCV"
        assert statement["context"]["extensions"][UNIT]["code"] == "D1A"
        assert statement["object"]["definition"]["name"]["vi-VN"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT.*\+00:00", statement["timestamp"])

    finished = told[(ADL + "completed", f"{activities}/quiz/Q")].payload
    assert finished["result"]["score"]["scaled"] == 1.0
    assert finished["result"]["success"] is True
    assert finished["result"]["duration"] == "PT300S"
    assert finished["context"]["contextActivities"]["parent"][0]["id"] == (
        f"{activities}/course/T"
    )
    module = told[modules[0]].payload
    assert re.fullmatch(r"PT\d+S", module["result"]["duration"])
    assert module["object"]["definition"]["type"].endswith("/activities/module")


def test_the_same_event_is_one_statement(ctx, tmp_path):
    person, attempt = learn(tmp_path)
    before = {r.id for r in outbox()}
    services._on_attempt_finished(attempt)  # told again (a retry, a resend)
    db.session.commit()
    assert {r.id for r in outbox()} == before
    key = f"attempt-finished:{attempt.id}"
    assert statements.statement_id(PUBLIC, key) == statements.statement_id(PUBLIC, key)
    assert statements.statement_id(PUBLIC, key) in before
    assert statements.statement_id("https://other.gov.vn", key) not in before


def test_a_rolled_back_event_queues_nothing(ctx, tmp_path):
    make_campaign(tmp_path)
    person, now = user("in1"), utcnow()
    module = courses.active_modules(courses.get_course("T"))[0]
    courses.open_module(person, module, now=now - timedelta(minutes=10))
    db.session.commit()
    courses.complete_module(person, module, 0.5, now=now)
    assert len(outbox()) == 1  # queued in the event's session
    db.session.rollback()
    assert outbox() == []


def test_nothing_is_queued_without_an_lrs(app, ctx, tmp_path):
    app.config["XAPI_LRS_URL"] = ""
    learn(tmp_path)
    assert outbox() == []


def test_a_preview_attempt_is_not_told(ctx, tmp_path):
    make_campaign(tmp_path)
    attempt = attempts.start_attempt(
        user("in1"), attempts.get_quiz("Q"), utcnow(), preview=True
    )
    attempts.finalise(attempt, utcnow())
    db.session.commit()
    assert outbox() == []


def _another_attempt_with_answers_told(app) -> None:
    """With XAPI_SEND_ANSWERS, in1 starts a second attempt an hour later, answers
    its first question and finishes."""
    app.config["XAPI_SEND_ANSWERS"] = True
    now = utcnow() + timedelta(hours=1)
    attempt = attempts.start_attempt(user("in1"), attempts.get_quiz("Q"), now)
    attempts.save_answer(attempt, 1, [0], now)
    attempts.finalise(attempt, now)
    db.session.commit()


def test_answers_are_told_only_when_configured(app, ctx, tmp_path):
    learn(tmp_path)
    assert not [r for r in outbox() if r.verb == "answered"]
    _another_attempt_with_answers_told(app)
    answered = [r.payload for r in outbox() if r.verb == "answered"]
    assert len(answered) == 1
    assert answered[0]["verb"]["id"] == ADL + "answered"
    assert "/xapi/activities/question/" in answered[0]["object"]["id"]
    assert answered[0]["context"]["contextActivities"]["parent"][0]["id"].endswith(
        "/quiz/Q"
    )


def test_an_email_only_when_configured(app, ctx, tmp_path):
    app.config["XAPI_ACTOR_MBOX"] = True
    person = type("U", (), {"id": 7, "email": "an@example.vn", "full_name": "An"})
    assert statements.actor(PUBLIC, person, True)["mbox"] == "mailto:an@example.vn"
    person.email = None
    assert statements.actor(PUBLIC, person, True)["account"]["name"] == "7"


def test_duration_is_iso_8601():
    assert statements.duration(95.4) == "PT95S"
    assert statements.duration(-1) == "PT0S"


def test_the_statements_of_one_attempt_share_its_registration(app, ctx, tmp_path):
    """attempted, answered and completed of an attempt carry one registration
    (a UUID), another attempt of the same quiz another one; other events none."""
    import uuid

    learn(tmp_path)
    _another_attempt_with_answers_told(app)
    rows = [r.payload for r in outbox()]
    by_attempt: dict[str, set] = {}
    for statement in rows:
        registration = statement["context"].get("registration")
        if (
            statement["object"]["id"].endswith(("/quiz/Q",))
            or "/question/" in (statement["object"]["id"])
        ):
            assert registration is not None, statement["verb"]["id"]
            uuid.UUID(registration)
            by_attempt.setdefault(registration, set()).add(statement["verb"]["id"])
        else:
            assert registration is None
    assert len(by_attempt) == 2  # the first attempt (learn) and this one
    assert {ADL + "attempted", ADL + "answered", ADL + "completed"} in [
        verbs for verbs in by_attempt.values()
    ]
