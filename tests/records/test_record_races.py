"""Two events of one cadre at once, on a real database (a SQLite file, or
PostgreSQL with TEST_DATABASE_URL), each in its own transaction: the last module
read and the passing attempt submitted. Each judges the record; the one judged
second must see the other's change, or neither completes it. And two campaigns
created at once on one quiz: the second must see the first, or both take it."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import create_app
from app.accounts.models import Unit
from app.courses import services as courses
from app.extensions import db
from app.quizzes import attempts
from app.quizzes.models import Attempt
from app.records.models import COMPLETED, Certificate, TrainingRecord
from app.timeutil import utcnow
from tests.conftest import TEST_DATABASE_URL, _empty_tables, make_config
from tests.records.helpers import make_campaign
from tests.xapi.helpers import user


@pytest.fixture
def shared_app(tmp_path, _postgres_schema):
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'races.sqlite3'}"
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=url))
    with app.app_context():
        if not TEST_DATABASE_URL:
            db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        if TEST_DATABASE_URL:
            _empty_tables()
        db.engine.dispose()


def _almost_done(tmp_path, now):
    """in1 has read all modules but the last and answered quiz Q rightly, its
    attempt still open. Returns (last module's code, attempt id)."""
    make_campaign(tmp_path)
    person = user("in1")
    modules = courses.active_modules(courses.get_course("T"))
    for module in modules:
        courses.open_module(person, module, now=now - timedelta(minutes=10))
    for module in modules[:-1]:
        courses.complete_module(person, module, 0.5, now=now)
    attempt = attempts.start_attempt(person, attempts.get_quiz("Q"), now)
    for slot in attempt.slots:
        right = [
            i
            for i, k in enumerate(slot.option_order)
            if any(o["key"] == k and o["correct"] for o in slot.version.options)
        ]
        attempts.save_answer(attempt, slot.position, right, now)
    db.session.commit()
    return modules[-1].code, attempt.id


def _read_last(code, now):
    module = next(
        m for m in courses.active_modules(courses.get_course("T")) if m.code == code
    )
    courses.complete_module(user("in1"), module, 0.5, now=now)


def _submit(attempt_id, now):
    attempts.finalise(db.session.get(Attempt, attempt_id), now)


@pytest.mark.parametrize("first", ["read", "submit"])
def test_the_last_module_read_and_the_passing_submit_together_complete(
    shared_app, tmp_path, first
):
    now = utcnow()
    with shared_app.app_context():
        code, attempt_id = _almost_done(tmp_path, now)
    steps = {
        "read": lambda: _read_last(code, now),
        "submit": lambda: _submit(attempt_id, now + timedelta(minutes=1)),
    }
    second = "submit" if first == "read" else "read"
    judged, errors = threading.Event(), []

    def run(step, wait_for_the_other):
        with shared_app.app_context():
            try:
                if not wait_for_the_other:
                    steps[step]()
                    judged.set()
                    # Uncommitted while the other judges (at most 1.5 s: a row lock
                    # makes the other wait for this commit).
                    other.join(1.5)
                else:
                    judged.wait(10)
                    steps[step]()
                db.session.commit()
            except Exception as error:  # reported to the test
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    other = threading.Thread(target=run, args=(second, True))
    one = threading.Thread(target=run, args=(first, False))
    other.start()  # first: it waits for `judged`, and `one` joins it
    one.start()
    one.join(30)
    other.join(30)
    assert not errors, errors
    with shared_app.app_context():
        record = db.session.scalar(
            select(TrainingRecord).where(TrainingRecord.user_id == user("in1").id)
        )
        assert record.status == COMPLETED
        assert db.session.scalar(select(func.count(Certificate.id))) == 1


def test_two_campaigns_created_at_once_on_a_free_quiz_one_is_refused(
    shared_app, tmp_path
):
    """C2026 closed long ago, so quiz Q is free: C2027 and C2028 are created on it
    at once, each in its own transaction. The second must see the first (it waits
    for the quiz's row), so it is refused, not given the quiz too."""
    from app.errors import Conflict
    from app.records import services as records
    from app.records.models import Campaign

    now = utcnow()
    with shared_app.app_context():
        _old, tree = make_campaign(
            tmp_path, opens=now - timedelta(days=400), closes=now - timedelta(days=300)
        )
        target = tree["D"].id
    created, errors = threading.Event(), []

    def create(code, wait_for_the_other):
        with shared_app.app_context():
            try:
                if wait_for_the_other:
                    created.wait(10)
                unit = db.session.get(Unit, target)
                records.create_campaign(
                    code, code, 2027, "T", "Q", now, now + timedelta(days=30), [unit]
                )
                if not wait_for_the_other:
                    created.set()
                    other.join(1.5)  # uncommitted while the other creates
                db.session.commit()
            except Exception as error:  # reported to the test
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    other = threading.Thread(target=create, args=("C2028", True))
    one = threading.Thread(target=create, args=("C2027", False))
    other.start()  # first: it waits for `created`, and `one` joins it
    one.start()
    one.join(30)
    other.join(30)
    assert [type(e) for e in errors] == [Conflict], errors
    assert "(C2027)" in errors[0].message
    with shared_app.app_context():
        codes = set(db.session.scalars(select(Campaign.code)))
        assert codes == {"C2026", "C2027"}
