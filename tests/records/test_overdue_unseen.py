"""An attempt whose time ran out while its cadre was away (the tab closed, the sweep
not run yet) is not "running": the home page finalises it before saying where the
cadre stands, and the campaign pages and the reminders do not count it as being
taken."""

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.quizzes import attempts
from app.quizzes import services as quizzes
from app.quizzes.models import Attempt, Quiz
from app.timeutil import utcnow
from tests.certificates.helpers import user
from tests.records.helpers import make_campaign, read_all


def _overdue_attempt(tmp_path):
    """in1 read everything and started the quiz three hours ago (Q: 10 minutes)."""
    make_campaign(tmp_path)
    quiz = quizzes.get_quiz("Q")
    then = utcnow() - timedelta(hours=3)
    read_all(user("in1"), then - timedelta(hours=1))
    attempts.start_attempt(user("in1"), quiz, then)
    db.session.commit()
    return quiz.id


def test_home_finalises_an_attempt_whose_time_ran_out_unseen(
    app, client, auth, tmp_path
):
    with app.app_context():
        quiz_id = _overdue_attempt(tmp_path)
        assert quizzes.has_overdue(user("in1")) and not quizzes.has_overdue(user("in2"))
    auth.login("in1")
    home = client.get("/").get_data(as_text=True)
    assert "Tiếp tục làm bài" not in home and "Đang làm" not in home
    assert "Chưa đạt, còn 1 lượt" in home  # nothing saved: graded 0, one attempt left
    with app.app_context():
        attempt = db.session.scalar(select(Attempt).where(Attempt.quiz_id == quiz_id))
        assert (attempt.state, attempt.finished_by) == ("finished", "deadline")
        assert attempt.finished_at == attempt.deadline_at
        assert not quizzes.has_overdue(user("in1"))


def test_an_overdue_attempt_is_not_counted_as_running(app, tmp_path):
    with app.app_context():
        quiz = db.session.get(Quiz, _overdue_attempt(tmp_path))
        assert quizzes.count_open_attempts(quiz) == 0
        attempts.start_attempt(user("in2"), quiz, utcnow())  # a running one
        assert quizzes.count_open_attempts(quiz) == 1
        # in1 has used its attempts but for the overdue one: out of attempts once
        # that one can take no save (whatever its grade, nothing is left to take)
        quiz.attempts_allowed = 1
        ids = [user("in1").id, user("in2").id]
        assert quizzes.out_of_attempts(quiz, ids) == {user("in1").id}
