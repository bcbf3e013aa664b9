"""Enter in a field of an authoring form presses the form's first submit button:
that button removes nothing and confirms nothing. And each option's "Đúng" box of
the question editor names its option (a screen reader hears which one)."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.quizzes.models import Question
from tests.authoring.helpers import make_authoring
from tests.html_checks import first_submits, label_texts

NEW = "/authoring/banks/B1/questions/new"


@pytest.fixture
def content(app, tmp_path):
    return make_authoring(app, tmp_path)


def harmless(button: dict) -> bool:
    """Not a row's "Xóa", not a confirmation, not drawn as a danger."""
    return not (
        (button.get("value") or "").startswith("remove-")
        or button.get("name") == "confirm"
        or "danger" in (button.get("class") or "").split()
    )


def _editor_pages(app, client, auth):
    """The question editor new, of a saved question, and come back with a row
    added (no JavaScript); the module editor and the quiz settings."""
    with app.app_context():
        qid = db.session.scalar(select(Question.id).where(Question.code == "S1"))
    added = {
        "csrf_token": auth.token(NEW),
        "type": "single",
        "stem": "Đề?",
        "options-0-text": "Một",
        "options-1-text": "Hai",
        "action": "add_option",
    }
    return {
        NEW: client.get(NEW),
        "question": client.get(f"/authoring/questions/{qid}"),
        "row added": client.post(NEW, data=added),
        "module": client.get("/authoring/modules/T-M1"),
        "quiz": client.get("/authoring/quizzes/Q/settings"),
    }


def test_enter_in_an_authoring_form_removes_and_confirms_nothing(
    app, client, auth, content
):
    auth.login("trainer")
    for name, response in _editor_pages(app, client, auth).items():
        assert response.status_code == 200, name
        firsts = first_submits(response.get_data(as_text=True))
        assert firsts, name
        for form, button in firsts.items():
            assert harmless(button), (name, form, button)
    page = client.get(NEW).get_data(as_text=True)
    default = first_submits(page)["question-editor"]
    assert (default.get("name"), default.get("value")) == ("action", "preview")
    assert default.get("tabindex") == "-1" and default.get("aria-hidden") == "true"


def test_each_correct_box_names_its_option(app, client, auth, content):
    auth.login("trainer")
    page = client.get(NEW).get_data(as_text=True)
    boxes = re.findall(r'id="(options-\d+-correct)"', page)
    assert len(boxes) == 4
    names = [label_texts(page)[box] for box in boxes]
    assert names == [f"Phương án {n}: Đúng" for n in range(1, 5)]
