"""A quiz with target units (a contest round): only the cadres of their subtrees
may start it; a quiz without targets stays open to everyone; a trainer's preview
ignores them."""

import pytest
from sqlalchemy import func, select

from app.accounts.models import Unit, User
from app.courses import services as courses
from app.errors import NotAllowed, TimeExpired
from app.extensions import db
from app.quizzes import attempts
from app.quizzes.models import FINISHED, Attempt, QuizTarget
from app.timeutil import utcnow
from tests.factories import make_tree, make_user
from tests.quizzes.helpers import make_quiz

OUTSIDER = "Bạn không thuộc đơn vị tham gia bài thi này."


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def unit(code: str) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.code == code))


@pytest.fixture
def targeted(app):
    """Quiz Q targets the commune C; `in` works in C1 (below C), `out` in D1A (the
    department's branch), `tr` is a trainer of the department."""
    with app.app_context():
        tree = make_tree()
        make_user("in", tree["C1"])
        make_user("out", tree["D1A"])
        make_user("tr", tree["D"], roles=[("trainer", tree["D"]), ("learner", None)])
        quiz = make_quiz()
        quiz.targets.append(QuizTarget(unit_id=tree["C"].id))
        db.session.commit()


def attempt_count() -> int:
    return db.session.scalar(select(func.count(Attempt.id)))


def test_an_outsider_is_refused_with_the_reason(ctx, targeted):
    quiz = attempts.get_quiz("Q")
    check = attempts.check_start(user("out"), quiz, utcnow())
    assert not check.allowed and OUTSIDER in check.reasons
    with pytest.raises(NotAllowed, match=OUTSIDER):
        attempts.start_attempt(user("out"), quiz)
    assert attempt_count() == 0


def test_a_cadre_of_a_target_subtree_may_start(ctx, targeted):
    quiz = attempts.get_quiz("Q")
    assert attempts.check_start(user("in"), quiz, utcnow()).allowed
    assert attempts.start_attempt(user("in"), quiz).user_id == user("in").id


def test_the_target_unit_itself_and_a_second_target(ctx, targeted):
    quiz = attempts.get_quiz("Q")
    make_user("c", unit("C"))
    assert attempts.check_start(user("c"), quiz, utcnow()).allowed
    assert not attempts.check_start(user("out"), quiz, utcnow()).allowed
    quiz.targets.append(QuizTarget(unit_id=unit("D1").id))
    db.session.commit()
    assert attempts.check_start(user("out"), quiz, utcnow()).allowed


def test_a_quiz_without_targets_is_open_to_everyone(ctx, targeted):
    quiz = attempts.get_quiz("Q")
    quiz.targets.clear()
    db.session.commit()
    for name in ("in", "out", "tr"):
        assert attempts.check_start(user(name), quiz, utcnow()).allowed


def test_a_trainers_preview_ignores_the_targets(ctx, targeted):
    quiz = attempts.get_quiz("Q")
    assert not attempts.check_start(user("tr"), quiz, utcnow()).allowed
    preview = attempts.start_attempt(user("tr"), quiz, preview=True)
    assert preview.preview and preview.slots


def test_the_quiz_page_offers_no_start_to_an_outsider(client, auth, targeted):
    auth.login("out")
    page = client.get("/quizzes/Q").get_data(as_text=True)
    assert OUTSIDER in page and "Bắt đầu làm bài" not in page
    auth.logout()
    auth.login("in")
    page = client.get("/quizzes/Q").get_data(as_text=True)
    assert OUTSIDER not in page and "Bắt đầu làm bài" in page


def test_a_direct_post_to_start_is_refused_too(app, client, auth, targeted):
    auth.login("out")
    token = auth.token("/quizzes/Q")
    response = client.post("/quizzes/Q/start", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/quizzes/Q")
    assert OUTSIDER in client.get("/quizzes/Q").get_data(as_text=True)
    with app.app_context():
        assert attempt_count() == 0
    auth.logout()
    auth.login("in")
    token = auth.token("/quizzes/Q")
    response = client.post("/quizzes/Q/start", data={"csrf_token": token})
    assert "/attempts/" in response.headers["Location"]


def test_the_course_page_lists_a_targeted_quiz_only_to_its_cadres(ctx, targeted):
    quiz = attempts.get_quiz("Q")
    quiz.course_code = "T"
    db.session.commit()
    assert courses.quizzes_following("T", user("in")) == [quiz]
    assert courses.quizzes_following("T", user("out")) == []
    assert courses.quizzes_following("T") == [quiz]  # no user: every quiz


def test_a_real_start_ends_an_open_preview_and_numbers_on(ctx, targeted):
    """attempt_tally: a preview uses no attempt; a real start ends the open one and
    keeps its row (deleted, its id would come again on SQLite to the real attempt,
    into which the preview's page, still open, would then save); a real attempt's
    number follows the user's highest."""
    quiz = attempts.get_quiz("Q")
    quiz.attempts_allowed = 2
    quiz.targets.clear()
    trainer = user("tr")
    preview = attempts.start_attempt(trainer, quiz, preview=True)
    db.session.commit()
    preview_id = preview.id
    assert attempts.attempt_tally(trainer, quiz) == (0, 0, 1)
    real = attempts.start_attempt(trainer, quiz)
    db.session.commit()
    assert real.number == 1 and not real.preview and real.id != preview_id
    assert attempts.attempt_tally(trainer, quiz) == (1, 1, 1)
    ended = db.session.get(Attempt, preview_id)
    assert ended.preview and ended.state == FINISHED
    with pytest.raises(TimeExpired):  # the preview's page saves into no attempt
        attempts.save_answer(ended, 1, [0])
    attempts.finalise(real, utcnow())
    second = attempts.start_attempt(trainer, quiz)
    assert second.number == 2 and attempts.attempts_used(trainer, quiz) == 2
