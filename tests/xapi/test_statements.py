"""What is queued for each learning event, in the event's transaction."""

import re
import uuid
from datetime import timedelta

from sqlalchemy import delete, update

from app.content.sync_quizzes import render_inline
from app.courses import services as courses
from app.extensions import db
from app.markdown import render_markdown
from app.quizzes import attempts
from app.timeutil import utcnow
from app.xapi import services, statements
from app.xapi.models import XapiStatement
from tests.query_count import counted
from tests.records.helpers import make_campaign, read_all
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
    assert key in {r.event_key for r in outbox()}


def test_statement_ids_are_derived_from_the_event(ctx, tmp_path):
    """An id is a UUID 5 of the event: its key, actor and moment. The event told
    anew (its outbox row gone, as after a backup restored from before it was
    sent) is the same statement, so the LRS takes it as a resend; the same
    database id reused for another moment or cadre (a restore, a second
    installation at the same public URL) is another id, never one the LRS holds
    for another statement."""
    person, attempt = learn(tmp_path)
    rows = outbox()
    assert all(uuid.UUID(r.id).version == 5 for r in rows)
    assert all(r.payload["id"] == r.id and r.event_key for r in rows)
    key = f"attempt-finished:{attempt.id}"
    first = next(r for r in rows if r.event_key == key)
    body = {k: v for k, v in first.payload.items() if k != "id"}
    assert statements.statement_id(PUBLIC, key, body) == first.id
    db.session.execute(delete(XapiStatement).where(XapiStatement.event_key == key))
    services._on_attempt_finished(attempt)
    db.session.commit()
    again = [r for r in outbox() if r.event_key == key]
    assert [r.id for r in again] == [first.id]
    later = {**body, "timestamp": "2027-01-01T00:00:00.000+00:00"}
    other = {**body, "actor": {**body["actor"], "account": {"name": "0"}}}
    ids = {statements.statement_id(PUBLIC, key, b) for b in (body, later, other)}
    assert len(ids) == 3 and len({r.id for r in outbox()}) == len(outbox())


def test_a_statement_queued_with_an_old_event_id_is_not_queued_again(ctx, tmp_path):
    """A row queued before event keys were kept (its id the event's UUID 5) is
    found by that id: the event told again after the upgrade adds nothing."""
    person, attempt = learn(tmp_path)
    key = f"attempt-finished:{attempt.id}"
    row = next(r for r in outbox() if r.event_key == key)
    old_id = statements.event_uuid(PUBLIC, key)
    db.session.execute(
        update(XapiStatement)
        .where(XapiStatement.id == row.id)
        .values(id=old_id, event_key=None)
    )
    db.session.commit()
    count = len(outbox())
    services._on_attempt_finished(attempt)
    db.session.commit()
    assert len(outbox()) == count


def test_nothing_is_queued_without_the_public_url_outside_tests(app, ctx, tmp_path):
    """With XAPI_LRS_URL set but VHCV_PUBLIC_URL not, a production server would
    name actors and activities under http://127.0.0.1:5000: it queues nothing."""
    app.config.update(TESTING=False, DEBUG=False, VHCV_PUBLIC_URL="")
    try:
        learn(tmp_path)
        assert outbox() == []
    finally:
        app.config.update(TESTING=True, VHCV_PUBLIC_URL=PUBLIC)


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


def _finished_attempt(person, answered: int, now):
    attempt = attempts.start_attempt(person, attempts.get_quiz("Q"), now)
    for position in range(1, answered + 1):
        attempts.save_answer(attempt, position, [0], now)
    attempts.finalise(attempt, now)
    db.session.commit()
    return attempt


def test_answers_are_queued_in_queries_that_do_not_grow_with_the_questions(
    app, ctx, tmp_path
):
    """The slots' questions are read with them, and which answers are queued
    already in one query: as many queries for 4 answers as for 1."""
    make_campaign(tmp_path)
    person, now = user("in1"), utcnow()
    read_all(person, now)
    one = _finished_attempt(person, 1, now)
    four = _finished_attempt(person, 4, now + timedelta(hours=1))
    app.config["XAPI_SEND_ANSWERS"] = True
    counts = []
    for attempt in (one, four):
        db.session.expire_all()
        with counted() as sent:
            services._queue_answers(attempt, person)
            db.session.flush()
        counts.append(len([s for s in sent if s.startswith("SELECT")]))
    db.session.commit()
    assert [r.verb for r in outbox()].count("answered") == 5
    assert counts[0] == counts[1], counts


def _answered_by_question() -> dict:
    """The `answered` statements in the outbox, by the code of their question."""
    return {
        r.payload["object"]["id"].rsplit("/", 1)[1]: r.payload
        for r in outbox()
        if r.verb == "answered"
    }


def test_an_answer_is_told_as_an_interaction_with_its_choices(app, ctx, tmp_path):
    """xAPI Data 2.4.4.1: a cmi.interaction has an interactionType; a choice its
    options (ids the option keys of the response, descriptions their text) and
    the right answer as its correct responses pattern, "[,]" between keys; a
    true/false "true" or "false"; the question named by its text."""
    app.config["XAPI_SEND_ANSWERS"] = True
    person, attempt = learn(tmp_path)  # every question answered right
    told = _answered_by_question()
    versions = {s.version.question.code: s.version for s in attempt.slots}
    assert set(told) == set(versions) and len(told) == 4
    types = {}
    for code, statement in told.items():
        definition = statement["object"]["definition"]
        assert definition["type"] == statements.ACTIVITY_TYPES["question"]
        assert definition["name"] == {"vi-VN": versions[code].stem_md}
        types[versions[code].type] = definition
        pattern = definition["correctResponsesPattern"]
        assert [statement["result"]["response"]] == pattern, code
    assert types["truefalse"]["interactionType"] == "true-false"
    assert "choices" not in types["truefalse"]
    assert types["truefalse"]["correctResponsesPattern"] == ["true"]
    several = types["multiple"]
    assert several["interactionType"] == "choice"
    assert several["correctResponsesPattern"] == ["a[,]c"]
    assert several["choices"][:2] == [
        {"id": "a", "description": {"vi-VN": "Đúng một"}},
        {"id": "b", "description": {"vi-VN": "Sai một"}},
    ]
    one = types["single"]
    assert one["interactionType"] == "choice" and len(one["choices"]) == 4
    assert one["choices"][0]["description"]["vi-VN"].startswith("Lựa chọn A của S")
    assert "[,]" not in one["correctResponsesPattern"][0]


def test_a_question_is_named_and_described_in_plain_text(ctx):
    """Its Markdown rendered, then read as text: no markup, entities read; a long
    stem shortened; an option that is only an image, its id alone. Sealed (before
    the quiz's windows close), no right answer."""
    stem = "Theo **Điều 5**, *cán bộ* & công chức " + "phải làm gì " * 40
    question = type("Q", (), {"code": "VHCV-M7-006"})
    version = type(
        "V",
        (),
        {
            "question": question,
            "type": "single",
            "stem_html": render_markdown(f"{stem}\n\n- ý một").html,
            "options": [
                {"key": "a", "html": render_inline("Chỉ **A** < B"), "correct": True},
                {"key": "b", "html": render_inline("![](x.png)"), "correct": False},
            ],
        },
    )
    told = statements.question_activity(PUBLIC, version)
    name = told["definition"]["name"]["vi-VN"]
    assert name.startswith("Theo Điều 5, cán bộ & công chức phải làm gì")
    assert len(name) <= statements.QUESTION_NAME_WIDTH and name.endswith(" …")
    assert "<" not in name and "*" not in name
    assert told["definition"]["choices"] == [
        {"id": "a", "description": {"vi-VN": "Chỉ A < B"}},
        {"id": "b"},
    ]
    assert told["definition"]["correctResponsesPattern"] == ["a"]
    sealed = statements.question_activity(PUBLIC, version, sealed=True)
    assert "correctResponsesPattern" not in sealed["definition"]
