"""Publishing, reverting and discarding a module's draft, retiring a question: a
GET preview (the diff learners will see or the changes lost, what the retirement
does) that changes nothing, and a POST that
acts only with confirm=1 and a CSRF token."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.quizzes.models import Question
from tests.authoring.helpers import make_authoring
from tests.authoring.test_modules import EDIT, _form, _module
from tests.authoring.test_questions import BANK


@pytest.fixture
def content(app, tmp_path):
    return make_authoring(app, tmp_path)


def test_publish_preview_shows_the_diff_and_publishes_nothing(
    app, client, auth, content
):
    auth.login("trainer")
    client.post(EDIT, data=_form(auth))
    before = _module(app)
    page = client.get(f"{EDIT}/publish").get_data(as_text=True)
    assert "Mục mới" in page and "<ins>" in page  # the added lines
    assert 'name="confirm" value="1"' in page
    assert _module(app) == before == (before[0], True)
    client.post(f"{EDIT}/publish", data={"csrf_token": auth.token(EDIT)})
    assert _module(app) == before  # no confirm
    no_csrf = client.post(f"{EDIT}/publish", data={"confirm": "1"})
    assert no_csrf.status_code == 400 and _module(app) == before
    client.post(
        f"{EDIT}/publish", data={"csrf_token": auth.token(EDIT), "confirm": "1"}
    )
    assert _module(app) == (before[0] + 1, False)


def test_publish_preview_without_a_draft_goes_back(app, client, auth, content):
    auth.login("trainer")
    response = client.get(f"{EDIT}/publish")
    assert response.status_code == 302 and response.location.endswith(EDIT)


def test_discarding_a_draft_shows_what_is_lost_and_asks_first(
    app, client, auth, content
):
    auth.login("trainer")
    client.post(EDIT, data=_form(auth))
    before = _module(app)
    assert before[1] is True  # a draft
    edit = client.get(EDIT).get_data(as_text=True)
    assert f'href="{EDIT}/discard"' in edit  # a link to the confirm step, no form
    page = client.get(f"{EDIT}/discard").get_data(as_text=True)
    assert "Hủy bản nháp của" in page and "Thay đổi của bản nháp sẽ mất" in page
    assert "Mục mới" in page and "<ins>" in page and "không khôi phục được" in page
    assert _module(app) == before  # showing it changes nothing
    client.post(f"{EDIT}/discard", data={"csrf_token": auth.token(EDIT)})
    assert _module(app) == before  # no confirm
    no_csrf = client.post(f"{EDIT}/discard", data={"confirm": "1"})
    assert no_csrf.status_code == 400 and _module(app) == before
    client.post(
        f"{EDIT}/discard", data={"csrf_token": auth.token(EDIT), "confirm": "1"}
    )
    assert _module(app) == (before[0], False)
    gone = client.get(f"{EDIT}/discard")  # no draft left: back to the editor
    assert gone.status_code == 302 and gone.location.endswith(EDIT)


def test_revert_preview_then_confirm(app, client, auth, content):
    auth.login("trainer")
    client.post(EDIT, data=_form(auth))
    client.post(
        f"{EDIT}/publish", data={"csrf_token": auth.token(EDIT), "confirm": "1"}
    )
    current = _module(app)[0]
    page = client.get(f"{EDIT}/revert/1").get_data(as_text=True)
    assert "Mục mới" in page and "<del>" in page  # what learners would lose
    client.post(f"{EDIT}/revert/1", data={"csrf_token": auth.token(EDIT)})
    assert _module(app)[0] == current
    client.post(
        f"{EDIT}/revert/1", data={"csrf_token": auth.token(EDIT), "confirm": "1"}
    )
    assert _module(app)[0] == current + 1
    assert client.get(f"{EDIT}/revert/99").status_code == 404


def test_retire_preview_then_confirm_and_restore_needs_none(app, client, auth, content):
    auth.login("trainer")
    with app.app_context():
        qid = db.session.scalar(select(Question.id).where(Question.code == "S1"))

    def active():
        with app.app_context():
            return db.session.get(Question, qid).active

    page = client.get(f"/authoring/questions/{qid}/retire").get_data(as_text=True)
    assert "S1" in page and "B1" in page and 'name="active" value="0"' in page
    client.post("/language", data={"language": "en", "csrf_token": auth.token(BANK)})
    english = client.get(f"/authoring/questions/{qid}/retire").get_data(as_text=True)
    assert re.search(r"<button[^>]*>\s*Retire\s*</button>", english)  # the action
    client.post("/language", data={"language": "vi", "csrf_token": auth.token(BANK)})
    url = f"/authoring/questions/{qid}/active"
    client.post(url, data={"csrf_token": auth.token(BANK), "active": "0"})
    assert active() is True
    data = {"csrf_token": auth.token(BANK), "active": "0", "confirm": "1"}
    client.post(url, data=data)
    assert active() is False
    client.post(url, data={"csrf_token": auth.token(BANK), "active": "1"})
    assert active() is True
