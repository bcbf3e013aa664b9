import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.errors import NotAllowed, NotFound, QuizClosed, TimeExpired
from app.extensions import db
from app.quizzes import attempts as svc
from app.quizzes import presenters
from app.quizzes.models import Attempt, AttemptAnswer, Quiz
from app.timeutil import utcnow
from tests.factories import make_tree, make_user
from tests.quizzes.helpers import make_quiz


@pytest.fixture
def setup(ctx):
    tree = make_tree()
    user = make_user("hv", tree["C1"])
    other = make_user("hv2", tree["C1"])
    return make_quiz(), user, other


def _choose(attempt, position, *, right=True):
    """Option positions (as shown) that are right (or one that is wrong)."""
    slot = attempt.slots[position - 1]
    correct = {o["key"] for o in slot.version.options if o["correct"]}
    if right:
        return [i for i, k in enumerate(slot.option_order) if k in correct]
    return [next(i for i, k in enumerate(slot.option_order) if k not in correct)]


def test_start_fixes_questions_and_option_order_and_resumes(setup):
    quiz, user, _ = setup
    now = utcnow()
    attempt = svc.start_attempt(user, quiz, now, rng=random.Random(1))
    db.session.commit()
    order = [(s.version.question.code, s.option_order) for s in attempt.slots]
    assert len(order) == 4
    assert len({code for code, _ in order}) == 4  # a question is never drawn twice
    again = svc.start_attempt(
        user, quiz, now + timedelta(minutes=1), rng=random.Random(2)
    )
    assert again.id == attempt.id
    assert [(s.version.question.code, s.option_order) for s in again.slots] == order


def test_deadline_is_the_earlier_of_time_limit_and_quiz_close(setup):
    quiz, user, _ = setup
    now = utcnow()
    quiz.closes_at = now + timedelta(minutes=3)
    attempt = svc.start_attempt(user, quiz, now)
    assert attempt.deadline_at == quiz.closes_at


def test_saves_are_checked_and_grading_counts_what_was_saved(setup):
    quiz, user, _ = setup
    now = utcnow()
    attempt = svc.start_attempt(user, quiz, now, rng=random.Random(3))
    svc.save_answer(attempt, 1, _choose(attempt, 1), now)
    svc.save_answer(attempt, 2, _choose(attempt, 2, right=False), now)
    svc.save_answer(attempt, 3, _choose(attempt, 3), now)
    with pytest.raises(NotFound):
        svc.save_answer(attempt, 9, [0], now)
    with pytest.raises(NotFound):
        svc.save_answer(attempt, 1, [7], now)
    assert svc.finalise(attempt, now + timedelta(minutes=2)) is True
    db.session.commit()
    assert (attempt.score, attempt.max_score, attempt.percent) == (2, 4, 50.0)
    assert attempt.passed is False
    assert svc.finalise(attempt, now + timedelta(minutes=3)) is False  # grades once
    assert attempt.score == 2


def test_late_save_is_refused_but_grace_absorbs_latency(setup):
    quiz, user, _ = setup
    now = utcnow()
    attempt = svc.start_attempt(user, quiz, now)
    deadline = attempt.deadline_at
    svc.save_answer(
        attempt, 1, [0], deadline + timedelta(seconds=5), grace=timedelta(seconds=10)
    )
    db.session.commit()  # as the view does after each accepted save
    with pytest.raises(TimeExpired, match="hết giờ"):
        svc.save_answer(
            attempt,
            2,
            [0],
            deadline + timedelta(seconds=11),
            grace=timedelta(seconds=10),
        )
    db.session.rollback()
    saved = db.session.scalars(select(AttemptAnswer)).all()
    assert [len(a.selected) for a in saved] == [1]


def test_overdue_attempt_is_finalised_lazily_with_saved_answers(setup):
    quiz, user, _ = setup
    now = utcnow()
    attempt = svc.start_attempt(user, quiz, now)
    svc.save_answer(attempt, 1, _choose(attempt, 1), now)
    db.session.commit()
    later = attempt.deadline_at + timedelta(hours=1)
    assert svc.finalise_if_overdue(attempt, later) is True
    assert attempt.state == "finished" and attempt.finished_by == "deadline"
    assert attempt.finished_at == attempt.deadline_at
    assert attempt.score == 1


def test_sweep_closes_every_overdue_attempt(setup, runner):
    quiz, user, other = setup
    past = utcnow() - timedelta(hours=2)
    svc.start_attempt(user, quiz, past)
    svc.start_attempt(other, quiz, utcnow())
    db.session.commit()
    result = runner.invoke(args=["attempts", "close-overdue"])
    assert result.exit_code == 0, result.output
    assert "Đã đóng 1 lượt" in result.output
    states = sorted(a.state for a in db.session.scalars(select(Attempt)))
    assert states == ["finished", "open"]


def test_an_attempt_ended_by_time_is_one_its_cadre_did_not_submit():
    """Attempt.ended_by_time, result.html's "nộp tự động" notice: the page's timer,
    the next request and the sweep end an attempt by time; the cadre's submit does
    not, and an open attempt has not ended."""
    values = (None, "submit", "auto", "deadline", "sweep")
    by_time = {v: Attempt(finished_by=v).ended_by_time for v in values}
    assert by_time == {
        None: False,
        "submit": False,
        "auto": True,
        "deadline": True,
        "sweep": True,
    }


def test_attempt_limit_closed_quiz_and_unread_modules_refuse_a_start(setup):
    quiz, user, _ = setup
    now = utcnow()
    for _ in range(2):
        svc.finalise(svc.start_attempt(user, quiz, now), now)
    with pytest.raises(NotAllowed, match="hết 2 lượt"):
        svc.start_attempt(user, quiz, now)
    db.session.rollback()
    quiz = db.session.scalar(select(Quiz))
    quiz.closes_at = now - timedelta(days=1)
    with pytest.raises(QuizClosed):
        svc.start_attempt(user, quiz, now)


def test_modules_must_be_read_first(setup):
    quiz, _, other = setup
    with pytest.raises(NotAllowed, match="đọc xong tất cả học phần"):
        svc.start_attempt(other, quiz, utcnow(), modules_read=False)


def test_best_attempt_counts(setup):
    quiz, user, _ = setup
    now = utcnow()
    first = svc.start_attempt(user, quiz, now)
    for position in range(1, 5):
        svc.save_answer(first, position, _choose(first, position), now)
    svc.finalise(first, now)
    second = svc.start_attempt(user, quiz, now)
    svc.finalise(second, now)
    assert svc.best_attempt(user, quiz).id == first.id
    assert first.passed is True and first.percent == 100.0


def test_partial_credit_for_multiple_answers(ctx):
    from app.quizzes.questions import grade

    options = [
        {"key": "a", "correct": True, "weight": 0.5},
        {"key": "b", "correct": False, "weight": -0.5},
        {"key": "c", "correct": True, "weight": 0.5},
    ]
    assert grade("multiple", options, ["a"], partial=False) == 0.0
    assert grade("multiple", options, ["a", "c"], partial=False) == 1.0
    assert grade("multiple", options, ["a"], partial=True) == 0.5
    assert grade("multiple", options, ["a", "b"], partial=True) == 0.0
    assert grade("multiple", options, ["b"], partial=True) == 0.0
    assert grade("single", options[:2], ["a"]) == 1.0
    assert grade("single", options[:2], []) == 0.0


@pytest.mark.parametrize(
    "policy, closed, score, answers",
    [
        ("none", None, False, False),
        ("score", None, True, False),
        ("after_submit", None, True, True),
        ("after_close", None, True, False),
        # closed, but a save made just before the close is still accepted
        ("after_close", "in the grace", True, False),
        ("after_close", "past the grace", True, True),
    ],
)
def test_review_policy(app, setup, policy, closed, score, answers):
    quiz, user, _ = setup
    now = utcnow()
    quiz.review_policy = policy
    attempt = svc.start_attempt(user, quiz, now)
    svc.finalise(attempt, now)
    grace = timedelta(seconds=app.config["ATTEMPT_GRACE_SECONDS"])
    if closed == "in the grace":
        quiz.closes_at = now - grace + timedelta(seconds=2)
    elif closed:
        quiz.closes_at = now - grace - timedelta(seconds=1)
    review = presenters.review_for(attempt, now)
    assert (review.show_score, review.show_answers) == (score, answers)
    if answers:
        assert review.rows[0].explanation_html and review.rows[0].source


def test_someone_elses_attempt_is_not_found(setup):
    quiz, user, other = setup
    attempt = svc.start_attempt(user, quiz, utcnow())
    with pytest.raises(NotFound):
        svc.get_own_attempt(other, attempt.id)


def _saved(attempt_id: int) -> dict:
    return {
        a.slot_id: (frozenset(a.selected), a.saved_at)
        for a in db.session.scalars(
            select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id)
        )
    }


def test_the_attempt_page_shows_the_answers_as_saved(setup):
    quiz, user, other = setup
    now = utcnow().replace(microsecond=123456)
    attempt = svc.start_attempt(user, quiz, now, rng=random.Random(5))
    multiple = next(s for s in attempt.slots if s.version.type == "multiple")
    svc.save_answer(attempt, 1, [1], now)
    svc.save_answer(attempt, multiple.position, [0, 2], now + timedelta(seconds=7))
    db.session.commit()
    expected = {
        a.slot_id: (frozenset(a.selected), a.saved_at)
        for a in db.session.scalars(
            select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)
        )
    }
    assert len(expected) == 2 and len(expected[multiple.id][0]) == 2
    assert _saved(attempt.id) == expected
    assert all(at.tzinfo is not None for _, at in expected.values())
    info = presenters.attempt_page(attempt, 1, now)
    by_position = {q.position: q for q in info.navigator}
    slots = {s.position: s for s in attempt.slots}
    for position, question in by_position.items():
        saved, at = expected.get(slots[position].id, (frozenset(), None))
        chosen = {
            slots[position].option_order[c.index] for c in question.choices if c.chosen
        }
        assert chosen == saved and question.saved_at == at
    assert info.answered == 2
    with pytest.raises(NotFound):
        svc.get_own_attempt(other, attempt.id)
    fresh = svc.start_attempt(other, quiz, now)
    assert _saved(fresh.id) == {}
