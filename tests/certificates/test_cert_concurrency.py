"""Serial numbers under concurrent issuers, on a real database (a SQLite file, or
PostgreSQL with TEST_DATABASE_URL): every thread has its own transaction."""

import threading

import pytest
from sqlalchemy import select

from app import create_app
from app.certificates import services
from app.extensions import db
from app.records.models import SerialCounter
from tests.conftest import TEST_DATABASE_URL, _empty_tables, make_config

THREADS = 8


@pytest.fixture
def shared_app(tmp_path, _postgres_schema):
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'serials.sqlite3'}"
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


def _together(app, job, count: int) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index):
        with app.app_context():
            barrier.wait()
            try:
                results[index] = job(index)
                db.session.commit()
            except Exception as error:  # reported to the test
                db.session.rollback()
                results[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.mark.parametrize("counter_exists", [False, True])
def test_concurrent_issuers_get_distinct_consecutive_numbers(
    shared_app, counter_exists
):
    if counter_exists:
        with shared_app.app_context():
            services.next_serial(2026)
            db.session.commit()
    first = 2 if counter_exists else 1
    results = _together(shared_app, lambda _: services.next_serial(2026), THREADS)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(results) == list(range(first, first + THREADS))
    with shared_app.app_context():
        last = db.session.scalar(
            select(SerialCounter.last).where(SerialCounter.year == 2026)
        )
        assert last == first + THREADS - 1


def test_a_rolled_back_issuer_leaves_no_gap(shared_app):
    def job(index):
        number = services.next_serial(2027)
        if index % 2:
            raise RuntimeError("rolled back")
        return number

    results = _together(shared_app, job, THREADS)
    kept = sorted(r for r in results if isinstance(r, int))
    assert kept == list(range(1, THREADS // 2 + 1))
