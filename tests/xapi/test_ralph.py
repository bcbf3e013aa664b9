"""Against a real Ralph LRS (ralph-malph, file-system backend), started here by
scripts/ralph.sh from its own virtualenv (scripts/ralph.sh install; .ci/run does
it): statements sent by the platform, read back through Ralph's xAPI API, and
validated. `make test` runs them only when that virtualenv exists (or
RALPH_REQUIRED is set, as in .ci/run); run without it, they fail saying how to
make it."""

import json
import os
import signal
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from app.extensions import db
from app.quizzes import attempts
from app.timeutil import utcnow
from app.xapi import sender
from tests.xapi.helpers import PUBLIC, free_port, learn, outbox

pytestmark = pytest.mark.ralph

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / os.environ.get("RALPH_VENV", ".ci/work/ralph-venv")  # or absolute
AUTH = ("vhcv", "vhcv-test")  # what scripts/ralph.sh serve writes
HEADERS = {"X-Experience-API-Version": "1.0.3"}


@pytest.fixture
def ralph(tmp_path):
    if not (VENV / "bin/uvicorn").exists():
        pytest.fail(f"no Ralph virtualenv at {VENV}: run scripts/ralph.sh install")
    port = free_port()
    log = (tmp_path / "ralph.log").open("w")
    process = subprocess.Popen(
        [str(ROOT / "scripts/ralph.sh"), "serve", str(tmp_path / "ralph"), str(port)],
        env={**os.environ, "RALPH_VENV": str(VENV)},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}/__heartbeat__", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    "Ralph did not start: " + (tmp_path / "ralph.log").read_text()
                )
            time.sleep(0.3)
        yield url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        log.close()


@pytest.fixture
def config_overrides(ralph):
    return {
        "VHCV_PUBLIC_URL": PUBLIC,
        "XAPI_LRS_URL": f"{ralph}/xAPI",
        "XAPI_LRS_USERNAME": AUTH[0],
        "XAPI_LRS_PASSWORD": AUTH[1],
        "XAPI_BATCH_SIZE": 4,
    }


def read_back(ralph, statement_id):
    response = requests.get(
        f"{ralph}/xAPI/statements/",
        params={"statementId": statement_id},
        auth=AUTH,
        headers=HEADERS,
        timeout=10,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    # xAPI answers a single statement; Ralph 5.1 a StatementResult of one.
    if "statements" in body:
        assert len(body["statements"]) == 1, body
        return body["statements"][0]
    return body


def stored_ids(ralph) -> list[str]:
    """The ids of every statement Ralph holds, sorted (one of each it stored)."""
    everything = requests.get(
        f"{ralph}/xAPI/statements/",
        params={"limit": 100},
        auth=AUTH,
        headers=HEADERS,
        timeout=10,
    ).json()["statements"]
    return sorted(s["id"] for s in everything)


VALIDATE = """
import json, sys
from ralph.models.xapi.base.statements import BaseXapiStatement
for line in sys.stdin:
    BaseXapiStatement.model_validate(json.loads(line))
"""


def validate_with_ralph(statements: list[dict]) -> None:
    """Each statement against Ralph's own pydantic model of an xAPI statement."""
    checked = subprocess.run(
        [str(VENV / "bin/python"), "-c", VALIDATE],
        input="\n".join(json.dumps(s) for s in statements),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stderr


def test_statements_reach_ralph_and_read_back_valid(ralph, ctx, tmp_path):
    person, attempt = learn(tmp_path)
    result = sender.send_pending()
    assert result.error is None and not result.rejected and result.sent == 7
    read = []
    for row in outbox():
        stored = read_back(ralph, row.id)
        read.append(stored)
        assert stored["id"] == row.id
        assert stored["actor"]["account"] == {
            "homePage": PUBLIC,
            "name": str(person.id),
        }
        assert stored["verb"]["id"] == row.payload["verb"]["id"]
        assert stored["object"]["id"] == row.payload["object"]["id"]
        assert stored["context"]["language"] == "vi-VN"
        if row.payload.get("result", {}).get("score"):
            assert (
                stored["result"]["score"]["scaled"]
                == (row.payload["result"]["score"]["scaled"])
            )
    validate_with_ralph(read)
    quiz = f"{PUBLIC}/xapi/activities/quiz/Q"
    finished = read_back(
        ralph,
        next(
            r.id
            for r in outbox()
            if r.payload["object"]["id"] == quiz and r.verb == "completed"
        ),
    )
    assert finished["result"]["score"]["scaled"] == 1.0
    assert finished["result"]["success"] is True


def test_answers_reach_ralph_as_valid_interactions(app, ralph, ctx, tmp_path):
    """With XAPI_SEND_ANSWERS, each answer is an interaction Ralph takes and its
    model validates: a choice with its choices and correct responses pattern, a
    true-false, and an answer chosen then cleared (no response: Ralph wants none
    empty)."""
    app.config["XAPI_SEND_ANSWERS"] = True
    person, attempt = learn(tmp_path)
    later = utcnow() + timedelta(hours=1)
    again = attempts.start_attempt(person, attempts.get_quiz("Q"), later)
    attempts.save_answer(again, 1, [0], later)
    attempts.save_answer(again, 1, [], later)
    attempts.finalise(again, later)
    db.session.commit()
    result = sender.send_pending()
    assert result.error is None and not result.rejected
    assert sender.backlog_count() == 0
    answered = [read_back(ralph, r.id) for r in outbox() if r.verb == "answered"]
    assert len(answered) == 5
    validate_with_ralph(answered)
    kinds = [s["object"]["definition"]["interactionType"] for s in answered]
    assert sorted(set(kinds)) == ["choice", "true-false"]
    assert sum("response" not in s.get("result", {}) for s in answered) == 1


def test_ralph_down_then_up_loses_nothing_and_never_duplicates(
    app, ralph, ctx, tmp_path
):
    learn(tmp_path)
    app.config["XAPI_LRS_URL"] = f"http://127.0.0.1:{free_port()}/xAPI"  # down
    assert sender.send_pending().error and sender.backlog_count() == 7
    app.config["XAPI_LRS_URL"] = f"{ralph}/xAPI"
    assert sender.send_pending().sent == 7
    # Resent as if the answer had been lost: Ralph has them, the same: taken.
    for row in outbox():
        row.sent_at = None
    db.session.commit()
    result = sender.send_pending()
    assert result.sent == 7 and not result.rejected
    assert stored_ids(ralph) == sorted(r.id for r in outbox())  # none twice


def test_a_batch_ralph_partly_has_is_sent_whole(ralph, ctx, tmp_path):
    """Three statements reached Ralph before (their answer lost); the batch that
    sends them again with a new one gets 200 and only the new id (Ralph lists
    what it stored): all four count as sent, none twice, and sending goes on."""
    learn(tmp_path)
    before = outbox()[:3]
    posted = requests.post(
        f"{ralph}/xAPI/statements/",
        json=[row.payload for row in before],
        auth=AUTH,
        headers=HEADERS,
        timeout=10,
    )
    assert posted.status_code == 200, posted.text
    result = sender.send_pending()
    assert result.error is None and result.sent == 7 and not result.rejected
    assert sender.backlog_count() == 0
    assert stored_ids(ralph) == sorted(r.id for r in outbox())  # none twice
