"""Races on a real database (a SQLite file, or PostgreSQL with TEST_DATABASE_URL):
each thread has its own connection and transaction, released together by a barrier."""

import random
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import create_app
from app.accounts.models import User
from app.errors import DomainError
from app.extensions import db
from app.quizzes import attempts as svc
from app.quizzes import saving
from app.quizzes.models import Attempt, AttemptAnswer
from app.timeutil import utcnow
from tests.conftest import TEST_DATABASE_URL, _empty_tables, make_config
from tests.factories import make_tree, make_user
from tests.quizzes.helpers import make_quiz


@pytest.fixture
def shared_app(tmp_path, _postgres_schema):
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'race.sqlite3'}"
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=url))
    with app.app_context():
        if not TEST_DATABASE_URL:
            db.create_all()
        make_user("hv", make_tree()["C1"])
        make_quiz()
    yield app
    with app.app_context():
        db.session.remove()
        if TEST_DATABASE_URL:
            _empty_tables()
        db.engine.dispose()


def run_together(app, *jobs):
    """Run each job(…) in its own thread and app context at the same moment;
    return their results (or the exception each raised)."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def runner(index, job):
        with app.app_context():
            barrier.wait()
            try:
                results[index] = job()
                db.session.commit()
            except Exception as error:  # reported to the test, which asserts on it
                db.session.rollback()
                results[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=runner, args=(i, j)) for i, j in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def _user():
    return db.session.scalar(select(User).where(User.username == "hv"))


def _quiz():
    return svc.get_quiz("Q")


def _start(app) -> int:
    with app.app_context():
        attempt = svc.start_attempt(_user(), _quiz(), rng=random.Random(5))
        db.session.commit()
        return attempt.id


def _attempt(attempt_id):
    return db.session.get(Attempt, attempt_id)


def test_two_simultaneous_starts_make_one_attempt(shared_app):
    results = run_together(
        shared_app,
        lambda: svc.start_attempt(_user(), _quiz()).id,
        lambda: svc.start_attempt(_user(), _quiz()).id,
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert results[0] == results[1]
    with shared_app.app_context():
        assert db.session.scalar(select(func.count(Attempt.id))) == 1


def test_two_tabs_saving_different_answers_keep_both(shared_app):
    attempt_id = _start(shared_app)
    results = run_together(
        shared_app,
        lambda: svc.save_answer(_attempt(attempt_id), 1, [0]).id,
        lambda: svc.save_answer(_attempt(attempt_id), 2, [1]).id,
    )
    assert all(isinstance(r, int) for r in results), results
    with shared_app.app_context():
        answers = db.session.scalars(select(AttemptAnswer)).all()
        assert len(answers) == 2


def test_of_two_racing_saves_the_one_acknowledged_last_is_stored(shared_app):
    """Two tabs save different choices for one question at the same moment, 100
    times: the stored answer is always the one whose acknowledgement (its saved_at)
    is the later — the time is taken under the attempt's row lock."""
    attempt_id = _start(shared_app)
    with shared_app.app_context():
        user_id = _attempt(attempt_id).user_id

    def save(choice):
        def job():
            (result,) = saving.save_choices(
                db.session.connection(),
                attempt_id,
                user_id,
                [(1, [choice])],
                svc.save_cutoff(),
            )
            return choice, result.saved_at

        return job

    mismatches = 0
    for _ in range(100):
        results = run_together(shared_app, save(0), save(1))
        assert not [r for r in results if isinstance(r, Exception)], results
        last_choice, last_at = max(results, key=lambda r: r[1])
        with shared_app.app_context():
            answer = db.session.scalar(select(AttemptAnswer))
            order = _attempt(attempt_id).slots[0].option_order
            stored = answer.selected == [order[last_choice]]
            mismatches += not (stored and answer.saved_at == last_at)
    assert mismatches == 0


def test_two_simultaneous_submits_grade_once(shared_app):
    attempt_id = _start(shared_app)
    with shared_app.app_context():
        svc.save_answer(_attempt(attempt_id), 1, [0])
        db.session.commit()
    results = run_together(
        shared_app,
        lambda: svc.finalise(_attempt(attempt_id)),
        lambda: svc.finalise(_attempt(attempt_id)),
    )
    assert sorted(results) == [False, True], results
    with shared_app.app_context():
        attempt = _attempt(attempt_id)
        assert attempt.state == "finished" and attempt.score is not None


@pytest.mark.parametrize("round_", range(4))
def test_a_save_racing_the_end_has_one_consistent_outcome(shared_app, round_):
    attempt_id = _start(shared_app)

    def save():
        return svc.save_answer(_attempt(attempt_id), 1, [0]).id

    def submit():
        return svc.finalise(_attempt(attempt_id), utcnow() + timedelta(seconds=1))

    jobs = (save, submit) if round_ % 2 else (submit, save)
    results = run_together(shared_app, *jobs)
    saved = next(r for r in results if not isinstance(r, bool))
    with shared_app.app_context():
        attempt = _attempt(attempt_id)
        answer = db.session.scalar(select(AttemptAnswer))
        assert attempt.state == "finished"
        if isinstance(saved, DomainError):  # refused: nothing kept
            assert answer is None
        else:  # accepted: it was counted by the grading
            assert isinstance(saved, int), saved
            assert answer is not None and answer.marks is not None


@pytest.mark.parametrize("round_", range(4))
def test_the_autosave_path_racing_the_end_has_one_consistent_outcome(
    shared_app, round_
):
    """The path the page's script uses (token, then slots read, claim, upsert)."""
    attempt_id = _start(shared_app)
    secret = shared_app.config["SECRET_KEY"]
    with shared_app.app_context():
        attempt = _attempt(attempt_id)
        token = saving.autosave_token(secret, attempt_id, attempt.user_id, 1)

    def save():
        holder = saving.read_autosave_token(secret, token, attempt_id)
        saving.save_choices(
            db.session.connection(),
            attempt_id,
            holder.user_id,
            [(1, [0])],
            svc.save_cutoff(),
            session_version=holder.session_version,
        )
        return "saved"

    def submit():
        return svc.finalise(_attempt(attempt_id), utcnow() + timedelta(seconds=1))

    jobs = (save, submit) if round_ % 2 else (submit, save)
    results = run_together(shared_app, *jobs)
    saved = next(r for r in results if not isinstance(r, bool))
    with shared_app.app_context():
        answer = db.session.scalar(select(AttemptAnswer))
        assert _attempt(attempt_id).state == "finished"
        if isinstance(saved, DomainError):
            assert answer is None
        else:
            assert saved == "saved" and answer is not None and answer.marks is not None
