"""The attempt page's form post (no JavaScript) saves the choices of its page
together, through the autosave's one save (saving.save_choices): as many statements
for a page of 12 questions as for one of 3 (it was 4 more for every question: the
slot read, the claim, the upsert and the log insert, each once per question)."""

import re

import pytest
from sqlalchemy import select

from app.content.sync_quizzes import sync_quizzes
from app.extensions import db
from app.quizzes.models import SAVE_OLDER, SAVE_STORED, AnswerSave, AttemptAnswer
from app.quizzes.questions import BankData, DrawRule
from tests.factories import make_tree, make_user
from tests.query_count import counted
from tests.quizzes.helpers import quiz_data, single

SIZES = (3, 12)


@pytest.fixture
def quizzes(app):
    """Quizzes Q3 and Q12: 3 and 12 questions, all on one page."""
    with app.app_context():
        make_user("hv", make_tree()["C1"])
        banks, quizzes = [], []
        for size in SIZES:
            code = f"Q{size}"
            questions = [single(f"{code}-{i}") for i in range(size)]
            banks.append(BankData(f"B{size}", f"Ngân hàng {size}", questions=questions))
            draw = (DrawRule(count=size, bank=f"B{size}"),)
            quizzes.append(quiz_data(code, draw=draw, questions_per_page=size))
        sync_quizzes(banks, quizzes)
        db.session.commit()


def _start(client, auth, code: str) -> int:
    token = auth.token(f"/quizzes/{code}")
    response = client.post(f"/quizzes/{code}/start", data={"csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _post_page(app, client, attempt_id: int, size: int, choice: int, **extra):
    """Post the page's form with `choice` ticked for each of its `size` questions;
    the response and the statements the request sent."""
    token = auth_token(client, f"/attempts/{attempt_id}")
    data = {
        "csrf_token": token,
        "positions": [str(p) for p in range(1, size + 1)],
        **{f"q{p}": str(choice) for p in range(1, size + 1)},
        "go": "1",
        **extra,
    }
    with app.app_context():
        engine = db.engine
    with counted(engine) as statements:
        response = client.post(f"/attempts/{attempt_id}/save", data=data)
    assert response.status_code == 302
    return response, list(statements)


def auth_token(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def _outcomes(app, attempt_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AnswerSave.outcome)
                .where(AnswerSave.attempt_id == attempt_id)
                .order_by(AnswerSave.id)
            )
        )


def test_the_form_posts_statements_do_not_grow_with_its_questions(
    app, client, auth, quizzes
):
    auth.login("hv")
    counts = {}
    for size in SIZES:
        attempt_id = _start(client, auth, f"Q{size}")
        _, first = _post_page(app, client, attempt_id, size, 0)  # new answers
        _, again = _post_page(app, client, attempt_id, size, 1)  # changed ones
        counts[size] = (len(first), len(again))
        for statements in (first, again):
            upserts = [s for s in statements if s.startswith("INSERT INTO attempt_")]
            logs = [s for s in statements if s.startswith("INSERT INTO answer_save")]
            claims = [s for s in statements if s.startswith("UPDATE attempt SET")]
            assert (len(upserts), len(logs), len(claims)) == (1, 1, 1), statements
        with app.app_context():
            answers = db.session.scalars(
                select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id)
            ).all()
            assert len(answers) == size
        assert _outcomes(app, attempt_id) == [SAVE_STORED] * (2 * size)
    assert counts[3] == counts[12], counts


def test_a_newer_choice_kept_costs_one_read_whatever_the_page(
    app, client, auth, quizzes
):
    """When another page saved a newer choice (a higher journal number) of one of
    the page's questions, it is kept, the others are stored, and the page says so:
    one more statement (the stored choices read), for 3 questions as for 12."""
    auth.login("hv")
    counts = {}
    for size in SIZES:
        attempt_id = _start(client, auth, f"Q{size}")
        page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
        autosave_token = re.search(r'data-token="([^"]+)"', page).group(1)
        newer = client.post(
            f"/autosave/{attempt_id}",
            data={"t": autosave_token, "position": 2, "choice": 3, "seq": 5},
        )
        assert newer.status_code == 200
        response, statements = _post_page(app, client, attempt_id, size, 0, seq="1")
        counts[size] = len(statements)
        shown = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "giữ lựa chọn mới hơn đó" in shown
        outcomes = _outcomes(app, attempt_id)
        assert outcomes[0] == SAVE_STORED  # the autosave's
        assert outcomes[1:] == [
            SAVE_OLDER if position == 2 else SAVE_STORED
            for position in range(1, size + 1)
        ]
        with app.app_context():
            held = db.session.execute(
                select(AttemptAnswer.seq).where(AttemptAnswer.attempt_id == attempt_id)
            ).scalars()
            assert sorted(held) == sorted([1] * (size - 1) + [5])
    assert counts[3] == counts[12], counts
